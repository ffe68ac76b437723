"""How the report's figures read: the cards under the headline name their base (all conversations)
and give the help-request figure beside it; a share that is not 0 or 1 never reads 0.0% or 100.0%;
every "–" carries the tooltip docs/metrics.md promises; an archive with no conversations shows no
trend chart (it had a made-up Jan 2000 - Jan 2001 axis); the "ok" pill is readable (4.5:1)."""

from __future__ import annotations

import json
import re
from html import unescape

from helpfirst.audit import run_audit
from helpfirst.measure.display import NONE
from helpfirst.measure import report
from helpfirst.measure.report import build_report_html, format_pct, report_context

from .test_report_ux_stop17_help_table import _page, _table
from .test_signals_outcome import _audit


def _kpi(page: str, kpi_id: str) -> tuple[str, str | None, str]:
    """(label text, value's title, value) of a card."""
    card = re.search(rf'<div class="kpi [a-z]+" role="listitem" id="kpi-{kpi_id}">(.*?)<div class="note">', page, re.S)
    assert card, kpi_id
    label = " ".join(unescape(re.sub(r"<[^>]+>", "", re.search(r'<div class="label">(.*?)</div>', card[1], re.S)[1])).split())
    value = re.search(r'<div class="value" data-kpi="[^"]+"(?: title="([^"]*)")?>([^<]*)</div>', card[1])
    return label, value[1] and unescape(value[1]), unescape(value[2])


def test_the_cards_name_their_base_and_show_the_help_request_figure(twcs):
    page = _page(twcs)
    assert 'id="kpi-base"' in page
    for kpi_id, help_text in (("conversations", "9"), ("coverage", None), ("frt-median", None), ("within-target", None)):
        label, _, _ = _kpi(page, kpi_id)
        assert "all conversations" in label, (kpi_id, label)
        shown = re.search(rf'data-help-kpi="{kpi_id}">help requests: <b[^>]*>([^<]*)</b>', page)
        assert shown, kpi_id
        if help_text:
            assert shown[1] == help_text
    # the help-request coverage under the card is the headline's figure
    summary = unescape(re.search(r'<p class="summary" id="summary">(.*?)</p>', page, re.S)[1])
    cov = re.search(r'data-help-kpi="coverage">help requests: <b[^>]*>([^<]*)</b>', page)[1]
    assert f"{cov} of the help requests got a reply" in summary


def test_a_share_that_is_not_all_or_nothing_never_reads_so(twcs):
    assert [format_pct(v) for v in (0.0, 0.0004, 0.5, 0.9996, 1.0)] == ["0.0%", "<0.1%", "50.0%", ">99.9%", "100.0%"]
    # 2,001 conversations, one of them never answered
    rows = []
    for k in range(2001):
        rows.append((2 * k + 1, f"{k + 100}", True, k, "@Acme where is my parcel?", None))
        if k:
            rows.append((2 * k + 2, "Acme", False, k + 1, f"@{k + 100} track it under Orders", 2 * k + 1))
    result = run_audit([twcs(rows)])
    page = build_report_html(result)
    summary = unescape(re.search(r'<p class="summary" id="summary">(.*?)</p>', page, re.S)[1])
    assert ">99.9% of the conversations got a reply" in summary and "100.0%" not in summary
    assert unescape(re.search(r'data-kpi="coverage"[^>]*>([^<]*)<', page)[1]) == ">99.9%"
    headers, brand_rows = _table(page, "brand-table")
    assert brand_rows[0][headers.index("Coverage")][0] == ">99.9%"
    buckets = re.search(r'aria-label="First response time buckets">(.*?)</ul>', page, re.S)[1]
    assert "unanswered: 1 (<0.1%)" in " ".join(unescape(re.sub(r"<[^>]+>", "", buckets)).split())
    charts = json.loads(str(report_context(result)["charts_json"]))["charts"]
    texts = charts["frt"]["data"][0]["text"]
    assert [report.round_pct(v, 0) for v in (0.0, 0.3, 99.6, 100.0)] == ["0%", "<1%", ">99%", "100%"]
    assert texts[-1] == "<1%" and ">99%" in texts and "100%" not in texts and "0%" not in texts


def test_every_dash_has_its_tooltip(twcs):
    # Acme never answers; Bolt only posts; the one request is a question (a help request)
    rows = [(1, "101", True, 0, "@Acme where is my parcel?", None, "question", -0.2),
            (2, "Bolt", False, 5, "Big news: our spring sale!", None, "other", 0.5)]
    result, signals = _audit(twcs, rows)
    result.signals = signals
    page = build_report_html(result)
    for kpi_id in ("frt-median", "frt-p90", "time-to-solution", "sentiment-shift"):
        _, title, value = _kpi(page, kpi_id)
        assert value == NONE and title and title.startswith("nothing to measure"), (kpi_id, title, value)
    for table, columns in (("brand-table", ("Median FRT", "p90 FRT")),
                           ("vanity-table", ("Coverage", "Within 30 min", "Median FRT"))):
        headers, body = _table(page, table)
        for row in body:
            for name in columns:
                text, _, title = row[headers.index(name)]
                if text == NONE:
                    assert title and title.startswith("nothing to measure"), (table, row[0][0], name)
    headers, body = _table(page, "vanity-table")
    bolt = next(r for r in body if r[0][0] == "Bolt")
    assert bolt[headers.index("Coverage")][0] == NONE  # a brand with no conversation has "–" cells here


def test_no_conversations_no_trend_chart(tmp_path):
    archive = tmp_path / "posts.csv"
    archive.write_text("id,author,author_role,brand,created_at,text\n"
                       "1,Acme,brand,Acme,2024-03-04T09:00:00Z,Spring sale!\n", encoding="utf-8")
    page = build_report_html(run_audit([archive]))
    trend = re.search(r'<section id="trend">(.*?)</section>', page, re.S)[1]
    assert 'data-chart="trend"' not in trend
    assert "No conversations" in trend


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_ok_pill_is_readable(twcs):
    page = _page(twcs)
    rule = re.search(r"\.pill\.ok \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}|var\(--[a-z]+\)); \}", page)
    assert rule, "the .pill.ok rule"
    colour = rule[2]
    if colour.startswith("var("):
        colour = re.search(rf"{colour[4:-1]}: (#[0-9a-f]{{6}})", page)[1]
    hi, lo = sorted((_luminance(rule[1]), _luminance(colour)), reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5


def test_how_to_read_defines_every_figure_shown(twcs):
    page = _page(twcs)
    about = " ".join(unescape(re.sub(r"<[^>]+>", " ", re.search(r'<section id="about">(.*?)</section>', page, re.S)[1])).split())
    for term in ("Substance", "Time to solution", "Sentiment shift"):
        assert f" {term} " in f" {about} ", term
    assert "−2..2" in about and "first reply carries a solution" in about
    footer = " ".join(re.sub(r"<[^>]+>", " ", re.search(r"<footer>(.*?)</footer>", page, re.S)[1]).split())
    assert "docs/metrics.md in the helpfirst repository" in footer
