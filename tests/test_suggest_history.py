"""The outcome/reply_kind a history gives each post follow exactly the rows the importer kept
(suggest.history.read_conversations): rejected rows and duplicates give nothing."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_a_rejected_duplicate_does_not_overwrite_the_kept_posts_outcome(tmp_path):
    # code review sig1: line 2 kept (resolved), line 4 rejected as a duplicate (abandoned)
    path = write(tmp_path / "sig.csv", [
        f"c1,u1,customer,{ISO1},my order is late,,Acme,resolved,",
        f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,solution",
        f"c1,u9,customer,{ISO1},a different post reusing the id,,Acme,abandoned,",
    ])
    found, kinds, rejections = outcomes([path])
    assert [(r.line, r.field) for r in rejections] == [(4, "id")]
    assert found == {"c1": "resolved"}
    assert kinds["b1"] == "solution"


def test_a_duplicate_gives_no_value_the_kept_post_lacks(tmp_path):
    path = write(tmp_path / "a.csv", [
        f"c1,u1,customer,{ISO1},my order is late,,Acme,,",
        f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,",
        f"b1,Acme,brand,{ISO2},a reused id,c1,Acme,abandoned,redirect",
    ])
    found, kinds, _rejections = outcomes([path])
    assert found == {"c1": None}
    assert kinds["b1"] is None


def test_a_row_rejected_for_another_reason_gives_nothing(tmp_path):
    # line 2 is rejected (bad date); the post kept is the one on line 3
    path = write(tmp_path / "a.csv", [
        f"c1,u1,customer,yesterday,my order is late,,Acme,abandoned,",
        f"c1,u1,customer,{ISO1},my order is late,,Acme,,",
        f"b1,Acme,brand,{ISO2},see https://help.acme.com/orders,c1,Acme,,solution",
    ])
    found, kinds, rejections = outcomes([path])
    assert [(r.line, r.field) for r in rejections] == [(2, "created_at")]
    assert found == {"c1": None}
    assert kinds["b1"] == "solution"


def test_values_after_a_quote_that_never_closes_are_read(tmp_path):
    # the importer reads the lines after the damaged record as records; so do the signals
    path = write(tmp_path / "q.csv", [
        f'c1,u1,customer,{ISO1},"broken quote never closes,,Acme,,',
        f"c2,u2,customer,{ISO1},my order is late,,Acme,resolved,",
        f"b2,Acme,brand,{ISO2},see https://help.acme.com/orders,c2,Acme,,solution",
    ])
    found, kinds, rejections = outcomes([path])
    assert [r.line for r in rejections] == [2]
    assert found == {"c2": "resolved"}
    assert kinds["b2"] == "solution"


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
