"""The vanity bubble chart in a real browser: a brand name of 200 characters without spaces ran from
x = -95 to 1415 px over a 1280 px window and over the other names. Names on the chart are cut with an
ellipsis (whole in the hover) and stay inside the chart at desktop and phone width; a line under the
chart says what bubble size and colour stand for.

Same browser setup as test_report_browser (skipped with the reason when chromium or playwright is
missing, unless CI is set)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpfirst.audit import run_audit
from helpfirst.measure.report import render_report

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)

HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
LONG = "Acme" + "X" * 196


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """Four brands apart on the chart: LONG the rightmost (20 brand posts, all in time), then 10 posts
    at 50%, 5 at 100% and 1 at 0%."""
    folder = tmp_path_factory.mktemp("bubbles")
    lines, n = [], 0

    def conversation(brand: str, wait: int | None) -> None:
        nonlocal n
        n += 1
        lines.append(f"c{n},,,u{n},customer,{brand},2024-03-04T08:00:00Z,@{brand} my order is late\n")
        if wait is not None:
            lines.append(f"r{n},,c{n},{brand},brand,{brand},2024-03-04T{8 + wait // 60:02d}:{wait % 60:02d}:00Z,@u{n} sorry\n")

    for _ in range(20):
        conversation(LONG, 5)
    for k in range(10):
        conversation("Middle", 5 if k < 5 else 120)
    for _ in range(5):
        conversation("Quick", 5)
    conversation("Silent", None)
    lines.append("p1,,,Silent,brand,Silent,2024-03-05T10:00:00Z,Spring sale!\n")
    archive = folder / "a.csv"
    archive.write_text(HEADER + "".join(lines), encoding="utf-8")
    return render_report(run_audit([archive]), folder / "r.html")


def test_names_are_cut_and_the_hover_has_them_whole(report):
    page = report.read_text(encoding="utf-8")
    charts = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    trace = charts["charts"]["vanity"]["data"][0]
    labels = dict(zip([c[0] for c in trace["customdata"]], trace["text"], strict=True))
    assert labels[LONG] == LONG[:19] + "…" and labels["Quick"] == "Quick"
    legend = " ".join(re.search(r'id="vanity-legend">(.*?)</p>', page, re.S)[1].split())
    assert legend.startswith("Each bubble is a brand: its size is the number of conversations customers opened "
                             "with it, its colour the share answered within 30 min, from red (0%) through amber "
                             "(50%) to green (100%).")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}])
def test_names_stay_inside_the_chart_and_apart(browser, report, viewport):  # noqa: F811
    visit = Visit(browser, report, viewport=viewport)
    try:
        visit.page.wait_for_timeout(600)  # the page's script settles titles and legends after drawing
        boxes = visit.page.evaluate(
            """() => { const el = document.querySelector('[data-chart=vanity]');
               const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
               return {svg: box(el.querySelector('.main-svg')),
                       labels: Array.from(el.querySelectorAll('.scatterlayer .textpoint text'))
                                    .filter((t) => t.textContent).map((t) => [t.textContent, box(t)])}; }""")
        svg, labels = boxes["svg"], boxes["labels"]
        cut = LONG[:19] if viewport["width"] > 560 else LONG[:11]
        assert sorted(t for t, _ in labels) == sorted([cut + "…", "Middle", "Quick", "Silent"])
        for text, b in labels:
            assert b[0] >= svg[0] - 1 and b[2] <= svg[2] + 1, f"{text!r} runs out of the chart: {b} vs {svg}"
        # apart at every width (the page places names clear of one another, phones included)
        for i, (a, ba) in enumerate(labels):
            for c, bc in labels[i + 1:]:
                assert not (ba[0] < bc[2] and bc[0] < ba[2] and ba[1] < bc[3] and bc[1] < ba[3]), (a, c)
        visit.assert_clean()
    finally:
        visit.page.close()
