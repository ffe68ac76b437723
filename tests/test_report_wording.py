"""The report says exactly what it counts: help requests when the signals ran, conversations
(worded as such) without them; brand names in the charts are escaped once, and stay inert."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpfirst.audit import AuditResult, run_audit
from helpfirst.measure.report import build_report_html, report_context

from .test_report import parse, without_plotly

# one praise thread and one question, both answered: 2 conversations, 1 help request
PRAISE_AND_QUESTION = """id,parent_id,author,author_role,brand,created_at,text
p,,u1,customer,Acme,2024-03-04T08:00:00Z,I love @Acme! Best service ever thank you
p1,p,Acme,brand,Acme,2024-03-04T08:02:00Z,Thank you so much!
q,,u2,customer,Acme,2024-03-04T08:00:00Z,@Acme how do I change my delivery address?
q1,q,Acme,brand,Acme,2024-03-04T09:00:00Z,Go to Orders > Edit address and save it
"""

QUOTED_BRANDS = '''id,parent_id,author,author_role,brand,created_at,text
c1,,u1,customer,"M&S ""Help""",2024-03-04T08:00:00Z,my order is broken please help
r1,c1,"M&S ""Help""",brand,"M&S ""Help""",2024-03-04T08:10:00Z,Please DM us
c2,,u2,customer,Tom's <Help>,2024-03-04T08:00:00Z,my order is broken please help
'''

#: Wording that claims every conversation is a request for help, or counts people.
WRONG_WORDING = ["asked for help", "help requests that opened", "people who ask", "the start of a help request",
                 "people who wrote again"]


def audit(tmp_path: Path, text: str, signals: str | None) -> AuditResult:
    path = tmp_path / "archive.csv"
    path.write_text(text, encoding="utf-8")
    return run_audit([path], signals=signals)


def visible_text(page: str) -> str:
    """The page's text (Plotly's bundle and the chart data left out), whitespace collapsed."""
    own = without_plotly(page)
    own = re.sub(r"<script.*?</script>", " ", own, flags=re.S)
    own = re.sub(r"<style.*?</style>", " ", own, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", own).split())


@pytest.fixture
def with_signals(tmp_path) -> AuditResult:
    return audit(tmp_path, PRAISE_AND_QUESTION, "fast")


def test_headline_counts_help_requests_when_the_signals_ran(with_signals):
    totals = with_signals.to_dict()["totals"]
    assert (totals["conversations"], totals["help_requests"]) == (2, 1)
    page = build_report_html(with_signals)
    found = parse(page).by_id
    summary = found["summary"]
    assert summary.startswith("Customers opened 2 conversations; 1 of them was a help request (a question or a problem).")
    assert "100.0% of the help requests got a reply" in summary
    assert "0.0% got it within 30 min" in summary  # the question waited an hour; the praise is not counted
    text = visible_text(page)
    for wrong in WRONG_WORDING:
        assert wrong not in text.lower(), wrong
    assert "help requests that opened a thread" not in found["kpi-conversations"]
    assert "whatever they say" in found["kpi-conversations"]
    contrast = re.search(r'<p class="contrast">(.*?)</p>', page, re.S).group(1)
    assert "1 of the 1 help requests (100.0%) did not get an answer within 30 min" in contrast
    assert "Help request" in found["about"] and "Praise, feedback and chit-chat are conversations" in found["about"]
    assert "help requests whose author wrote again" in found["kpi-sentiment-shift"]


def test_without_signals_the_report_speaks_of_conversations(tmp_path):
    result = audit(tmp_path, PRAISE_AND_QUESTION, None)
    page = build_report_html(result)
    found = parse(page).by_id
    summary = found["summary"]
    assert summary.startswith("Customers opened 2 conversations (help requests are not singled out: the audit ran without signals")
    assert "50.0% got it within 30 min" in summary and "help requests got" not in summary
    text = visible_text(page)
    for wrong in WRONG_WORDING:
        assert wrong not in text.lower(), wrong
    contrast = re.search(r'<p class="contrast">(.*?)</p>', page, re.S).group(1)
    assert "1 of the 2 conversations customers opened (50.0%)" in contrast
    titles = [fig["layout"]["title"]["text"] for fig in json.loads(str(report_context(result)["charts_json"]))["charts"].values()]
    assert not [t for t in titles if "people" in t.lower()], titles
    assert "Not singled out in this report" in found["about"]


def test_no_help_requests_says_so(tmp_path):
    result = audit(tmp_path, PRAISE_AND_QUESTION.replace(
        "@Acme how do I change my delivery address?", "Thanks @Acme you are great"), "fast")
    assert result.to_dict()["totals"]["help_requests"] == 0
    summary = parse(build_report_html(result)).by_id["summary"]
    assert summary == "Customers opened 2 conversations; 0 of them were help requests (a question or a problem)."


def test_chart_labels_escape_quotes_once(tmp_path):
    result = audit(tmp_path, QUOTED_BRANDS, "fast")
    charts = json.loads(str(report_context(result)["charts_json"]))["charts"]
    outcome_names = charts["outcomes"]["layout"]["yaxis"]["ticktext"]
    vanity_names = [c[0] for c in charts["vanity"]["data"][0]["customdata"]]
    for names in (outcome_names, vanity_names):
        # Plotly decodes &amp; &lt; &gt; and numeric references, not &quot;
        assert "M&amp;S &#34;Help&#34;" in names and "Tom&#39;s &lt;Help&gt;" in names
        assert not [n for n in names if "&quot;" in n or "&#x27;" in n or "<" in n or '"' in n]
    # the tables were right, and stay so
    page = build_report_html(result)
    assert "M&amp;S &#34;Help&#34;" in without_plotly(page) and "Tom&#39;s &lt;Help&gt;" in without_plotly(page)


def test_a_brand_called_all_brands_keeps_its_own_outcome_bar(tmp_path):
    result = audit(tmp_path, QUOTED_BRANDS.replace('M&S ""Help""', "All brands"), "fast")
    outcomes = json.loads(str(report_context(result)["charts_json"]))["charts"]["outcomes"]
    axis = outcomes["layout"]["yaxis"]
    assert axis["ticktext"] == ["All brands", "All brands", "Tom&#39;s &lt;Help&gt;"]
    assert len(set(axis["tickvals"])) == 3 and outcomes["data"][0]["y"] == axis["tickvals"]
