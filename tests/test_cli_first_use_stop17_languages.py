"""classify --languages is checked before any input is read: an unknown code, or a list with no code
at all, is a usage error (exit 2) naming --languages and the bad value, whatever the posts are, and
nothing is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ENGLISH = "".join(json.dumps({"id": i, "text": "my parcel never arrived, can you help me with it?", "role": "customer"}) + "\n"
                  for i in range(5))
OTHER = "".join(json.dumps({"id": i, "text": "mi paquete nunca llegó, ¿me pueden ayudar?", "role": "customer"}) + "\n"
                for i in range(5))


def classify(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "classify", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=120)


def usage_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "--languages" in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("posts", [ENGLISH, OTHER], ids=["all-english", "needs-the-detector"])
def test_an_unknown_code_is_refused_up_front(tmp_path: Path, posts: str):
    src = tmp_path / "posts.jsonl"
    src.write_text(posts, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    line = usage_error(classify(src, "--languages", "en,xx", "--out", out))
    assert "'xx'" in line
    assert not out.exists()
    line = usage_error(classify(src, "--languages", "en,xx"))   # to standard output: nothing written either
    assert "'xx'" in line


def test_the_check_comes_before_reading_the_input(tmp_path: Path):
    line = usage_error(classify(tmp_path / "no-such-file.jsonl", "--languages", "xx"))
    assert "'xx'" in line and "no-such-file" not in line
    line = usage_error(classify("--languages", "en,zz", stdin=ENGLISH))   # standard input left unread
    assert "'zz'" in line


@pytest.mark.parametrize("value", ["", " ", ",", " , "])
def test_a_list_without_a_code_is_an_error(tmp_path: Path, value: str):
    src = tmp_path / "posts.jsonl"
    src.write_text(ENGLISH, encoding="utf-8")
    usage_error(classify(src, "--languages", value))


def test_good_lists_still_work(tmp_path: Path):
    src = tmp_path / "posts.jsonl"
    src.write_text(OTHER, encoding="utf-8")
    proc = classify(src, "--languages", " ES, en ")
    assert proc.returncode == 0, proc.stderr
    assert {json.loads(line)["language"] for line in proc.stdout.splitlines()} == {"es"}
