"""Stop 17, known defect: a file whose first 64 KiB (the head detection reads) were white space was called "the file
is empty", even with --format given. Detection now reads on past leading white space, in chunks, to the first byte
that is not white space (or the end: a file of white space only is still empty), files and pipes alike."""

from __future__ import annotations

import json
import subprocess
import sys

from .audit_run import audit_doc, canonical_line, mastodon_line, run_audit_cli, xv2_line

BLANKS = " \n\t\r" * 20_000  # 80,000 bytes: longer than the 64 KiB head


def test_jsonl_after_long_white_space_loads(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes((BLANKS + "\n".join(canonical_line(i) for i in (1, 2, 3)) + "\n").encode())
    doc = audit_doc(path)
    assert doc["rows_loaded"] == 3 and doc["files"][0]["format"] == "jsonl"


def test_json_arrays_after_long_white_space_load(tmp_path):
    mastodon = tmp_path / "statuses.json"
    mastodon.write_bytes((BLANKS + "[" + ",\n".join(mastodon_line(i) for i in (1, 2, 3)) + "]\n").encode())
    pretty = tmp_path / "pages.json"
    pretty.write_bytes((BLANKS + json.dumps([json.loads(xv2_line(i)) for i in (1, 2)], indent=2) + "\n").encode())
    doc = audit_doc(mastodon, pretty)
    assert [(f["format"], f["rows_loaded"]) for f in doc["files"]] == [("mastodon", 3), ("x-v2", 2)]


def test_bom_and_white_space_then_posts_loads_with_line_numbers_kept(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n" * 70_000 + canonical_line(1) + "\n{bad\n" + canonical_line(2) + "\n").encode())
    doc = audit_doc(path)
    assert (doc["rows_loaded"], doc["rows_rejected"]) == (2, 1)
    assert [r["line"] for r in doc["rejections"]] == [70002]


def test_piped_input_after_long_white_space_loads(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes((BLANKS + "\n".join(canonical_line(i) for i in (1, 2)) + "\n").encode())
    with path.open("rb") as fh:
        proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "-", "--json", "--no-signals"],
                              stdin=fh, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_loaded"] == 2


def test_white_space_only_is_still_empty(tmp_path):
    blank = tmp_path / "blank.jsonl"
    blank.write_bytes(BLANKS.encode())
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + BLANKS.encode())
    for path in (blank, bom):
        proc = run_audit_cli(path)
        assert proc.returncode != 0
        assert f"{path}: the file is empty" in proc.stderr, proc.stderr


def test_csv_after_long_blank_lines_is_judged_as_after_short_ones(tmp_path):
    # a CSV header must be the first line: two blank lines or 70,000, the file is not guessed as CSV
    header = "id,author,author_role,created_at,text\n1,dana,customer,2024-02-01T09:01:00Z,help @Shop\n"
    for n in (2, 70_000):
        path = tmp_path / f"posts{n}.csv"
        path.write_text("\n" * n + header)
        proc = run_audit_cli(path)
        assert "could not recognise the format" in proc.stderr, proc.stderr
