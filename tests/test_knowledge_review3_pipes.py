"""A pipe given as a resource file (`<(cat r.jsonl)`, /dev/stdin, a named pipe) is read once: guessing its format no longer
eats what loading it needs. Messages name the pipe, not a temporary copy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

RESOURCES = ('{"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "Reset your password"}\n'
             '{"id": "b", "brand": "Acme", "url": "https://help.acme.com/b", "title": "Restart the router"}\n'
             '{"id": "c", "brand": "Acme", "url": "https://help.acme.com/c d", "title": "Bad address"}\n')


def run(*args: str, stdin: bytes | None = None, pass_fds=()) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], input=stdin, capture_output=True, env=env, timeout=60,
                          pass_fds=pass_fds)


def substitution(data: bytes) -> int:
    """The read end of a pipe that a thread fills and closes, as bash's `<(cat r.jsonl)` gives /dev/fd/N."""
    read, write = os.pipe()

    def fill() -> None:
        with os.fdopen(write, "wb") as fh:
            fh.write(data)

    threading.Thread(target=fill, daemon=True).start()
    return read


def fifo(tmp_path: Path, data: bytes, name: str = "r.pipe") -> Path:
    """A named pipe that a thread fills once."""
    path = tmp_path / name
    os.mkfifo(path)

    def write() -> None:
        with path.open("wb") as fh:
            fh.write(data)

    threading.Thread(target=write, daemon=True).start()
    return path


@pytest.mark.parametrize("fmt", [[], ["--format", "jsonl"]])
def test_kb_add_reads_a_process_substitution(tmp_path, fmt):
    fd = substitution(RESOURCES.encode())
    try:
        proc = run("kb", "add", f"/dev/fd/{fd}", "--kb", str(tmp_path / "kb"), "--json", *fmt, pass_fds=(fd,))
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"], doc["total"]) == (3, 2, 1, 2)
    assert doc["files"] == [{"path": f"/dev/fd/{fd}", "format": "jsonl", "read": 3, "loaded": 2, "rejected": 1}]
    assert f"/dev/fd/{fd}:3: field 'url':" in proc.stderr.decode()


def test_kb_add_reads_a_named_pipe(tmp_path):
    pipe = fifo(tmp_path, RESOURCES.encode())
    proc = run("kb", "add", str(pipe), "--kb", str(tmp_path / "kb"), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["total"]) == (3, 2, 2)
    assert f"{pipe}:3: field 'url':" in proc.stderr.decode()


def test_kb_add_reads_stdin(tmp_path):
    proc = run("kb", "add", "/dev/stdin", "--kb", str(tmp_path / "kb"), "--json", stdin=RESOURCES.encode())
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["total"]) == (3, 2, 2)
    assert "/dev/stdin:3: field 'url':" in proc.stderr.decode()


def test_a_pipe_of_csv_is_guessed_from_its_content(tmp_path):
    fd = substitution(b"id,brand,url,title\nx,Acme,https://help.acme.com/x,Reset\n")
    try:
        proc = run("kb", "add", f"/dev/fd/{fd}", "--kb", str(tmp_path / "kb"), "--json", pass_fds=(fd,))
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["files"][0]["format"] == "csv"


def test_an_empty_pipe_is_an_error_naming_it(tmp_path):
    fd = substitution(b"")
    try:
        proc = run("kb", "add", f"/dev/fd/{fd}", "--kb", str(tmp_path / "kb"), "--json", pass_fds=(fd,))
    finally:
        os.close(fd)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errors"] == [f"/dev/fd/{fd}: the file is empty"]


def test_suggest_reads_a_pipe_as_kb(tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "1", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I reset my password"}]}) + "\n")
    fd = substitution(RESOURCES.encode())
    try:
        proc = run("suggest", "--kb", f"/dev/fd/{fd}", "--input", str(queries), "--semantic", "off", "--index", str(tmp_path / "ix"),
                   "--json", pass_fds=(fd,))
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "knowledge: 3 read, 2 loaded, 1 rejected" in proc.stderr.decode()
    answer = json.loads(proc.stdout.decode().splitlines()[0])
    assert answer["suggestions"][0]["url"] == "https://help.acme.com/a"
