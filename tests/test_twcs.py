"""The TWCS importer on the real files' quirks."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.ingest.twcs import parse_twitter_times

from .conftest import write_twcs


def load(path: Path) -> tuple[pa.Table, ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(), report, fmt="twcs"))
    return pa.Table.from_batches(batches), report


def test_fields_roles_and_plain_text(tmp_path):
    path = write_twcs(
        tmp_path / "t.csv",
        [(7, "115712", True, 0, "@sprintcare bags &amp; boxes &lt;3 &gt;:(", None), (8, "sprintcare", False, 3, "@115712 ok", 7)],
    )
    posts, report = load(path)
    rows = posts.to_pylist()
    assert report.rows_read == 2 and report.rows_rejected == 0
    assert rows[0]["text"] == "@sprintcare bags & boxes <3 >:("
    assert (rows[0]["author_role"], rows[0]["brand"], rows[0]["parent_id"]) == ("customer", None, None)
    assert (rows[1]["author_role"], rows[1]["brand"], rows[1]["parent_id"]) == ("brand", "sprintcare", "7")
    assert rows[1]["created_at"].isoformat() == "2017-10-02T08:03:00+00:00"
    assert rows[0]["channel"] == "twitter"


def test_twitter_times_with_offsets():
    values = ["Tue Oct 31 22:10:47 +0000 2017", "Mon Jan 01 00:00:00 +0200 2018", "not a date"]
    parsed = parse_twitter_times(pa.array([v.encode() for v in values], pa.binary())).to_pylist()
    assert parsed[0].isoformat() == "2017-10-31T22:10:47+00:00"
    assert parsed[1].isoformat() == "2017-12-31T22:00:00+00:00"
    assert parsed[2] is None


def test_real_sample(shared_data):
    posts, report = load(shared_data / "twcs-sample" / "sample.csv")
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, posts.num_rows) == (93, 93, 0, 93)
    assert set(posts.column("author_role").to_pylist()) == {"customer", "brand"}


def test_real_head5k_multiline_rows(shared_data):
    posts, report = load(shared_data / "twcs-head5k" / "twcs-head5k.csv")
    assert report.rows_read == posts.num_rows + report.rows_rejected
    texts = posts.column("text").to_pylist()
    assert any("\n" in t for t in texts)  # quoted texts with newlines stay one post
    assert [r.line for r in report.rejections] == [2589, 2591]


def test_rows_containing_byte_on_sliced_and_null_arrays():
    from helpfirst.ingest.common import rows_containing_byte

    values = pa.array(["a&b", None, "", "plain", "&", "x&amp;y", "tail&"])
    assert rows_containing_byte(values, ord("&")).tolist() == [True, False, False, False, True, True, True]
    assert rows_containing_byte(values.slice(3, 3), ord("&")).tolist() == [False, True, True]
    assert rows_containing_byte(pa.array(["a&"], pa.large_string()), ord("&")).tolist() == [True]


def test_fixed_width_dates_match_strptime():
    import random
    from datetime import datetime, timedelta, timezone

    rng = random.Random(5)
    values = []
    for _ in range(2000):
        moment = datetime(1990, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randrange(0, 60 * 365 * 86400))
        hours = rng.randrange(-12, 15)
        zone = timezone(timedelta(hours=hours, minutes=rng.choice([0, 30]) if hours >= 0 else 0))
        values.append(moment.astimezone(zone).strftime("%a %b %d %H:%M:%S %z %Y").encode())
    values.append(b"Thu Feb 29 12:00:00 +0000 2024")
    fast = parse_twitter_times(pa.array(values, pa.binary()))
    expected = [datetime.strptime(v.decode(), "%a %b %d %H:%M:%S %z %Y") for v in values]
    assert fast.to_pylist() == expected
    mixed = parse_twitter_times(pa.array([b"x", values[0], None, values[1] + b" "], pa.binary()))
    assert mixed.to_pylist() == [None, expected[0], None, None]
    invalid = parse_twitter_times(pa.array([b"Thu Feb 30 12:00:00 +0000 2023", b"Tue Oct 31 25:10:47 +0000 2017"], pa.binary()))
    assert invalid.to_pylist() == [None, None]
