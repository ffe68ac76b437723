"""Review 3: a device given as an input (/dev/zero) was copied into the temporary folder until the disk was full (audit and
kb add); the copy of a pipe or standard input (ingest.spool) now judges the stream's first 4 KiB before copying the rest,
and only pipes, sockets and standard input are copied: a device is judged by its first bytes as before (check_readable).

Every run here has a file-size limit (RLIMIT_FSIZE), so a run that copied /dev/zero stops at 64 MiB instead of filling the disk."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

LIMIT = 64 << 20
NUL = "holds NUL bytes: binary data or UTF-16/32 text, not UTF-8 text"


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def run(args: list[str], tmp: Path, **kwargs) -> subprocess.CompletedProcess:
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["TMPDIR"] = str(tmp)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=8, preexec_fn=limited, **kwargs)


def helpfirst(*args: str) -> list[str]:
    return [sys.executable, "-m", "helpfirst", *args]


def no_copy_left(tmp: Path) -> None:
    assert sorted(p.relative_to(tmp) for p in tmp.rglob("*")) == []


def test_audit_of_dev_zero_is_refused_at_once(tmp_path):
    done = run(helpfirst("audit", "/dev/zero", "--no-signals"), tmp_path / "tmp")
    assert done.returncode == 1
    assert f"/dev/zero: {NUL}" in done.stderr
    no_copy_left(tmp_path / "tmp")


def test_audit_of_dev_stdin_from_dev_zero_is_refused_at_once(tmp_path):
    with open("/dev/zero", "rb") as zero:
        done = run(helpfirst("audit", "/dev/stdin", "--no-signals"), tmp_path / "tmp", stdin=zero)
    assert done.returncode == 1
    assert f"/dev/stdin: {NUL}" in done.stderr
    no_copy_left(tmp_path / "tmp")


@pytest.mark.parametrize("given", ["-", "/dev/stdin"])
def test_an_endless_pipe_of_nul_bytes_is_refused_before_it_is_copied(tmp_path, given):
    script = f"cat /dev/zero | exec {sys.executable} -m helpfirst audit {given} --no-signals"
    done = run(["bash", "-c", script], tmp_path / "tmp")
    assert done.returncode == 1
    assert f"{'<stdin>' if given == '-' else given}: {NUL}" in done.stderr
    no_copy_left(tmp_path / "tmp")


def test_a_gzip_pipe_is_refused_as_a_gzip_file_is(tmp_path):
    done = run(["bash", "-c", f"printf 'id,text\\n1,hi\\n' | gzip | exec {sys.executable} -m helpfirst audit - --no-signals"],
               tmp_path / "tmp")
    assert done.returncode == 1
    assert "<stdin>: is gzip-compressed; decompress it first (gunzip)" in done.stderr
    no_copy_left(tmp_path / "tmp")


@pytest.mark.parametrize("fmt", [[], ["--format", "jsonl"]])
def test_kb_add_of_dev_zero_is_refused_at_once(tmp_path, fmt):
    done = run(helpfirst("kb", "add", "/dev/zero", "--kb", str(tmp_path / "kb"), "--json", *fmt), tmp_path / "tmp")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"] == [f"/dev/zero: {NUL}"]
    no_copy_left(tmp_path / "tmp")


def test_kb_add_of_a_pipe_of_nul_bytes_is_refused_at_once(tmp_path):
    script = f"exec {sys.executable} -m helpfirst kb add <(cat /dev/zero) --kb {tmp_path / 'kb'} --json"
    done = run(["bash", "-c", script], tmp_path / "tmp")
    assert done.returncode == 1
    [error] = json.loads(done.stdout)["errors"]
    assert error.startswith("/dev/fd/") and error.endswith(f": {NUL}")
    no_copy_left(tmp_path / "tmp")


def test_a_named_pipe_of_text_is_still_read(tmp_path):
    fifo = tmp_path / "r.jsonl"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as fh:
            fh.write('{"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "Reset"}\n' * 300)  # past 4 KiB

    threading.Thread(target=write, daemon=True).start()
    done = run(helpfirst("kb", "add", str(fifo), "--kb", str(tmp_path / "kb"), "--json"), tmp_path / "tmp")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["read"], doc["files"][0]["path"]) == (300, str(fifo))

