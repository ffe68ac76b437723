"""The terminal's help-request tables and the report's outcome chart list the same brands, chosen and
ordered by one rule (measure.display.help_request_brands: the most help requests first), and their
captions say so. The terminal took the 25 with the most conversations, the report the 25 with the
most help requests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
PRAISE = "thank you so much for the lovely new design"
QUESTION = "how do I reset my password? the link never arrives"


def archive(path: Path) -> tuple[list[str], list[str]]:
    """5 chatty brands (21 conversations, 1 help request each) and 25 needy ones (5 help requests each)."""
    lines, n = [], 0

    def conversation(brand: str, text: str) -> None:
        nonlocal n
        n += 1
        lines.append(f"c{n},,,u{n},customer,{brand},2024-03-04T{8 + n % 10:02d}:{n % 60:02d}:00Z,@{brand} {text}\n")

    chatty = [f"Chatty{i}" for i in range(5)]
    needy = [f"Needy{i:02d}" for i in range(25)]
    for brand in chatty:
        for _ in range(20):
            conversation(brand, PRAISE)
        conversation(brand, QUESTION)
    for brand in needy:
        for _ in range(5):
            conversation(brand, QUESTION)
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return chatty, needy


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "220"}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def table_brands(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next(i for i in range(top, len(lines)) if lines[i].startswith("└"))
    return [line.split("│")[1].strip() for line in lines[top:end] if line.startswith("│")]


def test_terminal_and_report_show_the_same_help_request_brands(tmp_path: Path):
    chatty, needy = archive(tmp_path / "a.csv")
    doc = json.loads(run("audit", str(tmp_path / "a.csv"), "--json").stdout)
    assert doc["rows_rejected"] == 0
    assert [doc["brands"][b]["help_requests"] for b in chatty] == [1] * 5
    assert [doc["brands"][b]["help_requests"] for b in needy] == [5] * 25
    report = tmp_path / "r.html"
    proc = run("audit", str(tmp_path / "a.csv"), "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    for title in ("Help requests (", "How help requests ended"):
        assert table_brands(proc.stdout, title) == needy + ["all brands"]
    assert proc.stdout.count("the 25 of 30 brands with the most help requests; all are in --json") == 2
    page = report.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    assert data["charts"]["outcomes"]["layout"]["yaxis"]["ticktext"] == ["All brands"] + needy
    cap = re.search(r'<p class="note" id="outcome-cap">(.*?)</p>', page, re.S)[1]
    assert "the 25 brands with the most help requests, of 30 (the terminal's help-request tables list the same ones)" in cap
