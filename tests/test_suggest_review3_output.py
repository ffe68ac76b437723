"""suggest and kb text output after a third review: untrusted text never reaches the terminal as control sequences."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)] if chr(c) not in "\n"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300,
                          encoding="utf-8", env={**os.environ, "HF_HUB_OFFLINE": "1"})


def test_text_output_escapes_control_characters(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "r\x1b[1m", "brand": "Acme\x1b]0;pwned\x07", "kind": "article", "url": "https://help.acme.com/router",
                              "title": "Router \x1b[2J reset \x9b31m guide", "body": "reset the router when wifi drops"}) + "\n",
                  encoding="utf-8")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q\x1b[31mRED\nline\r", "brand": "Acme\x1b]0;pwned\x07",
                                   "posts": [{"text": "my wifi drops, router reset?"}]}) + "\n", encoding="utf-8")
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--semantic", "off", "--index", str(tmp_path / "index"))
    assert proc.returncode == 0, proc.stderr
    assert not any(c in proc.stdout.replace("\n", "") for c in CONTROLS), repr(proc.stdout)
    lines = proc.stdout.splitlines()
    assert lines[0] == "q\\x1b[31mRED\\nline\\r"
    draft = next(line for line in lines if line.startswith("  draft: "))
    assert "Router \\x1b[2J reset \\x9b31m guide https://help.acme.com/router" in draft
    # --json keeps the text as it is (JSON escapes it)
    doc = json.loads(run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off",
                         "--index", str(tmp_path / "index")).stdout)
    assert doc["id"] == "q\x1b[31mRED\nline\r" and "Router \x1b[2J reset \x9b31m guide" in doc["draft"]

    store = tmp_path / "store"
    assert run("kb", "add", str(kb), "--kb", str(store)).returncode == 0
    for args in (("kb", "list", "--kb", str(store)), ("kb", "search", "router reset", "--kb", str(store))):
        proc = run(*args)
        assert proc.returncode == 0, proc.stderr
        assert not any(c in proc.stdout.replace("\n", "") for c in CONTROLS), repr(proc.stdout)
        assert "Router \\x1b[2J reset \\x9b31m guide" in proc.stdout and "Acme\\x1b]0;pwned\\x07" in proc.stdout
