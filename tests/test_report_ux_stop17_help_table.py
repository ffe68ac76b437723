"""The report's per-brand table of help-request figures (which brand helps best), for every brand,
sortable, with "–" and a tooltip where there is nothing to measure; and a text alternative (a table
of the same data) for the trend chart and the hour-of-week heatmaps. Before, the per-brand help
figures were in no table, only the top 25 brands' outcomes in a chart."""

from __future__ import annotations

import re
from html import unescape

from helpfirst.measure.display import NONE
from helpfirst.measure.report import build_report_html

from .test_signals_outcome import _audit
from .test_signals_report import EXAMPLE_ROWS

# a brand whose only conversation is praise: conversations, but no help request
PRAISE_ROWS = EXAMPLE_ROWS + [(50, "150", True, 2000, "@Calm love the new app, great work", None, "praise", 0.8),
                              (51, "Calm", False, 2005, "@150 thank you!", 50, "acknowledge", 0.6)]


def _page(twcs) -> str:
    result, signals = _audit(twcs, PRAISE_ROWS)
    result.signals = signals
    return build_report_html(result)


def _table(page: str, table_id: str) -> tuple[list[str], list[list[tuple[str, str | None, str | None]]]]:
    """Headers, and per body row its cells as (text, data-sort, title)."""
    table = re.search(rf'<table[^>]* id="{table_id}"[^>]*>(.*?)</table>', page, re.S)
    assert table, table_id
    head = re.search(r"<thead>(.*?)</thead>", table[1], re.S)[1]
    headers = [" ".join(unescape(re.sub(r"<[^>]+>", " ", h)).split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    body = re.search(r"<tbody>(.*?)</tbody>", table[1], re.S)[1]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = []
        for attrs, text in re.findall(r"<t[dh]([^>]*)>(.*?)</t[dh]>", tr, re.S):
            sort = re.search(r'data-sort="([^"]*)"', attrs)
            title = re.search(r'title="([^"]*)"', attrs)
            cells.append((" ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()),
                          sort and unescape(sort[1]), title and unescape(title[1])))
        rows.append(cells)
    return headers, rows


def test_every_brand_has_a_row_of_help_request_figures(twcs):
    page = _page(twcs)
    headers, rows = _table(page, "help-brand-table")
    assert 'class="sortable" id="help-brand-table"' in page
    assert headers == ["Brand", "Help requests", "Help coverage", "Within 30 min", "Median FRT", "Substance",
                       "Resolved", "Unconfirmed", "Redirected", "Abandoned", "Unresolved", "Unanswered",
                       "Median time to solution", "Sentiment shift"]
    brands = [r[0][0] for r in rows]
    assert brands == ["Acme", "Bolt", "Calm"]  # every brand with conversations, most help requests first
    acme = dict(zip(headers, rows[0], strict=True))
    assert acme["Help requests"][0] == "8" and acme["Help requests"][1] == "8"
    for name in ("Help coverage", "Resolved", "Redirected", "Substance"):
        assert acme[name][0].endswith("%"), (name, acme[name])
        assert acme[name][1] not in (None, "")  # sorts by its value
    calm = dict(zip(headers, rows[2], strict=True))
    assert calm["Help requests"][0] == "0"
    for name in headers[2:]:  # nothing to measure: "–", sorted last, with a tooltip saying why
        text, sort, title = calm[name]
        assert text == NONE and sort == "" and title and title.startswith("nothing to measure"), (name, calm[name])
    assert 'id="help-brand-total"' in page


def test_the_charts_have_their_data_as_tables(twcs):
    page = _page(twcs)
    for chart, table in (("trend", "trend-table"), ("how_count", "how-table")):
        assert f'data-chart="{chart}"' in page
        assert f'id="{table}"' in page, table
    headers, rows = _table(page, "how-table")
    assert headers[:8] == ["Hour", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert len(rows) == 24
    counts = sum(int(c[0].split(" · ")[0]) for r in rows for c in r[1:])
    assert counts == 11  # every conversation is in one hour-of-week cell
    _, trend = _table(page, "trend-table")
    assert sum(int(r[1][0]) for r in trend) == 11
