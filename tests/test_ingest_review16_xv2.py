"""Review 16, x-v2: a referenced tweet with a null (or missing, or empty) id, or a kind the API does not give, is
rejected naming referenced_tweets.id / referenced_tweets.type (a reply with a null parent used to open a conversation
of its own); a note_tweet that is not an object, or whose text is not a string, is rejected naming the field (the
truncated text used to be loaded)."""

from __future__ import annotations

import json
from pathlib import Path

from .audit_run import audit_doc


def _audit(path: Path) -> dict:
    return audit_doc(path, "--brand", "acme", ok=False)  # (the exit code was never checked here)


def _tweet(tid: str, author: str, minute: int, text: str, **extra) -> dict:
    return {"id": tid, "text": text, "author_id": author, "created_at": f"2024-03-04T09:{minute:02d}:00.000Z",
            "conversation_id": "1", **extra}


USERS = {"users": [{"id": "1", "username": "acme"}, {"id": "9", "username": "dana"}]}


def _write(path: Path, tweets: list[dict]) -> Path:
    path.write_text("".join(json.dumps({"data": [t], "includes": USERS}) + "\n" for t in tweets), encoding="utf-8")
    return path


def test_a_reply_to_a_null_id_is_rejected_not_a_new_conversation(tmp_path):
    path = _write(tmp_path / "nullref.jsonl", [
        _tweet("1", "9", 1, "@acme my router is broken"),
        _tweet("2", "1", 2, "@dana restart it", referenced_tweets=[{"type": "replied_to", "id": "1"}]),
        _tweet("3", "9", 3, "@acme still broken", referenced_tweets=[{"type": "replied_to", "id": None}]),
        _tweet("4", "9", 4, "@acme again", referenced_tweets=[{"type": "replied_to"}]),
        _tweet("5", "9", 5, "@acme and again", referenced_tweets=[{"type": "replied_to", "id": "  "}]),
        _tweet("6", "9", 6, "@acme once more", referenced_tweets=[{"type": "reply_to", "id": "1"}]),
        _tweet("7", "9", 7, "@acme no kind", referenced_tweets=[{"id": "1"}]),
        _tweet("8", "9", 8, "@acme quoting", referenced_tweets=[{"type": "quoted", "id": "1"}]),
    ])
    doc = _audit(path)
    got = [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]
    assert got == [
        (3, "referenced_tweets.id", "data[0]: tweet 3: referenced_tweets.id must be a string or an integer, not null"),
        (4, "referenced_tweets.id", "data[0]: tweet 4: referenced_tweets.id must be a string or an integer, not missing"),
        (5, "referenced_tweets.id", "data[0]: tweet 5: referenced_tweets.id must be a string or an integer, not empty"),
        (6, "referenced_tweets.type",
         'data[0]: tweet 6: referenced_tweets.type must be one of replied_to, quoted, retweeted, not "reply_to"'),
        (7, "referenced_tweets.type",
         "data[0]: tweet 7: referenced_tweets.type must be one of replied_to, quoted, retweeted, not missing"),
    ]
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (8, 3, 5)
    assert doc["brands"]["acme"]["conversations"] == 1  # the quote is a post of its own, but not a request


def test_a_note_tweet_of_the_wrong_shape_is_rejected_not_the_short_text_loaded(tmp_path):
    path = _write(tmp_path / "note.jsonl", [
        _tweet("1", "9", 1, "@acme my router is broken", note_tweet={"text": 5}),
        _tweet("2", "9", 2, "@acme my router is broken", note_tweet="the long text"),
        _tweet("3", "9", 3, "@acme my router is broken", note_tweet={"entities": {}}),
        _tweet("4", "9", 4, "@acme my router is broken", note_tweet={"text": "@acme my router is broken &amp; more"}),
    ])
    doc = _audit(path)
    got = [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]
    assert got == [
        (1, "note_tweet.text", "data[0]: tweet 1: note_tweet.text must be a string, not a number"),
        (2, "note_tweet", "data[0]: tweet 2: note_tweet must be an object (with the full text of a long post)"),
        (3, "note_tweet.text", "data[0]: tweet 3: missing note_tweet.text (the full text of a long post)"),
    ]
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (4, 1, 3)
