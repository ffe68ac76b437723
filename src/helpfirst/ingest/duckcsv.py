"""CSV files parsed by DuckDB: in parallel, with malformed records set aside and reported by line.

DuckDB's reader skips a record it cannot parse (wrong number of fields, bytes that are not UTF-8,
a misplaced quote, an oversized record) and notes it in a rejects table, numbered like Python's
`csv.reader` numbers rows (the header is row 1, blank lines count, newlines inside quotes do not).
When anything was rejected, one pass of `csv.reader` over the file turns those row numbers, and
the numbers of well-formed records that later checks reject, into the file's line numbers.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import readahead
from .base import ImportReport

#: The longest record read (readahead.MAX_RECORD_BYTES); a longer one is rejected with a reason.
MAX_RECORD_BYTES = readahead.MAX_RECORD_BYTES

_FOUND = re.compile(r"Found:\s*(\d+)")


def read_csv_sql(width: int, rejects: str = readahead.REJECTS) -> str:
    """The read_csv(...) call over the parameter $path (see readahead.read_csv_sql)."""
    return readahead.read_csv_sql(width, rejects, MAX_RECORD_BYTES)


@dataclass
class Malformed:
    """One record DuckDB could not read: its row number and the errors it noted."""

    row: int
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)  # (type, column index, message)


def malformed_records(rows: list[tuple]) -> list[Malformed]:
    """The records a parse skipped, in file order, from its rejects rows (see readahead.parse)."""
    out: list[Malformed] = []
    for line, group in itertools.groupby(rows, key=lambda r: r[0]):
        out.append(Malformed(int(line), [(str(t), None if c is None else int(c) - 1, str(m)) for _l, t, c, m in group]))
    return out


def malformed_reason(record: Malformed, width: int, names: list[str], fields_found: int | None) -> tuple[str | None, str]:
    """(field, reason) of a malformed record; `fields_found` is how many fields csv.reader saw."""
    kinds = {kind: (column, message) for kind, column, message in reversed(record.errors)}  # first of each
    counts = [int(m.group(1)) for kind, _c, msg in record.errors if "COLUMNS" in kind for m in [_FOUND.search(msg)] if m]
    if fields_found is not None and fields_found != width:
        return None, f"expected {width} fields, found {fields_found}"
    if counts:  # csv.reader did not see this row, or split it otherwise: DuckDB's count is the one it skipped for
        return None, f"expected {width} fields, found {min(counts)}"

    def named(column: int | None) -> str | None:
        return names[column] if column is not None and 0 <= column < len(names) else None

    if "INVALID ENCODING" in kinds:
        return named(kinds["INVALID ENCODING"][0]), "bytes are not valid UTF-8"
    if "UNQUOTED VALUE" in kinds:
        return named(kinds["UNQUOTED VALUE"][0]), "a quoted value has text after its closing quote, or no closing quote"
    if "LINE SIZE OVER MAXIMUM" in kinds:
        return None, f"the record is longer than {MAX_RECORD_BYTES >> 20} MB"
    kind, column, message = record.errors[0]
    return named(column), f"unreadable record ({kind.lower()}: {message.splitlines()[0] if message else kind})"


def locate_rows(
    path: Path, bad_rows: list[int], good_records: list[int], limit: int = 2000
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """Lines of CSV rows, by one pass of csv.reader (run only when something was rejected).

    `bad_rows` are row numbers as DuckDB gives them (header = 1, blank lines count);
    `good_records` are 1-based numbers among the well-formed records (the non-blank rows that
    are not bad), at most `limit` of them looked up. Returns {bad row: (line, fields, last line)}
    and {good record: line}.
    """
    bad = set(bad_rows)
    wanted = set(sorted(good_records)[:limit])
    bad_out: dict[int, tuple[int, int, int]] = {}
    good_out: dict[int, int] = {}
    if not bad and not wanted:
        return bad_out, good_out
    last_row = max(bad, default=0)
    last_record = max(wanted, default=0)
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        row_number = 0
        record = 0
        start = 1
        try:
            for row in reader:
                row_number += 1
                if row_number in bad:
                    bad_out[row_number] = (start, len(row), reader.line_num)
                elif row and row_number > 1:
                    record += 1
                    if record in wanted:
                        good_out[record] = start
                if row_number >= last_row and record >= last_record:
                    break
                start = reader.line_num + 1
        except csv.Error:
            pass  # the lines found so far are still right
    return bad_out, good_out


def spans_lines(where: dict[int, tuple[int, int, int]]) -> bool:
    """Whether a malformed record (as located by locate_rows) runs over more than one line: a
    quote that never closes takes the following lines in (only then is the file checked for it)."""
    return any(last > line for line, _fields, last in where.values())


def report_rejections(
    report: ImportReport,
    path: Path,
    width: int,
    names: list[str],
    malformed: list[Malformed],
    pending: list[tuple[int, str, str]],
    damage: list | None = None,
    lines_from: Path | None = None,
    where: dict[int, tuple[int, int, int]] | None = None,
) -> None:
    """Report malformed records and well-formed ones rejected later ((record number, field, reason)).

    `damage`: records whose quote never closed (common.QuoteDamage), read again from `lines_from`
    (the file with their first lines blanked, see common.repaired_csv), which numbers lines alike.
    `where`: what locate_rows already found for the malformed records (see spans_lines).
    """
    damage = damage or []
    if not malformed and not pending and not damage:
        return
    source = lines_from or path
    lines: dict[int, int] = {}
    if where is None or pending:  # records are numbered past the malformed ones: one pass finds both
        where, lines = locate_rows(source, [m.row for m in malformed], [p[0] for p in pending])
    rejections: list[tuple[int | None, int, str | None, str]] = []  # (line, order, field, reason)
    for d in damage:
        rejections.append((d.line, 0, d.field, d.reason))
    for m in malformed:
        line, found, _last = where.get(m.row, (None, None, None))
        field_name, reason = malformed_reason(m, width, names, found)
        rejections.append((line, m.row, field_name, reason))
    for record, field_name, reason in pending:
        rejections.append((lines.get(record), 0, field_name, reason))
    # in file order where the line is known (what a person fixing the file wants to read first)
    rejections.sort(key=lambda r: (r[0] is None, r[0] or 0, r[1]))
    for line, _order, field_name, reason in rejections:
        report.reject(str(path), line, field_name, reason)
