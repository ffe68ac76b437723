"""The outcome/reply_kind a history gives each post follow exactly the rows the importer kept
(suggest.history.read_conversations): rejected rows and duplicates give nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpfirst.ingest import ImportOptions
from helpfirst.suggest.history import read_conversations

ISO1 = "2024-01-01T00:00:00Z"
ISO2 = "2024-01-01T00:05:00Z"
HEADER = "id,author,author_role,created_at,text,parent_id,brand,outcome,reply_kind"
OPTIONS = ImportOptions(brands=frozenset({"Acme"}))


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def outcomes(paths: list[Path]) -> tuple[dict[str, str | None], dict[str, str | None], list]:
    """(conversation id -> outcome, post id -> reply_kind, rejections)."""
    convs, report = read_conversations(paths, OPTIONS)
    kinds = {t.post_id: t.reply_kind for c in convs for t in c.turns}
    return {c.id: c.outcome for c in convs}, kinds, report.rejections


CASES = {
    # code review sig1: line 2 kept (resolved), line 4 rejected as a duplicate (abandoned)
    "a rejected duplicate does not overwrite the kept post's outcome": (
        [f"c1,u1,customer,{ISO1},my order is late,,Acme,resolved,",
         f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,solution",
         f"c1,u9,customer,{ISO1},a different post reusing the id,,Acme,abandoned,"],
        [(4, "id")], {"c1": "resolved"}, ("b1", "solution")),
    "a duplicate gives no value the kept post lacks": (
        [f"c1,u1,customer,{ISO1},my order is late,,Acme,,",
         f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,",
         f"b1,Acme,brand,{ISO2},a reused id,c1,Acme,abandoned,redirect"],
        [(4, "id")], {"c1": None}, ("b1", None)),
    # line 2 is rejected (bad date); the post kept is the one on line 3
    "a row rejected for another reason gives nothing": (
        [f"c1,u1,customer,yesterday,my order is late,,Acme,abandoned,",
         f"c1,u1,customer,{ISO1},my order is late,,Acme,,",
         f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,solution"],
        [(2, "created_at")], {"c1": None}, ("b1", "solution")),
    # the importer reads the lines after the damaged record as records; so do the signals
    "values after a quote that never closes are read": (
        [f'c1,u1,customer,{ISO1},"broken quote never closes,,Acme,,',
         f"c2,u2,customer,{ISO1},my order is late,,Acme,resolved,",
         f"b2,Acme,brand,{ISO2},see https://help.acme.com/orders,c2,Acme,,solution"],
        [(2, "text")], {"c2": "resolved"}, ("b2", "solution")),
}


@pytest.mark.parametrize("rows, rejected, expected, kind", list(CASES.values()), ids=list(CASES))
def test_csv_values_follow_the_rows_kept(tmp_path, rows, rejected, expected, kind):
    found, kinds, rejections = outcomes([write(tmp_path / "a.csv", rows)])
    assert [(r.line, r.field) for r in rejections] == rejected
    assert found == expected
    assert kinds[kind[0]] == kind[1]


def test_jsonl_duplicate_does_not_overwrite(tmp_path):
    rows = [
        {"id": "c1", "author": "u1", "author_role": "customer", "created_at": ISO1, "text": "late", "brand": "Acme"},
        {"id": "c1", "author": "u9", "author_role": "customer", "created_at": ISO1, "text": "reused", "brand": "Acme",
         "outcome": "abandoned"},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    found, _kinds, rejections = outcomes([path])
    assert [(r.line, r.field) for r in rejections] == [(2, "id")]
    assert found == {"c1": None}


def test_a_later_file_does_not_overwrite_an_earlier_one(tmp_path):
    first = write(tmp_path / "a.csv", [f"c1,u1,customer,{ISO1},my order is late,,Acme,resolved,"])
    second = write(tmp_path / "b.csv", [f"c1,u9,customer,{ISO1},reused,,Acme,abandoned,"])
    found, _kinds, rejections = outcomes([first, second])
    assert [(Path(r.file).name, r.field) for r in rejections] == [("b.csv", "id")]
    assert found == {"c1": "resolved"}


def test_a_file_given_twice_keeps_its_values(tmp_path):
    path = write(tmp_path / "a.csv", [f"c1,u1,customer,{ISO1},my order is late,,Acme,resolved,"])
    found, _kinds, _rejections = outcomes([path, path])
    assert found == {"c1": "resolved"}
