"""Format detection and the shared importer helpers (streaming JSON, mentions, timestamps)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpfirst.ingest import ImportFailed, ImportOptions, ImportReport, detect_format, formats, read_posts
from helpfirst.ingest.common import (
    FieldError,
    first_brand_mention,
    handle_lookup,
    iter_json_records,
    match_handle,
    parse_iso,
    to_count,
    to_id,
)
from helpfirst.posts import POST_SCHEMA

def write_samples(tmp_path: Path) -> dict[str, Path]:
    """One small, realistic file per format."""
    out = {}
    twcs = tmp_path / "twcs.csv"
    with twcs.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
                    "in_response_to_tweet_id"])
        w.writerow(["1", "115712", "True", "Tue Oct 31 22:10:47 +0000 2017", "@sprintcare help", "2", ""])
        w.writerow(["2", "sprintcare", "False", "Tue Oct 31 22:11:45 +0000 2017", "@115712 DM us", "", "1.0"])
    out["twcs"] = twcs
    xv2 = tmp_path / "x.jsonl"
    xv2.write_text(json.dumps({
        "data": [{"id": "5", "text": "@Acme hi", "author_id": "9", "created_at": "2024-01-01T00:00:00.000Z",
                  "conversation_id": "5"}],
        "includes": {"users": [{"id": "9", "username": "kim"}]},
        "meta": {"result_count": 1},
    }) + "\n")
    out["x-v2"] = xv2
    masto = tmp_path / "statuses.json"
    masto.write_text(json.dumps([{
        "id": "1", "created_at": "2024-01-01T00:00:00.000Z", "in_reply_to_id": None,
        "account": {"acct": "kim@example.net", "username": "kim", "bot": False}, "content": "<p>hi</p>",
    }], indent=2))
    out["mastodon"] = masto
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(json.dumps({"id": "1", "author": "kim", "author_role": "customer",
                                 "created_at": "2024-01-01T00:00:00Z", "text": "hi"}) + "\n")
    out["jsonl"] = jsonl
    canon = tmp_path / "posts.csv"
    canon.write_text("id,author,author_role,created_at,text\n1,kim,customer,2024-01-01T00:00:00Z,hi\n")
    out["csv"] = canon
    return out


def test_every_format_is_registered():
    assert {"twcs", "x-v2", "mastodon", "jsonl", "csv"} <= set(formats())


def test_detects_each_sample(tmp_path):
    for name, path in write_samples(tmp_path).items():
        assert detect_format(path) == name, path
        report = ImportReport()
        rows = [r for b in read_posts([path], ImportOptions(brands=frozenset({"Acme"})), report) for r in b.to_pylist()]
        assert len(rows) >= 1 and report.rows_rejected == 0, (name, report.rejections, report.errors)
        assert report.files[0]["format"] == name


def test_detects_the_real_twcs_sample(shared_data):
    sample = shared_data / "twcs-sample" / "sample.csv"
    if not sample.is_file():
        pytest.skip(f"shared TWCS sample not present at {sample}")
    assert detect_format(sample) == "twcs"
    report = ImportReport()
    total = sum(b.num_rows for b in read_posts([sample], ImportOptions(), report))
    assert total > 0 and report.rows_read == report.rows_loaded + report.rows_rejected


def test_unknown_format_is_one_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing tabular\n")
    with pytest.raises(ImportFailed, match="could not recognise"):
        detect_format(path)
    report = ImportReport()
    assert list(read_posts([path], ImportOptions(), report)) == []
    assert len(report.errors) == 1


def test_pretty_printed_canonical_json_is_not_taken_for_other_formats(tmp_path):
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([{"id": "1", "author": "a", "author_role": "customer", "created_at": "2024-01-01T00:00:00Z", "text": "x"}],
                               indent=2))
    # an array is not JSON Lines: no format claims it, the user names it
    with pytest.raises(ImportFailed):
        detect_format(path)
    report = ImportReport()
    rows = [r for b in read_posts([path], ImportOptions(), report, fmt="jsonl") for r in b.to_pylist()]
    assert [r["id"] for r in rows] == ["1"]


# --- shared helpers -------------------------------------------------------------------------------


def test_json_stream_across_chunk_boundaries(tmp_path):
    # > 2 MB of pretty-printed records with multi-byte text, so values and characters straddle reads
    records = [{"id": i, "text": "ünïcødé 🙂 " * (i % 50), "n": i * 1.5} for i in range(6000)]
    path = tmp_path / "big.json"
    text = json.dumps(records, indent=1, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 2 << 20
    seen_bytes = []
    got = list(iter_json_records(path, seen_bytes.append))
    assert [r.value for r in got] == records
    lines = text.splitlines()
    assert all(lines[r.line - 1] == " {" for r in got)
    assert got[0].line == 2
    assert sum(seen_bytes) == path.stat().st_size


def test_json_stream_layouts(tmp_path):
    path = tmp_path / "docs.json"
    path.write_text('{\n  "a": 1\n}\n{\n  "a": 2\n}\n[{"a": 3}, {"a": 4}]\n')
    assert [(r.line, r.value) for r in iter_json_records(path)] == [
        (1, {"a": 1}), (4, {"a": 2}), (7, {"a": 3}), (7, {"a": 4}),
    ]
    path.write_text('\ufeff{"a": 1}\n\n  \n{"a": 2}\r\n')
    assert [(r.line, r.value) for r in iter_json_records(path)] == [(1, {"a": 1}), (4, {"a": 2})]
    path.write_text("[]")
    assert list(iter_json_records(path)) == []
    path.write_text('[{"a": 1}, {"a": 2} {"a": 3}]')
    with pytest.raises(ImportFailed, match=r"docs.json:1: broken JSON"):
        list(iter_json_records(path))
    path.write_text('[\n{"a": 1},\n{"a": ')
    records = iter_json_records(path)
    assert next(records).value == {"a": 1}
    with pytest.raises(ImportFailed, match=r"docs.json:3:"):
        next(records)


def test_mentions_and_handles():
    brands = handle_lookup({"@AcmeSupport", "help@acme.social"})
    assert first_brand_mention("hey @acmesupport and @help", brands) == "AcmeSupport"
    assert first_brand_mention("@help@acme.social first, then @AcmeSupport", brands) == "help@acme.social"
    assert first_brand_mention("mail me at me@acmesupport.com", brands) is None
    assert first_brand_mention("@AcmeSupportTeam is not us", brands) is None
    assert first_brand_mention(None, brands) is None
    assert match_handle("HELP", brands) == "help@acme.social"
    assert match_handle("acmesupport@x.example", brands) is None  # same name, someone else's instance
    assert match_handle("help@acme.social", brands) == "help@acme.social"
    assert match_handle("someone", brands) is None


def test_value_conversions():
    assert to_id(12) == "12" and to_id(" 12.0 ") == "12" and to_id("") is None and to_id(3.0) == "3"
    for bad in (True, 1.5, [1], {"a": 1}, "\ud800"):
        with pytest.raises(FieldError):
            to_id(bad)
    assert to_count(None, "likes") is None and to_count("7", "likes") == 7 and to_count(2.0, "likes") == 2
    for bad in (-1, "x", 2**70, True, 1.5):
        with pytest.raises(FieldError):
            to_count(bad, "likes")


def test_parse_iso_never_raises():
    assert parse_iso("2024-01-01T10:00:00+02:00") == datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
    assert parse_iso("2024-01-01T10:00:00") == datetime(2024, 1, 1, 10, tzinfo=timezone.utc)
    assert parse_iso("0001-01-01T00:00:00+05:00") is None  # before year 1 in UTC
    assert parse_iso("9999-12-31T23:00:00-05:00") is None  # after year 9999 in UTC
    assert parse_iso(1e300) is None
    assert parse_iso("garbage") is None


def test_batches_have_the_post_schema(tmp_path):
    for name, path in write_samples(tmp_path).items():
        report = ImportReport()
        for batch in read_posts([path], ImportOptions(), report, fmt=name):
            assert batch.schema == POST_SCHEMA
