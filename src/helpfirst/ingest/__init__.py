"""Importers: one module per source format, each streaming Arrow batches of canonical posts."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    # An archive's columns are allocated once and freed at the end; the system allocator reuses
    # freed memory where mimalloc (pyarrow's default) hands it back to the OS and takes page faults
    # for it again: a third less system time on a 2.8M-post audit (bench/README.md).
    pa.set_memory_pool(pa.system_memory_pool())
if "NUMPY_MADVISE_HUGEPAGE" not in os.environ:
    # numpy asks for transparent huge pages for large arrays; where the kernel compacts memory to
    # find them (defrag=madvise), each first touch costs more than the 512 small pages it saves
    getattr(np, "_core", getattr(np, "core", None)).multiarray._set_madvise_hugepage(False)

from .base import EARLIEST_YEAR, LATEST_YEAR, ImportFailed, ImportOptions, ImportReport, Importer, Rejection
from .common import EARLIEST_US, LATEST_US, head_past_blanks

_REGISTRY: dict[str, Importer] = {}

#: Bytes looked at to guess a file's format.
SNIFF_BYTES = 64 * 1024


def register(importer_cls: type[Importer]) -> type[Importer]:
    """Class decorator: make a format available by its name."""
    _REGISTRY[importer_cls.name] = importer_cls()
    return importer_cls


#: Built-in formats and the module that registers each, in the order formats are guessed
#: (specific ones before the generic canonical ones). Modules are imported only when needed.
BUILTIN_FORMATS = {"twcs": "twcs", "x-v2": "xv2", "mastodon": "mastodon", "jsonl": "canonical", "csv": "canonical"}


def formats() -> dict[str, Importer]:
    """All registered formats, by name."""
    for name in BUILTIN_FORMATS:
        _load(name)
    return dict(_REGISTRY)


def get_importer(name: str) -> Importer:
    """The importer for a format name, or ImportFailed listing the known ones."""
    _load(name)
    if name not in _REGISTRY:
        known = sorted(set(BUILTIN_FORMATS) | set(_REGISTRY))
        raise ImportFailed(f"unknown format {name!r}; known formats: {', '.join(known)}")
    return _REGISTRY[name]


def _load(name: str) -> None:
    module = BUILTIN_FORMATS.get(name)
    if module is not None and name not in _REGISTRY:
        importlib.import_module(f"{__name__}.{module}")


#: the path that names standard input, and the name it is shown by (as `helpfirst classify`)
STDIN, STDIN_NAME = "-", "<stdin>"
#: name shown -> the temporary copy of a pipe or of standard input read this run (see spool)
_SPOOLED: dict[str, Path] = {}
#: the folder of this run's copies, and the write end of the pipe its reaper waits on
_SPOOL_DIR: list[Path] = []
_REAPER: list[tuple[int, object]] = []
#: bytes of a stream judged (check_text) before the rest of it is copied
_STREAM_HEAD = 4096
#: The most a run copies of its pipes and standard input together (an audit needs the whole input,
#: so a stream is copied before it is read): an endless or runaway producer stops here with an error
#: instead of filling the temporary folder. HELPFIRST_MAX_PIPE_COPY changes it.
MAX_PIPE_COPY = 8 << 30
MAX_PIPE_COPY_VAR = "HELPFIRST_MAX_PIPE_COPY"
#: Free space a copy always leaves on the temporary folder's file system: 1 GiB, or 5% of a smaller one.
FREE_RESERVE, FREE_RESERVE_SHARE = 1 << 30, 0.05
#: bytes copied so far this run (all streams): MAX_PIPE_COPY bounds their sum
_COPIED: list[int] = [0]


def source_file(path: Path | str) -> Path:
    """The file to read again for an input named `path`: its temporary copy when it was a pipe or
    standard input (they can be read once only), else `path` itself."""
    name = STDIN_NAME if str(path) == STDIN else str(path)
    return _SPOOLED.get(name, Path(path))


def is_stream(path: Path | str) -> bool:
    """Whether `path` is standard input ('-'), a pipe (named or not: <(...), /dev/stdin from a pipe) or a socket."""
    if str(path) == STDIN:
        return True
    try:
        mode = os.stat(path).st_mode  # follows /dev/stdin and /dev/fd/N to what they are
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def spool(path: Path | str) -> tuple[Path, Path]:
    """(name shown, file to read) for an input: standard input ('-'), a pipe or a socket is read once,
    to its end, into a temporary copy kept until the process ends (discard_copies); anything else
    (a file, a folder, a device, a missing path: check_readable judges them) is read as it is.

    The first 4 KiB of a stream are judged first (check_text): a binary or compressed stream is
    refused before anything is copied. ImportFailed when the stream cannot be read or copied.
    """
    if not is_stream(path):
        return Path(path), Path(path)
    stdin = str(path) == STDIN
    shown = Path(STDIN_NAME) if stdin else Path(path)
    try:
        source = sys.stdin.buffer if stdin else open(path, "rb")
    except (OSError, AttributeError) as exc:
        raise ImportFailed(f"{shown}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    copy = None
    this = 0  # bytes of this stream copied
    try:
        head = _read(source, shown, _STREAM_HEAD)
        check_text(shown, head)  # /dev/zero piped in is refused at once, not copied until the disk is full
        limit = pipe_copy_limit()
        try:
            # a folder per copy keeps the stream's own name (a resource format is guessed from its suffix)
            copy = _spool_dir() / str(len(_SPOOLED)) / (shown.name or "input")
            copy.parent.mkdir()
            out = copy.open("wb")
        except OSError as exc:
            raise _no_copy(shown, exc) from None
        with out:
            while head:
                _check_room(shown, copy, len(head), limit, this)
                try:
                    out.write(head)
                except OSError as exc:
                    raise _no_copy(shown, exc) from None
                _COPIED[0] += len(head)
                this += len(head)
                head = _read(source, shown, 1 << 20)
    except BaseException:  # a partial copy (a full disk, a limit, Ctrl-C) is not kept until the end
        if copy is not None:
            shutil.rmtree(copy.parent, ignore_errors=True)
            _COPIED[0] -= this  # nor counted against the limit: the next pipes may use that room
        raise
    finally:
        if not stdin:
            source.close()
    _SPOOLED[str(shown)] = copy
    return shown, copy


def _read(source, shown: Path, size: int) -> bytes:
    try:
        return source.read(size)
    except OSError as exc:
        raise ImportFailed(f"{shown}: cannot be read ({exc.strerror or exc})") from None


def _no_copy(shown: Path, exc: OSError) -> ImportFailed:
    return ImportFailed(
        f"{shown}: cannot be copied to a temporary file in {tempfile.gettempdir()} ({exc.strerror or exc}): a pipe or "
        "standard input is read once, into a copy; set TMPDIR to another folder"
    )


class SettingFailed(ImportFailed):
    """A setting every input depends on is bad (HELPFIRST_MAX_PIPE_COPY): the same error for each of them,
    told once a run (read_posts)."""


def pipe_copy_limit() -> int:
    """MAX_PIPE_COPY, or HELPFIRST_MAX_PIPE_COPY (a size: 500M, 8G, 1.5T, or bytes); SettingFailed (an
    ImportFailed) naming the variable for a value that is not a size."""
    from ..config import load_settings, setting_source

    try:
        value = load_settings().max_pipe_copy  # the environment, then .env
    except Exception:  # noqa: BLE001 - a .env that cannot be read: the command reports it itself
        value = os.environ.get(MAX_PIPE_COPY_VAR)
    if value is None or not str(value).strip():
        return MAX_PIPE_COPY
    size = parse_size(str(value))
    if size is None:
        raise SettingFailed(f"{setting_source('max_pipe_copy')} {value!r}: expected a size such as 500M, 8G or 1.5T "
                           "(bytes when no unit)")
    return size


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int | None:
    """Bytes for a size such as 500M, 8G, 1.5T, 2GiB, 64KB or 4096 (units are powers of 1024); None
    when it is not one (or is not positive)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if match is None:
        return None
    size = int(float(match.group(1)) * _UNITS[match.group(2)])
    return size if size > 0 else None


def _size(n: int) -> str:
    """A byte count as a person reads it: 8 GiB, 1.5 GiB, 300 MiB, 12 KiB, 100 bytes."""
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _check_room(shown: Path, copy: Path, size: int, limit: int, this: int = 0) -> None:
    """ImportFailed before the copy of a stream grows by `size` bytes past `limit` (this run's copies
    together; `this` of them are this stream's), or leaves less than the free-space reserve on the
    temporary folder's file system."""
    if _COPIED[0] + size > limit:
        earlier = _COPIED[0] - this
        passed = (f"more than {_size(limit)} came through the pipe" if earlier <= 0 else
                  f"the pipes of this run together passed {_size(limit)} (this input {_size(this + size)} so far, "
                  f"earlier ones {_size(earlier)})")
        raise ImportFailed(
            f"{shown}: {passed}, the most helpfirst copies ({MAX_PIPE_COPY_VAR}); "
            f"a pipe or standard input is copied whole to a temporary file before it is read, as every post must be "
            f"seen: save the stream to a file and give the file, or raise {MAX_PIPE_COPY_VAR}"
        )
    try:
        fs = os.statvfs(copy.parent)
    except (OSError, AttributeError):  # no statvfs (Windows): the disk-full error still stops the copy
        return
    reserve = free_space_short(fs, size)
    if reserve is not None:
        raise ImportFailed(
            f"{shown}: copying it to a temporary file in {tempfile.gettempdir()} would leave less than {_size(reserve)} "
            f"free there ({_size(_COPIED[0])} copied): a pipe or standard input is copied whole before it is read; "
            "set TMPDIR to a folder with more room, or save the stream to a file and give the file"
        )


def free_space_short(fs: os.statvfs_result, size: int) -> int | None:
    """The free-space reserve (1 GiB, or 5% of a smaller file system) that writing `size` more bytes
    would break into on the file system `fs` describes (os.statvfs), or None when it is left, or when
    the free space is unknown: a file system that reports no size (f_blocks or f_frsize 0: a tmpfs
    mounted with size=0, some FUSE and network file systems) is not judged, and a real disk-full
    error still stops the copy."""
    if fs.f_blocks <= 0 or fs.f_frsize <= 0:
        return None
    reserve = min(FREE_RESERVE, int(fs.f_blocks * fs.f_frsize * FREE_RESERVE_SHARE))
    return reserve if fs.f_bavail * fs.f_frsize - size < reserve else None


def _spool_dir() -> Path:
    """This run's folder of copies, made on first use; removed by discard_copies (at exit too), and by
    a reaper process when this one is killed (SIGTERM, SIGKILL: no Python code runs then)."""
    if not _SPOOL_DIR:
        folder = Path(tempfile.mkdtemp(prefix="helpfirst-input-"))
        _SPOOL_DIR.append(folder)
        _start_reaper(folder)
    return _SPOOL_DIR[0]


def _start_reaper(folder: Path) -> None:
    """A small process that removes `folder` once this process has ended, however it ended: it waits
    for the end of a pipe whose only writer is this process (a signal handler would wait for the
    C code running, a DuckDB query, before it ran, and SIGKILL runs none)."""
    if os.name != "posix":
        return
    import subprocess

    read, write = os.pipe()
    try:
        # `read` ends when every writer is gone (nothing is ever written); a shell builtin, so no missing program lets
        # the rm run early; its own session: the Ctrl-C or SIGTERM sent to this command's process group does not end it
        reaper = subprocess.Popen(["/bin/sh", "-c", 'read -r line; exec rm -rf -- "$1"', "sh", str(folder)], stdin=read,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:  # no shell: the folder is still removed at a normal end
        os.close(write)
    else:
        _REAPER.append((write, reaper))
    finally:
        os.close(read)


def discard_copies() -> None:
    """Remove the temporary copies of the pipes and standard input read so far (the CLI calls this
    before it ends with os._exit, which runs no atexit hook)."""
    for folder in _SPOOL_DIR:
        shutil.rmtree(folder, ignore_errors=True)
    _SPOOL_DIR.clear()
    _SPOOLED.clear()
    _COPIED[0] = 0
    while _REAPER:
        write, reaper = _REAPER.pop()
        os.close(write)  # its reaper ends: its rm finds nothing left
        with contextlib.suppress(Exception):
            reaper.wait(1)


atexit.register(discard_copies)  # library use; the CLI ends with os._exit and calls it itself


def _named(report: ImportReport, since: tuple[int, int], copy: Path, shown: Path) -> None:
    """Name `shown` instead of its temporary `copy` in what `report` got since `since` (rejections, errors)."""
    if copy == shown:
        return
    old, new = str(copy), str(shown)
    for i in range(since[0], len(report.rejections)):
        r = report.rejections[i]
        if r.file == old or old in r.reason:
            report.rejections[i] = dataclasses.replace(r, file=new if r.file == old else r.file, reason=r.reason.replace(old, new))
    report.errors[since[1]:] = [e.replace(old, new) for e in report.errors[since[1]:]]


def check_readable(path: Path) -> bytes:
    """Return the first bytes of a file, or raise ImportFailed saying why it cannot be read."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailed(f"{path}: is a directory, not a file")
    try:
        with path.open("rb") as fh:
            head = head_past_blanks(fh, fh.read(SNIFF_BYTES), SNIFF_BYTES)  # judged past leading white space
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not head.removeprefix(b"\xef\xbb\xbf").strip():  # a BOM alone (an editor's empty UTF-8 file) holds nothing
        raise ImportFailed(f"{path}: the file is empty")
    check_text(path, head)
    return head


def parse_column_map(pairs: list[str], option: str = "--map") -> dict[str, str]:
    """FIELD=SOURCE pairs (as `--map` takes them) -> {field: source}; ValueError for a pair without '='
    or a field mapped twice (which of two sources is meant cannot be guessed)."""
    mapping: dict[str, str] = {}
    given: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"{option} {pair!r}: expected FIELD=SOURCE_COLUMN, e.g. {option} text=body")
        field_name, source = (part.strip() for part in pair.split("=", 1))
        if field_name in mapping:
            raise ValueError(
                f"{option} {pair!r}: {field_name} is already mapped ({option} {given[field_name]!r}); "
                "map each field once"
            )
        mapping[field_name] = source
        given[field_name] = pair
    return mapping


def _check_column_map(importer: Importer, options: ImportOptions, path: Path) -> None:
    """A column map that would change what a fixed-field format reads is an error, not ignored."""
    if importer.takes_column_map:
        return
    mapped = sorted(f"{f}={c}" for f, c in options.column_map.items() if c != f)
    if mapped:
        raise ImportFailed(
            f"{path}: a column map ({', '.join(mapped)}) applies to the csv and jsonl formats only; "
            f"this {importer.name} file has fixed fields (audit it without --map, separately)"
        )


#: leading bytes of files that are not text, and what to do about them
_NOT_TEXT = (
    (b"\x1f\x8b", "is gzip-compressed; decompress it first (gunzip)"),
    (b"PK\x03\x04", "is a zip archive; extract the file from it first (unzip)"),
    (b"BZh", "is bzip2-compressed; decompress it first (bunzip2)"),
    (b"\xfd7zXZ\x00", "is xz-compressed; decompress it first (unxz)"),
    (b"\x28\xb5\x2f\xfd", "is zstd-compressed; decompress it first (unzstd)"),
    (b"\xff\xfe", "is UTF-16 text, not UTF-8; convert it first (iconv -f UTF-16 -t UTF-8)"),
    (b"\xfe\xff", "is UTF-16 text, not UTF-8; convert it first (iconv -f UTF-16 -t UTF-8)"),
)


def check_text(path: Path | str, head: bytes) -> None:
    """ImportFailed naming `path` for a compressed, UTF-16 or binary file (judged by its first bytes)."""
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise ImportFailed(f"{path}: {what}")
    start = head[:4096]
    # UTF-16/32 text and binary files are full of NUL bytes; a text file may hold a stray one,
    # which rejects its row (common.NUL_REASON) wherever it is
    if start.count(b"\x00") * 64 > len(start):
        raise ImportFailed(f"{path}: holds NUL bytes: binary data or UTF-16/32 text, not UTF-8 text")




def detect_format(path: Path, head: bytes | None = None, option: str = "--format") -> str:
    """Guess a file's format from its first bytes; ImportFailed, telling to give it with `option`, when nothing matches."""
    head = check_readable(path) if head is None else head
    if b"\r" in head and b"\n" not in head:  # lines ended by a lone CR (old Mac): judged by their lines, as LF ones
        head = head.replace(b"\r", b"\n")
    # order matters: specific formats before the generic canonical ones
    candidates = list(BUILTIN_FORMATS) + [n for n in _REGISTRY if n not in BUILTIN_FORMATS]
    for name in candidates:
        if get_importer(name).sniff(path, head):
            return name
    raise ImportFailed(
        f"{path}: could not recognise the format from its first line; give it with {option} "
        f"({', '.join(candidates)})"
    )


def read_posts(
    paths: list[Path], options: ImportOptions, report: ImportReport, fmt: str | None = None
) -> Iterator[pa.RecordBatch]:
    """Stream posts from several files; a file that cannot be read at all is recorded in report.errors."""
    options.check_handles()
    copies: dict[str, tuple[Path, Path]] = {}  # a pipe given twice is read once
    for given in paths:
        given = Path(given)
        since = (len(report.rejections), len(report.errors))
        try:
            if str(given) not in copies:
                copies[str(given)] = spool(given)
            shown, path = copies[str(given)]
        except ImportFailed as exc:
            if not (isinstance(exc, SettingFailed) and str(exc) in report.errors):  # several pipes: told once
                report.errors.append(str(exc))
            continue
        try:
            head = check_readable(path)
            name = fmt or detect_format(path, head, options.format_option)
            importer = get_importer(name)
            _check_column_map(importer, options, path)
        except ImportFailed as exc:
            report.errors.append(str(exc))
            _named(report, since, path, shown)
            continue
        before = (report.rows_read, report.rows_loaded, report.rows_rejected)
        try:
            for batch in importer.read(path, options, report):
                batch = _drop_out_of_range_dates(batch, str(shown), report)
                if batch.num_rows == 0:  # every row was dated out of range (and is counted as rejected)
                    continue
                report.rows_loaded += batch.num_rows
                yield batch
        except ImportFailed as exc:
            report.errors.append(str(exc))
        _named(report, since, path, shown)
        report.files.append(
            {
                "path": str(shown),
                "format": name,
                "rows_read": report.rows_read - before[0],
                "rows_loaded": report.rows_loaded - before[1],
                "rows_rejected": report.rows_rejected - before[2],
            }
        )


def locate_duplicate_ids(report: ImportReport, options: ImportOptions) -> None:
    """Give duplicate-id rejections (threads.build_threads) their lines; see ingest.duplicates."""
    from .duplicates import locate_duplicate_ids as locate

    locate(report, options)


def _drop_out_of_range_dates(batch: pa.RecordBatch, path: str, report: ImportReport) -> pa.RecordBatch:
    """The same date range for every format; importers that check it themselves also name the line."""
    created = batch.column("created_at").cast(pa.int64())
    # compared as integers: a timestamp scalar with a time zone would make pyarrow import pandas
    outside = pc.or_(pc.less(created, EARLIEST_US), pc.greater(created, LATEST_US))
    if not pc.any(outside).as_py():
        return batch
    for row in np.flatnonzero(outside.to_numpy(zero_copy_only=False)):
        report.reject(path, None, "created_at", f"post {batch.column('id')[int(row)].as_py()!r} is dated outside {EARLIEST_YEAR}-{LATEST_YEAR}")
    return batch.filter(pc.invert(outside))


__all__ = [
    "ImportFailed",
    "ImportOptions",
    "ImportReport",
    "Importer",
    "Rejection",
    "STDIN",
    "SettingFailed",
    "STDIN_NAME",
    "check_readable",
    "check_text",
    "detect_format",
    "discard_copies",
    "formats",
    "get_importer",
    "locate_duplicate_ids",
    "parse_column_map",
    "parse_size",
    "pipe_copy_limit",
    "read_posts",
    "register",
    "source_file",
    "spool",
]
