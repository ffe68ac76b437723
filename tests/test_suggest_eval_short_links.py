"""eval suggest counts unexpanded short links as learning does: a t.co expanding to a page the knowledge base lists is no note."""

from __future__ import annotations

import json

import pytest

from helpfirst.suggest.evaluate import BacktestFailed, backtest
from helpfirst.suggest.history import short_link_note

from .test_suggest_review_fixes import _x_history  # the same X API page


def test_eval_counts_only_the_reply_whose_sole_link_is_an_unexpanded_short_link(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "guide", "brand": "TwitterSupport", "kind": "article", "url": "https://twitter.com/TwitterSupport/status/123",
                              "title": "Our pinned guide to locked accounts", "body": ""}) + "\n")
    with pytest.raises(BacktestFailed) as failed:  # one linked conversation: nothing to test, the input report still says
        backtest([kb], [_x_history(tmp_path)])
    # before: both replies counted (2 of 2): the one that links the listed guide through its t.co too
    assert f"history: {short_link_note(1, 2)}" in failed.value.messages, failed.value.messages
    assert short_link_note(1, 2) in str(failed.value)
