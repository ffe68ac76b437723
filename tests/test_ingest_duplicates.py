"""Duplicate ids are rejected (by threads.build_threads) with the line of the duplicate, and the
line of the post kept in the reason, in every format (ingest.locate_duplicate_ids)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpfirst.audit import load_posts
from helpfirst.ingest import ImportOptions, locate_duplicate_ids
from helpfirst.threads import build_threads

ISO = "2024-01-01T00:00:00Z"
TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
TWCS_DATE = "Tue Oct 31 22:10:47 +0000 2017"


def duplicates(paths: list[Path], options: ImportOptions, fmt: str | None = None) -> list[tuple]:
    posts, report = load_posts(paths, options, fmt)
    build_threads(posts, report, [f["path"] for f in report.files])
    locate_duplicate_ids(report, options)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    return [(Path(r.file).name, r.line, r.field, r.reason) for r in report.rejections]


def canonical_csv(path: Path) -> Path:
    rows = ["id,author,author_role,created_at,text"]
    rows += [f"c{i},u{i},customer,{ISO},hi {i}" for i in range(1, 6)]
    rows += [f"c9,u9,customer,yesterday,bad date", f"c2,u7,customer,{ISO},again", f"c9,u9,customer,{ISO},kept"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_canonical_csv_duplicate_has_its_line_and_the_kept_line(tmp_path):
    path = canonical_csv(tmp_path / "a.csv")
    found = duplicates([path], ImportOptions())
    assert found == [
        ("a.csv", 7, "created_at", "created_at is not an ISO 8601 date-time: 'yesterday'"),
        ("a.csv", 8, "id", "duplicate id 'c2': already loaded from line 3"),
    ]


def test_mapped_jsonl_duplicate_names_the_source_key(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [{"m": {"id": str(i)}, "who": f"u{i}", "author_role": "customer", "created_at": ISO} for i in (1, 2, 1)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions(column_map={"id": "m.id", "author": "who"}), "jsonl")
    assert found == [("a.jsonl", 3, "m.id", "duplicate id '1': already loaded from line 1")]


def test_x_v2_duplicate_names_the_line_of_its_page(tmp_path):
    path = tmp_path / "x.jsonl"
    tweet = {"id": "10", "author_id": "1", "created_at": ISO, "text": "@Acme hi", "conversation_id": "10"}
    pages = [{"data": [tweet]}, {"data": [{**tweet, "id": "11"}, tweet]}]
    path.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions(brands=frozenset({"Acme"})), "x-v2")
    assert found == [("x.jsonl", 2, "id", "duplicate id '10': already loaded from line 1")]


def test_twcs_file_given_twice_names_both_lines(tmp_path):
    path = tmp_path / "t.csv"
    rows = [TWCS_HEADER] + [f"{i},c{i},True,{TWCS_DATE},hi,," for i in (5, 6)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = duplicates([path, path], ImportOptions())
    kept = f"{path}:"
    assert [(name, line, fld) for name, line, fld, _r in found] == [("t.csv", 2, "tweet_id"), ("t.csv", 3, "tweet_id")]
    assert found[0][3] == f"duplicate id '5': already loaded from {kept}2 (the same file, given twice)"


def test_duplicates_across_two_files(tmp_path):
    a = canonical_csv(tmp_path / "a.csv")
    b = tmp_path / "b.csv"
    b.write_text(f"id,author,author_role,created_at,text\nc4,u4,customer,{ISO},again\n", encoding="utf-8")
    found = duplicates([a, b], ImportOptions())
    assert ("b.csv", 2, "id", f"duplicate id 'c4': already loaded from {a}:5") in found


def test_audit_and_suggest_report_duplicate_lines_end_to_end(tmp_path):
    """The audit command and the suggestion history both locate the duplicates they reject."""
    import subprocess
    import sys

    from helpfirst.suggest.history import read_conversations

    path = canonical_csv(tmp_path / "a.csv")
    exe = Path(sys.executable).with_name("helpfirst")
    proc = subprocess.run([str(exe), "audit", str(path), "--json", "--no-signals"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    dup = [r for r in doc["rejections"] if "duplicate" in r["reason"]]
    assert [(r["line"], r["field"]) for r in dup] == [(8, "id")]
    assert "already loaded from line 3" in dup[0]["reason"]
    _conversations, report = read_conversations([path], ImportOptions())
    assert [(r.line, r.field) for r in report.rejections if "duplicate" in r.reason] == [(8, "id")]


def test_x_v2_tweet_rejected_for_another_reason_takes_no_place(tmp_path):
    # code review dup2: line 1 tweet 10 with a bad date (rejected), line 2 kept, line 3 the duplicate
    tweet = {"id": "10", "author_id": "1", "created_at": ISO, "text": "@Acme hi", "conversation_id": "10"}
    pages = [{"data": [{**tweet, "created_at": "yesterday"}]}, {"data": [tweet]}, {"data": [{**tweet, "text": "@Acme again"}]}]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in pages) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions(brands=frozenset({"Acme"})), "x-v2")
    assert found == [
        ("x.jsonl", 1, "created_at", "data[0]: tweet 10: created_at is not an ISO 8601 date-time: 'yesterday'"),
        ("x.jsonl", 3, "id", "duplicate id '10': already loaded from line 2"),
    ]


def test_mastodon_status_rejected_for_another_reason_takes_no_place(tmp_path):
    status = {"id": "7", "created_at": ISO, "content": "<p>@acme hi</p>", "account": {"acct": "jo@example.net"}}
    lines = [[{**status, "id": "1"}, {**status, "reblog": {"id": "99"}}], [status], [{**status, "content": "<p>again</p>"}]]
    lines[0][1]["id"] = "7"  # line 1: status 7 is a boost (rejected); line 2 keeps 7; line 3 repeats it
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions(brands=frozenset({"acme"})), "mastodon")
    assert [f for f in found if f[2] == "id"] == [("m.jsonl", 3, "id", "duplicate id '7': already loaded from line 2")]
    assert any(f[1] == 1 and f[2] == "reblog" for f in found)


def test_duplicate_after_a_quote_that_never_closes_has_its_line(tmp_path):
    # code review dup1: the lenient re-read swallowed the rest of the file at line 3
    rows = ["id,author,author_role,created_at,text", f"c1,u1,customer,{ISO},hi",
            f'c2,u2,customer,{ISO},"broken quote never closes', f"c3,u3,customer,{ISO},three",
            f"c1,u4,customer,{ISO},dup of c1"]
    path = tmp_path / "q.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions())
    assert found[-1] == ("q.csv", 5, "id", "duplicate id 'c1': already loaded from line 2")
    assert [f[1] for f in found] == [3, 5]


def test_twcs_duplicate_after_a_quote_that_never_closes_has_its_line(tmp_path):
    rows = [TWCS_HEADER, f"1,u1,True,{TWCS_DATE},@Acme hi,,", f'2,u2,True,{TWCS_DATE},"@Acme broken,,',
            f"3,u3,True,{TWCS_DATE},@Acme three,,", f"1,u4,True,{TWCS_DATE},@Acme dup,,"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = duplicates([path], ImportOptions(brands=frozenset({"Acme"})), "twcs")
    assert found[-1] == ("t.csv", 5, "tweet_id", "duplicate id '1': already loaded from line 2")


def test_duplicates_are_recorded_as_data_with_both_files(tmp_path):
    """build_threads records each listed duplicate with the files of the rejected and the kept post,
    so a second reading of the same file is known without reading reason texts back."""
    a = canonical_csv(tmp_path / "a.csv")
    b = tmp_path / "b.csv"
    b.write_text(f"id,author,author_role,created_at,text\nc4,u4,customer,{ISO},again\n", encoding="utf-8")
    posts, report = load_posts([a, b, a], ImportOptions())
    build_threads(posts, report, [f["path"] for f in report.files])
    found = sorted((d.id, d.file, d.kept_file, report.given_twice(d)) for d in report.duplicates)
    # a.csv: c2 twice in itself; b.csv: c4 from a; the third file, a.csv again: its 7 loadable rows
    # (c2 twice) are all duplicates of posts kept from file 0
    assert ("c2", 0, 0, False) in found
    assert ("c4", 1, 0, False) in found
    again = [(i, 2, 0, True) for i in ("c1", "c2", "c2", "c3", "c4", "c5", "c9")]
    assert [d for d in found if d[1] == 2] == again
    assert len(found) == 2 + len(again)
    assert all(report.rejections[d.rejection].reason.startswith(f"duplicate id {d.id!r}") for d in report.duplicates)
