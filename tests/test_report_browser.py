"""The report in a real browser: renders offline, makes no requests, runs no injected code.

Needs Debian's chromium at /usr/bin/chromium and the playwright Python package (dev extra); we
never run `playwright install`. Skipped with the reason when either is missing, unless CI is set:
CI installs chromium, so there a missing browser is a failure.

The screenshot of the head5k report is written to the test's tmp dir; set
HELPFIRST_UPDATE_SCREENSHOT=1 to (re)write docs/report-screenshot.png (it is also written when
that file does not exist yet), so ordinary test runs do not touch tracked files.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from helpfirst.audit import run_audit
from helpfirst.measure.business_hours import parse_business_hours
from helpfirst.measure.report import render_report

from .conftest import write_twcs
from .test_report import XSS_ROWS

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "report-screenshot.png"
CHARTS = 5  # frt, trend, two hour-of-week heatmaps, vanity scatter


def _require_browser() -> None:
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright Python package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    reason = "browser test needs " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(reason + "; CI is set, so this fails instead of skipping")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Visit:
    """Open a file in a fresh page, recording console errors, requests and dialogs."""

    def __init__(self, browser, path: Path, viewport: dict | None = None):
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length >= {CHARTS}", timeout=15_000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_clean(self) -> None:
        self.page.wait_for_timeout(300)  # let anything late (an onerror, a lazy request) happen
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"injected code ran: {self.dialogs}"
        foreign = [u for u in self.requests if u != self.url and not u.startswith("data:")]
        assert foreign == [], f"requests other than the file itself: {foreign}"
        assert self.url in self.requests

    def charts(self) -> int:
        return self.page.locator(".js-plotly-plot").count()


def test_xss_archive_renders_without_running_anything(browser, tmp_path):
    out = render_report(run_audit([write_twcs(tmp_path / "archive.csv", XSS_ROWS)]), tmp_path / "report.html")
    visit = Visit(browser, out)
    try:
        visit.assert_clean()
        assert visit.charts() == CHARTS
        page = visit.page
        # the payloads are on the page as text, and as nothing else
        body = page.inner_text("body")
        assert "<script>alert(1)</script>" in body
        assert '"><img src=x onerror=alert(1)>' in body
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.evaluate("document.querySelectorAll('header svg, table svg, p svg').length") == 0
        assert page.evaluate("document.scripts.length") == 3
        # the brand name reaches the Plotly scatter as text
        hover_names = page.evaluate(
            "document.querySelector('[data-chart=vanity]').data[0].customdata.map(function (c) { return c[0]; })"
        )
        assert "Bad&lt;svg/onload=alert(4)&gt;" in hover_names
        assert "Bad<svg/onload=alert(4)>" in page.inner_text("#brand-table")
    finally:
        visit.page.close()


def test_head5k_report_in_chromium(browser, shared_data, tmp_path):
    bh = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    # with the signals, as `helpfirst audit` runs by default: the screenshot shows help requests
    result = run_audit([shared_data / "twcs-head5k" / "twcs-head5k.csv"], business_hours=bh, signals="fast")
    out = render_report(result, tmp_path / "head5k.html")
    visit = Visit(browser, out, viewport={"width": 1280, "height": 1500})
    page = visit.page
    try:
        visit.assert_clean()
        assert visit.charts() == CHARTS + 1   # and the outcome chart of the signals section
        for chart in ["frt", "trend", "how_count", "how_frt", "vanity", "outcomes"]:
            el = page.locator(f"[data-chart={chart}]")
            assert el.locator(".main-svg").count() >= 1, f"chart {chart} did not draw"
            assert (el.locator(".gtitle").text_content() or "").strip(), f"chart {chart} has no visible title"
            assert el.bounding_box()["height"] >= 250
        # sorting the brand table by a column orders its rows by that column's values
        header = page.locator("#brand-table thead th", has_text="p90 FRT")
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        values = page.evaluate(
            "Array.from(document.querySelectorAll('#brand-table tbody tr'))"
            ".map(function (r) { return r.cells[5].getAttribute('data-sort'); })"
        )
        numbers = [float(v) for v in values if v]
        assert numbers == sorted(numbers, reverse=True) and len(numbers) > 50  # every brand, not the first 50
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        page.locator("#brand-table thead th", has_text="Conversations").click()  # back to the default order
        shot = tmp_path / "report-screenshot.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
        if os.environ.get("HELPFIRST_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SCREENSHOT)
        visit.assert_clean()  # interacting did not make it fetch anything either
    finally:
        page.close()


def test_report_prints(browser, tmp_path):
    out = render_report(run_audit([write_twcs(tmp_path / "archive.csv", XSS_ROWS)]), tmp_path / "report.html")
    visit = Visit(browser, out)
    try:
        pdf = visit.page.pdf(format="A4", print_background=True)
        assert pdf[:5] == b"%PDF-" and len(pdf) > 20_000
        visit.assert_clean()
    finally:
        visit.page.close()


def test_quoted_brand_names_read_as_written_in_the_charts(browser, tmp_path):
    from .test_report_wording import QUOTED_BRANDS

    archive = tmp_path / "quoted.csv"
    archive.write_text(QUOTED_BRANDS, encoding="utf-8")
    out = render_report(run_audit([archive], signals="fast"), tmp_path / "quoted.html")
    visit = Visit(browser, out)
    page = visit.page
    try:
        # Plotly draws the tick labels and the scatter texts after the chart itself: wait for them
        page.wait_for_function("document.querySelectorAll('[data-chart=outcomes] .ytick text').length >= 3"
                               " && document.querySelectorAll('[data-chart=vanity] .textpoint text').length >= 2",
                               timeout=15_000)
        labels = page.locator("[data-chart=outcomes] .ytick text").all_text_contents()
        assert 'M&S "Help"' in labels and "Tom's <Help>" in labels, labels
        assert not [t for t in labels if "&quot;" in t or "&#" in t or "&amp;" in t]
        scatter = page.locator("[data-chart=vanity] .textpoint text").all_text_contents()
        assert 'M&S "Help"' in scatter, scatter
        # the names are text: no link, image or foreign markup in the charts that show them, nothing ran
        shown = ", ".join(f"[data-chart={c}] svg {t}" for c in ("outcomes", "vanity") for t in ("a", "image", "foreignObject"))
        assert page.evaluate(f"document.querySelectorAll('{shown}').length") == 0
        visit.assert_clean()
    finally:
        page.close()
