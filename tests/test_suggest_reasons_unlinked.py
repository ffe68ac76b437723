"""Reasons of past replies say how well they match (and how often they were sent); a resource without a
link drafts its own text."""

from __future__ import annotations

from .test_suggest_answers_scale import _suggest
from .test_suggest_cli import run, suggest_lines, write_jsonl
from .test_suggest_draft_links import KB, QUERY


def test_a_close_past_reply_solved_a_similar_problem_and_says_how_often_it_was_sent(tmp_path):
    out = _suggest(tmp_path, "@Acme where is my invoice for last month", 10)
    assert out["suggestions"][0]["reason"] == (
        "a past reply that solved a similar problem (“@Acme where is my invoice for last month”); sent 9× before")


def test_a_weak_past_reply_names_the_words_it_shares(tmp_path):
    out = _suggest(tmp_path, "I forgot my password and cannot log in since last month", 10)
    replies = [s for s in out["suggestions"] if s["resource_id"].startswith("reply:")]
    assert replies and replies[0]["reason"] == (
        "a past reply to another problem (“@Acme where is my invoice for last month”) that shares last, month "
        "with this one; sent 9× before")


def test_a_resource_without_a_link_drafts_its_own_text(tmp_path):
    kb = write_jsonl(tmp_path / "kb.jsonl", [{**KB[0], "body": "Invoices are issued on the first of the month."}, KB[1]])
    q = write_jsonl(tmp_path / "q.jsonl", [QUERY])
    out = suggest_lines(run("suggest", "--kb", str(kb), "--input", str(q), "--k", "1", "--json", "--semantic", "off",
                            "--index", str(tmp_path / "ix")))[0]
    assert out["draft"] == "@fred Here's the answer: Invoices are issued on the first of the month. Let us know if it works for you!"
