"""Review 16b, Mastodon and x-v2 fields read silently wrong: Mastodon `in_reply_to_id: ""` was read as no parent (a
new conversation); x-v2 `entities.mentions` given as a string or with a non-string `username`, and Mastodon
`mentions` given as a string, were silently passed over. Each is now rejected naming the field. `in_reply_to_id: 0`
is the id '0', as 0 is in every format (to_id)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .audit_run import audit_doc


def _status(sid: str, **fields) -> dict:
    status = {"id": sid, "created_at": "2024-02-01T09:00:00.000Z", "in_reply_to_id": None,
              "account": {"acct": "dana"}, "content": "<p>@acme help</p>"}
    status.update(fields)
    return status


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("empty", ["", "  "])
def test_mastodon_empty_in_reply_to_id_is_rejected(tmp_path, empty):
    path = _write(tmp_path / "m.jsonl", [_status("1"), _status("2", in_reply_to_id=empty)])
    doc = audit_doc(path, "--brand", "acme", "--format", "mastodon")
    assert (doc["rows_loaded"], doc["rows_rejected"]) == (1, 1)
    [r] = doc["rejections"]
    assert (r["line"], r["field"]) == (2, "in_reply_to_id")
    assert "in_reply_to_id is empty" in r["reason"]


def test_mastodon_in_reply_to_id_0_is_the_id_0_as_everywhere(tmp_path):
    path = _write(tmp_path / "m.jsonl", [_status("0"), _status("1", in_reply_to_id=0, account={"acct": "acme"})])
    doc = audit_doc(path, "--brand", "acme", "--format", "mastodon")
    assert (doc["rows_loaded"], doc["rows_rejected"]) == (2, 0)
    assert doc["brands"]["acme"]["answered"] == 1


@pytest.mark.parametrize(("mentions", "field", "reason"), [
    ("acme", "mentions", "mentions must be an array of objects, not a string"),
    (["acme"], "mentions", "mentions[0] must be an object, not a string"),
    ([{"acct": 5}], "mentions.acct", "mentions[0].acct must be a string, not a number"),
])
@pytest.mark.parametrize("brand", [True, False])
def test_mastodon_malformed_mentions_are_rejected(tmp_path, mentions, field, reason, brand):
    path = _write(tmp_path / "m.jsonl", [_status("1"), _status("2", mentions=mentions)])
    doc = audit_doc(path, *(["--brand", "acme"] if brand else []), "--format", "mastodon")
    [r] = doc["rejections"]
    assert (r["line"], r["field"], r["reason"]) == (2, field, f"status 2: {reason}")


def _page(tid: str, entities: object) -> dict:
    tweet = {"id": tid, "text": "help", "author_id": "1", "created_at": "2024-03-04T09:00:00.000Z",
             "conversation_id": tid, "entities": entities}
    return {"data": [tweet], "includes": {"users": [{"id": "1", "username": "dana"}]}}


@pytest.mark.parametrize(("mentions", "field", "reason"), [
    ("acme", "entities.mentions", "entities.mentions must be an array of objects, not a string"),
    ([{"username": 5}], "entities.mentions.username", "entities.mentions[0].username must be a string, not a number"),
    ([{"username": "acme"}, None], "entities.mentions", "entities.mentions[1] must be an object, not null"),
])
@pytest.mark.parametrize("brand", [True, False])
def test_x_v2_malformed_mentions_are_rejected(tmp_path, mentions, field, reason, brand):
    path = _write(tmp_path / "x.jsonl", [_page("1", {"mentions": [{"username": "acme"}]}),
                                         _page("2", {"mentions": mentions})])
    doc = audit_doc(path, *(["--brand", "acme"] if brand else []), "--format", "x-v2")
    [r] = doc["rejections"]
    assert (r["line"], r["field"], r["reason"]) == (2, field, f"data[0]: tweet 2: {reason}")
    if brand:
        assert doc["brands"]["acme"]["conversations"] == 1  # the good mention still names the brand
