"""Property-based robustness of every importer: random and mutated files never crash a read.

Whatever the bytes, reading through `read_posts` must: raise nothing (a file that cannot be read at
all ends up in `report.errors`), keep `rows_read == rows_loaded + rows_rejected`, yield only batches
in POST_SCHEMA with the required fields filled, and name a file for every rejection.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpfirst.ingest import ImportOptions, ImportReport, formats, read_posts
from helpfirst.posts import POST_SCHEMA, ROLES

# a traceback printed by a library (pyarrow's "Exception ignored in ...") is a failure too
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

FORMATS = ("twcs", "x-v2", "mastodon", "jsonl", "csv")
HUGE = "x" * 300_000
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- valid samples, as structures that can be mutated ----------------------------------------------

TWCS_ROWS = [
    ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"],
    ["119237", "105834", "True", "Wed Oct 11 06:55:44 +0000 2017", "@AppleSupport my phone 😡", "119236", ""],
    ["119236", "AppleSupport", "False", "Wed Oct 11 07:01:00 +0000 2017", "@105834 DM us, please", "", "119237.0"],
    ["119240", "105835", "True", "Wed Oct 11 13:00:09 +0000 2017", 'line one\nline "two", three', "", "119236"],
]
CSV_ROWS = [
    ["id", "channel", "conversation_id", "parent_id", "author", "author_role", "brand", "created_at", "text",
     "url", "likes", "reposts"],
    ["1", "forum", "1", "", "sam", "customer", "", "2024-01-01T09:00:00Z", "@Acme hi, it broke", "", "0", "0"],
    ["2", "forum", "1", "1", "Acme", "brand", "Acme", "2024-01-01T09:10:00+01:00", "fixed:\nsee faq", "", "3", ""],
    ["3", "", "", "2", "sam", "", "", "2024-01-01 10:00:00", "thanks", "", "", ""],
]
XV2_PAGES = [
    {
        "data": [
            {"id": "10", "text": "@Acme router down &amp; out", "author_id": "1", "created_at": "2024-03-04T09:15:00.000Z",
             "conversation_id": "10", "public_metrics": {"like_count": 2, "retweet_count": 0}},
            {"id": "11", "text": "@kim try a restart", "author_id": "2", "created_at": "2024-03-04T09:20:00.000Z",
             "conversation_id": "10", "referenced_tweets": [{"type": "replied_to", "id": "10"}],
             "public_metrics": {"like_count": 0, "retweet_count": 1}},
        ],
        "includes": {"users": [{"id": "1", "username": "kim"}, {"id": "2", "username": "Acme"}]},
        "meta": {"result_count": 2},
    },
    {"data": [{"id": "12", "text": "RT @Acme: news", "author_id": "3", "created_at": "2024-03-05T00:00:00Z",
               "referenced_tweets": [{"type": "retweeted", "id": "9"}]}], "meta": {"result_count": 1}},
]
MASTODON_STATUSES = [
    {"id": "100", "created_at": "2024-05-02T08:00:01.123Z", "in_reply_to_id": None,
     "account": {"acct": "mira@fosstodon.org", "username": "mira", "bot": False},
     "content": '<p><a href="https://m.s/@acme">@<span>acme</span></a> crash &amp; burn</p>',
     "url": "https://fosstodon.org/@mira/100", "favourites_count": 3, "reblogs_count": 1, "reblog": None},
    {"id": "101", "created_at": "2024-05-02T08:20:00Z", "in_reply_to_id": "100",
     "account": {"acct": "acme", "username": "acme", "bot": False}, "content": "<p>fixed in 4.2.1<br>sorry</p>",
     "favourites_count": 0, "reblogs_count": 0},
    {"id": "102", "created_at": "2024-05-02T08:00:05Z", "in_reply_to_id": "100",
     "account": {"acct": "bot@bots.example", "bot": True}, "content": "<p>status: ok</p>"},
]
JSONL_POSTS = [
    {"id": "1", "author": "sam", "author_role": "customer", "created_at": "2024-01-01T09:00:00Z", "text": "@Acme hi"},
    {"id": "2", "author": "Acme", "author_role": "brand", "created_at": "2024-01-01T09:10:00Z", "text": "hello",
     "parent_id": "1", "likes": 3},
    {"id": 3, "author": "sam", "created_at": 1704100000, "text": "thanks", "parent_id": 2},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
odd_text = st.sampled_from(
    ["", " ", '"', '""', ",", "\n", "\r\n", "a,b", 'x"y', "\x00", "\ufeff", "🙂", "NaN", "-1", "1e400",
     "2024-13-45T99:99:99Z", "Tue Oct 31 25:10:47 +0000 2017", "True", "brand", "wizard", "@Acme", HUGE]
) | st.text(max_size=30)


def _slots(value, out):
    """Every (container, key) inside a JSON structure, so one can be mutated."""
    if isinstance(value, dict):
        for key in list(value):
            out.append((value, key))
            _slots(value[key], out)
    elif isinstance(value, list):
        for index in range(len(value)):
            out.append((value, index))
            _slots(value[index], out)
    return out


@st.composite
def mutated_json(draw, records: list) -> bytes:
    records = json.loads(json.dumps(records))  # a deep copy
    for _ in range(draw(st.integers(0, 4))):
        slots = _slots(records, [])
        if not slots:
            break
        container, key = slots[draw(st.integers(0, len(slots) - 1))]
        action = draw(st.sampled_from(["delete", "swap", "huge", "extra"]))
        if action == "delete":
            del container[key]
        elif action == "swap":
            container[key] = draw(json_values)
        elif action == "huge":
            container[key] = HUGE
        elif isinstance(container, dict):
            container[draw(st.text(max_size=8))] = draw(json_values)
        else:
            container.append(draw(json_values))
    layout = draw(st.sampled_from(["lines", "pretty", "compact"]))
    if layout == "lines" and isinstance(records, list):
        text = "\n".join(json.dumps(r, ensure_ascii=draw(st.booleans())) for r in records)
    elif layout == "pretty":
        text = json.dumps(records, indent=draw(st.sampled_from([1, 2, 4])), ensure_ascii=False)
    else:
        text = json.dumps(records, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated_csv(draw, rows: list[list[str]]) -> bytes:
    rows = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        row = rows[r]
        action = draw(st.sampled_from(["drop_cell", "extra_cell", "replace", "pad", "drop_row", "dup_row"]))
        if action == "drop_cell" and row:
            del row[draw(st.integers(0, len(row) - 1))]
        elif action == "extra_cell":
            row.insert(draw(st.integers(0, len(row))), draw(odd_text))
        elif action == "replace" and row:
            row[draw(st.integers(0, len(row) - 1))] = draw(odd_text)
        elif action == "pad" and row:
            i = draw(st.integers(0, len(row) - 1))
            row[i] = f" {row[i]} "  # e.g. 'tweet_id, author_id' headers written by hand
        elif action == "drop_row" and len(rows) > 1:
            del rows[r]
        elif action == "dup_row":
            rows.insert(r, list(row))
    buf = io.StringIO()
    csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


@st.composite
def byte_damage(draw, data: bytes) -> bytes:
    """Truncate, splice in random or invalid UTF-8 bytes, or leave the file as it is."""
    for _ in range(draw(st.integers(0, 2))):
        action = draw(st.sampled_from(["none", "truncate", "insert", "invalid_utf8", "flip"]))
        at = draw(st.integers(0, len(data)))
        if action == "truncate":
            data = data[:at]
        elif action == "insert":
            data = data[:at] + draw(st.binary(max_size=12)) + data[at:]
        elif action == "invalid_utf8":
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xfe\xfe"])) + data[at:]
        elif action == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return data


def samples() -> st.SearchStrategy[bytes]:
    structured = st.one_of(
        mutated_csv(TWCS_ROWS),
        mutated_csv(CSV_ROWS),
        mutated_json(XV2_PAGES),
        mutated_json(MASTODON_STATUSES),
        mutated_json(JSONL_POSTS),
    )
    return structured.flatmap(byte_damage)


# --- the properties -----------------------------------------------------------------------------------


def check_every_importer(data: bytes, suffix: str = ".dat") -> None:
    assert set(FORMATS) <= set(formats())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        for fmt in (*FORMATS, None):  # None: detect the format
            for options in (
                ImportOptions(),
                ImportOptions(brands=frozenset({"Acme", "AppleSupport"}), batch_rows=2,
                              column_map={"text": "text"}, on_bytes=lambda n: None),
            ):
                report = ImportReport()
                loaded = 0
                for batch in read_posts([path], options, report, fmt=fmt):
                    assert batch.schema == POST_SCHEMA
                    assert batch.num_rows > 0
                    assert batch.num_rows <= max(options.batch_rows, 65_536)
                    assert pc.sum(pc.is_null(batch.column("id"))).as_py() in (0, None)
                    assert pc.sum(pc.is_null(batch.column("created_at"))).as_py() in (0, None)
                    assert set(batch.column("author_role").to_pylist()) <= set(ROLES)
                    loaded += batch.num_rows
                assert loaded == report.rows_loaded
                assert report.rows_read == report.rows_loaded + report.rows_rejected, (fmt, report.to_dict())
                assert all(r.file == str(path) for r in report.rejections)
                assert all("\n" not in e for e in report.errors), report.errors
                if report.errors:
                    assert report.rows_read == sum(f["rows_read"] for f in report.files)


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    check_every_importer(data)


@SETTINGS
@given(st.text(alphabet=st.sampled_from('{}[]",:\n 0123456789abcdeftrunl\\@id'), max_size=400))
def test_random_json_like_text(text):
    check_every_importer(text.encode())


@settings(SETTINGS, max_examples=100)
@given(samples())
def test_mutated_valid_files(data):
    check_every_importer(data)


def test_huge_single_line_and_deep_nesting():
    check_every_importer(b'{"id": "1", "text": "' + HUGE.encode() * 10 + b'"}\n')
    check_every_importer(b"[" * 100_000 + b"]" * 100_000)
    check_every_importer(b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"\n")
    check_every_importer(b"1" * 5000 + b"\n")
    check_every_importer(b'[{"id": ' + b"9" * 5000 + b"}]")
