"""The report in Chromium at phone width (390 px) and on the desktop: long brand names are whole
(wrapped, with a tooltip) so two names that differ only at the end read apart; a wide brand table
says it scrolls and keeps its brand column in view; the redirect examples and the worst-served
list show every column on a phone; table captions are not cut; no name on the bubble chart sits on
another brand's bubble.

Same browser setup as test_report_browser (skipped with the reason when chromium or playwright is
missing, unless CI is set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpfirst.audit import run_audit
from helpfirst.measure.report import build_report_html, render_report

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)
from .test_report_ux_stop17_help_table import PRAISE_ROWS
from .test_signals_outcome import _audit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
TWIN_A = "MegaCorpCustomerExperienceTeam_UK"
TWIN_B = "MegaCorpCustomerExperienceTeam_US"


def _csv(path: Path, brands: list[tuple[str, int, int, int]]) -> Path:
    """Per brand: conversations, minutes to the reply, extra brand posts."""
    lines, n = [], 0
    for brand, conversations, wait, extra in brands:
        for _ in range(conversations):
            n += 1
            lines.append(f"c{n},,,u{n},customer,{brand},2024-03-04T08:00:00Z,@{brand} my order is late\n")
            lines.append(f"r{n},,c{n},{brand},brand,{brand},2024-03-04T{8 + wait // 60:02d}:{wait % 60:02d}:00Z,@u{n} sorry\n")
        for k in range(extra):
            lines.append(f"p{brand}{k},,,{brand},brand,{brand},2024-03-05T10:00:00Z,Spring sale {k}!\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def signals_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("phone")
    from .conftest import write_twcs

    result, signals = _audit(lambda rows: write_twcs(folder / "a.csv", rows), PRAISE_ROWS)
    result.signals = signals
    out = folder / "signals.html"
    out.write_text(build_report_html(result), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def twins_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("twins")
    archive = _csv(folder / "a.csv", [(TWIN_A, 3, 5, 0), (TWIN_B, 2, 90, 0)])
    return render_report(run_audit([archive]), folder / "r.html")


@pytest.fixture(scope="module")
def crowded_report(tmp_path_factory) -> Path:
    """Bubbles close together: a big one with small ones just above and beside it."""
    folder = tmp_path_factory.mktemp("crowded")
    archive = _csv(folder / "a.csv", [("Big", 30, 5, 0), ("Near", 3, 5, 28), ("Nearer", 2, 5, 29),
                                      ("Next", 4, 5, 27), ("Late", 6, 90, 30), ("Far", 5, 5, 200)])
    return render_report(run_audit([archive]), folder / "r.html")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_long_names_are_whole_and_have_a_tooltip(browser, twins_report, viewport):  # noqa: F811
    visit = Visit(browser, twins_report, viewport=viewport)
    try:
        cells = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('#brand-table td.brand, #vanity-table td.brand'))
                 .map((td) => ({title: td.title, text: td.innerText, clipped: td.scrollWidth > td.clientWidth + 1}))""")
        assert {c["title"] for c in cells} == {TWIN_A, TWIN_B}
        for c in cells:
            assert not c["clipped"], c
            assert "".join(c["text"].split()) == c["title"], c  # whole (maybe wrapped), not cut with "…"
        visit.assert_clean()
    finally:
        visit.page.close()


def test_a_phone_sees_every_column(browser, signals_report):  # noqa: F811
    visit = Visit(browser, signals_report, viewport=PHONE)
    page = visit.page
    try:
        page.wait_for_timeout(300)
        # the wide help table says it scrolls, and its brand column stays in view when it does
        hint = page.evaluate("document.getElementById('help-brand-table').closest('.table-wrap').previousElementSibling")
        assert hint is not None
        assert page.locator("#help-brand-table").evaluate("t => t.closest('.table-wrap').previousElementSibling.hidden") is False
        assert "Scroll sideways" in page.locator("#help-brand-table").evaluate(
            "t => t.closest('.table-wrap').previousElementSibling.innerText")
        page.locator("#help-brand-table").evaluate("t => { t.closest('.table-wrap').scrollLeft = 10000; }")
        page.wait_for_timeout(100)
        wrap = page.locator("#help-brand-table").evaluate("t => t.closest('.table-wrap').getBoundingClientRect().left")
        first = page.locator("#help-brand-table tbody tr:first-child td:first-child").bounding_box()
        assert first["x"] >= wrap - 1, "the brand column scrolled away"
        # the redirect example: the redirect and the public answer are on the screen
        for col in (3, 5):
            box = page.locator(f"#redirect-examples tbody tr:first-child td:nth-child({col})").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, (col, box)
        box = page.locator("#worst-table tbody tr:first-child td:nth-child(5)").bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"] + 1
        # captions are not cut: each lies within the screen
        for cap in ("outcome-table-caption", "first-reply-table-caption"):
            box = page.locator(f"#{cap}").bounding_box()
            assert box and box["x"] + box["width"] <= PHONE["width"] + 1, (cap, box)
        visit.assert_clean()
    finally:
        page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_no_name_sits_on_another_bubble(browser, crowded_report, viewport):  # noqa: F811
    visit = Visit(browser, crowded_report, viewport=viewport)
    try:
        visit.page.wait_for_function("document.querySelector('[data-chart=vanity]').hasAttribute('data-labels-left-off')",
                                     timeout=15_000)
        found = visit.page.evaluate(
            """() => { const el = document.querySelector('[data-chart=vanity]');
               const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
               const labels = Array.from(el.querySelectorAll('.scatterlayer .trace:first-child .textpoint'))
                 .filter((g) => g.querySelector('text') && g.querySelector('text').textContent)
                 .map((g) => [g.__data__.i, g.querySelector('text').textContent, box(g.querySelector('text'))]);
               const bubbles = Array.from(el.querySelectorAll('.scatterlayer .trace:first-child path.point'))
                 .map((p) => [p.__data__.i, box(p)]);
               return {labels, bubbles}; }""")
        assert found["labels"], "no name on the chart at all"
        for i, text, b in found["labels"]:
            for j, k in found["bubbles"]:
                if i != j:
                    assert not (b[0] < k[2] and k[0] < b[2] and b[1] < k[3] and k[1] < b[3]), (text, j)
        visit.assert_clean()
    finally:
        visit.page.close()
