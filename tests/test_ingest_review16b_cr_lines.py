"""Review 16b, JSON Lines with old Mac line ends (a lone CR): three records joined by CR were one rejected row
("Extra data"). A lone CR now ends a line as LF and CRLF do, in every JSON Lines format, with line numbers as an
editor shows them; a raw CR inside a string of a line that parses whole still loads."""

from __future__ import annotations

import pytest

from .audit_run import audit_doc, canonical_line, mastodon_line, xv2_line


@pytest.mark.parametrize(("record", "fmt"),
                         [(canonical_line, "jsonl"), (xv2_line, "x-v2"), (mastodon_line, "mastodon")])
def test_records_ended_by_a_lone_cr_are_read_one_a_line(tmp_path, record, fmt):
    path = tmp_path / "cr.jsonl"
    path.write_bytes("\r".join(record(i) for i in (1, 2, 3)).encode() + b"\r")
    out = audit_doc(path, "--format", fmt)
    assert (out["rows_read"], out["rows_loaded"]) == (3, 3), out["rejections"]


def test_line_numbers_count_cr_lines(tmp_path):
    path = tmp_path / "cr.jsonl"
    lines = [canonical_line(1), "{bad", canonical_line(2), "",
             canonical_line(3).replace("2024-02-01T09:03:00Z", "soon")]
    path.write_bytes("\r".join(lines).encode() + b"\r")
    out = audit_doc(path)
    assert (out["rows_read"], out["rows_loaded"]) == (4, 2)
    assert [(r["line"], r["field"]) for r in out["rejections"]] == [(2, None), (5, "created_at")]


def test_mixed_line_ends_keep_line_numbers(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes((canonical_line(1) + "\r" + canonical_line(2) + "\r\n" + "{bad\n" + canonical_line(3) + "\r"
                      + "[1,\n").encode())
    out = audit_doc(path)
    assert (out["rows_read"], out["rows_loaded"]) == (5, 3)
    assert [r["line"] for r in out["rejections"]] == [3, 5]


def test_a_raw_cr_inside_a_text_still_loads_and_counts_as_a_line(tmp_path):
    path = tmp_path / "rawcr.jsonl"
    path.write_bytes((canonical_line(1, "line one\rline two @Shop").replace("\\r", "\r") + "\n" + "{bad\n").encode())
    out = audit_doc(path, "--format", "jsonl")  # (format detection reads JSON strictly: no raw control characters)
    assert (out["rows_read"], out["rows_loaded"]) == (2, 1)
    assert [r["line"] for r in out["rejections"]] == [3]
