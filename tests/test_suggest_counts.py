"""A query that nothing matches is counted apart from the answered ones, with a line saying so; it is a valid
answer (exit status 0 even when it is the only query)."""

from __future__ import annotations

from .test_suggest_cli import run, suggest_lines, write_jsonl


def test_a_query_nothing_matches_is_counted_apart(tmp_path):
    kb = write_jsonl(tmp_path / "kb.jsonl", [{"id": "r1", "brand": "Acme", "url": "https://help.acme.com/reset", "title": "Reset your password"}])
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "zzqx wvvy"}]},
        {"id": "q2", "brand": "Acme", "posts": [{"role": "customer", "text": "I need to reset my password"}]},
    ])
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / "ix"))
    assert proc.returncode == 0, proc.stderr
    out = suggest_lines(proc)
    assert [len(o["suggestions"]) for o in out] == [0, 1]
    assert f"no match: {queries}:1: nothing in the knowledge base or the history matches this request" in proc.stderr
    assert "2 queries read: 1 answered, 1 matched nothing, 0 without suggestions, 0 rejected" in proc.stderr
    only = write_jsonl(tmp_path / "only.jsonl", [{"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "zzqx"}]}])
    alone = run("suggest", "--kb", str(kb), "--input", str(only), "--json", "--semantic", "off", "--index", str(tmp_path / "ix"))
    assert alone.returncode == 0, alone.stderr
