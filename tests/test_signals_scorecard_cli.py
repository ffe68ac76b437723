"""`helpfirst audit` with its signals, as a user runs it: real processes, the real fast model, real files.

- a hand-built thread file whose every post the fast model reads as intended, so each outcome and
  figure is known exactly;
- a generated archive and the real TWCS rows of ../shared/data, where the figures must add up;
- `--no-signals` keeps the core scorecard exactly; bad `--model` values fail in one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpfirst.signals import classify_posts

from .conftest import write_twcs
from .test_cli import assert_one_line_error, run

OUTCOMES = ["resolved", "redirected", "unresolved", "abandoned", "unanswered", "unconfirmed"]

# (tweet id, author, inbound, minutes, text, parent)
HAND = [
    # resolved: problem -> solution -> thanks
    (1, "101", True, 0, "@AcmeHelp my internet has been down since this morning, nothing loads. Please fix it!", None),
    (2, "AcmeHelp", False, 12, "@101 Sorry about that! Restart your router: unplug it for 30 seconds and plug it back in. "
     "Guide: https://acme.example/help/router-restart", 1),
    (3, "101", True, 30, "@AcmeHelp that worked, thank you so much!", 2),
    # redirected: problem -> DM us -> DM sent
    (4, "102", True, 100, "@AcmeHelp I was charged twice for my bill this month", None),
    (5, "AcmeHelp", False, 105, "@102 We're sorry to hear this. Please send us a DM with your account number so we can look into it.", 4),
    (6, "102", True, 110, "@AcmeHelp just sent you a DM", 5),
    # unresolved: problem -> solution -> still broken
    (7, "103", True, 200, "@AcmeHelp the app crashes every time I open it", None),
    (8, "AcmeHelp", False, 260, "@103 Please update the app to version 5.2 from the app store, that fixes the crash.", 7),
    (9, "103", True, 300, "@AcmeHelp updated it and it still crashes. This is ridiculous", 8),
    # abandoned: the brand asks, the person never answers
    (10, "104", True, 400, "@AcmeHelp where is my order? It was supposed to arrive yesterday", None),
    (11, "AcmeHelp", False, 402, "@104 We'd like to help. What's your order number?", 10),
    # unanswered: only the auto-responder replied
    (12, "105", True, 500, "@AcmeHelp my card was charged but the payment failed, help", None),
    (13, "AcmeBot", False, 501, "@105 Thanks for your message! An agent will reply soon.", 12),
    # unconfirmed: answered, never heard back
    (14, "106", True, 600, "@AcmeHelp how do I change my password?", None),
    (15, "AcmeHelp", False, 700, "@106 Go to Settings > Account > Password and tap Change password.", 14),
    # not a help request
    (16, "107", True, 800, "@AcmeHelp love the new store design, great job!", None),
    (17, "AcmeHelp", False, 805, "@107 Thank you so much, we're glad you like it!", 16),
]


def audit_json(*args: str) -> dict:
    proc = run("audit", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_adds_up(doc: dict) -> None:
    """The invariants of docs/metrics.md ("Signals scorecard") for every brand and the totals."""
    assert doc["signals"]["posts_classified"] == doc["threads"]["posts"]
    assert doc["signals"]["conversations_judged"] == doc["totals"]["conversations"]
    for name, b in [*doc["brands"].items(), ("totals", doc["totals"])]:
        assert 0 <= b["help_requests"] <= b["conversations"], name
        assert 0 <= b["help_answered"] <= min(b["help_requests"], b["answered"]), name
        assert sum(b["outcome_counts"].values()) == b["help_requests"], name
        assert set(b["outcomes"]) == set(OUTCOMES) == set(b["outcome_counts"]), name
        if b["help_requests"]:
            assert sum(b["outcomes"].values()) == pytest.approx(1.0), name
            assert b["help_coverage"] == pytest.approx(b["help_answered"] / b["help_requests"]), name
        assert b["outcome_counts"]["unanswered"] == b["help_requests"] - b["help_answered"], name
        assert sum(b["first_reply_kinds"].values()) == b["help_answered"], name
        assert b["solved"] <= b["help_answered"], name
        if b["help_answered"]:
            assert b["substance"] == pytest.approx(b["first_reply_kinds"]["solution"] / b["help_answered"]), name
        assert 0.0 <= b["help_within_target"] <= b["help_coverage"] + 1e-12, name
        if b["solved"]:
            assert b["time_to_solution_median_min"] >= 0 and b["time_to_solution_p90_min"] >= b["time_to_solution_median_min"]
        assert b["sentiment_shift_n"] <= b["help_requests"], name
        if b["sentiment_shift_mean"] is not None:
            assert -2.0 <= b["sentiment_shift_mean"] <= 2.0, name
    for key in ("help_requests", "help_answered", "solved", "sentiment_shift_n"):
        assert doc["totals"][key] == sum(b[key] for b in doc["brands"].values()), key
    for outcome in OUTCOMES:
        assert doc["totals"]["outcome_counts"][outcome] == sum(b["outcome_counts"][outcome] for b in doc["brands"].values())


def test_hand_built_threads_give_the_known_outcomes_and_figures(tmp_path):
    path = write_twcs(tmp_path / "hand.csv", HAND)
    doc = audit_json(str(path), "--bot", "AcmeBot")
    acme = doc["brands"]["AcmeHelp"]
    assert (acme["conversations"], acme["help_requests"], acme["help_answered"]) == (7, 6, 5)
    assert acme["outcome_counts"] == {o: 1 for o in OUTCOMES}
    assert acme["outcomes"]["resolved"] == pytest.approx(1 / 6)
    assert acme["first_reply_kinds"] == {"solution": 3, "redirect": 1, "clarify": 1, "acknowledge": 0, "other": 0}
    assert acme["substance"] == pytest.approx(3 / 5)
    assert acme["help_frt_median_min"] == pytest.approx(12.0)  # 2, 5, 12, 60, 100
    assert acme["help_frt_p90_min"] == pytest.approx(60 + 0.6 * 40)
    assert acme["help_within_target"] == pytest.approx(3 / 6)
    assert acme["help_coverage"] == pytest.approx(5 / 6)
    assert acme["solved"] == 3
    assert acme["time_to_solution_median_min"] == pytest.approx(60.0)  # 12, 60, 100
    assert acme["time_to_solution_p90_min"] == pytest.approx(60 + 0.8 * 40)
    # the shift of the three people who wrote again, from the same sentiment signal
    texts = {r[0]: r[4] for r in HAND}
    s = dict(zip(texts, classify_posts(list(texts.values()), ["customer"] * len(texts), signals=["sentiment"])
                 .column("sentiment").to_pylist(), strict=True))
    shifts = [s[3] - s[1], s[6] - s[4], s[9] - s[7]]
    assert acme["sentiment_shift_n"] == 3
    assert acme["sentiment_shift_mean"] == pytest.approx(sum(shifts) / 3, abs=1e-6)
    assert doc["totals"]["help_requests"] == 6
    assert doc["signals"]["model"] == "fast"
    assert_adds_up(doc)


def test_hand_built_threads_in_the_terminal(tmp_path):
    path = write_twcs(tmp_path / "hand.csv", HAND)
    proc = run("audit", str(path), "--bot", "AcmeBot")
    assert proc.returncode == 0, proc.stderr
    assert all(line.count("AcmeHelp") == 1 for line in proc.stdout.splitlines() if "AcmeHe" in line)  # never cut
    env = {**os.environ, "COLUMNS": "160"}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--bot", "AcmeBot"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Help requests" in proc.stdout and "How help requests ended" in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if "AcmeHelp" in line]
    cells = [c.strip() for c in rows[1].split("│")[1:-1]]  # the help-requests table
    assert cells == ["AcmeHelp", "6", "83.3%", "12.0m", "50.0%", "60.0%", "60.0m"]
    cells = [c.strip() for c in rows[2].split("│")[1:-1]]  # the outcome table
    assert cells[:7] == ["AcmeHelp"] + ["16.7%"] * 6
    # the legend says what the unit is: "60.0m" is minutes, "8.3h" hours
    legend = " ".join(proc.stdout.split())
    assert "median minutes" not in legend
    assert "time to solution = median time from the request to the first solution reply (m = minutes, h = hours, d = days)" in legend


def test_no_signals_keeps_the_core_scorecard(tmp_path):
    path = write_twcs(tmp_path / "hand.csv", HAND)
    with_signals = audit_json(str(path), "--bot", "AcmeBot")
    core = audit_json(str(path), "--bot", "AcmeBot", "--no-signals")
    assert core["signals"] is None
    assert "help_requests" not in core["totals"] and "outcomes" not in core["brands"]["AcmeHelp"]
    for name, figures in core["brands"].items():
        for key, value in figures.items():
            assert with_signals["brands"][name][key] == value, (name, key)
    assert {k: with_signals["totals"][k] for k in core["totals"]} == core["totals"]
    proc = run("audit", str(path), "--no-signals")
    assert proc.returncode == 0 and "How help requests ended" not in proc.stdout


def test_generated_archive_adds_up(tmp_path):
    path = tmp_path / "synth.csv"
    assert run("synth", "--posts", "4000", "--out", str(path), "--seed", "3").returncode == 0
    doc = audit_json(str(path), "--business-hours", "Mon-Fri 09:00-17:00 UTC")
    assert doc["totals"]["help_requests"] > 0.5 * doc["totals"]["conversations"]
    assert doc["totals"]["help_answered"] > 0
    assert "help_frt_business_median_min" in doc["totals"]
    assert_adds_up(doc)
    # synth writes redirects, solutions, thanks and unanswered requests: each shows up
    for outcome in ("resolved", "redirected", "unanswered"):
        assert doc["totals"]["outcome_counts"][outcome] > 0, outcome


def test_real_twcs_rows_add_up(shared_data, tmp_path):
    report = tmp_path / "head5k.html"
    doc = audit_json(str(shared_data / "twcs-head5k" / "twcs-head5k.csv"), str(shared_data / "twcs-sample" / "sample.csv"),
                     "--report", str(report))
    assert_adds_up(doc)
    totals = doc["totals"]
    assert totals["help_requests"] > 0.6 * totals["conversations"]  # TWCS: mostly questions and problems
    assert totals["outcome_counts"]["redirected"] > totals["outcome_counts"]["resolved"] > 0  # as in the labelled threads
    html = report.read_text(encoding="utf-8")
    assert 'id="signals"' in html and 'data-chart="outcomes"' in html


def test_bad_model_is_one_line(tmp_path):
    path = write_twcs(tmp_path / "hand.csv", HAND)
    assert_one_line_error(run("audit", str(path), "--model", "nope"), "--model nope")
