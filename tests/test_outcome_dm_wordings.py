"""`redirected` when the person says after the first reply that they sent a DM or a message
(docs/metrics.md, outcome rule 4), for the common wordings: "sent you an email", "check your DMs",
"sent you a private message", "sent it via DM", "sent you the details in a DM", "sent ... through
direct message". Real CLI on a real JSONL file, and the pattern through Arrow's RE2 as the audit
applies it.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from helpfirst.signals.outcome import DM_SENT_PATTERN

from .test_cli import run

SENT_PRIVATELY = [
    "I've sent you an email",
    "check your DMs",
    "Sent you a private message",
    "I sent it via DM",
    "I've sent you the details in a DM",
    "I have sent the details through direct message",
]

NOT_A_MOVE = [
    "did you get my message?",
    "I sent a photo in the message above",
    "I was sent in circles",
    "that makes no sense to me",
    "the representative sent me an email",
]


def _hits(texts: list[str]) -> list[bool]:
    return pc.fill_null(pc.match_substring_regex(pa.array(texts), DM_SENT_PATTERN), False).to_pylist()


def test_pattern_finds_the_private_wordings_and_not_public_ones():
    assert _hits(SENT_PRIVATELY) == [True] * len(SENT_PRIVATELY)
    assert _hits(NOT_A_MOVE) == [False] * len(NOT_A_MOVE)
    # the wordings found before still are
    assert _hits(["just sent you a DM", "sent an email", "DM'd you", "replied in the dm"]) == [True] * 4


def test_audit_counts_each_wording_as_redirected(tmp_path):
    rows = []
    for i, follow_up in enumerate(SENT_PRIVATELY):
        brand = f"B{i}"
        rows += [
            {"id": f"r{i}", "author": f"p{i}", "author_role": "customer", "brand": brand,
             "created_at": "2024-03-05T10:00:00Z", "text": "my phone keeps restarting since the update, please fix it"},
            {"id": f"s{i}", "parent_id": f"r{i}", "author": brand, "author_role": "brand", "brand": brand,
             "created_at": "2024-03-05T10:10:00Z",
             "text": "Go to Settings > General > Reset and tap Reset Network Settings, that fixes it."},
            {"id": f"f{i}", "parent_id": f"s{i}", "author": f"p{i}", "author_role": "customer",
             "created_at": "2024-03-05T10:20:00Z", "text": follow_up},
        ]
    path = tmp_path / "dm.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    proc = run("audit", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    outcome = {
        SENT_PRIVATELY[int(brand[1:])]: next(k for k, v in figures["outcome_counts"].items() if v)
        for brand, figures in doc["brands"].items()
    }
    assert outcome == {text: "redirected" for text in SENT_PRIVATELY}
