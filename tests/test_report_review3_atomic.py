"""The HTML report is written to a file beside it and renamed into place: an audit stopped while
writing (here: the file-size limit of the process is hit) leaves the previous report whole and no
temporary file behind."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

from .conftest import write_twcs

ROWS = [
    (1, "101", True, 0, "@Acme my router keeps dropping", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
]
LIMIT = 1_000_000  # bytes: the report is several MB (Plotly's JavaScript is in it)


def _limited() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def test_a_report_cut_short_leaves_the_previous_one(tmp_path: Path):
    archive = write_twcs(tmp_path / "a.csv", ROWS)
    report = tmp_path / "report.html"
    report.write_text("<p>the previous report</p>", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(archive), "--no-signals",
                           "--report", str(report)], capture_output=True, text=True, timeout=300,
                          preexec_fn=_limited)
    assert proc.returncode == 1, proc.stderr
    assert "cannot write the report" in proc.stderr and "Traceback" not in proc.stderr
    assert report.read_text(encoding="utf-8") == "<p>the previous report</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "report.html"]


def test_a_written_report_is_an_ordinary_file(tmp_path: Path):
    archive = write_twcs(tmp_path / "a.csv", ROWS)
    report = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(archive), "--no-signals",
                           "--report", str(report)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "report.html"]
