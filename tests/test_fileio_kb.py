"""`kb add` replaces resources.jsonl (the only copy of the knowledge base) through helpfirst.fileio:
its mode and a symlink to it are kept, and it is synced to disk before the rename, its folder after."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}


def helpfirst(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300, env=ENV)


def resources(path: Path, *ids: str) -> Path:
    path.write_text("".join(json.dumps({"id": i, "brand": "Acme", "kind": "article", "url": f"https://help.acme.com/{i}",
                                        "title": f"router guide {i}"}) + "\n" for i in ids))
    return path


def test_kb_add_keeps_the_mode_and_the_link_of_resources_jsonl(tmp_path: Path):
    kb = tmp_path / "kb"
    assert helpfirst("kb", "add", str(resources(tmp_path / "a.jsonl", "a1")), "--kb", str(kb)).returncode == 0
    private = tmp_path / "private"
    private.mkdir()
    (kb / "resources.jsonl").rename(private / "resources.jsonl")
    (private / "resources.jsonl").chmod(0o600)
    (kb / "resources.jsonl").symlink_to(private / "resources.jsonl")
    proc = helpfirst("kb", "add", str(resources(tmp_path / "b.jsonl", "b1")), "--kb", str(kb), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 2
    assert (kb / "resources.jsonl").is_symlink()
    assert stat.S_IMODE((private / "resources.jsonl").stat().st_mode) == 0o600
    assert [json.loads(line)["id"] for line in (private / "resources.jsonl").read_text().splitlines()] == ["a1", "b1"]
    assert os.listdir(private) == ["resources.jsonl"]
    assert not [name for name in os.listdir(kb) if name.endswith((".part", ".tmp"))]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_kb_add_syncs_resources_jsonl_before_renaming_it_and_its_folder_after(tmp_path: Path):
    kb = tmp_path / "kb"
    trace = tmp_path / "trace.txt"
    proc = subprocess.run(["strace", "-f", "-y", "-o", str(trace), "-e", "trace=fsync,rename,renameat,renameat2",
                           sys.executable, "-m", "helpfirst", "kb", "add", str(resources(tmp_path / "a.jsonl", "a1")),
                           "--kb", str(kb)], capture_output=True, text=True, timeout=300, env=ENV)
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    calls = trace.read_text().splitlines()
    folder = os.path.realpath(kb)
    renamed = next(i for i, c in enumerate(calls) if re.search(r"rename\w*\(.*\.resources\.jsonl\.\w+\.part.*resources\.jsonl\"", c))
    assert any(re.search(rf"fsync\(\d+<{re.escape(folder)}/\.resources\.jsonl\.\w+\.part>\)", c) for c in calls[:renamed])
    assert any(re.search(rf"fsync\(\d+<{re.escape(folder)}>\)", c) for c in calls[renamed:])
