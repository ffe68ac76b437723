"""Review 16b, CSV headers naming a column twice: only the columns an importer reads must be named once. A header
repeating a column nobody reads (`notes,notes`) made the whole file a file error; it loads now, in canonical CSV
(with or without --map), TWCS (read-ahead included) and the suggest history's outcome/reply_kind columns, while a
repeated column that is read is still refused."""

from __future__ import annotations

from helpfirst import readahead
from helpfirst.ingest import ImportOptions
from helpfirst.suggest.history import read_conversations

from .audit_run import audit_doc, run_audit_cli


def _loaded(*paths_and_args: object, rows: int = 1) -> dict:
    doc = audit_doc(*paths_and_args)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"], doc["errors"]) == (rows, rows, 0, [])
    return doc


def test_canonical_csv_with_an_unused_column_named_twice_loads(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("id,author,author_role,created_at,text,notes,notes\n"
                    "1,dana,customer,2024-02-01T09:00:00Z,@acme my router is broken,a,b\n", encoding="utf-8")
    doc = _loaded(path, "--brand", "acme")
    assert doc["brands"]["acme"]["conversations"] == 1


def test_a_canonical_name_repeated_but_mapped_away_is_not_read(tmp_path):
    # text comes from 'body': the two 'text' columns are not read
    path = tmp_path / "mapped.csv"
    path.write_text("id,author,author_role,created_at,body,text,text\n"
                    "1,dana,customer,2024-02-01T09:00:00Z,@acme help,x,y\n", encoding="utf-8")
    _loaded(path, "--brand", "acme", "--map", "text=body")
    # ...but a repeated source that is read is still refused
    proc = run_audit_cli(path, "--brand", "acme", "--map", "body=text")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


def test_twcs_with_an_unused_column_named_twice_loads_with_the_read_ahead(tmp_path):
    path = tmp_path / "twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id,notes,notes\n"
        "1,dana,True,Tue Oct 31 22:10:47 +0000 2017,@acme my router is broken,,,a,b\n",
        encoding="utf-8",
    )
    _loaded(path)
    assert readahead.csv_header(path)[0][-2:] == ["notes", "notes"]
    assert readahead.repeated_columns(readahead.csv_header(path)[0], readahead.TWCS_COLUMNS) is None


def test_suggest_history_outcome_named_twice_is_an_error_not_a_guess(tmp_path):
    path = tmp_path / "hist.csv"
    path.write_text("id,author,author_role,created_at,text,parent_id,brand,outcome,outcome,notes,notes\n"
                    "1,dana,customer,2024-01-01T00:00:00Z,@Acme help,,,resolved,abandoned,a,b\n", encoding="utf-8")
    convs, report = read_conversations([path], ImportOptions(brands=frozenset({"Acme"})))
    assert len(convs) == 1 and convs[0].outcome is None
    assert report.errors == [f"{path}:1: the header names column 'outcome' twice (columns 8 and 9): "
                             "which one holds the data is unclear; rename or remove one"]
    path.write_text("id,author,author_role,created_at,text,parent_id,brand,outcome,notes,notes\n"
                    "1,dana,customer,2024-01-01T00:00:00Z,@Acme help,,,resolved,a,b\n", encoding="utf-8")
    convs, report = read_conversations([path], ImportOptions(brands=frozenset({"Acme"})))
    assert convs[0].outcome == "resolved" and report.errors == []
