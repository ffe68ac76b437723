"""The names on the vanity bubble chart never cover one another, on a phone (390 px) or a desktop (1280 px).

Plotly places point labels without looking at each other: on the demo's report at phone width three
pairs of names overlapped ("GraniteDevi…" over "CrestStoreH…", ...), and brands with the same figures
stacked all their names in one spot at any width. The page's script now moves a name that would cover
one already placed (the brand with the most conversations first) below or beside its bubble, or leaves
it off the chart (the hover still has it).

Reports are made by the real command line (`helpfirst demo`, `helpfirst audit --report`); same browser
setup as test_report_browser (skipped with the reason when chromium or playwright is missing, unless CI
is set)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser

ENV = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
WIDTHS = [{"width": 390, "height": 844}, {"width": 1280, "height": 900}]
HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
# ten brands with the same figures (one bubble spot): the markup in names must show as written
TWINS = ["<b>Bold</b>", "A&amp;B", "Twin & Co"] + [f"TwinBrand{k}" for k in range(7)]


def helpfirst(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=600, env=ENV)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    helpfirst("demo", "--posts", "2000", "--out", str(out))
    return out / "helpfirst-report.html"


@pytest.fixture(scope="module")
def twins_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("twins")
    lines, n = [], 0
    for k, brand in enumerate(TWINS):
        for _ in range(3 if k else 4):  # the first brand has the most conversations, the same share
            n += 1
            lines.append(f'c{n},,,u{n},customer,"{brand}",2024-03-04T08:00:00Z,my order is late\n')
            lines.append(f'r{n},,c{n},"{brand}",brand,"{brand}",2024-03-04T08:05:00Z,sorry\n')
    archive = folder / "twins.csv"
    archive.write_text(HEADER + "".join(lines), encoding="utf-8")
    helpfirst("audit", str(archive), "--no-signals", "--report", str(folder / "r.html"))
    return folder / "r.html"


def chart_labels(report: Path) -> list[str]:
    """The names the report asks to be drawn on the chart, unescaped, the brand with the most conversations first."""
    page = report.read_text(encoding="utf-8")
    charts = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    return [html.unescape(t) for t in charts["charts"]["vanity"]["data"][0]["text"] if t]


def drawn_labels(browser, report: Path, viewport: dict):  # noqa: F811
    """(names drawn: [(point index, text, box)], chart box, names left off) once the page has placed them."""
    visit = Visit(browser, report, viewport=viewport)
    try:
        # polled from here: Playwright's wait_for_function evaluates its predicate as a string, which the
        # page's Content-Security-Policy refuses (a console error) whenever the first check is false
        for _ in range(150):  # up to 15 s; an older page never says it placed them: measure what it drew
            if visit.page.evaluate("document.querySelector('[data-chart=vanity]').hasAttribute('data-labels-left-off')"):
                break
            visit.page.wait_for_timeout(100)
        found = visit.page.evaluate(
            """() => { const el = document.querySelector('[data-chart=vanity]');
               const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
               return {svg: box(el.querySelector('.main-svg')), left_off: el.getAttribute('data-labels-left-off'),
                       labels: Array.from(el.querySelectorAll('.scatterlayer .textpoint'))
                                    .filter((g) => g.textContent)
                                    .map((g) => [g.__data__ ? g.__data__.i : -1, g.textContent, box(g.querySelector('text'))])}; }""")
        visit.assert_clean()
        return found["labels"], found["svg"], found["left_off"]
    finally:
        visit.page.close()


def overlapping(labels) -> list[tuple[str, str]]:
    return [(a, c) for k, (_, a, ba) in enumerate(labels) for _, c, bc in labels[k + 1:]
            if ba[0] < bc[2] and bc[0] < ba[2] and ba[1] < bc[3] and bc[1] < ba[3]]


def check(labels, svg, left_off, expected: list[str]) -> None:
    assert overlapping(labels) == []
    assert left_off is not None, "the page did not place the names"
    for _, text, b in labels:
        assert b[0] >= svg[0] - 1 and b[2] <= svg[2] + 1 and b[1] >= svg[1] - 1 and b[3] <= svg[3] + 1, (text, b, svg)
    assert [i for i, _, _ in labels] == sorted(i for i, _, _ in labels)
    assert {text for _, text, _ in labels} <= set(expected)
    assert int(left_off) == len(expected) - len(labels)
    assert 0 in [i for i, _, _ in labels], "the brand with the most conversations is named first"


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: str(v["width"]))
def test_demo_names_do_not_overlap(browser, demo_report, viewport):  # noqa: F811
    labels, svg, left_off = drawn_labels(browser, demo_report, viewport)
    expected = chart_labels(demo_report)  # the wide names; a phone's are cut shorter
    if viewport["width"] < 560:
        expected = [t if len(t) <= 12 else t[:11] + "…" for t in expected]
    check(labels, svg, left_off, expected)
    # on a desktop every name finds room; on a phone all but one or two (moved below or beside their bubbles)
    assert len(expected) == 8 and len(labels) >= (8 if viewport["width"] > 560 else 6)


@pytest.mark.parametrize("viewport", WIDTHS, ids=lambda v: str(v["width"]))
def test_brands_in_one_spot_show_some_names_apart_and_leave_the_rest_off(browser, twins_report, viewport):  # noqa: F811
    labels, svg, left_off = drawn_labels(browser, twins_report, viewport)
    expected = chart_labels(twins_report)
    assert expected[:3] == ["<b>Bold</b>", "A&amp;B", "Twin & Co"]  # escaped in the page, shown as written
    check(labels, svg, left_off, expected)
    assert 2 <= len(labels) < len(expected)
    assert labels[0][1] == "<b>Bold</b>"
