"""Files replaced whole: the new content goes to a hidden file beside the target (``.NAME.PID_XXXXXXXX.part``,
PID the writing process), is synced to disk and renamed over the target, so a run stopped half-way (Ctrl-C,
disk full, killed, power cut) leaves the previous file, or none, never a part of one.

Every file helpfirst writes for the user (audit --report, classify --out, synth, demo) and the
knowledge base's resources go through here. The rules:

- a symlink is followed: its target is replaced and the link stays a link;
- a replaced file keeps its permission bits; a new one gets 0o666 less the umask, as ``open`` gives;
- a file one may not write is refused (PermissionError), as writing it in place would be; an existing
  file one may write in a folder where no file can be made is written in place (``fallback_in_place``);
- a path that exists and is not a regular file (``/dev/null``, a pipe, a terminal) or that names a
  process's open file (``/dev/stdout``, ``/dev/fd/N``) is written directly;
- the hidden file is removed on any error, Ctrl-C included; one left by a process killed outright (SIGKILL,
  SIGTERM, a power cut) is removed by the next write of the same target, once its PID names no live
  process and no one holds the lock its writer takes on it (a live writer's file is never removed; a PID
  reused since by another process keeps the file until that process ends too);
- ``sync=False`` skips the two fsyncs (file before the rename, folder after) for derived files that are
  rebuilt when lost, such as the knowledge base's search index: still replaced whole, never in place.

Standard library only: the command line imports this at start-up.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_output", "atomic_path", "write_bytes_atomic", "write_text_atomic"]


@contextmanager
def atomic_output(path: str | os.PathLike, mode: str = "w", *, encoding: str = "utf-8", newline: str | None = None,
                  fallback_in_place: bool = True, sync: bool = True) -> Iterator[IO[Any]]:
    """A file open for writing whose content replaces ``path`` when the block ends without an error."""
    if mode not in ("w", "wb"):
        raise ValueError(f"mode {mode!r}: use 'w' or 'wb'")
    text = {} if mode == "wb" else {"encoding": encoding, "newline": newline}
    plan = _plan(path, fallback_in_place)
    if plan.direct:
        with open(path, mode, **text) as fh:
            yield fh
        return
    fh = None
    try:
        _lock(plan.fd)  # released when the file is closed (or the process ends): a later write sees it is stale
        fh = os.fdopen(plan.fd, mode, **text)
        yield fh
        fh.flush()
        os.fchmod(plan.fd, plan.mode)  # mkstemp makes the file 0600
        if sync:
            os.fsync(plan.fd)
        fh.close()
        os.replace(plan.part, plan.target)
    except BaseException:
        with suppress(OSError):  # closing flushes what is left: the error it meets is not the one to tell
            if fh is None:
                os.close(plan.fd)
            else:
                fh.close()
        with suppress(OSError):
            os.unlink(plan.part)
        raise
    if sync:
        _sync_folder(plan.target)


@contextmanager
def atomic_path(path: str | os.PathLike, *, fallback_in_place: bool = True, sync: bool = True) -> Iterator[Path]:
    """A path to write ``path``'s new content to (for writers that open a path themselves): the file
    there replaces ``path`` when the block ends without an error, and is removed otherwise."""
    plan = _plan(path, fallback_in_place)
    if plan.direct:
        yield Path(path)
        return
    _lock(plan.fd)  # kept open (the writer opens the path itself) for the lock a later write looks for
    try:
        yield Path(plan.part)
        fd = os.open(plan.part, os.O_RDONLY)
        try:
            os.fchmod(fd, plan.mode)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(plan.part, plan.target)
    except BaseException:
        with suppress(OSError):
            os.unlink(plan.part)
        raise
    finally:
        os.close(plan.fd)
    if sync:
        _sync_folder(plan.target)


def write_text_atomic(path: str | os.PathLike, text: str, *, encoding: str = "utf-8",
                      fallback_in_place: bool = True, sync: bool = True) -> None:
    """Replace ``path`` with ``text`` (newlines written as they are) through atomic_output."""
    with atomic_output(path, "w", encoding=encoding, newline="", fallback_in_place=fallback_in_place, sync=sync) as fh:
        fh.write(text)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, fallback_in_place: bool = True,
                       sync: bool = True) -> None:
    """Replace ``path`` with ``data`` through atomic_output."""
    with atomic_output(path, "wb", fallback_in_place=fallback_in_place, sync=sync) as fh:
        fh.write(data)


class _Plan:
    __slots__ = ("direct", "fd", "part", "target", "mode")

    def __init__(self, direct: bool, fd: int = -1, part: str = "", target: str = "", mode: int = 0) -> None:
        self.direct, self.fd, self.part, self.target, self.mode = direct, fd, part, target, mode


def _read_only_mount(path: str) -> bool:
    """Whether the file system holding path is mounted read-only."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _plan(path: str | os.PathLike, fallback_in_place: bool) -> _Plan:
    """Where to write: directly to ``path``, or to a new hidden file (open, descriptor ``fd``) beside
    the file ``path`` resolves to, with the mode the replaced file had."""
    path = os.fspath(path)
    if _names_open_file(path):
        return _Plan(direct=True)
    try:
        old = os.stat(path)
    except FileNotFoundError:  # also a symlink to nothing yet: the file is made where it points
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        return _Plan(direct=True)
    target = os.path.realpath(path)
    if old is not None and not os.access(target, os.W_OK):
        # a rename would replace a file one may not write (the folder permits it): refused, as writing it would be;
        # os.access does not say why, and "Permission denied" sends the operator to chmod a read-only mount
        code = errno.EROFS if _read_only_mount(target) else errno.EACCES
        raise PermissionError(code, os.strerror(code), path)
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask()
    import tempfile  # here: the command line imports this module at start-up

    folder, name = os.path.split(target)
    _remove_stale_parts(folder, name)
    try:
        fd, part = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}_", suffix=".part", dir=folder)
    except PermissionError:
        # a file one may write in a folder one may not add to: written in place, as before these were atomic
        if not fallback_in_place or old is None:
            raise
        return _Plan(direct=True)
    return _Plan(direct=False, fd=fd, part=part, target=target, mode=mode)


def _lock(fd: int) -> None:
    """Take a lock on the hidden file open at ``fd`` for as long as it is open (best effort: no lock on
    Windows, nor on a file system that refuses them; the PID in its name still tells)."""
    try:
        import fcntl
    except ImportError:
        return
    with suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_stale_parts(folder: str, name: str) -> None:
    """Remove the hidden files (``.NAME.PID_XXXXXXXX.part``) that writes of ``name`` in ``folder`` left when
    their process was killed: one whose PID names a live process (its writer, or a process given the PID
    since), or whose lock is held (a writer in another PID namespace sharing the folder), is kept. Files of
    the older ``.NAME.XXXXXXXX.part`` form name no writer and are left alone. Best effort: an error is not one
    of the write's own."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)_[a-z0-9_]{{8}}\.part")
    try:
        with os.scandir(folder or ".") as entries:
            found = [(e.name, int(m.group(1))) for e in entries if (m := pattern.fullmatch(e.name))]
    except OSError:
        return
    for part, pid in found:
        if _alive(pid):
            continue
        path = os.path.join(folder, part)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or _locked(fd):
                continue
            with suppress(OSError):
                os.unlink(path)
        finally:
            os.close(fd)


def _alive(pid: int) -> bool:
    """Whether ``pid`` names a process (one of another user's too); a pid no process can have is not alive."""
    if pid <= 0:
        return True  # not a writer's pid: not judged, kept
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError):
        return False
    except OSError:
        return True
    return True


def _locked(fd: int) -> bool:
    """Whether another open file holds the lock on the file open at ``fd`` (a writer's: see _lock)."""
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # no locks here: the dead PID decides
        return False
    return False


def _names_open_file(path: str) -> bool:
    """Whether ``path`` reaches a process's open file through /proc (``/dev/stdout``, ``/dev/fd/3``):
    renaming over the file behind it would leave the process writing to a file nobody sees."""
    p = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        folder, name = os.path.split(p)
        folder = os.path.realpath(folder)
        if folder == "/proc" or folder.startswith("/proc/"):
            return True
        p = os.path.join(folder, name)
        if not os.path.islink(p):
            return False
        p = os.path.normpath(os.path.join(folder, os.readlink(p)))
    return False


def _sync_folder(target: str) -> None:
    """fsync the folder holding ``target`` so the rename itself survives a power cut (best effort:
    some file systems refuse a folder's fsync)."""
    with suppress(OSError):
        fd = os.open(os.path.dirname(target) or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    try:  # Linux 4.7+: read without changing it (os.umask would change it for every thread a moment)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
