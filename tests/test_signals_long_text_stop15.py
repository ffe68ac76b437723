"""A runaway post (megabytes of text on one line) is read by the signals up to MAX_SIGNAL_CHARS, so
it costs megabytes of memory, not gigabytes (character n-grams take about 250 bytes per byte)."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa

from helpfirst.signals import MAX_SIGNAL_CHARS, classify_posts


def test_long_post_signals_are_those_of_its_first_characters():
    head = "My order never arrived and support keeps ignoring me, please help! " * 400
    head = head[:MAX_SIGNAL_CHARS]
    long_text = head + "zzz qqq " * 50_000
    got = classify_posts([long_text, head], ["customer", "customer"]).to_pylist()
    assert got[0] == got[1]
    assert len(long_text) > 10 * MAX_SIGNAL_CHARS


def test_short_posts_are_not_copied():
    from helpfirst.signals import _capped

    texts = pa.array(["short", "posts", None])
    assert _capped(texts) is texts


def test_classify_of_a_30_mb_post_stays_small(tmp_path):
    src = tmp_path / "big.jsonl"
    with open(src, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "big", "role": "customer", "text": "help " + "x" * (30 << 20)}) + "\n")
        f.write(json.dumps({"id": "small", "role": "customer", "text": "where is my refund?"}) + "\n")
    # a fresh parent whose only child is the classify run, so its children's peak is that run's alone
    probe = ("import resource, subprocess, sys\n"
             "run = subprocess.run([sys.executable, '-m', 'helpfirst', 'classify', sys.argv[1], '--jobs', '1'],"
             " capture_output=True, text=True)\n"
             "sys.stderr.write(run.stderr)\n"
             "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n' + run.stdout)\n"
             "sys.exit(run.returncode)\n")
    run = subprocess.run([sys.executable, "-c", probe, str(src)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    peak_kb, *out = run.stdout.splitlines()
    lines = [json.loads(x) for x in out]
    assert [x["id"] for x in lines] == ["big", "small"]
    assert lines[1]["needs_help"] is True
    assert int(peak_kb) / 1024 < 2000, f"classify peaked at {int(peak_kb) / 1024:.0f} MB for one 30 MB post"
