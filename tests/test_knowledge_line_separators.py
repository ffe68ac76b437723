"""A resource whose text holds U+2028, U+0085 or \\x1c is saved and read back whole (the store split its
file with str.splitlines(), which breaks lines there too, and could not be read again)."""

from __future__ import annotations

import json
import subprocess
import sys


def helpfirst(*args, cwd):
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_line_separators_inside_a_title_survive_a_save(tmp_path):
    title = "Reset\u2028your\u0085pass\x1cword"
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "brand": "Acme", "url": "https://help.acme.com/r", "title": title}) + "\n")
    (tmp_path / "s.jsonl").write_text(json.dumps({"id": "r2", "brand": "Acme", "url": "https://help.acme.com/s", "title": "Shipping"}) + "\n")
    assert helpfirst("kb", "add", "r.jsonl", "--kb", "kb", cwd=tmp_path).returncode == 0
    second = helpfirst("kb", "add", "s.jsonl", "--kb", "kb", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    listed = helpfirst("kb", "list", "--kb", "kb", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    titles = sorted(json.loads(line)["title"] for line in listed.stdout.split("\n") if line.strip())
    assert titles == sorted([title, "Shipping"])
