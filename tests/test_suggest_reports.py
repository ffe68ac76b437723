"""Fixer round: suggest / eval suggest report the same input problems on every run, the backtest scores
what suggest shows, short links expand from any X API layout, help-centre links on social hosts are learned."""

from __future__ import annotations

import json

from tests.test_suggest_cli import files, history_rows, run, suggest_lines, write_jsonl  # noqa: F401  (files: fixture)

QUERY = {"id": "q1", "brand": "Acme", "customer": "dana", "posts": [{"role": "customer", "text": "my wifi keeps dropping on the router"}]}


def _summary(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("1 queries read")]


def test_a_cached_suggest_run_reports_the_same_missing_files_rejections_and_counts(files):
    folder, kb, history = files
    rows = history_rows()
    write_jsonl(history, rows + [rows[0]])   # one duplicate id: one rejection
    queries = write_jsonl(folder / "q.jsonl", [QUERY])
    args = ("suggest", "--kb", str(kb), "--kb", str(folder / "nope.jsonl"), "--history", str(history),
            "--history", str(folder / "nohist.jsonl"), "--input", str(queries), "--json", "--semantic", "off")
    env = {"HELPFIRST_CACHE": str(folder / "cache")}
    first, second = run(*args, env=env), run(*args, env=env)
    suggest_lines(first), suggest_lines(second)
    assert "nope.jsonl" in first.stderr and "nohist.jsonl" in first.stderr and "1 rejected; learned" in first.stderr
    assert "index: reused" not in first.stderr and "index: reused" in second.stderr
    assert [x for x in _summary(second.stderr) if not x.startswith("index: reused")] == _summary(first.stderr)
