"""kb list / kb search / suggest text output show bidi overrides as escapes (a title 'Reset \\u202egnp.exe'
would otherwise be shown reversed, as 'exe.png'), as the audit's terminal output does."""

from __future__ import annotations

import json
import subprocess
import sys


def helpfirst(*args, cwd):
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_bidi_overrides_are_escaped_in_text_output(tmp_path):
    title = "Reset \u202egnp.exe\u202c password"
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "brand": "Acme", "url": "https://help.acme.com/r", "title": title}) + "\n")
    (tmp_path / "q.jsonl").write_text(json.dumps({"id": "q\u202e1", "brand": "Acme", "posts": [{"text": "reset my password"}]}) + "\n")
    assert helpfirst("kb", "add", "r.jsonl", "--kb", "kb", cwd=tmp_path).returncode == 0
    runs = [helpfirst("kb", "list", "--kb", "kb", cwd=tmp_path),
            helpfirst("kb", "search", "password", "--kb", "kb", cwd=tmp_path),
            helpfirst("suggest", "--kb", "kb", "--input", "q.jsonl", "--semantic", "off", "--index", "idx", cwd=tmp_path)]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "\u202e" not in run.stdout and "\\u202e" in run.stdout, run.stdout
