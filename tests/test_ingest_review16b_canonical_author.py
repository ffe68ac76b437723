"""Review 16b, canonical author and author_role: an author of only '@' became the brand '' (a brand post) or a
customer named '@'; it is rejected as a missing author (field author) for any role, in JSONL and CSV. In JSONL an
`author_role` given as null was rejected while "" loaded as a customer: both are an empty author_role (the role
from the handles, as an empty CSV cell); only a row without the key is rejected."""

from __future__ import annotations

import json

import pytest

from .audit_run import audit_doc


def _row(i: int, author: str, role: object = "customer", **extra) -> dict:
    row = {"id": str(i), "author": author, "created_at": f"2024-02-01T09:0{i}:00Z", "text": "hi @Shop", **extra}
    if role is not ...:
        row["author_role"] = role
    return row


@pytest.mark.parametrize("role", ["brand", "customer", "bot"])
@pytest.mark.parametrize("author", ["@", " @ ", "@@"])
def test_an_author_of_only_at_signs_is_missing_in_jsonl(tmp_path, role, author):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(_row(1, "dana")) + "\n" + json.dumps(_row(2, author, role, parent_id="1")) + "\n",
                    encoding="utf-8")
    out = audit_doc(path)
    assert (out["rows_loaded"], out["rows_rejected"]) == (1, 1)
    assert [(r["line"], r["field"]) for r in out["rejections"]] == [(2, "author")]
    assert out["rejections"][0]["reason"].startswith("missing author")
    assert "" not in out["brands"]


def test_an_author_of_only_at_is_missing_in_csv_too(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,author,author_role,created_at,text,parent_id\n"
                    "1,dana,customer,2024-02-01T09:00:00Z,hi @Shop,\n"
                    "2,@,brand,2024-02-01T09:10:00Z,sure,1\n", encoding="utf-8")
    out = audit_doc(path)
    assert [(r["line"], r["field"]) for r in out["rejections"]] == [(3, "author")]
    assert out["totals"]["answered"] == 0 and "" not in out["brands"]


def test_a_null_author_role_is_an_empty_one_like_the_empty_string(tmp_path):
    path = tmp_path / "roles.jsonl"
    rows = [_row(1, "a", None), _row(2, "b", ""), _row(3, "c", ...), _row(4, "d", "  ")]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = audit_doc(path)
    assert (out["rows_loaded"], out["rows_rejected"]) == (3, 1)
    assert [(r["line"], r["field"]) for r in out["rejections"]] == [(3, "author_role")]
    assert out["totals"]["vanity"]["customer_posts"] == 3
