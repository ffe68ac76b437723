"""Stop 17, known defect: a --history file that can be stat'ed but not read (mode 000) still got its suggest index
saved, keyed by the file's size and modification time; a chmod back changes neither, so the next run reused that
index, learned from nothing. The same held for an unreadable file in a --kb folder, which the command line reaches
(it refuses an unreadable --history file itself at its start; build_or_load, the library call, did not). A run that could not read every input whole now neither saves nor loads an index,
as a pipe that could not be copied already did.

Tests run as root, which reads a mode-000 file anyway (CAP_DAC_OVERRIDE): the commands run under
`setpriv --bounding-set -dac_override,-dac_read_search`, so the permission bits hold for them as for any user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_suggest_cache_stdin_stop16 import files, page, posts_read, reused

SETPRIV = shutil.which("setpriv")
pytestmark = pytest.mark.skipif(SETPRIV is None, reason="setpriv is not installed")


def suggest(tmp_path: Path, history: Path, kb: Path) -> subprocess.CompletedProcess:
    """`helpfirst suggest` of one question with the cache in tmp_path, the permission bits enforced even for root."""
    _, queries = files(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["HELPFIRST_CACHE"] = str(tmp_path / "cache")
    args = [SETPRIV, "--bounding-set", "-dac_override,-dac_read_search", sys.executable, "-m", "helpfirst", "suggest",
            "--kb", str(kb), "--history", str(history), "--brand", "Acme", "--input", str(queries), "--json",
            "--semantic", "off"]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def _enforced(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    proc = subprocess.run([SETPRIV, "--bounding-set", "-dac_override,-dac_read_search", "cat", str(probe)],
                          capture_output=True, text=True)
    probe.unlink()
    return proc.returncode != 0


# the real build_or_load, in a process that permission bits hold for: the command line itself refuses a --history
# file it cannot read when it starts (click's readable check), so only library callers (and a file made unreadable
# while the command starts) reach it
_BUILD = """
import json, sys
from pathlib import Path
from helpfirst.suggest.service import build_or_load
kb, history, index = map(Path, sys.argv[1:4])
r = build_or_load([kb], [history], index_dir=index if sys.argv[4] == 'fixed' else None)
print(json.dumps({"cached": r.cached, "saved": str(r.path) if r.path else None, "messages": r.messages,
                  "posts": r.history_report.rows_loaded, "errors": r.history_report.errors}))
"""


def build(tmp_path: Path, history: Path, index: str) -> dict:
    kb, _ = files(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["HELPFIRST_CACHE"] = str(tmp_path / "cache")
    proc = subprocess.run([SETPRIV, "--bounding-set", "-dac_override,-dac_read_search", sys.executable, "-c", _BUILD,
                           str(kb), str(history), str(tmp_path / "ix"), index],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("index", ["cache", "fixed"])
def test_unreadable_history_saves_no_index_and_is_learned_once_readable(tmp_path, index):
    if not _enforced(tmp_path):
        pytest.skip("permission bits are not enforced here even without CAP_DAC_OVERRIDE")
    history = tmp_path / "history.jsonl"
    history.write_text(page(3))
    history.chmod(0)
    try:
        blind = build(tmp_path, history, index)
        assert any("Permission denied" in e for e in blind["errors"]), blind
        assert blind["saved"] is None and any("not saved" in m for m in blind["messages"]), blind
        history.chmod(0o644)  # size and modification time unchanged
        seen = build(tmp_path, history, index)
        assert not seen["cached"] and seen["posts"] == 6 and seen["saved"], seen
        again = build(tmp_path, history, index)  # all of it read: saved, and now reused
        assert again["cached"] and again["posts"] == 6, again
    finally:
        history.chmod(0o644)


def test_saved_index_is_not_loaded_while_its_history_is_unreadable(tmp_path):
    if not _enforced(tmp_path):
        pytest.skip("permission bits are not enforced here even without CAP_DAC_OVERRIDE")
    history = tmp_path / "history.jsonl"
    history.write_text(page(2))
    assert build(tmp_path, history, "cache")["saved"]
    history.chmod(0)
    try:
        blind = build(tmp_path, history, "cache")
        assert not blind["cached"] and blind["saved"] is None, blind
    finally:
        history.chmod(0o644)
    assert build(tmp_path, history, "cache")["cached"]


def test_kb_folder_with_an_unreadable_file_saves_no_index_through_the_cli(tmp_path):
    # the command line checks a --kb folder, not the files in it: this one reaches the cache from the command line
    if not _enforced(tmp_path):
        pytest.skip("permission bits are not enforced here even without CAP_DAC_OVERRIDE")
    kb_file, queries = files(tmp_path)
    folder = tmp_path / "kbdir"
    folder.mkdir()
    resource = kb_file.rename(folder / "r.jsonl")
    kb_file.write_text("")  # files() finds it written
    history = tmp_path / "history.jsonl"
    history.write_text(page(2))
    resource.chmod(0)
    try:
        blind = suggest(tmp_path, history, kb=folder)
        assert "Permission denied" in blind.stderr and "not saved" in blind.stderr, blind.stderr
        resource.chmod(0o644)  # size and modification time unchanged
        seen = suggest(tmp_path, history, kb=folder)
        assert not reused(seen) and "knowledge: 1 read, 1 loaded" in seen.stderr, seen.stderr
        assert reused(suggest(tmp_path, history, kb=folder))
    finally:
        resource.chmod(0o644)
