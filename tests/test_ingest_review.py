"""Findings of a review: out-of-range dates keep their line and name the source field, twarc2's
flattened tweets are recognised as X data, Mastodon refuses a number as a date."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from helpfirst.ingest import ImportOptions, ImportReport, detect_format, read_posts

TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"


def load(path: Path, fmt: str | None = None, **options) -> tuple[list, ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt=fmt))
    ids = pa.Table.from_batches(batches).column("id").to_pylist() if batches else []
    return ids, report


def found(report: ImportReport) -> list[tuple]:
    return [(r.line, r.field, r.reason) for r in report.rejections]


def test_mapped_csv_out_of_range_date_names_line_and_source_column(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        "message_id,user,role,timestamp,body\n"
        "m1,sam,customer,2024-02-01T09:00:00Z,hi\n"
        "m2,x,customer,1899-02-01T10:00:00Z,ancient\n"
        "m3,y,customer,2300-01-01T00:00:00Z,future\n",
        encoding="utf-8",
    )
    ids, report = load(path, "csv", column_map={"id": "message_id", "author": "user", "author_role": "role",
                                                 "created_at": "timestamp", "text": "body"})
    assert ids == ["m1"]
    assert found(report) == [
        (3, "timestamp", "timestamp is dated outside 1970-2199: '1899-02-01T10:00:00Z'"),
        (4, "timestamp", "timestamp is dated outside 1970-2199: '2300-01-01T00:00:00Z'"),
    ]


def test_mapped_jsonl_out_of_range_date_names_line_and_key(tmp_path):
    path = tmp_path / "c.jsonl"
    rows = [{"msg": {"id": "1"}, "user": {"name": "ann"}, "ts": "2024-02-01T09:00:00Z"},
            {"msg": {"id": "2"}, "user": {"name": "bob"}, "ts": "1800-02-01T09:00:00Z"},
            {"msg": {"id": "3"}, "user": {"name": "cy"}, "ts": -10_000_000_000}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ids, report = load(path, "jsonl", brands=frozenset({"ShopCo"}),
                       column_map={"id": "msg.id", "author": "user.name", "created_at": "ts"})
    assert ids == ["1"]
    assert [(line, fld) for line, fld, _r in found(report)] == [(2, "ts"), (3, "ts")]
    assert all("dated outside 1970-2199" in r for _l, _f, r in found(report))


def test_twcs_out_of_range_years_say_so(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        TWCS_HEADER + "\n"
        "1,c1,True,Tue Oct 31 22:10:47 +0000 2017,ok,,\n"
        "2,c1,True,Tue Oct 31 22:10:47 +0000 2300,future,,\n"
        "3,c1,True,Tue Oct 31 22:10:47 +0000 1960,past,,\n"
        "4,c1,True,Tue Oct 99 22:10:47 +0000 2017,bad,,\n",
        encoding="utf-8",
    )
    ids, report = load(path, "twcs")
    assert ids == ["1"]
    assert found(report) == [
        (3, "created_at", "created_at is dated outside 1970-2199"),
        (4, "created_at", "created_at is dated outside 1970-2199"),
        (5, "created_at", "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'"),
    ]


def test_twarc2_flattened_tweets_are_detected_as_x(tmp_path):
    path = tmp_path / "flat.jsonl"
    tweets = [
        {"id": "300", "text": "@AcmeHelp flat tweet", "author_id": "1", "created_at": "2024-03-04T09:00:00.000Z",
         "conversation_id": "300", "author": {"id": "1", "username": "cust1"}},
        {"id": "301", "text": "@cust1 flat reply", "author_id": "2", "created_at": "2024-03-04T09:03:00.000Z",
         "conversation_id": "300", "author": {"id": "2", "username": "AcmeHelp"},
         "referenced_tweets": [{"type": "replied_to", "id": "300"}]},
    ]
    path.write_text("\n".join(json.dumps(t) for t in tweets) + "\n", encoding="utf-8")
    assert detect_format(path) == "x-v2"
    ids, report = load(path, brands=frozenset({"AcmeHelp"}))
    assert ids == ["300", "301"] and report.rows_rejected == 0


def test_canonical_jsonl_is_still_jsonl(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "1", "author": "a", "author_id": "9", "created_at": "2024-01-01T00:00:00Z",
                                "text": "hi"}) + "\n", encoding="utf-8")
    assert detect_format(path) == "jsonl"


def test_mastodon_refuses_a_number_as_a_date(tmp_path):
    path = tmp_path / "m.json"
    status = {"id": "1", "created_at": 12345, "content": "<p>hi</p>",
              "account": {"id": "1", "username": "alice", "acct": "alice"}}
    ok = {**status, "id": "2", "created_at": "2024-03-04T09:00:00.000Z"}
    path.write_text(json.dumps([ok, status]), encoding="utf-8")
    ids, report = load(path, "mastodon", brands=frozenset({"acme"}))
    assert ids == ["2"]
    [(line, fld, reason)] = found(report)
    assert fld == "created_at" and "not a number" in reason and line is not None


def twcs_file(path: Path) -> Path:
    path.write_text(TWCS_HEADER + "\n1,c1,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n", encoding="utf-8")
    return path


def test_column_map_on_a_fixed_field_format_is_an_error(tmp_path):
    path = twcs_file(tmp_path / "t.csv")
    ids, report = load(path, column_map={"text": "body"})
    assert ids == [] and report.rows_read == 0
    [error] = report.errors
    assert str(path) in error and "text=body" in error and "twcs" in error
    ids, report = load(path, column_map={"text": "text"})  # naming a field as it is changes nothing
    assert ids == ["1"] and not report.errors


def test_column_map_with_an_empty_source_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,author,author_role,created_at,text\n1,a,customer,2024-01-01T00:00:00Z,hi\n", encoding="utf-8")
    ids, report = load(path, "csv", column_map={"id": ""})
    assert ids == []
    [error] = report.errors
    assert "no source column for id" in error and str(path) in error


def test_compressed_and_utf16_files_say_what_they_are(tmp_path):
    import gzip

    text = TWCS_HEADER + "\n1,c1,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n"
    cases = {
        "t.csv.gz": (gzip.compress(text.encode()), "gzip-compressed"),
        "u16.csv": (text.encode("utf-16"), "UTF-16"),
        "u16le.csv": (text.encode("utf-16-le"), "NUL bytes"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        ids, report = load(path)
        assert ids == [] and len(report.errors) == 1
        assert expected in report.errors[0] and "missing column" not in report.errors[0], name
