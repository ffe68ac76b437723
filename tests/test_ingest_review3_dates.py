"""A created_at without hours and minutes is rejected, naming file, line and field (review 3).

Reply times are measured in minutes: a date alone ('2024-02-01', read as midnight) or an hour alone
('2024-02-01T09Z') would make them up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpfirst.ingest import ImportOptions, ImportReport, read_posts


def load(path: Path, fmt: str | None = None, **options) -> tuple[list, ImportReport]:
    report = ImportReport()
    ids = [i for b in read_posts([path], ImportOptions(**options), report, fmt=fmt) for i in b.column("id").to_pylist()]
    return ids, report


def test_canonical_csv_date_only_and_hour_only_are_rejected(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "id,author,author_role,created_at,text\n"
        "1,sam,customer,2024-02-01T09:00:00Z,hi\n"
        "2,sam,customer,2024-02-01,date only\n"
        "3,sam,customer,2024-02-01T09Z,hour only\n"
        "4,sam,customer,2024-02-01 09:30,minutes without seconds\n"
        "5,sam,customer,2024-02-01T0930Z,minutes without a colon\n"
        "6,sam,customer, 2024-02-01 ,date only between spaces\n"
        "7,sam,customer,2024-02-01T09+05:00,hour only with an offset\n",
        encoding="utf-8",
    )
    ids, report = load(path)
    assert ids == ["1", "4", "5"]
    assert [(r.file, r.line, r.field) for r in report.rejections] == [
        (str(path), line, "created_at") for line in (3, 4, 7, 8)]
    assert report.rejections[0].reason == "created_at has no time of day (hours and minutes): '2024-02-01'"
    assert report.rejections[1].reason == "created_at has no time of day (hours and minutes): '2024-02-01T09Z'"
    assert report.rows_read == report.rows_loaded + report.rows_rejected == 7


def test_canonical_jsonl_mapped_date_only_names_the_source_key(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"id": "1", "author": "sam", "author_role": "customer", "ts": "2024-02-01T09:00:00Z"},
            {"id": "2", "author": "sam", "author_role": "customer", "ts": "2024-02-01"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ids, report = load(path, "jsonl", column_map={"created_at": "ts"})
    assert ids == ["1"]
    assert [(r.line, r.field, r.reason) for r in report.rejections] == [
        (2, "ts", "ts has no time of day (hours and minutes): '2024-02-01'")]


def test_x_v2_and_mastodon_date_only_are_rejected(tmp_path):
    x = tmp_path / "x.jsonl"
    page = {"data": [{"id": "1", "author_id": "u1", "created_at": "2024-02-01T09:00:00.000Z", "text": "@Acme hi"},
                     {"id": "2", "author_id": "u1", "created_at": "2024-02-01", "text": "@Acme again"}],
            "includes": {"users": [{"id": "u1", "username": "sam"}]}}
    x.write_text(json.dumps(page) + "\n", encoding="utf-8")
    ids, report = load(x, "x-v2", brands=frozenset({"Acme"}))
    assert ids == ["1"]
    assert [(r.line, r.field) for r in report.rejections] == [(1, "created_at")]
    assert "has no time of day" in report.rejections[0].reason

    m = tmp_path / "m.json"
    statuses = [{"id": "1", "created_at": "2024-02-01T09:00:00.000Z", "in_reply_to_id": None,
                 "account": {"acct": "sam"}, "content": "<p>@Acme hi</p>"},
                {"id": "2", "created_at": "2024-02-01T09Z", "in_reply_to_id": None,
                 "account": {"acct": "sam"}, "content": "<p>@Acme again</p>"}]
    m.write_text(json.dumps(statuses, indent=1), encoding="utf-8")
    ids, report = load(m, "mastodon", brands=frozenset({"Acme"}))
    assert ids == ["1"]
    assert [r.field for r in report.rejections] == ["created_at"]
    assert "has no time of day" in report.rejections[0].reason


def test_cli_names_file_line_and_field(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "id,author,author_role,created_at,text,parent_id\n"
        "1,sam,customer,2024-02-01T09:00:00Z,hi @Acme,\n"
        "2,Acme,brand,2024-02-01,hello,1\n",
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals"],
                          capture_output=True, text=True, timeout=120)
    doc = json.loads(done.stdout)
    assert doc["rejections"] == [{"file": str(path), "line": 3, "field": "created_at",
                                  "reason": "created_at has no time of day (hours and minutes): '2024-02-01'"}]
    assert doc["totals"]["answered"] == 0
