"""An empty input file is named as such ('PATH: the file is empty'), as audit and kb add say it:
suggest --input (before any index is built), and classify."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def helpfirst(*args: object, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd, input=stdin)


def kb_file(tmp_path: Path) -> Path:
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "a", "brand": "Acme", "url": "https://help.acme.com/reset",
                              "title": "Reset your password"}) + "\n")
    return kb


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def test_suggest_names_an_empty_queries_file(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    proc = helpfirst("suggest", "--kb", kb_file(tmp_path), "--input", empty, "--index", tmp_path / "ix", cwd=tmp_path)
    assert error_lines(proc) == [f"error: {empty}: the file is empty"]
    assert proc.stdout == ""


def test_suggest_names_empty_standard_input(tmp_path: Path):
    proc = helpfirst("suggest", "--kb", kb_file(tmp_path), "--input", "-", "--index", tmp_path / "ix", cwd=tmp_path)
    assert error_lines(proc) == ["error: <stdin>: the file is empty"]


def test_suggest_with_blank_lines_only_says_so_after_its_count(tmp_path: Path):
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n\n")
    proc = helpfirst("suggest", "--kb", kb_file(tmp_path), "--input", blank, "--index", tmp_path / "ix", cwd=tmp_path)
    assert error_lines(proc) == [f"error: {blank}: the file is empty"]
    assert "0 queries read" in proc.stderr


def test_classify_names_an_empty_file(tmp_path: Path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    proc = helpfirst("classify", empty, cwd=tmp_path)
    assert error_lines(proc) == [f"error: {empty}: the file is empty"]
    proc = helpfirst("classify", cwd=tmp_path)
    assert error_lines(proc) == ["error: <stdin>: the file is empty"]
