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


def _being_written(path: Path, old: int = 0):
    """Whether the new ``path`` is on its way: the file beside it, or ``path`` itself when written in
    place, holds bytes (``old``: the size of the file it replaces)."""
    def check() -> bool:
        beside = any(_written(p) for p in path.parent.glob(f".{path.name}.*.part"))
        return beside or (_written(path) and path.stat().st_size != old)
    return check


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


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_classify_out_interrupted_leaves_the_previous_file(tmp_path, jobs):
    src = _posts(tmp_path / "posts.jsonl", 400_000)
    out = tmp_path / "classified.jsonl"
    out.write_text("the previous run\n", encoding="utf-8")
    proc = _start(["classify", str(src), "--out", str(out), "--jobs", jobs, "--batch-size", "2000"], tmp_path,
                  subprocess.DEVNULL)
    _wait_for(_being_written(out, len("the previous run\n")), proc)
    code, stderr, _ = _interrupt(proc)
    assert code == 130
    assert stderr.strip().splitlines()[-1] == "interrupted" and "Traceback" not in stderr
    assert out.read_text(encoding="utf-8") == "the previous run\n"
    assert _parts(tmp_path) == []


def test_classify_out_when_whole_is_an_ordinary_file(tmp_path):
    src = _posts(tmp_path / "posts.jsonl", 50)
    out = tmp_path / "classified.jsonl"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "classify", str(src), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == list(range(50))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert _parts(tmp_path) == []


def test_ctrl_c_at_a_terminal_reaches_the_workers_too(tmp_path):
    # a terminal sends SIGINT to the whole process group: the workers must leave it to the parent
    src = _posts(tmp_path / "posts.jsonl", 400_000)
    out = tmp_path / "classified.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "helpfirst", "classify", str(src), "--out", str(out),
                             "--jobs", "2", "--batch-size", "2000"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    _wait_for(_being_written(out), proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert stderr.strip() == "interrupted"  # no worker tracebacks
    assert not out.exists() and _parts(tmp_path) == []


def test_synth_interrupted_leaves_no_partial_archive(tmp_path):
    out = tmp_path / "x.csv"
    proc = _start(["synth", "--posts", "3000000", "-o", str(out)], tmp_path, subprocess.DEVNULL)
    _wait_for(_being_written(out), proc)
    code, stderr, _ = _interrupt(proc)
    assert code == 130
    assert stderr.strip().splitlines()[-1] == "interrupted" and "Traceback" not in stderr
    assert not out.exists()
    assert _parts(tmp_path) == []


def test_synth_replaces_a_file_whole_and_keeps_its_mode(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "synth", "--posts", "300", "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # the final path is named, not the file it was written to (Rich may wrap the line)
    assert proc.stderr.replace("\n", "").endswith(str(out)) and ".part" not in proc.stderr
    assert out.read_text(encoding="utf-8").startswith("tweet_id,")
    assert out.stat().st_mode & 0o777 == 0o640
    assert _parts(tmp_path) == []


#: What DuckDB 2.0 does with a SIGINT during a query: the KeyboardInterrupt becomes
#: RuntimeError('Query interrupted'). Done here in Python, since DuckDB itself sometimes misses a
#: SIGINT that comes as its query starts (which would make the test flaky, not the product wrong).
CONVERTED_COMMAND = '''
import sys
import time
from helpfirst import cli

@cli.app.command("long-query")
def long_query() -> None:
    print("started", flush=True)
    try:
        while True:
            time.sleep(0.01)
    except KeyboardInterrupt:
        raise RuntimeError("Query interrupted") from None

sys.argv = ["helpfirst", "long-query"]
cli.main()
'''


def test_ctrl_c_turned_into_an_error_is_still_interrupted(tmp_path):
    # the audit reads and scores in DuckDB: an interrupted query must say "interrupted", exit 130,
    # not "error: RuntimeError: Query interrupted" with exit status 1
    proc = subprocess.Popen([sys.executable, "-c", CONVERTED_COMMAND], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    code, stderr, _ = _interrupt(proc)
    assert (code, stderr.strip()) == (130, "interrupted")
