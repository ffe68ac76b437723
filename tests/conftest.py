"""Shared fixtures: real files in real formats, and the shared real data sets when present."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TWCS_HEADER = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]
T0 = datetime(2017, 10, 2, 8, 0, tzinfo=timezone.utc)  # a Monday

# A suite started in the background by a shell without job control (`cmd &` in a script) inherits
# SIGINT ignored, and so would every helpfirst process the tests start: the tests that press Ctrl-C
# (SIGINT) would then see a process that cannot be interrupted. Python restores the default action
# in a child for a signal the parent handles, so handling it here gives the children a normal Ctrl-C.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip: it is beside CI and developer checkouts, not in a user's clone."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not present at {SHARED_DATA} (only in the project's workplace)")
    return SHARED_DATA


def twcs_time(minutes: float) -> str:
    """TWCS created_at for T0 + minutes."""
    return (T0 + timedelta(minutes=minutes)).strftime("%a %b %d %H:%M:%S +0000 %Y")


def write_twcs(path: Path, rows: list[tuple]) -> Path:
    """Write rows (tweet_id, author, inbound, minutes after T0, text, parent id or None) as a TWCS CSV."""
    children: dict[str, list[str]] = {}
    for tid, _a, _i, _m, _t, parent in rows:
        if parent is not None:
            children.setdefault(str(parent), []).append(str(tid))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(TWCS_HEADER)
        for tid, author, inbound, minutes, text, parent in rows:
            w.writerow(
                [tid, author, inbound, twcs_time(minutes), text, ",".join(children.get(str(tid), [])),
                 "" if parent is None else f"{parent}.0"]
            )
    return path


@pytest.fixture
def twcs(tmp_path):
    """Factory: twcs(rows, name='archive.csv') -> path of a real TWCS CSV file."""

    def make(rows: list[tuple], name: str = "archive.csv") -> Path:
        return write_twcs(tmp_path / name, rows)

    return make


def run_python_or_fail(script: str, timeout: float, hang: str) -> str:
    """Run `script` in a fresh interpreter (its own process group) and return its stdout; a run
    past `timeout` seconds is killed with every process it started and fails the test with `hang`."""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the hung workers too
        proc.communicate()
        pytest.fail(hang)
    assert proc.returncode == 0, stderr
    return stdout
