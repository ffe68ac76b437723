"""Ctrl-C (SIGINT) ends every command with one line, "interrupted", and exit status 130; classify and
synth write their file beside the final path and rename it when whole, so an interrupted run leaves
the previous file (or none), never a partial one that looks complete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TEXTS = ["my router keeps dropping the connection since yesterday", "thanks, that fixed it!",
         "@Acme why was I charged twice for one order??", "please DM us your account number",
         "where is my parcel, it was due on Monday", "the app crashes every time I open it"]


def _posts(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            role = "brand" if i % 3 == 1 else "customer"
            fh.write(json.dumps({"id": i, "text": f"{TEXTS[i % len(TEXTS)]} #{i}", "role": role}) + "\n")
    return path


def _start(args: list[str], cwd: Path, stdout) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "helpfirst", *args], cwd=cwd, stdout=stdout,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the command ended before it could be interrupted: {proc.stderr.read()}")
        if time.monotonic() > end:
            proc.kill()
            pytest.fail("the command never got going")
        time.sleep(0.02)


def _interrupt(proc: subprocess.Popen) -> tuple[int, str, float]:
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, stderr, time.monotonic() - sent


def _written(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_classify_to_standard_output_says_interrupted(tmp_path):
    src = _posts(tmp_path / "posts.jsonl", 400_000)
    out = tmp_path / "stdout.jsonl"
    with out.open("w") as stdout:
        proc = _start(["classify", str(src), "--jobs", "1", "--batch-size", "500"], tmp_path, stdout)
        _wait_for(lambda: _written(out), proc)
        code, stderr, _ = _interrupt(proc)
    assert code == 130
    assert stderr.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in stderr
