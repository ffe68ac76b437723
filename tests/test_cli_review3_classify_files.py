"""classify names the file at fault in one line: an input that is compressed or UTF-16 (judged by its
first bytes, as audit judges an archive) instead of one 'not JSON' per line, and an output that
cannot be written ('OUT: cannot write (reason)') instead of a bare OSError."""

from __future__ import annotations

import gzip
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

POSTS = [{"id": i, "text": f"my parcel number {i} never arrived, can you help?", "role": "customer"}
         for i in range(2000)]
JSONL = "".join(json.dumps(p) + "\n" for p in POSTS)


def run(*args: str, stdin: bytes | None = None, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "classify", *args], input=stdin,
                          capture_output=True, timeout=120, preexec_fn=preexec_fn)


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("posts.jsonl.gz", gzip.compress(JSONL.encode()), "is gzip-compressed; decompress it first (gunzip)"),
    ("posts-utf16.jsonl", JSONL.encode("utf-16"), "is UTF-16 text, not UTF-8"),
    ("posts-utf16le.jsonl", JSONL.encode("utf-16-le"), "holds NUL bytes"),
])
def test_an_input_that_is_not_utf8_text_is_one_file_error(tmp_path: Path, name, data, says):
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / "out.jsonl"
    line = one_error_line(run(str(src), "--out", str(out)))
    assert line.startswith(f"error: {src}: {says}")
    assert not out.exists()


def test_gzip_on_standard_input_is_one_error(tmp_path: Path):
    line = one_error_line(run(stdin=gzip.compress(JSONL.encode())))
    assert line == "error: <stdin>: is gzip-compressed; decompress it first (gunzip)"


def test_plain_standard_input_still_reads(tmp_path: Path):
    proc = run(stdin=JSONL.encode())
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(POSTS)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_device_is_named():
    proc = run("-", "--out", "/dev/full", stdin=JSONL.encode())
    assert one_error_line(proc) == "error: /dev/full: cannot write (No space left on device)"


def _small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_write_that_fails_half_way_names_the_file_and_keeps_the_previous_one(tmp_path: Path):
    src = tmp_path / "posts.jsonl"
    src.write_text(JSONL, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("the previous run\n", encoding="utf-8")
    line = one_error_line(run(str(src), "--out", str(out), "--jobs", "1", preexec_fn=_small_files))
    assert line == f"error: {out}: cannot write (File too large)"
    assert out.read_text(encoding="utf-8") == "the previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "posts.jsonl"]


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path: Path):
    # a missing folder is made (tests/test_cli_first_use_stop17_out_folders.py); a file where it should be is an error
    src = tmp_path / "posts.jsonl"
    src.write_text(JSONL, encoding="utf-8")
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "out.jsonl"
    assert one_error_line(run(str(src), "--out", str(out))) == f"error: {out}: cannot write (Not a directory)"
