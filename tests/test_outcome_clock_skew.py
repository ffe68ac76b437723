"""The request is the conversation's request whatever its timestamp (TWCS clocks are skewed).

Real audits of small hand-made TWCS files with given per-post labels (as tests/test_signals_outcome.py):
a brand reply dated before the request, or in the same second and earlier in the file, must not
make the request a follow-up "after the first reply" (docs/metrics.md: only the person's posts after
the first reply count; negative time differences count as 0), and the sentiment shift is the
person's last post minus their *request*, even when a later post of theirs is dated before it.
"""

from __future__ import annotations

import pytest

from .test_signals_outcome import _audit, _by_request


def _conversations(twcs, rows) -> dict[str, dict]:
    """rows: (tweet id, author, inbound, minutes, text, parent, label, sentiment), in file order;
    label is the intent of a customer post and the reply kind of a brand post."""
    return _by_request(*_audit(twcs, rows))


def test_a_brand_reply_dated_before_the_request_does_not_make_the_request_a_follow_up(twcs):
    rows = [
        # the answer is stamped 10 minutes before the question it answers
        (1, "101", True, 100, "@Acme how do I cancel my subscription?", None, "question", 0.0),
        (2, "Acme", False, 90, "@101 Settings > Subscriptions > Cancel", 1, "solution", 0.0),
        # the same with a problem and no follow-up of the person
        (3, "102", True, 200, "@Acme my card was declined", None, "problem", -0.4),
        (4, "Acme", False, 195, "@102 please try another card", 3, "solution", 0.0),
    ]
    conv = _conversations(twcs, rows)
    # the person wrote only the request: nothing after the first reply, so not "left unanswered"
    assert conv["1"]["outcome"] == "unconfirmed"
    assert conv["3"]["outcome"] == "unconfirmed"
    assert conv["1"]["person_posts"] == 1 and conv["1"]["sentiment_shift"] is None
    assert conv["1"]["first_reply_kind"] == "solution"
    assert conv["1"]["time_to_solution_min"] == 0.0  # negative differences count as 0


def test_a_brand_reply_in_the_same_second_and_earlier_in_the_file_comes_after_the_request(twcs):
    rows = [
        (2, "Acme", False, 0, "@101 Please restart the app and log in again.", 1, "solution", 0.0),
        (1, "101", True, 0, "@Acme how do I log in? the app says error 42", None, "question", 0.0),
    ]
    conv = _conversations(twcs, rows)
    assert conv["1"]["outcome"] == "unconfirmed"
    assert conv["1"]["time_to_solution_min"] == 0.0


def test_a_real_follow_up_question_after_a_skewed_reply_still_counts(twcs):
    # the fix leaves out only the request: a question the person asks after the reply is still open
    rows = [
        (1, "101", True, 100, "@Acme is the shop open today?", None, "question", 0.0),
        (2, "Acme", False, 95, "@101 yes, until 8pm", 1, "solution", 0.0),
        (3, "101", True, 110, "@Acme and on Sunday?", 2, "question", 0.0),
    ]
    assert _conversations(twcs, rows)["1"]["outcome"] == "unresolved"


def test_the_shift_is_last_post_minus_request_when_a_later_post_is_dated_before_the_request(twcs):
    rows = [
        # request 11:40, answer 11:50, the person's thanks (a reply to the answer) stamped 10:50
        (1, "101", True, 100, "@Acme my card was declined, this is terrible and awful", None, "problem", -0.7),
        (2, "Acme", False, 110, "@101 Please try a different card or clear the app cache.", 1, "solution", 0.0),
        (3, "101", True, 50, "@Acme thank you so much, that worked, you are wonderful!", 2, "praise", 0.9),
    ]
    conv = _conversations(twcs, rows)["1"]
    assert conv["person_posts"] == 2
    assert conv["sentiment_first"] == pytest.approx(-0.7)  # the request's
    assert conv["sentiment_last"] == pytest.approx(0.9)
    assert conv["sentiment_shift"] == pytest.approx(1.6)
