"""The TWCS importer on the real files' quirks."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- the byte-level fast paths give what the general Arrow code gives ------------------------------

ID_PARTS = st.sampled_from(["0", "1", "7", "42", "9" * 19, ".0", ".00", " ", "\u00a0", "\u0663", "x", "-", "+", "\t"])
IDS = st.lists(st.one_of(st.none(), st.lists(ID_PARTS, max_size=4).map("".join),
                         st.from_regex(r"[1-9][0-9]{0,5}(\.0)?", fullmatch=True)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(IDS, st.integers(0, 3))
def test_id_fast_path_matches_the_general_one(values, skip):
    from helpfirst.ingest.common import _normalise_any_ids, normalise_ids

    column = pa.array(values, pa.string()).slice(min(skip, len(values)))
    fast = normalise_ids(column)
    fast.validate(full=True)
    assert fast.to_pylist() == _normalise_any_ids(column).to_pylist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=20), st.integers(0, 3))
def test_author_fast_path_only_when_trimming_changes_nothing(values, skip):
    from helpfirst.ingest.common import is_blank, trimmed_or_none

    column = pa.array(values, pa.string()).slice(min(skip, len(values)))
    fast = trimmed_or_none(column)
    if fast is not None:
        assert fast.to_pylist() == pc.utf8_trim_whitespace(column).to_pylist()
        assert not is_blank(column).any()


def test_digit_ids_keep_nulls_and_slices():
    from helpfirst.ingest.common import normalise_ids

    column = pa.array(["1.0", None, "22.0", None, "333.0"]).slice(1)
    out = normalise_ids(column)
    out.validate(full=True)
    assert out.to_pylist() == [None, "22", None, "333"]
    assert normalise_ids(pa.array(["5", "60", "0"])).to_pylist() == ["5", "60", "0"]
