"""Review 16b, BOMs: `cat a.jsonl b.jsonl` puts b's BOM at the start of a later line, which was rejected with
Python's "Unexpected UTF-8 BOM (decode using utf-8-sig)"; a BOM at the start of any line is skipped (and between
two JSON documents joined the same way). A file holding only a BOM is the file error "the file is empty"."""

from __future__ import annotations

import pytest

from .audit_run import audit_doc, canonical_line, mastodon_line, run_audit_cli, xv2_line

BOM = "\ufeff"


@pytest.mark.parametrize("record", [canonical_line, xv2_line, mastodon_line])
def test_files_joined_by_cat_load_every_record(tmp_path, record):
    a = BOM + record(1) + "\n" + record(2) + "\n"
    b = BOM + record(3) + "\n" + "{bad\n"
    path = tmp_path / "joined.jsonl"
    path.write_text(a + b, encoding="utf-8")
    doc = audit_doc(path)
    assert (doc["rows_read"], doc["rows_loaded"]) == (4, 3)
    assert [r["line"] for r in doc["rejections"]] == [4]
    assert "BOM" not in doc["rejections"][0]["reason"]


def test_a_bom_at_a_cr_line_start_too(tmp_path):
    path = tmp_path / "joined.jsonl"
    path.write_text(BOM + canonical_line(1) + "\r" + BOM + canonical_line(2) + "\r", encoding="utf-8")
    doc = audit_doc(path)
    assert (doc["rows_read"], doc["rows_loaded"]) == (2, 2)


def test_json_arrays_joined_by_cat(tmp_path):
    path = tmp_path / "joined.json"
    path.write_text(BOM + "[" + canonical_line(1) + "]\n" + BOM + "[" + canonical_line(2) + "]\n", encoding="utf-8")
    doc = audit_doc(path, "--format", "jsonl")
    assert (doc["rows_read"], doc["rows_loaded"], doc["errors"]) == (2, 2, [])


@pytest.mark.parametrize("fmt", ["jsonl", "x-v2", "mastodon"])
@pytest.mark.parametrize("content", [BOM, BOM + "\n", BOM + " \r\n"])
def test_a_file_of_only_a_bom_is_empty(tmp_path, fmt, content):
    path = tmp_path / "bom.jsonl"
    path.write_text(content, encoding="utf-8")
    proc = run_audit_cli(path, "--format", fmt)
    assert "Traceback" not in proc.stderr
    assert f"{path}: the file is empty" in proc.stderr + proc.stdout
