"""Property-based: any archive, however odd, goes through threading, the scorecard, the terminal
tables and the report without an exception, and its figures stay consistent."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from helpfirst.audit import run_audit
from helpfirst.measure.business_hours import parse_business_hours
from helpfirst.measure.report import build_report_html
from helpfirst.measure.terminal import print_audit

IDS = st.sampled_from([str(i) for i in range(12)] + ["x", "07", "7.0"])
HANDLES = st.sampled_from(["Acme", "acme", "Bolt", "[/b]", "<i>", "101", "102", "bot"])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["@Acme help", "@bolt @Acme hi", "bob@Acme.com", ".@Acme", "[bold]x[/]", "</script><b>", ""]
)
MOMENT = st.integers(min_value=-10 * 365 * 86400, max_value=60 * 86400) | st.sampled_from([-(10**11), 10**11])
T0 = datetime(2017, 10, 2, 8, 0, tzinfo=timezone.utc)

POST = st.fixed_dictionaries(
    {
        "id": IDS,
        "parent_id": st.none() | IDS,
        "conversation_id": st.none() | IDS,
        "author": HANDLES,
        "author_role": st.sampled_from(["customer", "customer", "brand", "bot"]),
        "seconds": MOMENT,
        "text": TEXT,
        "channel": st.sampled_from(["x", "x", "mastodon"]),
    }
)


def _iso(seconds: int) -> str:
    try:
        return (T0 + timedelta(seconds=seconds)).isoformat()
    except OverflowError:
        return "99999-01-01T00:00:00Z"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posts=st.lists(POST, min_size=1, max_size=25), business=st.booleans())
def test_any_archive_is_measured_consistently(tmp_path, posts, business):
    path = tmp_path / "archive.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for p in posts:
            row = {k: v for k, v in p.items() if k != "seconds"}
            row["created_at"] = _iso(p["seconds"])
            fh.write(json.dumps(row) + "\n")
    hours = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London") if business else None
    result = run_audit([path], fmt="jsonl", business_hours=hours)
    doc = result.to_dict()
    assert doc["rows_read"] == len(posts) == doc["rows_loaded"] + doc["rows_rejected"]
    totals = doc["totals"]
    assert totals["conversations"] == sum(b["conversations"] for b in doc["brands"].values())
    assert totals["answered"] == sum(b["answered"] for b in doc["brands"].values())
    for figures in [totals, *doc["brands"].values()]:
        assert 0 <= figures["answered"] <= figures["conversations"]
        assert 0.0 <= figures["within_target"] <= figures["coverage"] <= 1.0
        if figures["frt_median_min"] is not None:
            assert 0.0 <= figures["frt_median_min"] <= figures["frt_p90_min"]
        else:
            assert figures["answered"] == 0
    print_audit(doc, Console(file=io.StringIO(), width=120))
    html = build_report_html(result)
    assert "<script>alert" not in html and "</script><b>" not in html
