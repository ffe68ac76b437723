"""Review 3: `suggest --history -` lost the t.co expansions of an X API export: the expansions pass looked up the copy of
standard input under '-' (ingest.source_file), where it is stored under '<stdin>', and read a file named '-' instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def page(n: int, short_links: bool = True) -> dict:
    """An X API v2 page: n customer questions about cancelling, each answered by Acme with a link to the help page
    (a t.co link with its expansion, or with short_links False the help page's own URL)."""
    tweets, users = [], [{"id": "1", "username": "Acme"}]
    for i in range(n):
        q, a = str(1000 + 2 * i), str(1001 + 2 * i)
        users.append({"id": str(100 + i), "username": f"user{i}"})
        tweets.append({"id": q, "text": "@Acme how do I cancel my subscription", "author_id": str(100 + i),
                       "created_at": f"2024-03-01T09:{i:02d}:00.000Z", "conversation_id": q})
        reply = {"id": a, "author_id": "1", "created_at": f"2024-03-01T10:{i:02d}:00.000Z", "conversation_id": q,
                 "referenced_tweets": [{"type": "replied_to", "id": q}]}
        if short_links:
            reply["text"] = f"@user{i} Here: https://t.co/s{i}"
            reply["entities"] = {"urls": [{"url": f"https://t.co/s{i}", "expanded_url": "https://help.acme.com/cancel"}]}
        else:
            reply["text"] = f"@user{i} Here: https://help.acme.com/cancel"
        tweets.append(reply)
    return {"data": tweets, "includes": {"users": users}}


def suggest(tmp_path: Path, history: str, name: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "c1", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/cancel",
                              "title": "Cancel your subscription", "body": "Open Account, then Cancel."}) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I cancel"}]}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", "suggest", "--kb", str(kb), "--history", history, "--brand", "Acme",
                           "--input", str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / name)],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)


def learned(proc: subprocess.CompletedProcess) -> tuple[list[str], dict]:
    assert proc.returncode == 0, proc.stderr
    lines = [line.replace("<stdin>", "HISTORY").replace("page.jsonl", "HISTORY") for line in proc.stderr.splitlines()
             if "learned" in line or "short link" in line]
    return lines, json.loads(proc.stdout.splitlines()[0])["suggestions"][0]


def test_history_from_standard_input_expands_short_links_as_a_file_does(tmp_path):
    text = json.dumps(page(4)) + "\n"
    (tmp_path / "page.jsonl").write_text(text)
    from_file = learned(suggest(tmp_path, str(tmp_path / "page.jsonl"), "ix1"))
    assert any("learned 4 linked cases" in line for line in from_file[0]), from_file
    from_stdin = learned(suggest(tmp_path, "-", "ix2", stdin=text))
    assert from_stdin == from_file
    assert from_stdin[1]["reason"].startswith("linked 4× before"), from_stdin[1]
