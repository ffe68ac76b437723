"""helpfirst.fileio replaces a file whole: through a symlink (the link stays, its target is replaced),
keeping the replaced file's mode, synced, and without a hidden part file left when the write fails
or is interrupted; a path that is not a regular file is written directly."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from helpfirst import fileio
from helpfirst.fileio import atomic_output, atomic_path, write_bytes_atomic, write_text_atomic


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_an_ordinary_file(tmp_path: Path):
    write_text_atomic(tmp_path / "a.txt", "one\r\ntwo\n")
    assert (tmp_path / "a.txt").read_bytes() == b"one\r\ntwo\n"  # written as given
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o666 & ~umask()
    assert names(tmp_path) == ["a.txt"]


def test_a_replaced_file_keeps_its_mode(tmp_path: Path):
    path = tmp_path / "private.txt"
    path.write_text("old")
    path.chmod(0o600)
    write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    write_text_atomic(path, "newer")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_through_a_symlink_the_target_is_replaced_and_the_link_stays(tmp_path: Path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "target.html"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.html"
    link.symlink_to(Path("data") / "target.html")
    write_text_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("data", "target.html")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert names(tmp_path) == ["data", "link.html"] and names(tmp_path / "data") == ["target.html"]


def test_a_symlink_to_nothing_yet_makes_its_target(tmp_path: Path):
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    write_text_atomic(link, "new")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "new"


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_previous_file_and_no_part_file(tmp_path: Path, error):
    path = tmp_path / "out.jsonl"
    path.write_text("previous\n")
    with pytest.raises(type(error)):
        with atomic_output(path) as fh:
            fh.write("half of the new\n" * 10_000)
            raise error
    assert path.read_text() == "previous\n"
    assert names(tmp_path) == ["out.jsonl"]


def test_a_failed_write_through_a_path_leaves_no_part_file(tmp_path: Path):
    path = tmp_path / "synth.csv"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(path) as part:
            assert part.parent == tmp_path and part.name.startswith(".synth.csv.") and part.name.endswith(".part")
            part.write_text("half")
            raise KeyboardInterrupt
    assert names(tmp_path) == []
    with atomic_path(path) as part:
        part.write_text("whole")
    assert path.read_text() == "whole" and names(tmp_path) == ["synth.csv"]


def test_dev_null_is_written_directly():
    before = os.stat("/dev/null")
    write_text_atomic("/dev/null", "nothing")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_a_named_pipe_is_written_directly(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_bytes_atomic(fifo, b"through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and names(tmp_path) == ["pipe"]


def test_only_w_and_wb(tmp_path: Path):
    with pytest.raises(ValueError, match="mode 'a'"):
        with atomic_output(tmp_path / "x", "a"):
            pass
    assert names(tmp_path) == []


def as_nobody(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` (with helpfirst.fileio importable) as the unprivileged user nobody."""
    src = str(Path(fileio.__file__).resolve().parents[1])
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                           f"import sys; sys.path.insert(0, {src!r}); from helpfirst.fileio import write_text_atomic\n{code}"],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def shared_folder():
    """A folder under /tmp that the user nobody can reach (pytest's tmp_path is private to root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to write as another user")
    folder = Path(tempfile.mkdtemp(prefix="helpfirst-fileio-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


def test_a_file_one_may_not_write_is_refused_though_the_folder_would_let_it_be_replaced(shared_folder: Path):
    shared_folder.chmod(0o777)
    path = shared_folder / "read-only.txt"
    path.write_text("keep me")
    path.chmod(0o444)
    proc = as_nobody(f"write_text_atomic({str(path)!r}, 'new')")
    assert "PermissionError" in proc.stderr and proc.returncode == 1
    assert path.read_text() == "keep me" and path.stat().st_uid == 0
    assert names(shared_folder) == ["read-only.txt"]


def test_a_writable_file_in_a_folder_one_may_not_add_to_is_written_in_place(shared_folder: Path):
    path = shared_folder / "shared.txt"
    path.write_text("old")
    path.chmod(0o666)
    inode = path.stat().st_ino
    proc = as_nobody(f"write_text_atomic({str(path)!r}, 'new')")
    assert proc.returncode == 0, proc.stderr
    assert path.read_text() == "new" and path.stat().st_ino == inode
    proc = as_nobody(f"write_text_atomic({str(path)!r}, 'newer', fallback_in_place=False)")
    assert "PermissionError" in proc.stderr and path.read_text() == "new"
