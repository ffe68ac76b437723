"""A command about to read standard input typed at a terminal says so on standard error first (one
line: what it reads, how to end it, where the help is) instead of waiting silently; with standard
input from a pipe or a file it says nothing. Run with a real pseudo-terminal as standard input."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest


def notice_on_a_terminal(args: list[str], cwd: Path) -> str:
    """The first stderr line of `helpfirst ARGS` with a pseudo-terminal as standard input (then Ctrl-D)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "helpfirst", *args], stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd)
    os.close(slave)
    try:
        got = b""
        deadline = time.monotonic() + 60
        while b"\n" not in got and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                chunk = os.read(proc.stderr.fileno(), 4096)
                if not chunk:
                    break
                got += chunk
            elif proc.poll() is not None:
                break
        os.write(master, b"\x04")  # Ctrl-D: end of input on the terminal
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return got.decode("utf-8", "replace").split("\n")[0]
    finally:
        os.close(master)
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    path = tmp_path / "kb.jsonl"
    path.write_text(json.dumps({"id": "a", "brand": "Acme", "url": "https://help.acme.com/reset",
                                "title": "Reset your password"}) + "\n")
    return path


@pytest.mark.parametrize(("args", "line"), [
    (["classify"], "reading posts from standard input (end with Ctrl-D; see helpfirst classify --help)"),
    (["classify", "-"], "reading posts from standard input (end with Ctrl-D; see helpfirst classify --help)"),
    (["audit", "-", "--no-signals"], "reading an archive from standard input (end with Ctrl-D; see helpfirst audit --help)"),
    (["suggest", "--kb", "KB", "--input", "-", "--index", "ix"],
     "reading queries from standard input (end with Ctrl-D; see helpfirst suggest --help)"),
])
def test_a_terminal_on_standard_input_is_told(tmp_path: Path, kb: Path, args: list[str], line: str):
    args = [str(kb) if a == "KB" else a for a in args]
    assert notice_on_a_terminal(args, tmp_path) == line


def test_no_notice_when_standard_input_is_a_pipe(tmp_path: Path):
    post = json.dumps({"id": 1, "text": "my parcel never arrived", "role": "customer"}) + "\n"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "classify"], input=post, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "standard input" not in proc.stderr
