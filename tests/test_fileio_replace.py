"""The knowledge base's search index is replaced through helpfirst.fileio (one atomic-replace function for
every file helpfirst writes): its files keep their mode and symlinks as any other replaced file does, a save
that fails leaves the previous index and no hidden file, it is never written in place (a reader may have it
memory-mapped), and it is not fsynced (``sync=False``: derived data, rebuilt when its manifest does not match)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from helpfirst.fileio import atomic_output, write_bytes_atomic
from helpfirst.knowledge import lexical
from helpfirst.knowledge.lexical import Bm25Index

DOCS = [["reset", "password"], ["router", "lights"], ["reset", "router"]]


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_lexical_has_no_replace_of_its_own():
    assert not hasattr(lexical, "_replace")


def test_a_saved_index_keeps_the_mode_of_the_files_it_replaces(tmp_path: Path):
    Bm25Index.build(DOCS).save(tmp_path, "resources")
    for path in tmp_path.iterdir():
        path.chmod(0o600)
    Bm25Index.build(DOCS[:1]).save(tmp_path, "resources")
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == {
        f"resources.{part}": 0o600 for part in ("data.npy", "indices.npy", "indptr.npy", "vocab.json")}
    assert Bm25Index.load(tmp_path, "resources").num_docs == 1


def test_a_symlinked_index_file_stays_a_link_and_its_target_is_replaced(tmp_path: Path):
    kb, elsewhere = tmp_path / "kb", tmp_path / "elsewhere"
    Bm25Index.build(DOCS).save(kb, "resources")
    elsewhere.mkdir()
    (kb / "resources.vocab.json").rename(elsewhere / "resources.vocab.json")
    (kb / "resources.vocab.json").symlink_to(elsewhere / "resources.vocab.json")
    Bm25Index.build(DOCS[:2]).save(kb, "resources")
    assert (kb / "resources.vocab.json").is_symlink()
    assert Bm25Index.load(kb, "resources").num_docs == 2
    assert hidden(kb) == [] and hidden(elsewhere) == []


class Unsaveable:
    """An array np.save cannot write (pickling it fails), so a save fails part-way through its files."""

    def __reduce__(self):
        raise RuntimeError("cannot save this")


def test_a_save_that_fails_leaves_the_previous_index_and_no_hidden_file(tmp_path: Path):
    Bm25Index.build(DOCS).save(tmp_path, "resources")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    good = Bm25Index.build(DOCS[:1])
    broken = Bm25Index(good.data, good.indices, np.array([Unsaveable()], dtype=object), good.vocab, good.num_docs)
    with pytest.raises(RuntimeError, match="cannot save this"):
        broken.save(tmp_path, "resources")
    assert hidden(tmp_path) == []
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after.keys() == before.keys()
    assert after["resources.indptr.npy"] == before["resources.indptr.npy"]  # the file that failed is the old one


def fsyncs(tmp_path: Path, code: str) -> list[str]:
    """The fsync calls (with the files they were on) of a Python process running ``code``."""
    trace = tmp_path / "trace.txt"
    proc = subprocess.run(["strace", "-f", "-y", "-o", str(trace), "-e", "trace=fsync,fdatasync", sys.executable, "-c", code],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip(f"strace cannot trace here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return [line for line in trace.read_text().splitlines() if re.search(r"\bf(data)?sync\(", line)]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_sync_false_replaces_without_fsync_and_the_default_syncs(tmp_path: Path):
    folder = tmp_path / "out"
    folder.mkdir()
    calls = fsyncs(tmp_path, f"""
from helpfirst.fileio import write_bytes_atomic
write_bytes_atomic({str(folder / 'derived.bin')!r}, b'x', sync=False)
write_bytes_atomic({str(folder / 'kept.bin')!r}, b'y')
""")
    real = os.path.realpath(folder)
    assert not [c for c in calls if "derived" in c]
    assert any(re.search(rf"<{re.escape(real)}/\.kept\.bin\.\w+\.part>", c) for c in calls)
    assert any(re.search(rf"<{re.escape(real)}>", c) for c in calls)
    assert sorted(p.name for p in folder.iterdir()) == ["derived.bin", "kept.bin"]


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_an_index_save_is_not_fsynced(tmp_path: Path):
    folder = tmp_path / "kb"
    calls = fsyncs(tmp_path, f"""
from pathlib import Path
from helpfirst.knowledge.lexical import Bm25Index
Bm25Index.build([["a", "b"], ["c"]]).save(Path({str(folder)!r}), "resources")
""")
    assert calls == []
    assert sorted(p.name for p in folder.iterdir()) == [
        "resources.data.npy", "resources.indices.npy", "resources.indptr.npy", "resources.vocab.json"]


def test_atomic_output_without_sync_still_cleans_up_on_error(tmp_path: Path):
    (tmp_path / "f.bin").write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(tmp_path / "f.bin", "wb", sync=False) as fh:
            fh.write(b"half")
            raise KeyboardInterrupt
    assert (tmp_path / "f.bin").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.bin"]
    write_bytes_atomic(tmp_path / "f.bin", b"new", sync=False)
    assert (tmp_path / "f.bin").read_bytes() == b"new"


def test_an_index_is_never_written_in_place_when_no_file_can_be_made_beside_it():
    """A writable index file in a folder one may not add to: the save is refused (PermissionError) and
    the file keeps its content and inode (fileio's fallback_in_place would rewrite it under its readers)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to write as another user")
    folder = Path(tempfile.mkdtemp(prefix="helpfirst-index-", dir="/tmp"))
    try:
        Bm25Index.build(DOCS).save(folder, "resources")
        for path in folder.iterdir():
            path.chmod(0o666)
        folder.chmod(0o755)
        inodes = {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.iterdir()}
        src = str(Path(lexical.__file__).resolve().parents[2])
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                               f"import sys; sys.path.insert(0, {src!r})\nfrom pathlib import Path\n"
                               "from helpfirst.knowledge.lexical import Bm25Index\n"
                               f"Bm25Index.build([['x']]).save(Path({str(folder)!r}), 'resources')"],
                              capture_output=True, text=True, timeout=60)
        if "ModuleNotFoundError" in proc.stderr or "Permission denied: '" + sys.executable in proc.stderr:
            pytest.skip(f"the user nobody cannot run this Python: {proc.stderr.strip()[-200:]}")
        assert "PermissionError" in proc.stderr and proc.returncode == 1, proc.stderr
        assert {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.iterdir()} == inodes
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
