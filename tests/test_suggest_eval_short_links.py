"""eval suggest counts unexpanded short links as learning does: a t.co expanding to a page the knowledge base lists is no note."""

from __future__ import annotations

import json

import pytest

from helpfirst.suggest.evaluate import BacktestFailed, backtest
from helpfirst.suggest.history import short_link_note


def _x_history(folder):
    """An X API v2 page of TwitterSupport: one reply links a t.co expanding to a status page the knowledge base lists
    (beside a t.co the archive did not expand); another links only an unexpanded t.co."""
    tweets = [
        {"id": "10", "text": "@TwitterSupport my account is locked", "author_id": "100", "created_at": "2024-03-01T09:00:00.000Z",
         "conversation_id": "10"},
        {"id": "11", "text": "@dana Our guide: https://t.co/guide1 (more at https://t.co/other1)", "author_id": "1",
         "created_at": "2024-03-01T09:05:00.000Z", "conversation_id": "10", "referenced_tweets": [{"type": "replied_to", "id": "10"}],
         "entities": {"urls": [{"url": "https://t.co/guide1", "expanded_url": "https://twitter.com/TwitterSupport/status/123"}]}},
        {"id": "20", "text": "@TwitterSupport cannot log in", "author_id": "101", "created_at": "2024-03-01T10:00:00.000Z",
         "conversation_id": "20"},
        {"id": "21", "text": "@kim See https://t.co/unknown2", "author_id": "1", "created_at": "2024-03-01T10:05:00.000Z",
         "conversation_id": "20", "referenced_tweets": [{"type": "replied_to", "id": "20"}]},
    ]
    users = [{"id": "1", "username": "TwitterSupport"}, {"id": "100", "username": "dana"}, {"id": "101", "username": "kim"}]
    path = folder / "x.json"
    path.write_text(json.dumps({"data": tweets, "includes": {"users": users}}))
    return path


def test_eval_counts_only_the_reply_whose_sole_link_is_an_unexpanded_short_link(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "guide", "brand": "TwitterSupport", "kind": "article", "url": "https://twitter.com/TwitterSupport/status/123",
                              "title": "Our pinned guide to locked accounts", "body": ""}) + "\n")
    with pytest.raises(BacktestFailed) as failed:  # one linked conversation: nothing to test, the input report still says
        backtest([kb], [_x_history(tmp_path)])
    # before: both replies counted (2 of 2): the one that links the listed guide through its t.co too
    assert f"history: {short_link_note(1, 2)}" in failed.value.messages, failed.value.messages
    assert short_link_note(1, 2) in str(failed.value)
