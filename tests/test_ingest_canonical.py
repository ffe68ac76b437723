"""Canonical importers (`csv`, `jsonl`): the post fields, roles and brands, column mapping, rejections."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpfirst.ingest import ImportOptions, ImportReport, detect_format, read_posts
from helpfirst.posts import POST_SCHEMA

FIELDS = ["id", "channel", "conversation_id", "parent_id", "author", "author_role", "brand", "created_at",
          "text", "url", "likes", "reposts"]
POSTS = [
    ["c1", "forum", "c1", "", "sam_r", "customer", "", "2024-02-01T09:00:00Z",
     "Hi @NimbusHelp, my invoice shows a double charge for January", "https://forum.example/t/1", "0", "0"],
    ["c2", "forum", "c1", "c1", "NimbusHelp", "brand", "", "2024-02-01T09:12:30+01:00",
     "Hi Sam, refunds for double charges go out automatically:\nhttps://help.nimbus.example/refunds",
     "https://forum.example/t/1#2", "4", "1"],
    ["c3", "forum", "c1", "c2", "sam_r", "", "", "2024-02-01 09:30:00",
     'got it, "thanks" a lot', "", "", ""],
    ["c4", "", "", "", "autoresponder", "bot", "Nimbus", "2024-02-01T10:00:00.5Z",
     "We received your ticket #123", "", "", ""],
    ["c5", "forum", "500.0", "", "Nimbus", "", "", "2024-02-02T00:00:00Z", "Maintenance on Sunday", "", "12", "3"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({k: v for k, v in zip(header, row) if v != ""}) + "\n")
    return path


def load(path: Path, fmt: str, **options) -> tuple[list[dict], ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt=fmt))
    assert all(batch.schema == POST_SCHEMA for batch in batches)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    return [row for batch in batches for row in batch.to_pylist()], report


@pytest.fixture(params=["csv", "jsonl"])
def fmt(request) -> str:
    return request.param


def write(fmt: str, path: Path, header: list[str], rows: list[list[str]]) -> Path:
    return (write_csv if fmt == "csv" else write_jsonl)(path.with_suffix("." + fmt), header, rows)


def test_reads_canonical_posts_field_by_field(tmp_path, fmt):
    path = write(fmt, tmp_path / "posts", FIELDS, POSTS)
    rows, report = load(path, fmt, brands=frozenset({"nimbushelp", "Nimbus"}), channel="community")
    assert report.rows_read == 5 and report.rows_rejected == 0, report.rejections
    by_id = {r["id"]: r for r in rows}
    assert by_id["c1"] == {
        "id": "c1",
        "channel": "forum",
        "conversation_id": "c1",
        "parent_id": None,
        "author": "sam_r",
        "author_role": "customer",
        # a row with an author_role keeps an empty brand (no --brand mention fill: docs/formats.md);
        # the scorecard takes the first known brand it mentions
        "brand": None,
        "created_at": datetime(2024, 2, 1, 9, 0, tzinfo=timezone.utc),
        "text": "Hi @NimbusHelp, my invoice shows a double charge for January",
        "url": "https://forum.example/t/1",
        "likes": 0,
        "reposts": 0,
    }
    c2 = by_id["c2"]
    assert (c2["author_role"], c2["brand"]) == ("brand", "nimbushelp")
    assert c2["created_at"] == datetime(2024, 2, 1, 8, 12, 30, tzinfo=timezone.utc)
    assert c2["text"].endswith("\nhttps://help.nimbus.example/refunds")
    assert (c2["likes"], c2["reposts"]) == (4, 1)
    c3 = by_id["c3"]
    assert c3["parent_id"] == "c2"
    assert c3["author_role"] == "customer"  # empty role, author not a --brand handle
    assert c3["created_at"] == datetime(2024, 2, 1, 9, 30, tzinfo=timezone.utc)  # no offset = UTC
    assert c3["text"] == 'got it, "thanks" a lot'
    assert c3["url"] is None or c3["url"] == ""
    assert c3["likes"] is None
    c4 = by_id["c4"]
    assert (c4["author_role"], c4["brand"], c4["channel"]) == ("bot", "Nimbus", "community")
    assert c4["created_at"] == datetime(2024, 2, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)
    c5 = by_id["c5"]
    assert (c5["author_role"], c5["brand"]) == ("brand", "Nimbus")  # empty role, author is a --brand
    assert c5["conversation_id"] == "500"  # numeric ids written as floats lose their '.0'


def test_no_role_column_needs_brand_handles(tmp_path, fmt):
    header = [f for f in FIELDS if f != "author_role"]
    rows_in = [[v for f, v in zip(FIELDS, row) if f != "author_role"] for row in POSTS]
    path = write(fmt, tmp_path / "noroles", header, rows_in)
    rows, report = load(path, fmt, brands=frozenset({"NimbusHelp"}))
    roles = {r["id"]: r["author_role"] for r in rows}
    assert roles == {"c1": "customer", "c2": "brand", "c3": "customer", "c4": "customer", "c5": "customer"}
    rows, report = load(path, fmt)
    assert rows == []
    if fmt == "csv":
        [error] = report.errors
        assert "author_role" in error and "--brand" in error
    else:
        assert report.rows_rejected == 5
        assert {r.field for r in report.rejections} == {"author_role"}


def test_column_map_reads_other_exports(tmp_path):
    header = ["message_id", "thread", "reply_to", "user", "is_agent", "timestamp", "body", "permalink"]
    rows_in = [
        ["m-1", "t-9", "", "pat", "customer", "2024-06-01T12:00:00Z", "@shopco where is my parcel", ""],
        ["m-2", "t-9", "m-1", "ShopCo", "brand", "2024-06-01T12:45:00Z", "It ships today!", "https://x/2"],
    ]
    path = write_csv(tmp_path / "export.csv", header, rows_in)
    mapping = {
        "id": "message_id",
        "conversation_id": "thread",
        "parent_id": "reply_to",
        "author": "user",
        "author_role": "is_agent",
        "created_at": "timestamp",
        "text": "body",
        "url": "permalink",
    }
    rows, report = load(path, "csv", column_map=mapping, brands=frozenset({"ShopCo"}), channel="chat")
    assert [(r["id"], r["parent_id"], r["author_role"], r["brand"], r["channel"]) for r in rows] == [
        ("m-1", None, "customer", None, "chat"),  # a given role: no --brand mention fill
        ("m-2", "m-1", "brand", "ShopCo", "chat"),
    ]
    assert rows[1]["text"] == "It ships today!"

    # the same mapping for JSON, with dotted paths into nested objects
    nested = tmp_path / "export.jsonl"
    nested.write_text(
        json.dumps({"msg": {"id": 77, "body": "hello @ShopCo"}, "user": {"name": "pat"}, "ts": 1717243200}) + "\n"
        + json.dumps({"msg": {"id": 78, "body": "hi!"}, "user": {"name": "shopco"}, "ts": "2024-06-01T13:00:00Z",
                      "reply": 77}) + "\n"
    )
    rows, report = load(
        nested,
        "jsonl",
        column_map={"id": "msg.id", "text": "msg.body", "author": "user.name", "created_at": "ts", "parent_id": "reply"},
        brands=frozenset({"ShopCo"}),
    )
    assert report.rows_rejected == 0, report.rejections
    assert [(r["id"], r["author"], r["author_role"], r["brand"], r["parent_id"]) for r in rows] == [
        ("77", "pat", "customer", "ShopCo", None),
        ("78", "shopco", "brand", "ShopCo", "77"),
    ]
    assert rows[0]["created_at"] == datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)  # epoch seconds


def test_column_map_errors_are_one_line(tmp_path):
    path = write_csv(tmp_path / "p.csv", FIELDS, POSTS)
    _, report = load(path, "csv", column_map={"text": "body"})
    assert len(report.errors) == 1 and "body" in report.errors[0] and "\n" not in report.errors[0]
    _, report = load(path, "csv", column_map={"colour": "x"})
    assert "unknown field" in report.errors[0] and "colour" in report.errors[0]


def test_csv_rejections_name_line_and_field(tmp_path):
    base = ["x", "forum", "", "", "sam", "customer", "", "2024-01-01T00:00:00Z", "text", "", "", ""]

    def row(**changes):
        out = list(base)
        for k, v in changes.items():
            out[FIELDS.index(k)] = v
        return out

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    writer.writerow(row(id="ok1", text="a\nmulti-line\ntext"))  # lines 2-4
    writer.writerow(row(id=""))  # 5
    writer.writerow(row(id="b2", created_at="31/01/2024"))  # 6
    writer.writerow(row(id="b3", author_role="agent"))  # 7
    writer.writerow(row(id="b4", author=" "))  # 8
    writer.writerow(row(id="b5", likes="-3"))  # 9
    writer.writerow(row(id="b6", created_at=""))  # 10
    data = buf.getvalue().encode()
    data += b"b7,forum,,,sam,customer,,2024-01-01T00:00:00Z,caf\xe9,,,\n"  # 11: latin-1 byte
    data += b"b8,forum,too,few\n"  # 12: wrong number of fields
    data += b"ok2,forum,,,sam,Brand,,2024-01-01T00:00:00Z,fine,,,\n"  # 13
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    rows, report = load(path, "csv")
    assert [r["id"] for r in rows] == ["ok1", "ok2"]
    assert rows[1]["author_role"] == "brand"  # role values are case-insensitive
    assert rows[0]["text"] == "a\nmulti-line\ntext"
    got = sorted((r.line, r.field) for r in report.rejections)
    assert got == [
        (5, "id"),
        (6, "created_at"),
        (7, "author_role"),
        (8, "author"),
        (9, "likes"),
        (10, "created_at"),
        (11, "text"),
        (12, None),
    ]
    reasons = {r.line: r.reason for r in report.rejections}
    assert "agent" in reasons[7]
    assert "31/01/2024" in reasons[6]
    assert reasons[11] == "bytes are not valid UTF-8"
    assert "expected 12 fields, found 4" in reasons[12]


def test_csv_rejections_across_batches(tmp_path):
    rows_in = [[f"p{i}", "", "", "", "u", "customer", "", "2024-01-01T00:00:00Z" if i % 3 else "bad", "t", "", "", ""]
               for i in range(40)]
    path = write_csv(tmp_path / "many.csv", FIELDS, rows_in)
    seen = []
    rows, report = load(path, "csv", batch_rows=8, on_bytes=seen.append)
    assert len(rows) == 26
    assert sorted(r.line for r in report.rejections) == [i + 2 for i in range(40) if i % 3 == 0]
    assert sum(seen) == path.stat().st_size


def test_jsonl_rejections_name_line_and_field(tmp_path):
    good = {"id": "g", "author": "sam", "author_role": "customer", "created_at": "2024-01-01T00:00:00Z", "text": "x"}
    lines = [
        json.dumps(good),  # 1
        "{not json",  # 2
        json.dumps([good]),  # 3
        json.dumps({**good, "id": None}),  # 4
        json.dumps({**good, "created_at": "soon"}),  # 5
        json.dumps({**good, "author_role": "robot"}),  # 6
        json.dumps({**good, "id": {"nested": 1}}),  # 7
        json.dumps({**good, "likes": "several"}),  # 8
        "",  # 9: blank lines are not rows
        json.dumps({**good, "id": "g2", "extra": {"ignored": True}}),  # 10
        json.dumps({**good, "text": ["a"]}),  # 11
        json.dumps({**good, "created_at": True}),  # 12
    ]
    data = "\n".join(lines).encode() + b'\n{"id": "z", "text": "\xc3\x28"}\n'  # 13
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    rows, report = load(path, "jsonl")
    assert [r["id"] for r in rows] == ["g", "g2"]
    assert sorted((r.line, r.field or "") for r in report.rejections) == [
        (2, ""),
        (3, ""),
        (4, "id"),
        (5, "created_at"),
        (6, "author_role"),
        (7, "id"),
        (8, "likes"),
        (11, "text"),
        (12, "created_at"),
        (13, "text"),  # the field holding the bytes that are not UTF-8
    ]
    reasons = {r.line: r.reason for r in report.rejections}
    assert reasons[2].startswith("not valid JSON") and "not a JSON object" in reasons[3]
    assert reasons[13] == "bytes are not valid UTF-8"
    assert report.rows_read == 12


def test_empty_and_header_only(tmp_path, fmt):
    empty = tmp_path / f"empty.{fmt}"
    empty.write_bytes(b"")
    rows, report = load(empty, fmt)
    assert rows == [] and report.rows_read == 0 and "empty" in report.errors[0]
    if fmt == "csv":
        header_only = write_csv(tmp_path / "h.csv", FIELDS, [])
        rows, report = load(header_only, fmt)
        assert rows == [] and report.rows_read == 0 and report.errors == []


def test_csv_header_with_spaces_bom_and_extra_columns(tmp_path):
    text = "\ufeff id , author ,author_role, created_at ,text,sentiment\n1,ann,customer,2024-01-01T00:00:00Z,hi,0.3\n"
    path = tmp_path / "spaces.csv"
    path.write_text(text, encoding="utf-8")
    rows, report = load(path, "csv")
    assert [(r["id"], r["author"], r["text"]) for r in rows] == [("1", "ann", "hi")]


def test_detects_formats(tmp_path):
    assert detect_format(write_csv(tmp_path / "p.csv", FIELDS, POSTS)) == "csv"
    assert detect_format(write_jsonl(tmp_path / "p.jsonl", FIELDS, POSTS)) == "jsonl"


def test_remote_account_with_the_brand_name_is_not_the_brand(tmp_path):
    from helpfirst.ingest import ImportOptions, ImportReport, read_posts
    import pyarrow as pa

    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "1", "author": "acme", "created_at": "2017-01-01T00:00:00Z", "text": "hi"}\n'
        '{"id": "2", "author": "acme@other.example", "created_at": "2017-01-01T00:01:00Z", "text": "hi"}\n'
        '{"id": "3", "author": "help", "created_at": "2017-01-01T00:02:00Z", "text": "hi"}\n'
    )
    report = ImportReport()
    rows = pa.Table.from_batches(
        list(read_posts([path], ImportOptions(brands=frozenset({"acme", "help@acme.social"})), report, fmt="jsonl"))
    ).to_pylist()
    assert [(r["author_role"], r["brand"]) for r in rows] == [
        ("brand", "acme"), ("customer", None), ("brand", "help@acme.social")
    ]


@pytest.mark.parametrize("writer", [write_csv, write_jsonl])
def test_signal_fields_outcome_and_reply_kind_are_kept_and_checked(tmp_path, writer):
    from helpfirst.ingest.canonical import read_signal_fields

    header = FIELDS + ["outcome", "reply_kind"]
    rows = [POSTS[0] + ["Resolved", ""], POSTS[1] + ["resolved", "solution"], POSTS[2] + ["fixed", "answer"]]
    path = writer(tmp_path / ("posts." + ("csv" if writer is write_csv else "jsonl")), header, rows)
    found, errors = read_signal_fields(path, ImportOptions())
    assert found == {"c1": {"outcome": "resolved"}, "c2": {"outcome": "resolved", "reply_kind": "solution"}}
    line = 5 if writer is write_csv else 3  # the header, and c2's text has a line break in the CSV
    assert errors == [
        f"{path}:{line}: field 'outcome': unknown outcome 'fixed' (expected resolved, redirected, unresolved, abandoned, unanswered, unconfirmed)",
        f"{path}:{line}: field 'reply_kind': unknown reply_kind 'answer' (expected solution, redirect, clarify, acknowledge, other)",
    ]
    # the post records themselves are what they were: the audit does not see these columns
    without = writer(tmp_path / ("without." + path.suffix.lstrip(".")), FIELDS, [POSTS[0], POSTS[1], POSTS[2]])
    reports = ImportReport(), ImportReport()
    plain = pa_table(read_posts([path], ImportOptions(), reports[0]))
    assert plain.equals(pa_table(read_posts([without], ImportOptions(), reports[1]))) and plain.num_rows >= 2
    assert reports[0].rows_rejected == reports[1].rows_rejected


def test_signal_fields_follow_the_column_map(tmp_path):
    from helpfirst.ingest.canonical import read_signal_fields

    path = write_csv(tmp_path / "posts.csv", ["message_id", "status"], [["7", "unresolved"], ["8", ""]])
    found, errors = read_signal_fields(path, ImportOptions(column_map={"id": "message_id"}), {"outcome": "status"})
    assert found == {"7": {"outcome": "unresolved"}} and errors == []
    assert read_signal_fields(write_csv(tmp_path / "none.csv", FIELDS, POSTS), ImportOptions()) == ({}, [])


def pa_table(batches):
    import pyarrow as pa

    return pa.Table.from_batches(list(batches), schema=POST_SCHEMA)
