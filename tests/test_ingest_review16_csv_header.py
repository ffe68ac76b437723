"""Review 16, CSV headers: a header that names a column twice (`text,text`, `created_at,created_at`, `id,...,id`
given to --map parent_id=id, a TWCS `text` twice, ` text` and `text`) is a file error naming the column, its two
places and line 1; only one of the two columns used to be read and the other's data silently dropped (a row loaded
with an empty text)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpfirst import readahead

from .audit_run import audit_doc, run_audit_cli


def _refused(proc: subprocess.CompletedProcess, path: Path, name: str, first: int, second: int) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    assert (f"{path}:1: the header names column {name!r} twice (columns {first} and {second}): "
            "which one holds the data is unclear; rename or remove one") in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    ("header", "row", "name", "first", "second"),
    [
        ("id,author,author_role,created_at,text,text", "1,dana,customer,2024-02-01T09:00:00Z,,My router is broken",
         "text", 5, 6),
        ("id,author,author_role,created_at,created_at,text", "1,dana,customer,2024-02-01T09:00:00Z,junk,help",
         "created_at", 4, 5),
        ('id,author,author_role,created_at, text ,"text"', "1,dana,customer,2024-02-01T09:00:00Z,,My router is broken",
         "text", 5, 6),
        ("\ufeffid,id,author,author_role,created_at,text", "1,2,dana,customer,2024-02-01T09:00:00Z,help", "id", 1, 2),
    ],
)
def test_canonical_csv_header_naming_a_column_twice_is_a_file_error(tmp_path, header, row, name, first, second):
    path = tmp_path / "dup.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    _refused(run_audit_cli(path, "--brand", "acme"), path, name, first, second)


def test_a_column_map_source_named_twice_is_a_file_error(tmp_path):
    path = tmp_path / "mapped.csv"
    path.write_text("id,created_at,author,author_role,id,body\n1,2024-02-01T09:00:00Z,dana,customer,2,help\n",
                    encoding="utf-8")
    _refused(run_audit_cli(path, "--brand", "acme", "--map", "parent_id=id", "--map", "text=body"), path, "id", 1, 5)


def test_twcs_header_naming_a_column_twice_is_a_file_error(tmp_path):
    path = tmp_path / "twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id,text\n"
        "1,dana,True,Tue Oct 31 22:10:47 +0000 2017,,,,@acme my router is broken\n",
        encoding="utf-8",
    )
    _refused(run_audit_cli(path), path, "text", 5, 8)
    assert readahead.start(["audit", str(path), "--json"], interactive=False) is False  # no read-ahead of a refused file


def test_names_that_differ_are_read_as_before(tmp_path):
    # 'Text' is not 'text' (names are matched exactly, spaces around them stripped): an extra column; unnamed columns
    # may repeat
    path = tmp_path / "ok.csv"
    path.write_text("id,author,author_role,created_at,text,Text,,\n"
                    "1,dana,customer,2024-02-01T09:00:00Z,@acme my router is broken,other,,\n", encoding="utf-8")
    doc = audit_doc(path, "--brand", "acme")
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"], doc["errors"]) == (1, 1, 0, [])
    assert doc["brands"]["acme"]["conversations"] == 1


def test_repeated_columns_can_be_limited_to_the_columns_read():
    repeated_columns = readahead.repeated_columns
    header = ["id", "text", "notes", "notes", "text"]
    assert repeated_columns(header) == (
        "the header names column 'notes' twice (columns 3 and 4): which one holds the data is unclear; "
        "rename or remove one")
    assert repeated_columns(header, used={"id", "text"}).startswith("the header names column 'text' twice (columns 2 and 5)")
    assert repeated_columns(header, used={"id"}) is None
