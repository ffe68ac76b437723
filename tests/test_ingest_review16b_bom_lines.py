"""Review 16b, BOMs: `cat a.jsonl b.jsonl` puts b's BOM at the start of a later line, which was rejected with
Python's "Unexpected UTF-8 BOM (decode using utf-8-sig)"; a BOM at the start of any line is skipped (and between
two JSON documents joined the same way). A file holding only a BOM is the file error "the file is empty"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BOM = "\ufeff"


def _audit(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run(
        [sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )


def _doc(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["rows_read"] == doc["rows_loaded"] + doc["rows_rejected"]
    return doc


def _canonical(i: int) -> str:
    return json.dumps({"id": str(i), "author": "dana", "author_role": "customer",
                       "created_at": f"2024-02-01T09:0{i}:00Z", "text": "help @Shop"})


def _xv2(i: int) -> str:
    return json.dumps({"data": [{"id": str(i), "text": "@Shop help", "author_id": "7",
                                 "created_at": f"2024-02-01T09:0{i}:00.000Z"}],
                       "includes": {"users": [{"id": "7", "username": "dana"}]}})


def _mastodon(i: int) -> str:
    return json.dumps({"id": str(i), "created_at": f"2024-02-01T09:0{i}:00.000Z", "in_reply_to_id": None,
                       "account": {"acct": "dana"}, "content": "<p>@Shop help</p>"})


@pytest.mark.parametrize("record", [_canonical, _xv2, _mastodon])
def test_files_joined_by_cat_load_every_record(tmp_path, record):
    a = BOM + record(1) + "\n" + record(2) + "\n"
    b = BOM + record(3) + "\n" + "{bad\n"
    path = tmp_path / "joined.jsonl"
    path.write_text(a + b, encoding="utf-8")
    doc = _doc(_audit(path))
    assert (doc["rows_read"], doc["rows_loaded"]) == (4, 3)
    assert [r["line"] for r in doc["rejections"]] == [4]
    assert "BOM" not in doc["rejections"][0]["reason"]


def test_a_bom_at_a_cr_line_start_too(tmp_path):
    path = tmp_path / "joined.jsonl"
    path.write_text(BOM + _canonical(1) + "\r" + BOM + _canonical(2) + "\r", encoding="utf-8")
    doc = _doc(_audit(path))
    assert (doc["rows_read"], doc["rows_loaded"]) == (2, 2)


def test_json_arrays_joined_by_cat(tmp_path):
    path = tmp_path / "joined.json"
    path.write_text(BOM + "[" + _canonical(1) + "]\n" + BOM + "[" + _canonical(2) + "]\n", encoding="utf-8")
    doc = _doc(_audit(path, "--format", "jsonl"))
    assert (doc["rows_read"], doc["rows_loaded"], doc["errors"]) == (2, 2, [])


@pytest.mark.parametrize("fmt", ["jsonl", "x-v2", "mastodon"])
@pytest.mark.parametrize("content", [BOM, BOM + "\n", BOM + " \r\n"])
def test_a_file_of_only_a_bom_is_empty(tmp_path, fmt, content):
    path = tmp_path / "bom.jsonl"
    path.write_text(content, encoding="utf-8")
    proc = _audit(path, "--format", fmt)
    assert "Traceback" not in proc.stderr
    assert f"{path}: the file is empty" in proc.stderr + proc.stdout
