"""The commands that write a file for the user replace it through helpfirst.fileio: `audit --report`
and `classify --out` through a symlink replace the link's target (the link stays) with the target's
mode kept; a `--out /dev/stdout` whose standard output is a file writes into that open file instead
of renaming a new file over it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from .conftest import write_twcs

ROWS = [
    (1, "101", True, 0, "@Acme my router keeps dropping", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
]
POSTS = [{"id": i, "text": f"my parcel number {i} never arrived, can you help?", "role": "customer"} for i in range(50)]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}


def helpfirst(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300, env=ENV)


def private_file_and_link(folder: Path, name: str) -> tuple[Path, Path]:
    target = folder / f"target-{name}"
    target.write_text("the previous one\n")
    target.chmod(0o600)
    link = folder / name
    link.symlink_to(target.name)
    return target, link


def test_a_report_through_a_symlink_replaces_its_target_and_keeps_the_mode(tmp_path: Path):
    archive = write_twcs(tmp_path / "small.csv", ROWS)
    target, link = private_file_and_link(tmp_path, "link.html")
    proc = helpfirst("audit", str(archive), "--no-signals", "--report", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.html", "small.csv", "target-link.html"]


def test_classify_out_through_a_symlink_replaces_its_target_and_keeps_the_mode(tmp_path: Path):
    src = tmp_path / "posts.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in POSTS))
    target, link = private_file_and_link(tmp_path, "out.jsonl")
    proc = helpfirst("classify", str(src), "--out", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert len(target.read_text().splitlines()) == len(POSTS)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "posts.jsonl", "target-out.jsonl"]


def test_classify_out_dev_stdout_redirected_to_a_file_writes_into_that_file(tmp_path: Path):
    # renaming a new file over the one standard output has open would lose what the shell writes after
    src = tmp_path / "posts.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in POSTS))
    log = tmp_path / "log.txt"
    script = f'"{sys.executable}" -m helpfirst classify "{src}" --out /dev/stdout && echo after'
    with log.open("a") as fh:  # >> log.txt: the shell's own writes go to the end
        proc = subprocess.run(["sh", "-c", script], stdout=fh, stderr=subprocess.PIPE, text=True, timeout=300, env=ENV)
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text().splitlines()
    assert lines[-1] == "after" and len(lines) == len(POSTS) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.txt", "posts.jsonl"]
