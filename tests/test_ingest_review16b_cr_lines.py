"""Review 16b, JSON Lines with old Mac line ends (a lone CR): three records joined by CR were one rejected row
("Extra data"). A lone CR now ends a line as LF and CRLF do, in every JSON Lines format, with line numbers as an
editor shows them; a raw CR inside a string of a line that parses whole still loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _audit(path: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"]
    return out


def _canonical(i: int, text: str = "help @Shop") -> str:
    return json.dumps({"id": str(i), "author": "dana", "author_role": "customer",
                       "created_at": f"2024-02-01T09:0{i}:00Z", "text": text})


def _xv2(i: int) -> str:
    return json.dumps({"data": [{"id": str(i), "text": "@Shop help", "author_id": "7",
                                 "created_at": f"2024-02-01T09:0{i}:00.000Z"}],
                       "includes": {"users": [{"id": "7", "username": "dana"}]}})


def _mastodon(i: int) -> str:
    return json.dumps({"id": str(i), "created_at": f"2024-02-01T09:0{i}:00.000Z", "in_reply_to_id": None,
                       "account": {"acct": "dana"}, "content": "<p>@Shop help</p>"})


@pytest.mark.parametrize(("record", "fmt"), [(_canonical, "jsonl"), (_xv2, "x-v2"), (_mastodon, "mastodon")])
def test_records_ended_by_a_lone_cr_are_read_one_a_line(tmp_path, record, fmt):
    path = tmp_path / "cr.jsonl"
    path.write_bytes("\r".join(record(i) for i in (1, 2, 3)).encode() + b"\r")
    out = _audit(path, "--format", fmt)
    assert (out["rows_read"], out["rows_loaded"]) == (3, 3), out["rejections"]


def test_line_numbers_count_cr_lines(tmp_path):
    path = tmp_path / "cr.jsonl"
    lines = [_canonical(1), "{bad", _canonical(2), "", _canonical(3).replace("2024-02-01T09:03:00Z", "soon")]
    path.write_bytes("\r".join(lines).encode() + b"\r")
    out = _audit(path)
    assert (out["rows_read"], out["rows_loaded"]) == (4, 2)
    assert [(r["line"], r["field"]) for r in out["rejections"]] == [(2, None), (5, "created_at")]


def test_mixed_line_ends_keep_line_numbers(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes((_canonical(1) + "\r" + _canonical(2) + "\r\n" + "{bad\n" + _canonical(3) + "\r" + "[1,\n")
                     .encode())
    out = _audit(path)
    assert (out["rows_read"], out["rows_loaded"]) == (5, 3)
    assert [r["line"] for r in out["rejections"]] == [3, 5]


def test_a_raw_cr_inside_a_text_still_loads_and_counts_as_a_line(tmp_path):
    path = tmp_path / "rawcr.jsonl"
    path.write_bytes((_canonical(1, "line one\rline two @Shop").replace("\\r", "\r") + "\n" + "{bad\n").encode())
    out = _audit(path, "--format", "jsonl")  # (format detection reads JSON strictly: no raw control characters)
    assert (out["rows_read"], out["rows_loaded"]) == (2, 1)
    assert [r["line"] for r in out["rejections"]] == [3]
