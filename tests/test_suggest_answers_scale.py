"""Reusable answers (past replies) are scored by how well they match in absolute terms, and merged by text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.test_suggest_cli import run, suggest_lines, write_jsonl

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
KB = [
    {"id": "reset", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/reset", "title": "Reset your password",
     "body": "Forgot your password? Reset it from the login page."},
    {"id": "cancel", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/cancel", "title": "Cancel your subscription", "body": ""},
    {"id": "smoke", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/smoke", "title": "No smoking near the router", "body": ""},
]
INVOICE = "Invoices are under Account > Billing > Invoices, you can download the PDF there."


def _history() -> list[dict]:
    rows = []

    def conv(k: int, turns: list[tuple[str, str]]) -> None:
        parent = None
        for i, (role, text) in enumerate(turns):
            pid = f"c{k}-{i}"
            rows.append({"id": pid, "conversation_id": f"c{k}", "parent_id": parent, "author": "Acme" if role == "brand" else f"cust{k}",
                         "author_role": role, "brand": "Acme", "created_at": (T0 + timedelta(hours=k, minutes=5 * i)).isoformat(), "text": text})
            parent = pid

    for k in range(12):
        conv(k, [("customer", "@Acme I forgot my password and can't log in"), ("brand", f"@cust{k} This should help: https://help.acme.com/reset")])
    for k in range(12, 21):  # the same reply, sent nine times
        conv(k, [("customer", "@Acme where is my invoice for last month"), ("brand", f"@cust{k} {INVOICE}"), ("customer", "@Acme thanks, that worked!")])
    conv(30, [("customer", "@Acme my toaster is smoking"), ("brand", "@cust30 Please unplug the toaster right away, we will replace it."),
              ("customer", "@Acme thanks, that worked!")])
    return rows


def _suggest(tmp_path, text: str, k: int) -> dict:
    kb = write_jsonl(tmp_path / "kb.jsonl", KB)
    hist = write_jsonl(tmp_path / "hist.jsonl", _history())
    q = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": text, "author": "kim"}]}])
    return suggest_lines(run("suggest", "--kb", str(kb), "--history", str(hist), "--input", str(q), "--k", str(k), "--json",
                             "--semantic", "off", "--index", str(tmp_path / "ix")))[0]


def test_a_reply_sharing_two_words_does_not_tie_the_best_resource(tmp_path):
    out = _suggest(tmp_path, "I forgot my password and cannot log in since last month", 4)
    top, rest = out["suggestions"][0], out["suggestions"][1:]
    assert top["resource_id"] == "reset"
    replies = [s for s in rest if s["resource_id"].startswith("reply:")]
    # before: three copies of the invoice reply, each exactly the reset article's score
    assert all(s["score"] < 0.5 * top["score"] for s in replies), out


def test_the_reply_that_solved_this_very_problem_beats_a_weak_resource(tmp_path):
    out = _suggest(tmp_path, "my toaster is smoking", 3)
    # before: the router article matching only "smoking" tied the past answer and won the tie
    assert out["suggestions"][0]["resource_id"] == "reply:c30-1", out
    assert out["suggestions"][0]["score"] > out["suggestions"][1]["score"]
    assert out["draft"] == "@kim Please unplug the toaster right away, we will replace it."


def test_identical_replies_are_one_suggestion(tmp_path):
    out = _suggest(tmp_path, "@Acme where is my invoice for last month", 10)
    replies = [s for s in out["suggestions"] if s["resource_id"].startswith("reply:")]
    # before: nine suggestions, one per copy of the same reply
    assert len(replies) == 1, out
    assert out["suggestions"][0] == replies[0]
    assert out["draft"] == f"@kim {INVOICE}"


def test_distinct_replies_are_found_past_many_copies_of_one(tmp_path):
    rows = _history()
    for k in range(40, 60):  # 20 more copies of the invoice reply, then one other reply about invoices
        rows += [{"id": f"c{k}-0", "conversation_id": f"c{k}", "author": f"cust{k}", "author_role": "customer", "brand": "Acme",
                  "created_at": (T0 + timedelta(days=3, hours=k)).isoformat(), "text": "@Acme where is my invoice for last month"},
                 {"id": f"c{k}-1", "conversation_id": f"c{k}", "parent_id": f"c{k}-0", "author": "Acme", "author_role": "brand", "brand": "Acme",
                  "created_at": (T0 + timedelta(days=3, hours=k, minutes=5)).isoformat(), "text": f"@cust{k} {INVOICE}"},
                 {"id": f"c{k}-2", "conversation_id": f"c{k}", "parent_id": f"c{k}-1", "author": f"cust{k}", "author_role": "customer",
                  "brand": "Acme", "created_at": (T0 + timedelta(days=3, hours=k, minutes=9)).isoformat(), "text": "@Acme thanks, that worked!"}]
    rows += [{"id": "d-0", "conversation_id": "d", "author": "dee", "author_role": "customer", "brand": "Acme",
              "created_at": (T0 + timedelta(days=9)).isoformat(), "text": "@Acme my invoice shows the wrong month"},
             {"id": "d-1", "conversation_id": "d", "parent_id": "d-0", "author": "Acme", "author_role": "brand", "brand": "Acme",
              "created_at": (T0 + timedelta(days=9, minutes=5)).isoformat(), "text": "@dee We corrected the month on your invoice."},
             {"id": "d-2", "conversation_id": "d", "parent_id": "d-1", "author": "dee", "author_role": "customer", "brand": "Acme",
              "created_at": (T0 + timedelta(days=9, minutes=9)).isoformat(), "text": "@Acme thanks, that worked!"}]
    kb = write_jsonl(tmp_path / "kb.jsonl", KB[1:])
    hist = write_jsonl(tmp_path / "hist.jsonl", rows)
    q = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "where is my invoice for last month"}]}])
    out = suggest_lines(run("suggest", "--kb", str(kb), "--history", str(hist), "--input", str(q), "--k", "3", "--json",
                            "--semantic", "off", "--index", str(tmp_path / "ix")))[0]
    # 29 copies outrank the other reply: more than the 8 × k candidates looked at first
    assert [s["resource_id"] for s in out["suggestions"] if s["resource_id"].startswith("reply:")] == ["reply:c12-1", "reply:d-1"], out
