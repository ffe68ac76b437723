"""`helpfirst suggest --history` reads a named pipe once (the importer spools it); the short-link
expansions pass used to open the pipe a second time and hang for ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

POSTS = [
    {"id": "1", "conversation_id": "1", "author": "kim", "author_role": "customer",
     "created_at": "2024-02-01T09:00:00Z", "text": "@AcmeHelp how do I reset my password?"},
    {"id": "2", "conversation_id": "1", "parent_id": "1", "author": "AcmeHelp", "author_role": "brand",
     "created_at": "2024-02-01T09:05:00Z", "text": "@kim here's how: https://help.acme.com/reset"},
]


def test_history_from_a_named_pipe(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "reset", "brand": "AcmeHelp", "kind": "article", "url": "https://help.acme.com/reset",
                              "title": "Reset your password", "body": "", "tags": []}) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q1", "brand": "AcmeHelp", "posts": [
        {"role": "customer", "text": "I forgot my password, how to reset?", "created_at": "2024-03-01T10:00:00Z"}]}) + "\n")
    fifo = tmp_path / "history.jsonl"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as fh:
            fh.write("".join(json.dumps(p) + "\n" for p in POSTS))

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    run = subprocess.run(
        [sys.executable, "-m", "helpfirst", "suggest", "--kb", str(kb), "--history", str(fifo), "--input", str(queries),
         "--json", "--semantic", "off", "--index", str(tmp_path / "idx")],
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    line = json.loads(run.stdout.splitlines()[0])
    assert line["suggestions"][0]["resource_id"] == "reset"
    assert line["suggestions"][0]["reason"].startswith("linked once before"), line  # learned from the piped history


def test_standard_input_given_to_two_inputs_is_refused(tmp_path):
    """suggest --history - --input - (or eval suggest --kb - --history -) would let the first reader take
    all of standard input and the other read nothing: refused with one line, status 2."""
    import subprocess
    import sys

    for args in (["suggest", "--kb", "kb", "--history", "-", "--input", "-"],
                 ["suggest", "--kb", "kb", "--history", "/dev/stdin", "--history", "-", "--input", "q.jsonl"],
                 ["eval", "suggest", "--kb", "-", "--history", "-"]):
        run = subprocess.run([sys.executable, "-m", "helpfirst", *args], input="id,text\n1,hello\n",
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert run.returncode == 2, (args, run.stderr)
        assert "standard input is given 2 times" in run.stderr and "read only once" in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
