"""Every brand is in the report (up to measure.display.MAX_REPORT_BRANDS), in tables that scroll in
their own box with the header kept in view and sort over every row; the terminal's caption and the
report's notes say what each output holds. The report showed 50 brands (of 100) while the terminal
said "all are in --json and --report", and the vanity note said "all brands are in the table above".

The browser part uses Debian's chromium as test_report_browser does (skipped with the reason when
it or playwright is missing, unless CI is set)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpfirst.measure.display import MAX_REPORT_BRANDS

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)

HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"


def many_brands(path: Path, brands: int) -> Path:
    """`brands` brands; brand i gets i % 7 + 1 conversations (answered after i % 50 + 1 minutes) and one post of its own."""
    lines, n = [], 0
    for i in range(brands):
        brand = f"Brand{i:04d}"
        for k in range(i % 7 + 1):
            n += 1
            lines.append(f"c{n},,,u{n},customer,{brand},2024-03-04T08:{k:02d}:00Z,@{brand} my order {k} is late\n")
            lines.append(f"r{n},,c{n},{brand},brand,{brand},2024-03-04T09:{i % 50:02d}:00Z,@u{n} on its way\n")
        lines.append(f"p{i},,,{brand},brand,{brand},2024-03-05T10:00:00Z,Spring sale!\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def audit(archive: Path, report: Path) -> tuple[str, dict]:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "160"}
    args = [sys.executable, "-m", "helpfirst", "audit", str(archive), "--no-signals"]
    proc = subprocess.run([*args, "--report", str(report)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(subprocess.run([*args, "--json"], capture_output=True, text=True, timeout=600).stdout)
    return proc.stdout, doc


def rows(page: str, table: str) -> int:
    body = re.search(rf'<table[^>]* id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)[1]
    return body.count("<tr>")


def note(page: str, note_id: str) -> str:
    return " ".join(re.search(rf'id="{note_id}">(.*?)</p>', page, re.S)[1].split())


def test_the_report_holds_every_brand_and_the_captions_say_so(tmp_path: Path):
    out, doc = audit(many_brands(tmp_path / "a.csv", 100), tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(doc["brands"]) == 100
    assert "25 of 100 brands shown; all are in --json and --report" in out
    assert rows(page, "brand-table") == 100 and rows(page, "vanity-table") == 100
    assert note(page, "brand-cap") == ("All 100 brands with conversations, the most conversations first; "
                                       "the total row covers all of them.")
    assert note(page, "vanity-note").startswith("All 100 brands, the most brand posts first.")
    assert "table above" not in page


def test_past_the_cap_every_output_says_what_it_holds(tmp_path: Path):
    brands = MAX_REPORT_BRANDS + 50
    start = time.perf_counter()
    out, doc = audit(many_brands(tmp_path / "a.csv", brands), tmp_path / "r.html")
    took = time.perf_counter() - start
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert len(doc["brands"]) == brands
    assert (f"25 of {brands:,} brands shown; all are in --json; --report lists the {MAX_REPORT_BRANDS:,} "
            "with the most conversations") in " ".join(out.split())
    assert rows(page, "brand-table") == MAX_REPORT_BRANDS == rows(page, "vanity-table")
    assert note(page, "brand-cap") == (f"Showing the {MAX_REPORT_BRANDS:,} brands with the most conversations, of "
                                       f"{brands:,}; the total row covers all of them, and every brand is in the "
                                       "audit's --json.")
    assert note(page, "vanity-note").startswith(f"The {MAX_REPORT_BRANDS:,} brands with the most brand posts, of {brands:,};")
    assert took < 60  # two audits and a report of 1,050 brands (about 5 s on the project's machine)


@pytest.fixture(scope="module")
def big_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("all_brands")
    audit(many_brands(folder / "a.csv", MAX_REPORT_BRANDS), folder / "r.html")
    return folder / "r.html"


@pytest.mark.browser
def test_brand_tables_scroll_keep_their_header_and_sort_every_row(browser, big_report):  # noqa: F811
    visit = Visit(browser, big_report, viewport={"width": 1280, "height": 900})
    try:
        page = visit.page
        for table in ("brand-table", "vanity-table"):
            box = page.evaluate(
                """(id) => { const t = document.getElementById(id), w = t.parentElement;
                   return {rows: t.tBodies[0].rows.length, scroll: w.scrollHeight, client: w.clientHeight,
                           tab: w.tabIndex}; }""", table)
            assert box["rows"] == MAX_REPORT_BRANDS
            assert box["client"] <= 0.75 * 900 + 1 and box["scroll"] > box["client"], box
            assert box["tab"] == 0  # the box scrolls from the keyboard too
            # scrolled to the bottom, the header is still at the top of the box
            kept = page.evaluate(
                """(id) => { const t = document.getElementById(id), w = t.parentElement;
                   w.scrollTop = w.scrollHeight; const th = t.tHead.rows[0].cells[1].getBoundingClientRect();
                   const wr = w.getBoundingClientRect(); return [th.top - wr.top, th.bottom <= wr.bottom]; }""", table)
            assert abs(kept[0]) <= 2 and kept[1], kept
        # sorting by conversations (ascending, second click) runs over all rows, fast
        took = page.evaluate(
            """() => { const th = document.getElementById('brand-table').tHead.rows[0].cells[1];
               const t0 = performance.now(); th.click(); th.click(); return performance.now() - t0; }""")
        values = page.evaluate(
            """() => Array.from(document.getElementById('brand-table').tBodies[0].rows)
                        .map((r) => parseFloat(r.cells[1].getAttribute('data-sort')))""")
        assert len(values) == MAX_REPORT_BRANDS and values == sorted(values) and values[0] < values[-1]
        assert took < 1000, f"sorting {MAX_REPORT_BRANDS} rows took {took:.0f} ms"
        visit.assert_clean()
    finally:
        visit.page.close()
