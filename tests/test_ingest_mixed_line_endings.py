"""TWCS files whose records do not all end alike (CRLF and LF in one file) are read like any other.

DuckDB takes one line ending for a whole file; a record ending otherwise used to stop the parse
("the CSV Parser state machine reached an invalid state") and nothing was loaded. The files are
written here byte by byte, so every line number is known by construction.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from helpfirst import readahead
from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.ingest.twcs import lf_copy

from .test_twcs_rejections import EXPECTED, HEADER, MIXED_LINES, rejections, row

@pytest.fixture(autouse=True)
def nothing_ahead():
    readahead._AHEAD = None
    yield
    readahead._AHEAD = None


def load(path: Path, **options) -> tuple[list[dict], ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt="twcs"))
    posts = pa.Table.from_batches(batches).to_pylist() if batches else []
    return posts, report


def joined(lines: list[bytes], endings: list[bytes]) -> bytes:
    """`lines`, each followed by its own ending."""
    assert len(lines) == len(endings)
    return b"".join(line + end for line, end in zip(lines, endings))


def assert_counts(report: ImportReport) -> None:
    assert report.rows_read == report.rows_loaded + report.rows_rejected


def test_one_lf_line_in_a_crlf_file_is_read(tmp_path):
    # the reviewer's file, byte for byte
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        HEADER + b"\r\n"
        b"1,c1,True,Tue Oct 31 10:00:00 +0000 2017,@B hi,,\r\n"
        b"2,c1,True,Tue Oct 31 10:05:00 +0000 2017,@B hello,,1.0\n"
    )
    posts, report = load(path)
    assert [(p["id"], p["text"], p["parent_id"]) for p in posts] == [("1", "@B hi", None), ("2", "@B hello", "1")]
    assert report.rejections == []
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 2, 0)


@pytest.mark.parametrize("texts", ["all", "requests"])
@pytest.mark.parametrize("lf_at", [0, 1, 2, 3, 10, 16])  # index into [HEADER, *MIXED_LINES]
def test_broken_rows_of_a_mixed_file_are_rejected_by_line_and_the_rest_loads(tmp_path, lf_at, texts):
    """CRLF records with one LF one (the header, a good row, a bad row, a quoted multi-line one, the last):
    the same posts and the same rejections, by the same lines, as the all-LF file. (DuckDB read some of
    these positions before the fix already: which ending it takes depends on its sniffing.)"""
    lines = [HEADER, *MIXED_LINES]
    plain = tmp_path / "lf.csv"
    plain.write_bytes(b"\n".join(lines))
    expected_posts, expected_report = load(plain, texts=texts)
    assert rejections(expected_report) == EXPECTED

    endings = [b"\r\n"] * len(lines)
    endings[lf_at] = b"\n"
    endings[-1] = b"" if lf_at != len(lines) - 1 else b"\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(joined(lines, endings))
    posts, report = load(path, texts=texts)
    assert rejections(report) == EXPECTED
    assert posts == expected_posts
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (
        expected_report.rows_read, expected_report.rows_loaded, expected_report.rows_rejected,
    )
    assert_counts(report)


def test_a_bare_cr_record_ending_is_read_too(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(joined([HEADER, row(1), row(2, parent=b"1"), row(3)], [b"\r\n", b"\r", b"\r\n", b"\n"]))
    posts, report = load(path)
    assert [(p["id"], p["parent_id"]) for p in posts] == [("1", None), ("2", "1"), ("3", None)]
    assert report.rejections == [] and report.rows_read == 3


def test_a_line_break_inside_a_quoted_text_is_kept_as_written(tmp_path):
    lines = [HEADER, row(1, b'"crlf\r\ninside"'), row(2, b'"lf\ninside"'), row(3)]
    path = tmp_path / "mixed.csv"
    path.write_bytes(joined(lines, [b"\r\n", b"\n", b"\r\n", b"\n"]))
    posts, report = load(path)
    assert [p["text"] for p in posts] == ["crlf\r\ninside", "lf\ninside", "@Acme hi"]
    assert report.rejections == [] and report.rows_loaded == 3


def test_an_unclosed_quote_in_a_mixed_file_rejects_its_line_and_reads_the_rest(tmp_path):
    lines = [HEADER] + [row(i, b'"@Acme unclosed' if i == 2 else b"@Acme hi %d" % i) for i in range(1, 31)]
    endings = [b"\r\n"] * len(lines)
    endings[10] = b"\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(joined(lines, endings))
    posts, report = load(path)
    assert [p["id"] for p in posts] == [str(i) for i in range(1, 31) if i != 2]
    [r] = report.rejections
    assert (r.line, r.field) == (3, "text") and "a quote that never closes" in r.reason
    assert report.rows_read == 30
    assert_counts(report)


def test_the_parse_started_ahead_falls_back_the_same_way(tmp_path):
    lines = [HEADER, *MIXED_LINES]
    endings = [b"\r\n"] * len(lines)
    endings[4] = b"\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(joined(lines, endings))
    assert readahead.start(["audit", str(path), "--no-signals"], interactive=False)
    posts, report = load(path, texts="requests")
    assert readahead._AHEAD is None  # taken (it failed; the importer read the copy)
    assert rejections(report) == EXPECTED
    assert_counts(report)


def test_lf_copy_changes_only_record_endings(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'a,b\r\n1,"x\r\ny"\r\n2,z\n\r\n3,w')
    with lf_copy(path) as copy:
        assert copy is not None
        assert copy.read_bytes() == b'a,b\n1,"x\r\ny"\n2,z\n\n3,w'
    assert not copy.exists()
    path.write_bytes(b'a,b\r1,"x\ry"\r\n2,z\r')  # bare CR endings (old Mac) too
    with lf_copy(path) as copy:
        assert copy is not None and copy.read_bytes() == b'a,b\n1,"x\ry"\n2,z\n'
    path.write_bytes(b'a,b\n1,"x\r\ny"\n')  # no record ends in CRLF: nothing to read again
    with lf_copy(path) as copy:
        assert copy is None
