"""x-v2 importer: X/Twitter API v2 response pages, JSON Lines and JSON arrays, read from real files."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpfirst.ingest import ImportOptions, ImportReport, detect_format, read_posts
from helpfirst.posts import POST_SCHEMA

USERS = [
    {"id": "1001", "name": "Dana K", "username": "dana_k"},
    {"id": "2002", "name": "Acme Support", "username": "AcmeSupport"},
    {"id": "3003", "name": "Lee", "username": "lee_codes"},
]

PAGE_1 = {
    "data": [
        {
            "id": "1700000000000000001",
            "text": "@AcmeSupport my router keeps dropping wifi every 10 min &amp; the app says all fine. help?",
            "author_id": "1001",
            "created_at": "2024-03-04T09:15:00.000Z",
            "conversation_id": "1700000000000000001",
            "public_metrics": {"retweet_count": 0, "reply_count": 1, "like_count": 2, "quote_count": 0},
            "entities": {
                "mentions": [{"start": 0, "end": 12, "username": "AcmeSupport", "id": "2002"}],
            },
        },
        {
            "id": "1700000000000000002",
            "text": "@dana_k Sorry about that! Try Settings > Wi-Fi > Band steering off: https://t.co/abc",
            "author_id": "2002",
            "created_at": "2024-03-04T09:31:10.000Z",
            "conversation_id": "1700000000000000001",
            "in_reply_to_user_id": "1001",
            "referenced_tweets": [{"type": "replied_to", "id": "1700000000000000001"}],
            "public_metrics": {"retweet_count": 1, "reply_count": 1, "like_count": 5, "quote_count": 0},
            "entities": {"urls": [{"url": "https://t.co/abc", "expanded_url": "https://help.acme.example/band"}]},
        },
        {
            "id": "1700000000000000003",
            "text": "@AcmeSupport that fixed it, thanks!!",
            "author_id": "1001",
            "created_at": "2024-03-04T10:02:00+01:00",
            "conversation_id": "1700000000000000001",
            "in_reply_to_user_id": "2002",
            "referenced_tweets": [{"type": "replied_to", "id": "1700000000000000002"}],
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0},
        },
    ],
    "includes": {"users": USERS},
    "meta": {"newest_id": "1700000000000000003", "oldest_id": "1700000000000000001", "result_count": 3},
}

PAGE_2 = {
    "data": [
        {
            "id": "1700000000000000010",
            "text": "Look at this from @acmesupport lol",
            "author_id": "3003",
            "created_at": "2024-03-05T12:00:00Z",
            "conversation_id": "1700000000000000010",
            "referenced_tweets": [{"type": "quoted", "id": "1699999999999999999"}],
            "public_metrics": {"retweet_count": 3, "like_count": 10},
        },
        {
            "id": "1700000000000000011",
            "text": "RT @AcmeSupport: Scheduled maintenance tonight",
            "author_id": "3003",
            "created_at": "2024-03-05T12:05:00Z",
            "conversation_id": "1700000000000000011",
            "referenced_tweets": [{"type": "retweeted", "id": "1699999999999999998"}],
        },
        {
            "id": "1700000000000000012",
            "text": "who else is down right now",
            "author_id": "4004",
            "created_at": "2024-03-05T12:06:00Z",
            "conversation_id": "1700000000000000012",
        },
    ],
    "includes": {"users": [USERS[2]]},
    "meta": {"result_count": 3, "next_token": "b26v89c19zqg8o3fo"},
}

LAST_PAGE = {"meta": {"result_count": 0}}


def load(path: Path, **options) -> tuple[list[dict], ImportReport, list]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt="x-v2"))
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert all(batch.schema == POST_SCHEMA for batch in batches)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    return rows, report, batches


@pytest.fixture
def jsonl_pages(tmp_path) -> Path:
    path = tmp_path / "search.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in (PAGE_1, PAGE_2, LAST_PAGE)) + "\n", encoding="utf-8")
    return path


def test_reads_pages_field_by_field(jsonl_pages):
    rows, report, _ = load(jsonl_pages, brands=frozenset({"acmesupport"}))
    by_id = {r["id"]: r for r in rows}
    assert report.rows_read == 6
    assert report.rows_loaded == 5
    # the retweet is a repost, not a message: rejected with its reason
    [rt] = report.rejections
    assert (rt.line, rt.field) == (2, "referenced_tweets")
    assert "retweet of 1699999999999999998" in rt.reason and "data[1]" in rt.reason

    first = by_id["1700000000000000001"]
    assert first == {
        "id": "1700000000000000001",
        "channel": "x",
        "conversation_id": "1700000000000000001",
        "parent_id": None,
        "author": "dana_k",
        "author_role": "customer",
        "brand": "acmesupport",  # the handle as given with --brand
        "created_at": datetime(2024, 3, 4, 9, 15, tzinfo=timezone.utc),
        "text": "@AcmeSupport my router keeps dropping wifi every 10 min & the app says all fine. help?",
        "url": "https://x.com/dana_k/status/1700000000000000001",
        "likes": 2,
        "reposts": 0,
    }
    reply = by_id["1700000000000000002"]
    assert reply["author"] == "AcmeSupport"
    assert reply["author_role"] == "brand"
    assert reply["brand"] == "acmesupport"
    assert reply["parent_id"] == "1700000000000000001"
    assert reply["conversation_id"] == "1700000000000000001"
    assert (reply["likes"], reply["reposts"]) == (5, 1)
    assert reply["text"].startswith("@dana_k Sorry about that! Try Settings > Wi-Fi")
    thanks = by_id["1700000000000000003"]
    assert thanks["parent_id"] == "1700000000000000002"
    assert thanks["created_at"] == datetime(2024, 3, 4, 9, 2, tzinfo=timezone.utc)  # +01:00 -> UTC
    quote = by_id["1700000000000000010"]
    assert quote["parent_id"] is None  # a quote is not a reply
    assert quote["brand"] == "acmesupport"  # mention matched case-insensitively
    unknown_user = by_id["1700000000000000012"]
    assert unknown_user["author"] == "4004"  # not in includes.users: falls back to author_id
    assert unknown_user["url"] == "https://x.com/i/web/status/1700000000000000012"
    assert unknown_user["brand"] is None
    assert unknown_user["likes"] is None


def test_without_brand_handles_everyone_is_a_customer(jsonl_pages):
    rows, _, _ = load(jsonl_pages, channel="twitter-eu")
    assert {r["author_role"] for r in rows} == {"customer"}
    assert {r["brand"] for r in rows} == {None}
    assert {r["channel"] for r in rows} == {"twitter-eu"}


def test_json_array_of_pretty_pages_and_single_page(tmp_path, jsonl_pages):
    expected, _, _ = load(jsonl_pages, brands=frozenset({"AcmeSupport"}))
    array = tmp_path / "pages.json"
    array.write_text(json.dumps([PAGE_1, PAGE_2, LAST_PAGE], indent=2), encoding="utf-8")
    rows, report, _ = load(array, brands=frozenset({"AcmeSupport"}))
    assert rows == expected
    # the rejected retweet is named by the line its page starts on
    page_starts = [i for i, text in enumerate(array.read_text().splitlines(), 1) if text == "  {"]
    assert report.rejections[0].line == page_starts[1]

    single = tmp_path / "page.json"
    single.write_text(json.dumps(PAGE_1, indent=1), encoding="utf-8")
    rows, report, _ = load(single)
    assert [r["id"] for r in rows] == [t["id"] for t in PAGE_1["data"]]
    assert report.rejections == []


def test_batches_and_progress(tmp_path):
    pages = []
    for p in range(10):
        data = [
            {"id": str(p * 100 + i), "text": f"t{i}", "author_id": "1", "created_at": "2024-01-01T00:00:00Z"}
            for i in range(7)
        ]
        pages.append({"data": data, "includes": {"users": [{"id": "1", "username": "u"}]}})
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pages), encoding="utf-8")
    seen = []
    rows, report, batches = load(path, batch_rows=16, on_bytes=seen.append)
    assert len(rows) == 70
    assert max(b.num_rows for b in batches) <= 16
    assert len(batches) >= 5
    assert sum(seen) == path.stat().st_size


def test_bad_input_is_rejected_with_line_and_field(tmp_path):
    good = {"id": "1", "text": "ok", "author_id": "9", "created_at": "2024-01-01T00:00:00Z"}
    lines = [
        json.dumps({"data": [good]}),
        '{"data": [{"id": "2", "text": "cut off',  # broken JSON
        json.dumps({"data": [{**good, "id": "3", "created_at": "last tuesday"}]}),
        json.dumps({"data": [{**good, "id": None}, {**good, "id": "5", "author_id": ""}]}),
        json.dumps({"data": [{**good, "id": "6", "public_metrics": {"like_count": "lots"}}]}),
        json.dumps({"data": [{**good, "id": "7", "referenced_tweets": "nope"}, 42]}),
        json.dumps({"data": "not a list"}),
        json.dumps(["a page must be an object"]),
        json.dumps({"unrelated": True}),
        "",
        json.dumps({"data": [{**good, "id": "8", "text": 123}]}),
    ]
    path = tmp_path / "bad.jsonl"
    data = "\n".join(lines).encode("utf-8") + b"\n" + b'{"data": [{"id": "9", "text": "caf\xe9"}]}\n'
    path.write_bytes(data)
    rows, report, _ = load(path)
    assert [r["id"] for r in rows] == ["1"]
    got = [(r.line, r.field) for r in report.rejections]
    assert got == [
        (2, None),
        (3, "created_at"),
        (4, "id"),
        (4, "author_id"),
        (5, "public_metrics.like_count"),
        (6, "referenced_tweets"),
        (6, "data"),
        (7, "data"),
        (8, None),
        (9, None),
        (11, "text"),
        (12, "data.0.text"),  # the field holding the bytes that are not UTF-8
    ]
    reasons = [r.reason for r in report.rejections]
    assert reasons[0].startswith("not valid JSON")
    assert "last tuesday" in reasons[1]
    assert reasons[-1] == "bytes are not valid UTF-8"
    assert report.rows_read == 13
    assert report.errors == []


def test_broken_array_fails_naming_the_line(tmp_path):
    path = tmp_path / "broken.json"
    good = json.dumps(PAGE_1, indent=2)
    path.write_text("[\n" + good + ",\n" + '{"data": [ {"id": "x", ]}\n]', encoding="utf-8")
    rows, report, _ = load(path)
    assert len(rows) == 3  # what came before the break is kept
    [error] = report.errors
    broken_line = 2 + good.count("\n") + 1
    assert f"{path}:{broken_line}:" in error
    assert "\n" not in error


def test_empty_and_blank_files(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    rows, report, _ = load(empty)
    assert rows == [] and report.rows_read == 0
    assert report.errors and "empty" in report.errors[0]
    no_tweets = tmp_path / "none.jsonl"
    no_tweets.write_text(json.dumps(LAST_PAGE) + "\n" + json.dumps({"data": []}) + "\n")
    rows, report, _ = load(no_tweets)
    assert rows == [] and report.rows_read == 0 and report.errors == []


def test_bare_tweets_with_embedded_author(tmp_path):
    tweet = {
        "id": "55",
        "text": "@AcmeSupport still broken",
        "author_id": "1001",
        "author": {"id": "1001", "username": "dana_k"},
        "created_at": "2024-03-04T09:15:00Z",
        "conversation_id": "55",
        "note_tweet": {"text": "@AcmeSupport still broken, the long version &lt;3"},
    }
    path = tmp_path / "flat.jsonl"
    path.write_text(json.dumps(tweet) + "\n")
    rows, report, _ = load(path, brands=frozenset({"@AcmeSupport"}))
    [row] = rows
    assert row["author"] == "dana_k"
    assert row["text"] == "@AcmeSupport still broken, the long version <3"
    assert row["brand"] == "AcmeSupport"
    assert row["url"] == "https://x.com/dana_k/status/55"


def test_detects_format(jsonl_pages, tmp_path):
    assert detect_format(jsonl_pages) == "x-v2"
    array = tmp_path / "pages.json"
    array.write_text(json.dumps([PAGE_1], indent=2))
    assert detect_format(array) == "x-v2"
