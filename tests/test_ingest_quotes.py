"""A quote that never closes: the damaged record is rejected by line and field, every later record is
still read, and every physical record is counted (TWCS through DuckDB, canonical CSV through Arrow).

Files are written line by line, so the line of the damaged record is known by construction.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from helpfirst.ingest import ImportOptions, ImportReport, read_posts

TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
TWCS_DATE = "Tue Oct 31 22:10:47 +0000 2017"
CANON_HEADER = "id,author,author_role,created_at,text,url"
ISO = "2024-01-01T00:00:00Z"
REASON = "a quote that never closes"


def load(path: Path, fmt: str, **options) -> tuple[list, ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt=fmt))
    ids = pa.Table.from_batches(batches).column("id").to_pylist() if batches else []
    return ids, report


def twcs_file(path: Path, n: int, bad: dict[int, str]) -> Path:
    rows = [TWCS_HEADER]
    for i in range(1, n + 1):
        text = bad.get(i, f"@Acme help {i}")
        rows.append(f"{i},u{i},True,{TWCS_DATE},{text},,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def canon_file(path: Path, n: int, bad: dict[int, str], quoted: bool = False) -> Path:
    rows = [CANON_HEADER]
    for i in range(1, n + 1):
        text = f'"@Acme help {i}"' if quoted else f"@Acme help {i}"
        rows.append(f"{i},u{i},customer,{ISO},{bad.get(i, text)},")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def assert_counts(report: ImportReport) -> None:
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.files[0]["rows_read"] == report.files[0]["rows_loaded"] + report.files[0]["rows_rejected"]


@pytest.mark.parametrize("text", ['"@Acme unclosed quote here,', '"@Acme unclosed'])
def test_twcs_unclosed_quote_rejects_one_line_and_reads_the_rest(tmp_path, text):
    path = twcs_file(tmp_path / "t.csv", 100, {2: text})
    ids, report = load(path, "twcs")
    assert len(ids) == 99 and "2" not in ids and "100" in ids
    assert report.rows_read == 100 and report.rows_rejected == 1
    [r] = report.rejections
    assert (r.line, r.field) == (3, "text") and REASON in r.reason
    assert_counts(report)


def test_twcs_unclosed_quote_beside_other_bad_rows_keeps_their_lines(tmp_path):
    path = twcs_file(tmp_path / "t.csv", 50, {5: '"@Acme open', 20: '"ok"junk', 40: '"@Acme open again'})
    ids, report = load(path, "twcs")
    assert [(r.line, r.field) for r in report.rejections] == [(6, "text"), (21, "text"), (41, "text")]
    assert report.rows_read == 50 and len(ids) == 47
    assert_counts(report)


@pytest.mark.parametrize(("text", "quoted"), [('"@Acme unclosed', False), ('"@Acme unclosed,', True)])
def test_canonical_csv_unclosed_quote_rejects_one_line_and_reads_the_rest(tmp_path, text, quoted):
    path = canon_file(tmp_path / "c.csv", 100, {2: text}, quoted)
    ids, report = load(path, "csv")
    assert len(ids) == 99 and "2" not in ids and "3" in ids and "100" in ids
    assert report.rows_read == 100 and report.rows_rejected == 1
    [r] = report.rejections
    assert (r.line, r.field) == (3, "text") and REASON in r.reason
    assert_counts(report)


def test_canonical_csv_damage_in_a_later_batch_keeps_earlier_posts_once(tmp_path):
    # small batches: the damage is found after posts were already handed out
    # 12 MB: Arrow reads 8 MB blocks, so the posts of the first block are handed out before the
    # damage in the second is seen. Row 10's date is bad; row 90000's quote never closes.
    n = 100_000
    # quoted texts: the damaged record takes in the next line and is well-formed to Arrow
    lines = [CANON_HEADER] + [f'{i},u{i},customer,{ISO},"@Acme help {i} {"x" * 80}",' for i in range(1, n + 1)]
    lines[10] = '10,u10,customer,yesterday,"x",'
    lines[90_000] = f'90000,u90000,customer,{ISO},"@Acme never closed,'
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 9 << 20
    ids, report = load(path, "csv")
    assert len(ids) == len(set(ids)) == n - 2 and ids[-1] == str(n)
    assert report.rows_read == n
    assert [(r.line, r.field) for r in report.rejections] == [(11, "created_at"), (90_001, "text")]
    assert_counts(report)


def test_canonical_csv_legitimate_line_breaks_are_kept(tmp_path):
    path = canon_file(tmp_path / "c.csv", 20, {4: '"two\nlines"', 9: '"three\r\nlines ""quoted"" here"'})
    ids, report = load(path, "csv")
    assert len(ids) == 20 and report.rows_rejected == 0
    assert_counts(report)


def test_cli_reports_the_damage_and_counts_every_record(tmp_path):
    path = canon_file(tmp_path / "c.csv", 100, {2: '"@Acme unclosed'})
    run = subprocess.run(
        [sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals"],
        capture_output=True, text=True, timeout=120,
    )
    out = json.loads(run.stdout)
    data = out.get("import", out)
    assert (data["rows_read"], data["rows_loaded"], data["rows_rejected"]) == (100, 99, 1)
    assert data["rejections"][0]["line"] == 3 and data["rejections"][0]["field"] == "text"


def test_canonical_csv_all_fields_quoted(tmp_path):
    # an exporter that quotes every field: the unclosed quote pairs with the next line's first quote
    rows = [CANON_HEADER] + [f'"{i}","u{i}","customer","{ISO}","@Acme help {i}",""' for i in range(1, 31)]
    rows[7] = f'"7","u7","customer","{ISO}","@Acme never closed,""'
    path = tmp_path / "q.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ids, report = load(path, "csv")
    assert report.rows_read == 30 and len(ids) == 29 and "8" in ids
    assert [(r.line, r.field) for r in report.rejections] == [(8, "text")]
    assert_counts(report)


def test_canonical_csv_multiline_value_whose_last_line_has_commas_is_kept(tmp_path):
    # a legitimate value that looks, by its commas, like it could have swallowed a record
    path = canon_file(tmp_path / "c.csv", 10, {5: '"first line\nsecond, with, four, commas, here"'})
    ids, report = load(path, "csv")
    assert len(ids) == 10 and report.rows_rejected == 0


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\n\n"])
def test_canonical_csv_unclosed_quote_in_the_last_column_to_the_end_of_the_file(tmp_path, ending):
    # text is the last column: the swallowing record has the right number of fields, and its value
    # ends with the file's own last line break(s)
    rows = ["id,author,author_role,created_at,text"]
    rows += [f"{i},u{i},customer,{ISO},@Acme help {i}" for i in range(1, 101)]
    rows[2] = f'2,u2,customer,{ISO},"@Acme unclosed'
    path = tmp_path / "c.csv"
    path.write_bytes((ending.join(rows) + ending).encode())
    ids, report = load(path, "csv")
    assert report.rows_read == 100 and len(ids) == 99 and "100" in ids
    line = 5 if ending == "\n\n" else 3  # blank lines between the rows count
    assert [(r.line, r.field) for r in report.rejections] == [(line, "text")]
    assert_counts(report)


def test_progress_is_told_once_when_a_damaged_file_is_read_again(tmp_path):
    # 12 MB, damage in the second 8 MB block: the file is read again after posts were handed out
    n = 100_000
    lines = [CANON_HEADER] + [f'{i},u{i},customer,{ISO},"@Acme help {i} {"x" * 80}",' for i in range(1, n + 1)]
    lines[90_000] = f'90000,u90000,customer,{ISO},"@Acme never closed,'
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    told = []
    ids, report = load(path, "csv", on_bytes=told.append)
    assert len(ids) == n - 1
    assert all(step > 0 for step in told) and sum(told) <= path.stat().st_size


def similar_multiline_file(path: Path) -> Path:
    """A clean file whose multi-line values all begin "Hi" + line break (code review perf1)."""
    rows = [CANON_HEADER]
    rows += [f'{i},u{i},customer,{ISO},"Hi\nmy order is late",' for i in range(1, 6)]
    rows.append(f'9,u9,customer,{ISO},"Hi\nI paid, twice, for one, order, please",')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_quoted_values_finds_every_value_of_a_clean_file_that_begin_alike(tmp_path):
    from helpfirst.ingest.common import QuotedValues

    quoted = QuotedValues(similar_multiline_file(tmp_path / "clean.csv"))
    try:
        # only values whose last line holds commas are looked up: the five before it are passed over
        assert quoted.intact(b"Hi\nI paid, twice, for one, order, please")
        assert not quoted.intact(b"Hi\nmy order is late")  # none left after it
    finally:
        quoted.close()


def test_clean_file_with_values_that_begin_alike_skips_the_strict_pass(tmp_path, monkeypatch):
    import helpfirst.ingest.canonical as canonical

    strict_passes = []
    real = canonical.csv_quote_damage

    def counted(*args, **kwargs):  # the real pass, counted
        strict_passes.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(canonical, "csv_quote_damage", counted)
    ids, report = load(similar_multiline_file(tmp_path / "clean.csv"), "csv")
    assert ids == ["1", "2", "3", "4", "5", "9"] and report.rows_rejected == 0
    assert strict_passes == []
    # the check still finds damage
    damaged = canon_file(tmp_path / "bad.csv", 5, {2: '"@Acme unclosed, quote'})
    ids, report = load(damaged, "csv")
    assert len(strict_passes) == 1 and ids == ["1", "3", "4", "5"]
