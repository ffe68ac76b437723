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


def test_messages_show_escape_sequences_from_brands_and_file_names(tmp_path):
    """Errors and notes on standard error (unknown brand, rejected file) carry brands and file names from
    the inputs: their ESC and bidi characters are shown as escapes, never sent to the terminal."""
    brand = "Acme\x1b[2J\x1b[31m[bold red]X\u202e"
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "brand": brand, "url": "https://help.acme.com/r", "title": "Reset"}) + "\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "evil\x1b]0;PWNED\a.txt").write_text("not a resource")
    (tmp_path / "q.jsonl").write_text(json.dumps({"id": "q1", "brand": "Nope\x1b[2J", "posts": [{"text": "reset"}]}) + "\n")
    assert helpfirst("kb", "add", "r.jsonl", "--kb", "kb", cwd=tmp_path).returncode == 0
    runs = [helpfirst("kb", "list", "--kb", "kb", "--brand", "Nope", cwd=tmp_path),
            helpfirst("kb", "add", "docs", "--kb", "kb2", "--brand", "Acme", cwd=tmp_path),
            helpfirst("suggest", "--kb", "kb", "--input", "q.jsonl", "--semantic", "off", "--index", "idx", cwd=tmp_path)]
    for run in runs:
        assert "\x1b" not in run.stderr and "\u202e" not in run.stderr and "\a" not in run.stderr, run.stderr
    assert "Acme\\x1b[2J" in runs[0].stderr and "\\u202e" in runs[0].stderr, runs[0].stderr
    assert "evil\\x1b]0;PWNED\\x07.txt" in runs[1].stderr, runs[1].stderr
    assert "\\x1b[2J" in runs[2].stderr, runs[2].stderr
