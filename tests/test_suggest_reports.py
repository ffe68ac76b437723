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


def _answer_heavy_history(folder):
    """Training: 12 solved replies without a link about double charges (past answers) and linked refunds;
    test: later double-charge requests answered with the refunds page."""
    from datetime import timedelta

    from tests.test_suggest_cli import T0

    rows, minute = [], 0

    def conv(cid, turns):
        nonlocal minute
        parent = None
        for i, (role, author, text) in enumerate(turns):
            pid = f"{cid}-{i}"
            rows.append({"id": pid, "conversation_id": cid, "parent_id": parent, "author": author, "author_role": role,
                         "brand": "Acme", "created_at": (T0 + timedelta(minutes=minute)).isoformat(), "text": text, "channel": "x"})
            parent, minute = pid, minute + 5

    for n in range(12):
        conv(f"a{n}", [("customer", f"u{n}", f"@Acme I was charged twice on my card for order {n}, double charge"),
                       ("brand", "Acme", f"@u{n} Sorry about the double charge on your card, variant {n}: we reversed it"),
                       ("customer", f"u{n}", "@Acme thanks, that fixed it")])
    for n in range(8):
        conv(f"l{n}", [("customer", f"v{n}", "@Acme charged twice on my card, double charge"),
                       ("brand", "Acme", f"@v{n} See https://help.acme.com/refunds")])
    return write_jsonl(folder / "answers.jsonl", rows)


def test_eval_suggest_ranks_resources_only_so_past_replies_never_take_their_places(files):
    folder, kb, _history = files
    history = _answer_heavy_history(folder)
    proc = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--split", "0.5", "--json", "--semantic", "off")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # what suggest shows for such a request puts the past replies first; the backtest still finds the page
    assert doc["metrics"]["n"] == 4 and doc["metrics"]["recall@1"] == 1.0, doc
