"""The CLI refuses a field mapped twice, and prints an error line's file name with its control
characters made visible (a name can hold an escape sequence that would recolour the terminal)."""

from __future__ import annotations

import subprocess
import sys


def helpfirst(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_a_field_mapped_twice_is_an_error(tmp_path):
    (tmp_path / "m.csv").write_text("id,created_at,body,msg\n1,2024-02-01T09:00:00Z,a,b\n")
    (tmp_path / "kb.jsonl").write_text('{"id": "r", "brand": "Acme", "url": "https://help.acme.com/r", "title": "Reset"}\n')
    (tmp_path / "q.jsonl").write_text('{"id": "q", "brand": "Acme", "posts": [{"text": "reset?"}]}\n')
    for command in (["audit", "m.csv", "--format", "csv"],
                    ["suggest", "--kb", "kb.jsonl", "--history", "m.csv", "--input", "q.jsonl", "--history-format", "csv"]):
        run = helpfirst(*command, "--map", "text=body", "--map", "text=msg", cwd=tmp_path)
        assert run.returncode == 1, run.stderr
        assert "--map 'text=msg': text is already mapped (--map 'text=body')" in run.stderr, run.stderr


def test_error_lines_show_control_characters_as_escapes(tmp_path):
    name = "bad\x1b[31mname.csv"
    (tmp_path / name).write_text("x")
    run = helpfirst("audit", name, cwd=tmp_path)
    assert run.returncode == 1
    assert "\x1b" not in run.stderr
    assert "bad\\x1b[31mname.csv: could not recognise the format" in run.stderr, run.stderr
