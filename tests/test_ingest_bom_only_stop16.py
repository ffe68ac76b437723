"""A file holding only a UTF-8 BOM (what some editors save for an empty file), with or without white
space, is 'the file is empty', also when the format is guessed; it used to say the format was not
recognised, which sends the user looking for the wrong problem."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n  \r\n", b""])
def test_a_bom_alone_is_an_empty_file(tmp_path, content):
    path = tmp_path / "posts.jsonl"
    path.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--no-signals"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert f"{path}: the file is empty" in proc.stderr
    assert "recognise" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_bom_before_a_record_still_loads(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "1", "author": "dana", "author_role": "customer", '
                     b'"created_at": "2024-02-01T09:00:00Z", "text": "help"}\n')
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--no-signals", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"rows_loaded": 1' in proc.stdout
