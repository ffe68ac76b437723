"""Kaggle "Customer Support on Twitter" (TWCS) CSV: brand posts are the non-inbound ones."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..posts import posts_batch
from . import register
from .base import ImportFailed, ImportOptions, ImportReport, Importer
from .common import decode_utf8, is_blank, normalise_ids, quiet_invalid_row_handler

COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
ALL_COLUMNS = COLUMNS[:5] + ("response_tweet_id",) + COLUMNS[5:]
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"
_TRUE = pa.array(["True", "true", "TRUE", "1"])
_FALSE = pa.array(["False", "false", "FALSE", "0"])


@register
class TwcsImporter(Importer):
    name = "twcs"
    description = "Kaggle Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, text, ...)"
    knows_brands = True

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
        cols = {c.strip().strip('"') for c in first.split(",")}
        return {"tweet_id", "author_id", "inbound"} <= cols

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        header = _header(path)
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            found = " ".join(", ".join(header).split())  # one line, even when a quoted name holds newlines
            found = found if len(found) <= 200 else found[:197] + "..."
            raise ImportFailed(f"{path}:1: not a TWCS file, missing column(s) {', '.join(missing)}; found: {found}")
        invalid: list[str] = []  # reasons of malformed rows, in file order

        def on_invalid(row: pacsv.InvalidRow) -> str:
            invalid.append(f"expected {row.expected_columns} fields, found {row.actual_columns}")
            return "skip"

        # pyarrow cannot hand a malformed row with invalid UTF-8 to on_invalid: keep its traceback
        # off stderr (the read then stops with the one-line ImportFailed below)
        with quiet_invalid_row_handler(on_invalid):
            source = pa.OSFile(str(path))
            try:
                reader = pacsv.open_csv(
                    source,
                    # the names as _header read them (spaces around names stripped), so Arrow finds them
                    read_options=pacsv.ReadOptions(
                        block_size=8 << 20, use_threads=True, column_names=header, skip_rows=1
                    ),
                    parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=list(COLUMNS),
                        column_types={c: pa.binary() for c in COLUMNS},
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=False,
                    ),
                )
            except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
                # the first block is parsed on open: a row Arrow cannot skip fails the file here, not in _batches
                source.close()
                first = str(exc).splitlines()[0]
                raise ImportFailed(f"{path}: the CSV cannot be parsed: {first}") from None
            channel = options.channel or "twitter"
            record = 0  # well-formed data records seen so far in this file
            pending: list[tuple[int, str, str]] = []  # (well-formed record number, field, reason)
            last_pos = 0
            try:
                for batch in _batches(reader, path):
                    out = self._convert(batch, channel, record, pending)
                    report.rows_read += batch.num_rows
                    record += batch.num_rows
                    if options.on_bytes is not None:
                        pos = source.tell()
                        options.on_bytes(pos - last_pos)
                        last_pos = pos
                    if out.num_rows:
                        yield out
            finally:
                source.close()
                report.rows_read += len(invalid)
                good_lines, bad_lines = _record_lines(path, len(header), [p[0] for p in pending], len(invalid))
                for i, reason in enumerate(invalid):
                    report.reject(str(path), bad_lines[i] if i < len(bad_lines) else None, None, reason)
                for rec, field_name, reason in pending:
                    report.reject(str(path), good_lines.get(rec), field_name, reason)

    def _convert(
        self, batch: pa.RecordBatch, channel: str, first_record: int, pending: list
    ) -> pa.RecordBatch:
        n = batch.num_rows
        rejected = np.zeros(n, dtype=bool)
        reasons: dict[int, tuple[str, str]] = {}

        def flag(mask: np.ndarray, field_name: str, reason: str) -> None:
            for i in np.flatnonzero(mask & ~rejected):
                reasons[int(i)] = (field_name, reason)
            rejected[:] |= mask

        cols = {}
        for name in COLUMNS:
            values, bad_utf8 = decode_utf8(batch.column(name))
            flag(bad_utf8, name, "bytes are not valid UTF-8")
            cols[name] = values
        ids = normalise_ids(cols["tweet_id"])
        flag(pc.is_null(ids).to_numpy(zero_copy_only=False), "tweet_id", "empty tweet_id")
        authors = pc.utf8_trim_whitespace(cols["author_id"])
        flag(is_blank(authors), "author_id", "empty author_id")
        inbound_raw = pc.utf8_trim_whitespace(cols["inbound"])
        is_true = pc.is_in(inbound_raw, value_set=_TRUE).to_numpy(zero_copy_only=False)
        is_false = pc.is_in(inbound_raw, value_set=_FALSE).to_numpy(zero_copy_only=False)
        flag(~(is_true | is_false), "inbound", "inbound must be True or False")
        created = parse_twitter_times(batch.column("created_at"))
        flag(
            pc.is_null(created).to_numpy(zero_copy_only=False),
            "created_at",
            "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'",
        )
        parents = normalise_ids(cols["in_response_to_tweet_id"])
        roles = pc.if_else(pa.array(is_true), "customer", "brand")
        brands = pc.if_else(pa.array(is_false), authors, pa.scalar(None, pa.string()))
        out = posts_batch(
            {
                "id": ids,
                "channel": pa.repeat(pa.scalar(channel, pa.string()), n),
                "parent_id": parents,
                "author": authors,
                "author_role": roles,
                "brand": brands,
                "created_at": created.cast(pa.timestamp("us", tz="UTC")),
                "text": unescape_twitter_text(cols["text"]),
            }
        )
        if rejected.any():
            for i in np.flatnonzero(rejected):
                field_name, reason = reasons[int(i)]
                pending.append((first_record + int(i) + 1, field_name, reason))
            out = out.filter(pa.array(~rejected))
        return out


def unescape_twitter_text(text: pa.Array) -> pa.Array:
    """Twitter escapes &, < and > in tweet text; the post record holds the plain text."""
    if not pc.any(pc.match_substring(text, "&")).as_py():
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = pc.replace_substring(text, entity, char)
    return text


_MONTHS = pa.array([m.encode() for m in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()], pa.binary())
_MONTH_NUMBERS = pa.array([f"{i:02d}".encode() for i in range(1, 13)], pa.binary())


def parse_twitter_times(raw: pa.Array) -> pa.Array:
    """Bytes like 'Tue Oct 31 22:10:47 +0000 2017' -> UTC timestamps (null where unparseable).

    Arrow's strptime is slow on this layout, so the fixed-width fields are sliced into ISO 8601,
    whose cast is several times faster; a batch with any irregular value takes strptime instead.
    """
    def part(start: int, stop: int) -> pa.Array:
        return pc.binary_slice(raw, start, stop)

    month = pc.take(_MONTH_NUMBERS, pc.index_in(part(4, 7), value_set=_MONTHS))
    if raw.null_count == 0 and month.null_count == 0 and pc.all(pc.equal(pc.binary_length(raw), 30)).as_py():
        iso = pc.binary_join_element_wise(part(26, 30), month, part(8, 10), b"-")
        iso = pc.binary_join_element_wise(iso, part(11, 19), b"T")
        iso = pc.binary_join_element_wise(iso, part(20, 25), b"")
        try:
            return pc.cast(iso.cast(pa.string()), pa.timestamp("s", tz="UTC"))
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass
    text, _bad = decode_utf8(raw)
    return pc.strptime(text, format=TIME_FORMAT, unit="s", error_is_null=True)


def _header(path: Path) -> list[str]:
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        row = next(csv.reader(fh), [])
    return [c.lstrip("\ufeff").strip() for c in row]


def _batches(reader: pacsv.CSVStreamingReader, path: Path) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            first = str(exc).splitlines()[0]
            raise ImportFailed(f"{path}: the CSV cannot be parsed further: {first}") from None
        yield batch


def _record_lines(
    path: Path, width: int, good_records: list[int], bad_count: int
) -> tuple[dict[int, int], list[int]]:
    """Line numbers of rejected rows; a second pass over the file, made only when rows were rejected.

    Returns the starting line of the given well-formed records (1-based among well-formed ones) and
    of the first `bad_count` malformed records, in file order.
    """
    wanted = set(good_records[:2000])
    good: dict[int, int] = {}
    bad: list[int] = []
    if not wanted and not bad_count:
        return good, bad
    last = max(wanted, default=0)
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        start = reader.line_num + 1
        number = 0
        for row in reader:
            if row:
                if len(row) == width:
                    number += 1
                    if number in wanted:
                        good[number] = start
                else:
                    bad.append(start)
            if number >= last and len(bad) >= bad_count:
                break
            start = reader.line_num + 1
    return good, bad
