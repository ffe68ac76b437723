"""An output on a read-only mount was refused as 'Permission denied', which sends an operator to chmod
instead of remounting; it now says 'Read-only file system', as kb add and synth already did. Needs a
read-only bind mount (root): skipped with the reason where none can be made."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


@pytest.fixture
def read_only_folder(tmp_path):
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    (src / "r.html").write_text("yesterday's report", encoding="utf-8")
    (src / "o.jsonl").write_text("yesterday's signals\n", encoding="utf-8")
    made = subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a bind mount here: {made.stderr.strip()}")
    try:
        ro_done = subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True, text=True)
        if ro_done.returncode != 0:
            pytest.skip(f"cannot make the bind mount read-only: {ro_done.stderr.strip()}")
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)


def _run(*args):
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300)


def test_outputs_on_a_read_only_mount_say_so(read_only_folder, tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "author": "dana", "author_role": "customer",
                                 "created_at": "2024-02-01T09:00:00Z", "text": "my order is late"}) + "\n",
                     encoding="utf-8")
    report = read_only_folder / "r.html"
    audit = _run("audit", str(posts), "--no-signals", "--report", str(report))
    assert audit.returncode == 1
    assert f"{report}: cannot write the report (Read-only file system)" in audit.stderr
    out = read_only_folder / "o.jsonl"
    classify = _run("classify", str(posts), "--out", str(out))
    assert classify.returncode != 0
    assert f"{out}: cannot write (Read-only file system)" in classify.stderr
    assert "Permission denied" not in audit.stderr + classify.stderr
    assert report.read_text(encoding="utf-8") == "yesterday's report"
    assert out.read_text(encoding="utf-8") == "yesterday's signals\n"
