"""How much a past conversation counts as evidence: its outcome, from signals when present, else a rule.

The hook: `OutcomeFn(conversation, reply_index) -> (outcome, weight)`. The default reads an
`outcome` value that a signals stage put on the conversation's posts (helpfirst.signals adds
derived columns to posts; see `history.read_conversations`), and otherwise looks at what the
customer wrote after the reply. Pass another function to `build_index(..., outcome=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .history import Conversation

#: evidence weight of a conversation by outcome (the DESIGN's outcome labels); unknown = no reply after it
OUTCOME_WEIGHTS = {"resolved": 1.0, "unknown": 0.8, "abandoned": 0.6, "redirected": 0.5, "unresolved": 0.25, "unanswered": 0.0}

_THANKS = re.compile(
    r"\b(thanks?|thank you|thx|ty|cheers|appreciate|that (?:worked|did it|fixed|helped)|works? now|working now|"
    r"fixed|solved|sorted|resolved|perfect|awesome|great)\b", re.I)
_STUCK = re.compile(
    r"\b(still|doesn'?t work|didn'?t (?:work|help)|not working|no luck|same (?:problem|issue|error)|useless|"
    r"not helpful|that'?s not|already tried|tried that)\b", re.I)

OutcomeFn = Callable[["Conversation", int], tuple[str, float]]


def rule_outcome(conversation: "Conversation", reply_index: int) -> tuple[str, float]:
    """Outcome of the brand reply at reply_index: a signals `outcome` if given, else the customer's next words."""
    given = conversation.outcome
    if given in OUTCOME_WEIGHTS:
        return given, OUTCOME_WEIGHTS[given]
    after = [t.text or "" for t in conversation.turns[reply_index + 1 :] if t.role == "customer"]
    if not after:
        return "unknown", OUTCOME_WEIGHTS["unknown"]
    text = " ".join(after)
    if _STUCK.search(text):
        return "unresolved", OUTCOME_WEIGHTS["unresolved"]
    if _THANKS.search(text):
        return "resolved", OUTCOME_WEIGHTS["resolved"]
    return "unknown", OUTCOME_WEIGHTS["unknown"]


def is_solution(conversation: "Conversation", reply_index: int, outcome: str) -> bool:
    """A brand reply without a link is a reusable answer when signals call it a solution, or the customer confirmed it."""
    kind = conversation.turns[reply_index].reply_kind
    if kind is not None:
        return kind == "solution" and outcome != "unresolved"
    return outcome == "resolved"
