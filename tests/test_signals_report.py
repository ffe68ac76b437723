"""The signals section of the HTML report: figures, outcome chart, redirect examples, escaping.

Per-post labels are given here (so the redirect example is known); the real model's report is
checked end to end in tests/test_signals_cli.py.
"""

from __future__ import annotations

import json
import re

import pytest

from helpfirst.measure.report import build_report_html, report_context

from .test_report_browser import CHROMIUM_ARGS, _require_browser
from .test_signals_outcome import THREADS, _audit

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# a redirected request, and a request with mostly the same words that Acme answered in public
EXAMPLE_ROWS = THREADS + [
    (30, "130", True, 1000, f"@Acme how do I reset the password of my Acme app account {XSS}", None, "question", 0.0),
    (31, "Acme", False, 1003, f"@130 please DM us {XSS}", 30, "redirect", 0.0),
    (32, "131", True, 1100, "@Acme how do I reset the password of my Acme app account?", None, "question", 0.0),
    (33, "Acme", False, 1104, f"@131 tap Settings > Password > Reset {XSS}", 32, "solution", 0.0),
]


@pytest.fixture
def audited(twcs):
    result, signals = _audit(twcs, EXAMPLE_ROWS)
    result.signals = signals
    return result


def test_section_figures_and_chart(audited):
    context = report_context(audited)
    sig = context["signals"]
    assert [k["id"] for k in sig["kpis"]] == [
        "help-requests", "help-coverage", "substance", "time-to-solution", "resolved", "sentiment-shift"]
    assert sig["kpis"][0]["value"] == "9"  # 7 hand-built help requests + 2 password questions
    counts = {o["id"]: o["count"] for o in sig["outcomes"]}
    assert counts == {"resolved": "1", "unconfirmed": "2", "redirected": "2", "abandoned": "2",
                      "unresolved": "1", "unanswered": "1"}
    payload = json.loads(str(context["charts_json"]))
    bars = payload["charts"]["outcomes"]["data"]
    assert [b["name"] for b in bars] == ["resolved", "unconfirmed", "redirected", "abandoned", "unresolved", "unanswered"]
    assert payload["charts"]["outcomes"]["layout"]["yaxis"]["ticktext"] == ["All brands", "Acme", "Bolt"]
    assert [c[2] for c in bars[0]["customdata"]] == ["All brands", "Acme", "Bolt"]
    for i in range(3):  # each brand's bar adds up to 100%
        assert sum(b["x"][i] for b in bars) == pytest.approx(100.0, abs=0.05)


def test_redirect_example_pairs_the_redirect_with_the_public_answer(audited):
    examples = report_context(audited)["signals"]["examples"]
    assert len(examples) == 1
    e = examples[0]
    assert e["brand"] == "Acme"
    assert e["request"].startswith("@Acme how do I reset the password") and XSS in e["request"]
    assert e["redirect"].startswith("@130 please DM us")
    assert e["similar"] == "@Acme how do I reset the password of my Acme app account?"
    assert e["solution"].startswith("@131 tap Settings")


PARCEL = "@Acme tracking says my parcel was delivered but nothing arrived at my door"
# a redirected request later solved in public (once in both groups: it must not pair with itself),
# and another person's copy of the same text answered in public (a copy is not a similar request)
SELF_AND_COPY_ROWS = EXAMPLE_ROWS + [
    (40, "140", True, 1200, PARCEL, None, "problem", -0.4),
    (41, "Acme", False, 1201, "@140 please DM us your order number", 40, "redirect", 0.0),
    (42, "Acme", False, 1210, "@140 you can also request a call back here", 41, "solution", 0.0),
    (43, "141", True, 1300, PARCEL, None, "problem", -0.4),
    (44, "Acme", False, 1302, "@141 the driver left it with a neighbour, see the photo in the app", 43, "solution", 0.0),
]


def test_redirect_example_pairs_two_different_requests(twcs):
    result, signals = _audit(twcs, SELF_AND_COPY_ROWS)
    result.signals = signals
    examples = report_context(result)["signals"]["examples"]
    ids = result.threads.posts.column("id").to_pylist()
    assert [(ids[e["rows"]["request"]], ids[e["rows"]["similar"]]) for e in examples] == [("30", "32")]


def test_redirect_examples_on_real_posts(shared_data):
    """twcs-head5k with the fast model: every pair is two different requests, the one side first
    answered with a redirect, the other with a solution."""
    from helpfirst.audit import run_audit
    from helpfirst.measure.signals_report import redirect_examples

    result = run_audit([shared_data / "twcs-head5k" / "twcs-head5k.csv"], signals="fast")
    kinds = result.signals.posts.column("reply_kind").to_pylist()
    texts = result.threads.posts.column("text").to_pylist()
    examples = redirect_examples(result)
    assert examples  # the section is not empty on this archive
    for e in examples:
        rows = e["rows"]
        assert rows["request"] != rows["similar"]
        assert " ".join(texts[rows["request"]].split()) != " ".join(texts[rows["similar"]].split())
        assert e["overlap"] < 0.85
        assert (kinds[rows["redirect"]], kinds[rows["solution"]]) == ("redirect", "solution")
        assert e["request"] != e["similar"]

def test_untrusted_text_is_escaped(audited):
    html = build_report_html(audited)
    section = html[html.index('<section id="signals"'):html.index("</section>", html.index('<section id="signals"'))]
    assert "<script>alert" not in section and "<img src=x" not in section
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in section
    examples = section[section.index('id="redirect-examples"'):]
    assert len(re.findall(r"<tr>", examples[examples.index("<tbody>"):])) == 1


def test_no_signals_no_section(twcs):
    from helpfirst.audit import run_audit

    result = run_audit([twcs([r[:6] for r in THREADS])])
    html = build_report_html(result)
    assert 'id="signals"' not in html and report_context(result)["signals"] is None


@pytest.mark.browser
def test_section_in_chromium(audited, tmp_path):
    _require_browser()
    from playwright.sync_api import sync_playwright

    from helpfirst.measure.report import render_report

    path = render_report(audited, tmp_path / "report.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors, dialogs, requests = [], [], []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_function("document.querySelector('[data-chart=outcomes] .main-svg') !== null", timeout=15_000)
            bars = page.locator("[data-chart=outcomes] g.trace.bars").count()
            cell = page.locator("#redirect-examples tbody tr td.text").first.inner_text()
            legend = page.locator("[data-chart=outcomes] g.legend text.legendtext").all_text_contents()
            kpi = page.locator("#kpi-help-requests .value").inner_text()
        finally:
            browser.close()
    assert errors == [] and dialogs == []
    assert all(u.startswith("file:") for u in requests)
    assert bars == 6
    assert legend == ["resolved", "unconfirmed", "redirected", "abandoned", "unresolved", "unanswered"]
    assert XSS in cell  # shown as text, not run
    assert kpi == "9"


PII_ROWS = THREADS + [
    (50, "150", True, 1000, "@Acme how do I change the e-mail of my Acme account from kim@example.com", None, "question", 0.0),
    (51, "Acme", False, 1003, "@150 please call us on 0800 123 4567", 50, "redirect", 0.0),
    (52, "151", True, 1100, "@Acme how do I change the e-mail of my Acme account? it is lee@example.org", None, "question", 0.0),
    (53, "Acme", False, 1104, "@151 Settings > Account > E-mail, or write to help@acme.example", 52, "solution", 0.0),
]


def test_redirect_examples_are_masked_when_asked(twcs):
    result, signals = _audit(twcs, PII_ROWS)
    result.signals = signals
    assert "kim@example.com" in report_context(result)["signals"]["examples"][0]["request"]
    result.mask_pii = True
    [e] = report_context(result)["signals"]["examples"]
    assert (e["request"], e["redirect"], e["similar"], e["solution"]) == (
        "@Acme how do I change the e-mail of my Acme account from [email]",
        "@150 please call us on [phone]",
        "@Acme how do I change the e-mail of my Acme account? it is [email]",
        "@151 Settings > Account > E-mail, or write to [email]",
    )
