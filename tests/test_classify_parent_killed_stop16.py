"""`kill PID` on `helpfirst classify` (a script, systemd's KillMode=mixed, a container stop) signals
only the parent. Its workers used to go on with their chunk and then print a BrokenPipeError
traceback each into the job's log, seconds after the job had ended. Now they end with the parent,
at once and without a word (Linux's parent-death signal)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")


def _children(pid: int) -> list[int]:
    """Processes whose parent is pid (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_quietly_with_a_killed_parent(tmp_path):
    texts = ["@AcmeHelp my router keeps dropping the connection every hour, please help",
             "@sam we're sorry to hear that! Please restart it and DM us your account number"]
    with (tmp_path / "posts.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(400_000):
            fh.write(json.dumps({"id": str(i), "text": f"{texts[i % 2]} #{i}", "role": ("customer", "brand")[i % 2]}) + "\n")
    err = (tmp_path / "err.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "helpfirst", "classify", str(tmp_path / "posts.jsonl"),
                             "--out", str(tmp_path / "out.jsonl"), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            time.sleep(0.2)
            workers = _children(proc.pid)
        assert len(workers) >= 2, "the workers never started"
        time.sleep(1.5)  # they are classifying now
        assert proc.poll() is None, "classify finished before it could be killed: give it more posts"
        os.kill(proc.pid, signal.SIGTERM)  # the parent only, not its process group
        proc.wait(timeout=30)
        time.sleep(0.5)
        left = [w for w in workers if _alive(w)]
        time.sleep(3)  # a worker that went on would have printed its traceback by now
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        err.close()
    assert proc.returncode == -signal.SIGTERM
    assert left == [], f"workers outlived their parent: {left}"
    stderr = (tmp_path / "err.txt").read_text()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
