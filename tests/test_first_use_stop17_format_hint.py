"""A file given with the wrong --format loads nothing: the audit adds one line saying what the file looks
like (the format guessed when --format is left out) and how to read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .audit_run import canonical_line, run_audit_cli, xv2_line

TWCS = [
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",
    "1,dana,True,Thu Feb 01 09:01:00 +0000 2024,@Shop help,2,",
    "2,Shop,False,Thu Feb 01 09:05:00 +0000 2024,@dana try this,,1",
    "3,eli,True,Thu Feb 01 10:01:00 +0000 2024,@Shop my order is late,,",
]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _hints(text: str, path) -> list[str]:
    return [line for line in text.splitlines() if "this looks like" in line and str(path) in line]


def test_twcs_read_as_jsonl_says_it_looks_like_twcs(tmp_path):
    twcs = _write(tmp_path / "twcs.csv", TWCS)
    proc = run_audit_cli(twcs, "--format", "jsonl")
    assert proc.returncode == 1  # still nothing loaded
    doc = json.loads(proc.stdout)
    hints = [e for e in doc["errors"] if "this looks like" in e]
    assert hints == [f"{twcs}: this looks like twcs — drop --format or use --format twcs"], doc["errors"]


def test_terminal_shows_the_hint_once(tmp_path):
    twcs = _write(tmp_path / "twcs.csv", TWCS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(twcs), "--format", "jsonl", "--no-signals"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1
    assert len(_hints(proc.stdout + proc.stderr, twcs)) == 1, proc.stdout + proc.stderr


def test_x_v2_read_as_csv_says_it_looks_like_x_v2(tmp_path):
    pages = _write(tmp_path / "pages.jsonl", [xv2_line(i) for i in range(1, 4)])
    proc = run_audit_cli(pages, "--format", "twcs")
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert f"{pages}: this looks like x-v2 — drop --format or use --format x-v2" in out, out


def test_a_file_that_loads_with_its_format_gets_no_hint(tmp_path):
    twcs = _write(tmp_path / "twcs.csv", TWCS)
    proc = run_audit_cli(twcs, "--format", "twcs")
    assert proc.returncode == 0, proc.stderr
    assert "this looks like" not in proc.stdout + proc.stderr


def test_only_the_file_that_loaded_nothing_gets_the_hint(tmp_path):
    good = _write(tmp_path / "posts.jsonl", [canonical_line(i) for i in range(1, 4)])
    twcs = _write(tmp_path / "twcs.csv", TWCS)
    proc = run_audit_cli(good, twcs, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [e for e in doc["errors"] if "this looks like" in e] == [
        f"{twcs}: this looks like twcs — drop --format or use --format twcs"]


def test_an_unrecognisable_file_gets_no_hint(tmp_path):
    junk = _write(tmp_path / "notes.jsonl", ["just some words", "and more words"])
    proc = run_audit_cli(junk, "--format", "jsonl")
    assert proc.returncode == 1
    assert "this looks like" not in proc.stdout + proc.stderr
