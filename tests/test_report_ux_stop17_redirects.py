"""Redirect examples: the similar answered request's date is shown, and several redirected requests
whose closest answered request is the same one make one row with their count (they were one row
each, the same public answer repeated)."""

from __future__ import annotations

import re

from helpfirst.measure.report import build_report_html, report_context

from .test_signals_outcome import _audit
from .test_signals_report import EXAMPLE_ROWS

# two more people redirected with the password question Acme answered in public (row 32)
MORE_ROWS = EXAMPLE_ROWS + [
    (60, "160", True, 1500, "@Acme how do I reset the password of my Acme account please", None, "question", 0.0),
    (61, "Acme", False, 1503, "@160 please DM us", 60, "redirect", 0.0),
    (62, "161", True, 1600, "@Acme how can I reset the password of my Acme app", None, "question", 0.0),
    (63, "Acme", False, 1604, "@161 please DM us", 62, "redirect", 0.0),
]


def test_redirects_matching_one_answer_are_one_row_with_the_answers_date(twcs):
    result, signals = _audit(twcs, MORE_ROWS)
    result.signals = signals
    examples = report_context(result)["signals"]["examples"]
    similar = [e["similar"] for e in examples]
    assert len(similar) == len(set(similar)), similar  # one row per answered request
    row = next(e for e in examples if e["similar"].startswith("@Acme how do I reset the password of my Acme app account?"))
    assert row["more"] == 2
    assert re.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4}", row["similar_requested"])
    page = build_report_html(result)
    table = re.search(r'<table class="worst" id="redirect-examples">(.*?)</table>', page, re.S)[1]
    assert row["similar_requested"] in table
    assert "and 2 more redirected requests like it" in table
