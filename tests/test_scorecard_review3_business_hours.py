"""Midnight at the end of the day is written 24:00 and echoed as written (terminal, JSON settings,
report chip); 00:00 as a closing time is refused with a message saying to write 24:00."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import write_twcs

ROWS = [
    (1, "101", True, 0, "@Acme my router keeps dropping", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_open_all_day_is_echoed_with_24_00(tmp_path: Path):
    archive = write_twcs(tmp_path / "a.csv", ROWS)
    hours = "Mon-Sun 00:00-24:00 UTC"
    proc = run("audit", str(archive), "--no-signals", "--json", "--business-hours", hours)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["settings"]["business_hours"] == hours
    report = tmp_path / "r.html"
    proc = run("audit", str(archive), "--no-signals", "--business-hours", "Mon-Fri 08:00-24:00, Sat 10:00-16:00 UTC",
               "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert "bh = business hours: Mon-Fri 08:00-24:00, Sat 10:00-16:00 UTC" in proc.stdout
    assert "00:00" not in proc.stdout
    page = report.read_text(encoding="utf-8")
    assert '<b id="setting-business-hours">Mon-Fri 08:00-24:00, Sat 10:00-16:00 UTC</b>' in page


def test_closing_at_00_00_is_refused(tmp_path: Path):
    archive = write_twcs(tmp_path / "a.csv", ROWS)
    for hours in ("Mon-Fri 08:00-00:00 UTC", "Mon-Sun 00:00-00:00 UTC"):
        proc = run("audit", str(archive), "--no-signals", "--business-hours", hours)
        assert proc.returncode == 1
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert lines[0].startswith("error: --business-hours: business hours") and "write 24:00" in lines[0], lines[0]
    proc = run("audit", str(archive), "--no-signals", "--business-hours", "Mon 24:00-24:00 UTC")
    assert proc.returncode == 1 and "write 00:00" in proc.stderr, proc.stderr
