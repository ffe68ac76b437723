"""Ctrl-C during the audit's parallel classification ends the workers at once (leaving the thread
pool used to wait for every worker to finish its slices: 12-27 s on a large archive)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

CHILD = textwrap.dedent("""
    import os, sys, pyarrow as pa
    from helpfirst.measure import signals_scorecard
    signals_scorecard.PARALLEL_MIN_POSTS = 1000
    n = 2_000_000
    texts = pa.array(["@Acme my order never arrived and nobody answers, where is it? #" + str(i % 997) for i in range(n)])
    roles = pa.array(["customer"] * n)
    print("start", flush=True)
    try:
        signals_scorecard.classify_threaded(pa.table({"text": texts, "author_role": roles}), jobs=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
    print("finished", flush=True)
""")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                pass
    return found


def test_sigint_ends_the_classification_workers_at_once():
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:  # both workers are running
        time.sleep(0.1)
    workers = _children(proc.pid)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(1.0)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130 and out.strip() == "interrupted", (proc.returncode, out, err)
    assert took < 3.0, f"took {took:.1f} s to stop"
    assert not [w for w in workers if os.path.exists(f"/proc/{w}") and open(f"/proc/{w}/stat").read().split()[2] != "Z"]
