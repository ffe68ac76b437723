"""Stop 17: the report's chart hovers read a share as the page does: a share that is not 0 is never
"0.0%" and one that is not 1 never "100.0%" (the first response histogram and the trend line)."""

from __future__ import annotations

import html
import json
import re

from helpfirst.audit import run_audit
from helpfirst.measure.report import render_report

from .conftest import write_twcs


def _charts(tmp_path, rows):
    result = run_audit([write_twcs(tmp_path / "a.csv", rows)])
    out = tmp_path / "r.html"
    render_report(result, out)
    blob = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', out.read_text(), re.S).group(1)
    return json.loads(blob)["charts"]


def test_a_lone_slow_reply_among_two_thousand_is_not_zero_percent(tmp_path):
    # 2,000 requests answered in 1 minute, one answered after 2 days: 0.05% in the "> 1 day" bucket
    rows = []
    for i in range(2001):
        ask, reply = 2 * i + 1, 2 * i + 2
        minute = i % 600
        rows.append((ask, f"u{i}", True, minute, "@AcmeHelp my parcel is late", None))
        rows.append((reply, "AcmeHelp", False, minute + (2880 if i == 0 else 1), "@u sorry, here is how", ask))
    frt = _charts(tmp_path, rows)["frt"]["data"][0]
    hover = dict(zip(frt["x"], (html.unescape(c) for c in frt["customdata"]), strict=True))
    assert hover["> 1 day"] == "<0.1%", hover
    assert hover["≤ 5 min"] == ">99.9%", hover
    assert "%{customdata}%" not in frt["hovertemplate"]  # the text carries its own percent sign
