"""NUL bytes (review 3): one rule wherever they are. A file mostly NUL bytes in its first 4 KiB
(binary, UTF-16/32) is refused; a NUL in a field of a text file rejects that row, naming file,
line and field, whether it is near the start of the file or far after it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpfirst.ingest import ImportFailed, ImportOptions, ImportReport, check_readable, read_posts

HEADER = "id,author,author_role,created_at,text\n"
TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def load(path: Path, fmt: str | None = None, **options) -> tuple[list, ImportReport]:
    report = ImportReport()
    ids = [i for b in read_posts([path], ImportOptions(**options), report, fmt=fmt) for i in b.column("id").to_pylist()]
    return ids, report


def where(report: ImportReport) -> list[tuple]:
    return [(r.line, r.field) for r in report.rejections]


@pytest.mark.parametrize("padding", [0, 3000])
def test_csv_nul_in_text_rejects_the_row_wherever_it_is(tmp_path, padding):
    rows = [f"{i},sam,customer,2024-02-01T09:00:00Z,hello number {i} with some padding text\n" for i in range(100, 100 + padding)]
    path = tmp_path / "nul.csv"
    path.write_text(HEADER + "1,sam,customer,2024-02-01T09:00:00Z,ok\n" + "".join(rows)
                    + "2,sam,customer,2024-02-01T09:00:00Z,bad \x00 nul\n", encoding="utf-8")
    ids, report = load(path)
    assert len(ids) == 1 + padding and "2" not in ids
    assert where(report) == [(3 + padding, "text")]
    assert report.rejections[0].reason == "text holds a NUL byte (U+0000), which is not text"
    assert report.rows_read == report.rows_loaded + report.rows_rejected == 2 + padding


def test_csv_nul_in_a_mapped_column_names_that_column(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("id,user,role,ts,body\n1,sa\x00m,customer,2024-02-01T09:00:00Z,hi\n2,kim,customer,2024-02-01T09:00:00Z,hi\n",
                    encoding="utf-8")
    ids, report = load(path, "csv", column_map={"author": "user", "author_role": "role", "created_at": "ts", "text": "body"})
    assert ids == ["2"]
    assert where(report) == [(2, "user")]


def test_jsonl_nul_raw_or_escaped_rejects_the_row(tmp_path):
    path = tmp_path / "nul.jsonl"
    ok = {"id": "1", "author": "sam", "author_role": "customer", "created_at": "2024-02-01T09:00:00Z", "text": "hi"}
    escaped = dict(ok, id="2", text="bad \x00 nul")  # json.dumps writes \u0000
    raw = json.dumps(dict(ok, id="3", text="raw NUL")).replace("raw NUL", "raw \x00 NUL")
    path.write_text(json.dumps(ok) + "\n" + json.dumps(escaped) + "\n" + raw + "\n", encoding="utf-8")
    ids, report = load(path, "jsonl")
    assert ids == ["1"]
    assert where(report) == [(2, "text"), (3, "text")]


def test_twcs_nul_in_text_rejects_the_row(tmp_path):
    rows = [f"{i},u{i},True,Tue Oct 31 22:10:47 +0000 2017,@Acme help number {i} padding,,\n" for i in range(10, 2010)]
    path = tmp_path / "tw.csv"
    path.write_text(TWCS_HEADER + "".join(rows) + "1,u1,True,Tue Oct 31 22:10:47 +0000 2017,@Acme bad \x00 nul,,\n",
                    encoding="utf-8")
    ids, report = load(path)
    assert len(ids) == 2000 and "1" not in ids
    assert where(report) == [(2002, "text")]


def test_x_v2_nul_in_a_tweet_text_rejects_that_tweet(tmp_path):
    path = tmp_path / "x.jsonl"
    page = {"data": [{"id": "1", "author_id": "u1", "created_at": "2024-02-01T09:00:00.000Z", "text": "@Acme hi"},
                     {"id": "2", "author_id": "u1", "created_at": "2024-02-01T09:01:00.000Z", "text": "@Acme \x00"}],
            "includes": {"users": [{"id": "u1", "username": "sam"}]}}
    path.write_text(json.dumps(page) + "\n", encoding="utf-8")
    ids, report = load(path, "x-v2", brands=frozenset({"Acme"}))
    assert ids == ["1"]
    assert [r.field for r in report.rejections] == ["text"]
    assert "NUL" in report.rejections[0].reason


def test_binary_and_utf16_files_are_still_refused(tmp_path):
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes((HEADER + "1,sam,customer,2024-02-01T09:00:00Z,hi\n").encode("utf-16-le"))
    with pytest.raises(ImportFailed, match="holds NUL bytes: binary data or UTF-16/32 text"):
        check_readable(utf16)
    sqlite = tmp_path / "db.csv"
    sqlite.write_bytes(b"SQLite format 3\x00" + bytes(4080) + b"id,created_at\n")
    with pytest.raises(ImportFailed, match="holds NUL bytes"):
        check_readable(sqlite)


def test_cli_early_nul_names_the_line(tmp_path):
    path = tmp_path / "early.csv"
    path.write_text(HEADER + "1,sam,customer,2024-02-01T09:00:00Z,bad \x00 nul\n2,sam,customer,2024-02-01T09:00:00Z,ok\n",
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (2, 1, 1)
    assert doc["rejections"][0]["line"] == 2 and doc["rejections"][0]["field"] == "text"
