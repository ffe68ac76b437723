"""Review 16, mastodon: an account.acct of only '@'s and spaces (with no username) is rejected as a missing author
(it loaded a post by ''); a reblog that is neither an object nor null (false, 0, []) is rejected saying so, not
called a boost; an account.bot that is not true/false/null (the string "true") is rejected naming the field (it was
read as not a bot)."""

from __future__ import annotations

import json
from pathlib import Path

from .audit_run import audit_doc


def _audit(path: Path) -> dict:
    return audit_doc(path, "--brand", "acme", ok=False)  # (the exit code was never checked here)


def _status(sid: str, account: dict, **extra) -> dict:
    return {"id": sid, "created_at": "2024-03-04T09:00:00.000Z", "in_reply_to_id": None, "account": account,
            "content": "<p>@acme my order is late</p>", **extra}


def _write(path: Path, statuses: list[dict]) -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in statuses), encoding="utf-8")
    return path


def test_a_handle_of_only_at_signs_and_spaces_is_a_missing_author(tmp_path):
    path = _write(tmp_path / "authors.jsonl", [
        _status("1", {"acct": "  @ "}),
        _status("2", {"acct": "@@"}),
        _status("3", {"acct": "@", "username": " @ "}),
        _status("4", {"acct": "@@", "username": "dana"}),  # the username is used, as for an empty acct
        _status("5", {"acct": " @erin@example.social "}),
    ])
    doc = _audit(path)
    got = [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]
    assert got == [
        (1, "account.acct", "status 1: missing account.acct"),
        (2, "account.acct", "status 2: missing account.acct"),
        (3, "account.acct", "status 3: missing account.acct"),
    ]
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (5, 2, 3)
    assert doc["brands"]["acme"]["vanity"]["customers"] == 2  # dana and erin@example.social, no ''


def test_a_reblog_that_is_not_an_object_is_rejected_as_such(tmp_path):
    path = _write(tmp_path / "reblogs.jsonl", [
        _status("1", {"acct": "dana"}, reblog=False),
        _status("2", {"acct": "dana"}, reblog=0),
        _status("3", {"acct": "dana"}, reblog=[]),
        _status("4", {"acct": "dana"}, reblog={"id": "77"}),
        _status("5", {"acct": "dana"}, reblog=None),
    ])
    doc = _audit(path)
    got = [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]
    assert got == [
        (1, "reblog", "status 1: reblog must be an object (the boosted status) or null, not false"),
        (2, "reblog", "status 2: reblog must be an object (the boosted status) or null, not 0"),
        (3, "reblog", "status 3: reblog must be an object (the boosted status) or null, not []"),
        (4, "reblog", "status 4: a boost of 77: a repost, not a message of its own"),
    ]
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (5, 1, 4)


def test_account_bot_must_be_a_boolean(tmp_path):
    path = _write(tmp_path / "bots.jsonl", [
        _status("1", {"acct": "robo", "bot": "true"}),
        _status("2", {"acct": "robo2", "bot": 1}),
        _status("3", {"acct": "robo3", "bot": True}),
        _status("4", {"acct": "dana", "bot": False}),
        _status("5", {"acct": "erin", "bot": None}),
    ])
    doc = _audit(path)
    got = [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]
    assert got == [
        (1, "account.bot", 'status 1: account.bot must be true, false or null, not "true"'),
        (2, "account.bot", "status 2: account.bot must be true, false or null, not 1"),
    ]
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (5, 3, 2)
    vanity = doc["brands"]["acme"]["vanity"]
    assert (vanity["customer_posts"], vanity["customers"]) == (2, 2)  # robo3 is a bot (its thread counts for no brand)
