"""A pipe or standard input is read into a temporary copy (ingest.spool); review 3 found every such copy left in the
temporary folder: the CLI ends with os._exit, which runs no atexit hook, and a killed process runs no Python code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CSV = ("id,author,author_role,created_at,text,parent_id\n"
       "c1,sam,customer,2024-02-01T09:00:00Z,Hi @Acme help,\n"
       "c2,Acme,brand,2024-02-01T09:10:00Z,Sure,c1\n")
RESOURCES = '{"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "Reset your password"}\n'


def environment(tmp: Path) -> dict[str, str]:
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["TMPDIR"] = str(tmp)
    return env


def copies(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("helpfirst-input-*"))


def test_audit_of_standard_input_leaves_no_copy(tmp_path):
    tmp = tmp_path / "tmp"
    done = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "-", "--no-signals", "--json"], input=CSV,
                          capture_output=True, text=True, env=environment(tmp), timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"][0]["path"] == "<stdin>"
    assert copies(tmp) == []


def test_audit_of_a_process_substitution_leaves_no_copy(tmp_path):
    tmp, data = tmp_path / "tmp", tmp_path / "s.csv"
    data.write_text(CSV, encoding="utf-8")
    script = f"exec {sys.executable} -m helpfirst audit <(cat {data}) --no-signals --json"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=environment(tmp), timeout=60)
    assert done.returncode == 0, done.stderr
    assert copies(tmp) == []


def test_kb_add_of_a_pipe_and_a_failed_audit_leave_no_copy(tmp_path):
    tmp = tmp_path / "tmp"
    done = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", "/dev/stdin", "--kb", str(tmp_path / "kb"), "--json"],
                          input=RESOURCES, capture_output=True, text=True, env=environment(tmp), timeout=60)
    assert done.returncode == 0, done.stderr
    # an audit that fails after reading the pipe (no header line it knows) ends through the same exit
    done = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "-", "--no-signals"], input="nothing,known\n1,2\n",
                          capture_output=True, text=True, env=environment(tmp), timeout=60)
    assert done.returncode != 0
    assert copies(tmp) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_process_killed_while_copying_leaves_no_copy(tmp_path, sig):
    tmp = tmp_path / "tmp"
    proc = subprocess.Popen([sys.executable, "-m", "helpfirst", "audit", "-", "--no-signals"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(tmp))
    try:
        proc.stdin.write(CSV.encode() * 20000)  # the pipe stays open: the copy is being written when the signal comes
        proc.stdin.flush()
        deadline = time.monotonic() + 8
        while not any(p.stat().st_size > 4096 for p in tmp.glob("helpfirst-input-*/*/*")):
            assert time.monotonic() < deadline, "no copy was made"
            time.sleep(0.05)
        proc.send_signal(sig)  # as `timeout` or the OOM killer send them (SIGKILL runs no Python code)
        assert proc.wait(5) in (-sig, 128 + sig)  # the CLI ends on SIGTERM through its exception path
    finally:
        proc.kill()
        proc.stdin.close()
        proc.wait()
    deadline = time.monotonic() + 3
    while copies(tmp) and time.monotonic() < deadline:  # removed by a process that outlives this one
        time.sleep(0.05)
    assert copies(tmp) == []
