"""The response target reads the same in the terminal and in the report (one function,
measure.display.format_target): --target 1d was "24.0h" in the terminal and "1.0 days" in the
report, 365d "365.0d" and "1.0 years"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import write_twcs

ROWS = [
    (1, "101", True, 0, "@Acme my router keeps dropping, how do I fix it?", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.parametrize(("target", "words"), [("1d", "1 day"), ("365d", "365 days"), ("90m", "90 min"),
                                               ("2h", "2 h"), ("30", "30 min")])
def test_the_target_reads_the_same_everywhere(tmp_path: Path, target: str, words: str):
    archive = write_twcs(tmp_path / "a.csv", ROWS)
    report = tmp_path / "r.html"
    proc = run("audit", str(archive), "--target", target, "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert f"Helpfulness scorecard (target {words})" in proc.stdout
    assert f"within {words}" in proc.stdout  # the help-request table's header
    page = report.read_text(encoding="utf-8")
    assert f'<b id="setting-target">{words}</b>' in page
    assert re.search(rf'<div class="label">Within {re.escape(words)}(<span class="base">[^<]*</span>)?</div>', page)
    for other in ("24.0h", "1.0 days", "365.0d", "1.0 years", "1.5 h", "2.0h", "30.0m"):
        assert other not in proc.stdout and other not in page.split('<script type="application/json"')[0]
