"""TWCS files parsed by DuckDB: every malformed or invalid row is reported with its exact line.

The files are written here byte by byte, so the line of every bad row is known by construction
(not computed by the code under test).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pyarrow as pa
import pytest

from helpfirst.audit import run_audit
from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.ingest import duckcsv
from helpfirst.synth import write_synthetic

HEADER = b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
DATE = b"Mon Oct 30 10:00:00 +0000 2017"


def row(tid: int, text: bytes = b"@Acme hi", author: bytes = b"c1", inbound: bytes = b"True",
        date: bytes = DATE, parent: bytes = b"") -> bytes:
    return b",".join([str(tid).encode(), author, inbound, date, text, b"", parent])


def load(path: Path, **options) -> tuple[pa.Table, ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt="twcs"))
    table = pa.Table.from_batches(batches) if batches else None
    return table, report


def rejections(report: ImportReport) -> list[tuple]:
    return [(r.line, r.field, r.reason) for r in report.rejections]


# (line, field, reason) of every bad row in MIXED, in file order
MIXED_LINES = [
    row(1),                                                            # 2
    row(2, b'"two\nlines"'),                                           # 3-4
    row(3) + b",extra,fields",                                         # 5: too many fields
    b"4,c1,True",                                                      # 6: too few
    b"",                                                               # 7: blank, not a row
    row(5, b"caf\xe9"),                                                # 8: not UTF-8, a good record otherwise
    b"6,c\xff,True",                                                   # 9: short and not UTF-8
    row(7, b'"quoted"junk'),                                           # 10: text after a closing quote
    row(8, date=b"yesterday"),                                         # 11: bad date
    row(9, b'"also\r\ntwo lines"'),                                    # 12-13
    row(10, inbound=b"Maybe"),                                         # 14: bad inbound
    row(11, author=b"  "),                                             # 15: no author
    row(12, parent=b"1.0"),                                            # 16: fine
    row(13, date=b"Thu Feb 30 12:00:00 +0000 2017"),                   # 17: impossible date
    b"," + row(14)[3:],                                                # 18: no tweet_id
    row(15, b'"last, without a newline"'),                             # 19
]
EXPECTED = [
    (5, None, "expected 7 fields, found 9"),
    (6, None, "expected 7 fields, found 3"),
    (8, "text", "bytes are not valid UTF-8"),
    (9, None, "expected 7 fields, found 3"),
    (10, "text", "a quoted value has text after its closing quote, or no closing quote"),
    (11, "created_at", "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'"),
    (14, "inbound", "inbound must be True or False"),
    (15, "author_id", "empty author_id"),
    (17, "created_at", "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'"),
    (18, "tweet_id", "empty tweet_id"),
]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_every_bad_row_has_its_line_field_and_reason(tmp_path, newline):
    path = tmp_path / "mixed.csv"
    path.write_bytes(newline.join([HEADER, *MIXED_LINES]))
    posts, report = load(path)
    assert rejections(report) == EXPECTED
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (15, 5, 10)
    assert posts.column("id").to_pylist() == ["1", "2", "9", "12", "15"]
    assert posts.column("text").to_pylist()[1] == "two\nlines"
    assert posts.column("parent_id").to_pylist()[3] == "1"


def test_a_record_over_the_size_limit_is_one_rejection(tmp_path, monkeypatch):
    monkeypatch.setattr(duckcsv, "MAX_RECORD_BYTES", 1 << 20)
    path = tmp_path / "big.csv"
    path.write_bytes(b"\n".join([HEADER, row(1), row(2, b"x" * (3 << 19)), row(3, b"@Acme \xf0\x9f\x98\xa1"), b""]))
    posts, report = load(path)
    assert rejections(report) == [(3, None, "the record is longer than 1 MB")]
    assert posts.column("text").to_pylist() == ["@Acme hi", "@Acme 😡"]


def test_lines_stay_exact_across_parallel_read_buffers(tmp_path, monkeypatch):
    # a file many times DuckDB's read buffer, so its threads parse it in pieces; bad rows near the
    # start, the end, and anywhere between
    monkeypatch.setattr(duckcsv, "MAX_RECORD_BYTES", 256 << 10)
    source = tmp_path / "synth.csv"
    write_synthetic(source, 60_000, fmt="twcs", seed=11)
    data = source.read_bytes()
    assert len(data) > 10 * 2 * duckcsv.MAX_RECORD_BYTES
    lines = data.split(b"\n")
    # records written on one line and holding no quote (synthetic texts can span lines)
    single, spanning = [], 0
    with source.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        start = 1
        for _ in reader:
            if reader.line_num == start and b'"' not in lines[start - 1] and start > 1:
                single.append(start)
            spanning += reader.line_num > start
            start = reader.line_num + 1
    assert spanning > 10  # so lines and records are numbered differently
    rng = random.Random(5)
    targets = sorted({single[0], single[1], single[-1], *rng.sample(single[2:-1], 40)})
    bad = {}
    for k, at in enumerate(targets):
        fields = lines[at - 1].split(b",")
        if k % 3 == 0:
            lines[at - 1] = b",".join(fields[:3])
            bad[at] = (None, "expected 7 fields, found 3")
        elif k % 3 == 1:
            lines[at - 1] = lines[at - 1].replace(fields[3], b"Mon Oct 30 25:00:00 +0000 2017", 1)
            bad[at] = ("created_at", "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'")
        else:
            lines[at - 1] = lines[at - 1].replace(b",True,", b",yes,", 1).replace(b",False,", b",no,", 1)
            bad[at] = ("inbound", "inbound must be True or False")
    path = tmp_path / "broken.csv"
    path.write_bytes(b"\n".join(lines))
    _posts, report = load(path)
    assert rejections(report) == [(line, field, reason) for line, (field, reason) in sorted(bad.items())]
    assert report.rows_read == report.rows_loaded + report.rows_rejected == 60_000


def test_only_request_texts_when_asked(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join([HEADER, *MIXED_LINES]))
    everything, full_report = load(path)
    requests, report = load(path, texts="requests")
    assert rejections(report) == rejections(full_report)
    kept = requests.column("text").to_pylist()
    for post, text in zip(everything.to_pylist(), kept, strict=True):
        opens = post["author_role"] == "customer" and post["parent_id"] is None
        assert text == (post["text"] if opens else None)


def test_request_texts_give_the_same_scorecard(tmp_path):
    path = tmp_path / "synth.csv"
    write_synthetic(path, 30_000, fmt="twcs", seed=2)
    full = run_audit([path]).to_dict()
    lean = run_audit([path], options=ImportOptions(texts="requests")).to_dict()
    assert full == lean


def test_progress_reaches_the_file_size(tmp_path):
    path = tmp_path / "synth.csv"
    write_synthetic(path, 20_000, fmt="twcs", seed=4)
    told: list[int] = []
    _posts, report = load(path, on_bytes=told.append)
    assert sum(told) == path.stat().st_size and all(n > 0 for n in told)
    assert report.rows_read == 20_000


def test_extra_empty_fields_at_the_end_are_ignored(tmp_path):
    # DuckDB's reader reads a record with trailing commas; anything in the extra fields rejects it
    path = tmp_path / "trailing.csv"
    path.write_bytes(b"\n".join([HEADER, row(1) + b",", row(2) + b",,", row(3) + b",x", row(4) + b', ""', b""]))
    posts, report = load(path)
    assert posts.column("id").to_pylist() == ["1", "2"]
    assert rejections(report) == [(4, None, "expected 7 fields, found 8"), (5, None, "expected 7 fields, found 8")]
