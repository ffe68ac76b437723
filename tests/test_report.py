"""The HTML report: real archives in, one self-contained file out, untrusted text never live."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from helpfirst.audit import AuditResult, run_audit
from helpfirst.measure.business_hours import parse_business_hours
from helpfirst.measure.report import render_report, script_json

from .conftest import write_twcs

SCRIPT_PAYLOAD = "<script>alert(1)</script>"
ATTR_PAYLOAD = '"><img src=x onerror=alert(1)>'
REPLY_PAYLOAD = "</script><script>alert(3)</script>"
EVIL_BRAND = "Bad<svg/onload=alert(4)>"
PAYLOADS = [SCRIPT_PAYLOAD, ATTR_PAYLOAD, REPLY_PAYLOAD, EVIL_BRAND, "<img src=x", "<svg/onload"]

#: (tweet_id, author, inbound, minutes after Monday 2 Oct 2017 08:00 UTC, text, parent id)
XSS_ROWS = [
    (1, "101", True, 0, f"@AcmeHelp my parcel is late {SCRIPT_PAYLOAD}", None),
    (2, "AcmeHelp", False, 12, "@101 Sorry about that, can you DM us the order number?", 1),
    (3, "102", True, 60, f"@AcmeHelp {ATTR_PAYLOAD} the app crashes & nothing works", None),
    (4, "AcmeHelp", False, 180, f"@102 Please update the app {REPLY_PAYLOAD}", 3),
    (5, "103", True, 120, "@AcmeHelp anyone there?? it's been days", None),
    (6, "104", True, 1500, f"@{EVIL_BRAND} where is my refund", None),
    (7, EVIL_BRAND, False, 1505, "@104 On its way!", 6),
    (8, "AcmeHelp", False, 300, "Big news: our spring sale starts today!", None),
]


def render(result: AuditResult, tmp_path: Path, name: str = "report.html") -> str:
    out = render_report(result, tmp_path / name)
    assert out == tmp_path / name and out.is_file()
    return out.read_text(encoding="utf-8")


def without_plotly(page: str) -> str:
    """The page with Plotly's bundle cut out (it is third-party code, checked separately)."""
    js = get_plotlyjs()
    assert page.count(js) == 1, "Plotly's JavaScript must be embedded exactly once"
    return page.replace(js, "")


class Collector(HTMLParser):
    """Text of every element with an id or data-kpi, rows of tables by id, and attributes seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.by_id: dict[str, str] = {}
        self.open_ids: list[tuple[str, int]] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("meta", "link", "br", "input", "img"):
            return
        self.stack.append((tag, a))
        key = a.get("id") or (a.get("data-kpi") and "kpi:" + a["data-kpi"])
        if key:
            self.open_ids.append((key, len(self.text)))

    def handle_endtag(self, tag):
        if not self.stack:
            return
        _, a = self.stack.pop()
        key = a.get("id") or (a.get("data-kpi") and "kpi:" + a["data-kpi"])
        if key and self.open_ids and self.open_ids[-1][0] == key:
            _, start = self.open_ids.pop()
            self.by_id[key] = " ".join("".join(self.text[start:]).split())

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Collector:
    c = Collector()
    c.feed(page)
    return c


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """Cell texts of the body rows of one table (a small parser: enough for our own markup)."""
    m = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert m, f"table {table_id} not found"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


@pytest.fixture
def xss_result(tmp_path) -> AuditResult:
    return run_audit([write_twcs(tmp_path / "archive.csv", XSS_ROWS)])


def test_untrusted_text_is_escaped_everywhere(xss_result, tmp_path):
    page = render(xss_result, tmp_path)
    own = without_plotly(page)
    for payload in PAYLOADS:
        assert payload not in page, f"raw payload {payload!r} reached the HTML"
    # the texts are shown, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in own
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in own
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in own
    assert "Bad&lt;svg/onload=alert(4)&gt;" in own
    # exactly our three script elements; none of them loads anything
    assert own.count("<script") == 3 and own.count("</script") == 3
    assert re.findall(r"<script[^>]*>", own) == ['<script type="application/json" id="report-data">', "<script>", "<script>"]
    tags = parse(own).tags
    assert not [t for t, a in tags if t in ("img", "svg", "iframe", "object", "embed")]
    assert not [(t, a) for t, a in tags if any(k.startswith("on") for k in a)], "no inline event handlers"
    assert not [(t, a) for t, a in tags if "src" in a]
    assert not [(t, a) for t, a in tags if t == "link" and a.get("href") != "data:,"]
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", own) and "@import" not in own


def test_embedded_json_is_script_safe_and_brand_labels_escaped_for_plotly(xss_result, tmp_path):
    page = render(xss_result, tmp_path)
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert m
    blob = m.group(1)
    assert "<" not in blob and ">" not in blob and "&" not in blob
    charts = json.loads(blob)["charts"]
    assert {"frt", "how_count", "how_frt", "trend", "vanity"} <= set(charts)
    for name, fig in charts.items():
        assert fig["layout"]["title"]["text"], f"chart {name} has no title"
        assert fig["layout"]["xaxis"]["title"]["text"] and fig["layout"]["yaxis"]["title"]["text"]
    # Plotly renders a subset of HTML in labels: the brand name reaches it HTML-escaped
    names = [row[0] for row in charts["vanity"]["data"][0]["customdata"]]
    assert "Bad&lt;svg/onload=alert(4)&gt;" in names and EVIL_BRAND not in json.dumps(charts)


def test_script_json_escapes_what_could_end_a_script():
    text = str(script_json({"t": "</script><!-- & \u2028 \u2029", "n": float("nan")}))
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"t": "</script><!-- & \u2028 \u2029", "n": None}


def test_self_contained_with_csp_allowing_only_its_own_scripts(xss_result, tmp_path):
    page = render(xss_result, tmp_path)
    own = without_plotly(page)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert "cdn.plot.ly" not in own and "https://" not in own and "http://" not in own
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-eval" not in csp
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert digest in allowed, "every executable script must be allowed by its hash"
    assert len(allowed) == 2


def test_figures_match_the_audit_document(xss_result, tmp_path):
    doc = xss_result.to_dict()
    totals = doc["totals"]
    assert (totals["conversations"], totals["answered"]) == (4, 3)
    assert totals["frt_median_min"] == 12.0 and totals["within_target"] == 0.5
    page = render(xss_result, tmp_path)
    found = parse(page).by_id
    assert found["kpi:conversations"] == f"{totals['conversations']:,}" == "4"
    assert found["kpi:coverage"] == f"{totals['coverage'] * 100:.1f}%" == "75.0%"
    assert found["kpi:within-target"] == "50.0%"
    assert found["kpi:frt-median"] == "12.0 min"
    assert found["kpi:frt-p90"] == "1.6 h"  # p90 of 5, 12, 120 minutes = 98.4 min
    assert found["setting-target"] == "30 min"
    assert found["setting-business-hours"] == "not configured"
    assert "kpi:frt-business-median" not in found
    # per-brand table: one row per brand with conversations, in the document's order
    rows = table_rows(page, "brand-table")
    assert [r[0] for r in rows] == ["AcmeHelp", "Bad&lt;svg/onload=alert(4)&gt;"]
    acme = doc["brands"]["AcmeHelp"]
    assert rows[0][1:4] == [str(acme["conversations"]), str(acme["answered"]), f"{acme['coverage'] * 100:.1f}%"]
    assert rows[0][1:7] == ["3", "2", "66.7%", "1.1 h", "1.8 h", "33.3%"]
    assert "All brands 4 3 75.0% 12.0 min 1.6 h 50.0%" in found["brand-total"]
    # the worst served: the unanswered one first, with its text, then the slowest answered
    worst = table_rows(page, "worst-table")
    assert worst[0][0] == "AcmeHelp" and "unanswered" in worst[0][2] and "anyone there" in worst[0][3]
    assert worst[0][4] == "no reply"
    assert "2.0 h" in worst[1][2] and "alert(3)" in worst[1][4]
    # vanity: likes are not in a TWCS export, and the page says so
    assert found["vanity-brand-posts"] == str(totals["vanity"]["brand_posts"]) == "4"
    assert "not in this export" in found["vanity-note"]
    assert "1 conversation never got a reply" in found["summary"]


def test_business_hours_figures(tmp_path):
    bh = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    result = run_audit([write_twcs(tmp_path / "archive.csv", XSS_ROWS)], business_hours=bh)
    totals = result.to_dict()["totals"]
    found = parse(render(result, tmp_path)).by_id
    assert found["setting-business-hours"] == result.to_dict()["settings"]["business_hours"]
    assert found["kpi:within-target-business"] == f"{totals['within_target_business'] * 100:.1f}%"
    assert "kpi:frt-business-median" in found and "kpi:frt-business-p90" in found


def test_archive_without_conversations(tmp_path):
    rows = [(1, "AcmeHelp", False, 0, "Spring sale!", None), (2, "AcmeHelp", False, 60, "Last day!", None)]
    result = run_audit([write_twcs(tmp_path / "archive.csv", rows)])
    page = render(result, tmp_path)
    found = parse(page).by_id
    assert found["kpi:conversations"] == "0" and found["kpi:frt-median"] == "–"
    assert "No conversations were found" in found["summary"]
    assert 'id="brand-table"' not in page and 'id="worst-table"' not in page


def test_every_brand_is_in_the_report(tmp_path):
    rows, tid = [], 1
    for b in range(80):
        for k in range(b % 4 + 1):
            rows.append((tid, f"c{b}_{k}", True, b * 10 + k, f"@Brand{b:02d} help {k}", None))
            rows.append((tid + 1, f"Brand{b:02d}", False, b * 10 + k + b % 50, "@c here to help", tid))
            tid += 2
    result = run_audit([write_twcs(tmp_path / "archive.csv", rows)])
    assert len(result.to_dict()["brands"]) == 80
    page = render(result, tmp_path)
    assert len(table_rows(page, "brand-table")) == 80
    assert len(table_rows(page, "vanity-table")) == 80
    found = parse(page).by_id
    assert "All 80 brands with conversations" in found["brand-cap"]
    assert len(table_rows(page, "worst-table")) == 20
    assert len(without_plotly(page)) < 160_000


def test_head5k_report(shared_data, tmp_path):
    bh = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    result = run_audit([shared_data / "twcs-head5k" / "twcs-head5k.csv"], business_hours=bh)
    doc = result.to_dict()
    totals = doc["totals"]
    page = render(result, tmp_path)
    own = without_plotly(page)
    assert len(own) < 250_000, "everything but Plotly's bundle stays small"
    assert own.count("<script") == 3
    found = parse(page).by_id
    assert found["kpi:conversations"] == f"{totals['conversations']:,}"
    assert found["kpi:coverage"] == f"{totals['coverage'] * 100:.1f}%"
    assert found["kpi:within-target"] == f"{totals['within_target'] * 100:.1f}%"
    assert found["kpi:within-target-business"] == f"{totals['within_target_business'] * 100:.1f}%"
    rows = table_rows(page, "brand-table")
    brands_with_conv = [b for b, f in doc["brands"].items() if f["conversations"]]
    assert [r[0] for r in rows] == brands_with_conv
    assert [r[1] for r in rows] == [f"{doc['brands'][b]['conversations']:,}" for b in brands_with_conv]
    assert len(table_rows(page, "worst-table")) == 20
    # TWCS texts carry links and emoji: shown as text, never as live markup
    assert "https://t.co/" in own and not re.search(r"<a\s", own)
