"""Untrusted text in the terminal scorecard: brand handles, file names and rejection reasons from an
archive are printed with their control characters made visible (an ESC would recolour or clear the
user's terminal, a bidi override would reorder the line), and never read as Rich markup."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEADER = "id,conversation_id,parent_id,author,author_role,brand,created_at,text\n"
CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env,
                          timeout=300, encoding="utf-8")


def test_control_characters_are_shown_escaped(tmp_path: Path):
    archive = tmp_path / "esc\x07.csv"
    archive.write_text(
        HEADER
        + "c1,,,u1,customer,Acme\x1b[31m,2024-03-04T08:00:00Z,@Acme help\n"
        + "r1,,c1,Acme\x1b[31m,brand,Acme\x1b[31m,2024-03-04T08:10:00Z,done\n"
        + "c2,,,u2,customer,Bad\u202eco,2024-03-04T09:00:00Z,@Badco hi\n"
        + "c3,,,u3,customer,[red]Zed[/red]\x9b2J,2024-03-04T09:30:00Z,@Zed hi\n"
        + "c4,,,u4,customer,Acme,2024-03\x1b[2J,bad date\n",
        encoding="utf-8")
    report = tmp_path / "r\x1b]0;title\x07.html"
    proc = run("audit", str(archive), "--no-signals", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for c in CONTROLS:
        assert c not in out, f"{c!r} reached the terminal"
    assert "Acme\\x1b[31m" in out
    assert "Bad\\u202eco" in out
    assert "[red]Zed[/red]\\x9b2J" in out  # literally: not Rich markup
    rejection = next(line for line in out.splitlines() if ":6:" in line)
    assert "esc\\x07.csv:6:" in rejection
    assert "report written:" in out and "r\\x1b]0;title\\x07.html" in out
