"""The report's layout in a real browser, at phone width (390 px) and desktop width (1280 px):
nothing scrolls sideways, chart titles and axis titles fit their chart, legends stay clear of the
titles, tick and bar labels are readable, there is no mode bar (its "share" button uploads the
chart to Plotly's cloud) and no keyboard focus lands on something invisible.

Same browser setup as test_report_browser (Debian chromium driven by the playwright package;
skipped with the reason when either is missing, unless CI is set). The archive is a synthetic
one (`helpfirst synth`), audited with the signals and business hours, as a user would.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from helpfirst.audit import run_audit
from helpfirst.measure.business_hours import parse_business_hours
from helpfirst.measure.report import render_report
from helpfirst.synth import write_synthetic

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHARTS = ["frt", "outcomes", "trend", "how_count", "how_frt", "vanity"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    archive = folder / "synth.csv"
    write_synthetic(archive, 6000, seed=3)
    bh = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    result = run_audit([archive], business_hours=bh, signals="fast")
    return render_report(result, folder / "report.html")


def _open(browser, report, viewport):  # noqa: F811
    visit = Visit(browser, report, viewport=viewport)
    # the page wraps titles and moves legends after the first drawing: let that settle
    visit.page.wait_for_function(
        "Array.prototype.every.call(document.querySelectorAll('[data-chart]'),"
        " function (el) { return el.querySelector('.main-svg .gtitle'); })", timeout=15_000)
    visit.page.wait_for_timeout(600)
    return visit


@contextmanager
def _opened(browser, report, viewport):  # noqa: F811
    """The report open in a new page of its own, closed afterwards."""
    visit = _open(browser, report, viewport)
    try:
        yield visit
    finally:
        visit.page.close()


def _boxes(page, chart: str) -> dict:
    """Bounding boxes (left, top, right, bottom) of a chart's svg, title, legend and axis titles."""
    return page.evaluate(
        """(chart) => {
          const el = document.querySelector('[data-chart=' + chart + ']');
          const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
                               return r.width || r.height ? [r.left, r.top, r.right, r.bottom] : null; };
          return {svg: box(el.querySelector('.main-svg')), title: box(el.querySelector('.gtitle')),
                  legend: box(el.querySelector('.legend')),
                  axes: Array.from(el.querySelectorAll('.g-xtitle text, .g-ytitle text, .g-y2title text'))
                             .map((t) => [t.textContent, box(t)])};
        }""",
        chart,
    )


def _inside(inner, outer, slack=1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[2] <= outer[2] + slack
            and inner[1] >= outer[1] - slack and inner[3] <= outer[3] + slack)


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_nothing_scrolls_sideways_on_a_phone(browser, report):  # noqa: F811
    with _opened(browser, report, PHONE) as visit:
        page = visit.page
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"page scrolls sideways: scrollWidth {width[0]} > clientWidth {width[1]}"
        # and no section's content runs out of its card (wide tables scroll inside their own wrapper)
        spill = page.evaluate(
            "Array.from(document.querySelectorAll('main > section'))"
            ".filter(function (s) { return s.scrollWidth > s.clientWidth; })"
            ".map(function (s) { return s.id + ': ' + s.scrollWidth + ' > ' + s.clientWidth; })"
        )
        assert spill == [], f"content wider than its section: {spill}"
        visit.assert_clean()


BOTH = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


@BOTH
def test_no_mode_bar_and_no_share_button(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        assert page.locator("[data-title*='share' i], [data-title*='cloud' i]").count() == 0, "a share/cloud button"
        assert page.locator(".modebar, .modebar-btn").count() == 0, "Plotly's mode bar is on the page"


@BOTH
def test_no_tab_stop_is_invisible_or_inside_an_image(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        hidden = page.evaluate(
            """() => Array.from(document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]'))
                 .filter((e) => e.tabIndex >= 0 && !e.disabled)
                 .filter((e) => { for (let p = e; p; p = p.parentElement) {
                                    const s = getComputedStyle(p);
                                    if (s.opacity === '0' || s.visibility === 'hidden' || s.display === 'none') return true; }
                                  return !!e.closest('[role=img]'); })
                 .map((e) => e.outerHTML.slice(0, 80))"""
        )
        assert hidden == [], f"{len(hidden)} tab stops are invisible or inside an image: {hidden[:3]}"


@BOTH
def test_chart_titles_fit_their_chart(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        for chart in CHARTS:
            b = _boxes(page, chart)
            assert b["svg"] and b["title"], f"chart {chart} did not draw its title"
            assert _inside(b["title"], b["svg"]), f"{chart}: title {b['title']} runs out of the chart {b['svg']}"
        visit.assert_clean()


@BOTH
def test_axis_titles_fit_their_chart(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        for chart in CHARTS:
            b = _boxes(page, chart)
            assert b["axes"], f"chart {chart} has no axis title"
            for text, box in b["axes"]:
                assert box is None or _inside(box, b["svg"]), f"{chart}: axis title {text!r} {box} cut off ({b['svg']})"


@BOTH
def test_legends_keep_clear_of_the_titles(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        with_legend = 0
        for chart in CHARTS:
            b = _boxes(page, chart)
            if b["legend"]:
                with_legend += 1
                assert not _intersect(b["legend"], b["title"]), f"{chart}: legend {b['legend']} over title {b['title']}"
        assert with_legend >= 3  # frt (business hours), outcomes, trend


@BOTH
def test_hour_labels_do_not_run_together(browser, report, viewport):  # noqa: F811
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        for chart in ["how_count", "how_frt"]:
            ticks = page.evaluate(
                "Array.from(document.querySelectorAll('[data-chart=%s] .xtick text'))"
                ".map(function (t) { var r = t.getBoundingClientRect(); return [t.textContent, r.left, r.right]; })"
                % chart
            )
            assert len(ticks) >= 4, ticks
            ticks.sort(key=lambda t: t[1])
            for a, b in zip(ticks, ticks[1:], strict=False):
                assert a[2] + 2 <= b[1], f"{chart}: hour labels {a[0]!r} and {b[0]!r} run together"


@BOTH
def test_bar_labels_are_readable_or_left_out(browser, report, viewport):  # noqa: F811
    """A percentage on a bar is drawn at a readable size or not at all (never shrunk to fit a thin bar)."""
    with _opened(browser, report, viewport) as visit:
        page = visit.page
        heights = page.evaluate(
            "Array.from(document.querySelectorAll('[data-chart=frt] .bartext'))"
            ".map(function (t) { return t.getBoundingClientRect().height; }).filter(function (h) { return h > 0; })"
        )
        small = [round(h, 1) for h in heights if h < 10]
        assert small == [], f"bar labels {small} px high"
        if viewport is DESKTOP:
            assert len(heights) >= 5, "the desktop chart should keep its percentages"


def test_charts_follow_the_window_from_desktop_to_phone_and_back(browser, report):  # noqa: F811
    with _opened(browser, report, DESKTOP) as visit:
        page = visit.page
        before = {c: _boxes(page, c) for c in CHARTS}
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1200)  # the page redraws 150 ms after the last resize event
        for chart in CHARTS:
            b = _boxes(page, chart)
            assert b["svg"][2] <= PHONE["width"], f"{chart} kept its desktop width: {b['svg']}"
            assert _inside(b["title"], b["svg"]), f"{chart}: title {b['title']} runs out of the chart {b['svg']}"
            assert not (b["legend"] and _intersect(b["legend"], b["title"])), f"{chart}: legend over title"
        page.set_viewport_size(DESKTOP)
        page.wait_for_timeout(1200)
        for chart in CHARTS:  # back as it was: same size, title on one line, legend where it was
            a, b = before[chart], _boxes(page, chart)
            size = lambda box: [round(box[2] - box[0]), round(box[3] - box[1])]  # noqa: E731
            assert size(b["svg"]) == size(a["svg"]) and size(b["title"]) == size(a["title"]), chart
            if a["legend"]:
                assert round(b["legend"][1] - b["svg"][1]) == round(a["legend"][1] - a["svg"][1]), chart
        visit.assert_clean()


def test_outcome_notes_say_what_the_rules_count(browser, report):  # noqa: F811
    """docs/metrics.md, outcome rule 4: any redirect counts, even when a solution followed in public."""
    with _opened(browser, report, DESKTOP) as visit:
        page = visit.page
        note = page.inner_text("#outcome-redirected")
        assert "not solved in public" not in note
        assert "even if also answered in public" in note
        assert "thanks for being redirected does not count" in page.inner_text("#outcome-resolved")


def test_outcome_meanings_stay_readable_on_a_phone(browser, report):  # noqa: F811
    """The "meaning" cells of the outcome tables keep room for a few words a line (the table scrolls in its wrapper)."""
    with _opened(browser, report, PHONE) as visit:
        page = visit.page
        widths = page.evaluate(
            "Array.from(document.querySelectorAll('#signals td.sub')).map(function (td) {"
            " return td.getBoundingClientRect().width / parseFloat(getComputedStyle(td).fontSize); })")
        assert widths and min(widths) >= 10, f"meaning cells as narrow as {min(widths):.1f} em"
        visit.assert_clean()
