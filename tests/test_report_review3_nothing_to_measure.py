"""A share with nothing to measure (of no help requests, of no conversations) reads "–" in the report,
with a tooltip saying why, as in the terminal (docs/metrics.md); it read "0.0%"."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
NONE = "\u2013"


def audit_report(tmp_path: Path, body: str, *args: str) -> str:
    archive = tmp_path / "a.csv"
    archive.write_text(HEADER + body, encoding="utf-8")
    report = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(archive), "--report", str(report), *args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    return report.read_text(encoding="utf-8")


def kpi(page: str, kpi_id: str) -> tuple[str | None, str]:
    m = re.search(rf'<div class="value" data-kpi="{kpi_id}"(?: title="([^"]*)")?>([^<]*)</div>', page)
    assert m, kpi_id
    return m[1], m[2]


def share_cells(page: str, row_id: str) -> tuple[str | None, str]:
    m = re.search(rf'<tr id="{row_id}">.*?</td><td>[^<]*</td><td(?: title="([^"]*)")?>([^<]*)</td>', page)
    assert m, row_id
    return m[1], m[2]


def test_no_help_requests(tmp_path: Path):
    page = audit_report(tmp_path,
                        "c1,,,u1,customer,Acme,2024-03-04T08:00:00Z,@Acme thank you so much for the lovely new design\n"
                        "r1,,c1,Acme,brand,Acme,2024-03-04T08:05:00Z,@u1 glad you like it\n")
    assert re.search(r'data-kpi="help-requests"[^>]*>0<', page)
    for kpi_id in ("help-coverage", "resolved"):
        title, value = kpi(page, kpi_id)
        assert value == NONE, (kpi_id, value)
        assert title == "nothing to measure: no help requests (the JSON has 0.0 here)"
    for outcome in ("resolved", "unconfirmed", "redirected", "abandoned", "unresolved", "unanswered"):
        title, value = share_cells(page, f"outcome-{outcome}")
        assert (value, title) == (NONE, "nothing to measure: no help requests (the JSON has 0.0 here)")
    title, value = share_cells(page, "kind-solution")
    assert value == NONE and "no answered help requests" in title
    assert kpi(page, "coverage") == (None, "100.0%")  # the conversation itself was answered
    section = page.split('<section id="signals"')[1].split("</section>")[0]
    assert not re.search(r"(?<![\d.])0\.0%", section)


def test_no_conversations(tmp_path: Path):
    page = audit_report(tmp_path, "a1,,,Acme,brand,Acme,2024-03-04T08:00:00Z,Spring sale!\n", "--no-signals",
                        "--business-hours", "Mon-Fri 09:00-17:00 UTC")
    for kpi_id in ("coverage", "within-target", "within-target-business"):
        assert kpi(page, kpi_id) == ("nothing to measure: no conversations (the JSON has 0.0 here)", NONE)
    assert kpi(page, "frt-median")[1] == NONE
    assert "—" not in page.split('<script type="application/json"')[0]
