"""Kaggle "Customer Support on Twitter" (TWCS) CSV: brand posts are the non-inbound ones.

DuckDB parses the file (in parallel, into Arrow; see ingest.duckcsv for how malformed records are
set aside and reported by line; the CLI may start that parse while it loads, see readahead); the batches are then checked and converted (`_convert`) on two
threads, the next batch while the previous one is taken. DuckDB takes one line ending for a whole
file: when records end otherwise too (CRLF and LF mixed) its parse fails, and a copy whose records
all end in LF is parsed instead (`lf_copy`; only then, so a file that parses pays nothing).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import shutil
import threading
from datetime import datetime, timezone
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import readahead
from ..posts import nfc_column, posts_batch
from ..readahead import twcs_sql
from . import register
from .base import EARLIEST_YEAR, LATEST_YEAR, ImportFailed, ImportOptions, ImportReport, Importer
from .common import (
    EARLIEST_US, LATEST_US, csv_header, decode_utf8, out_of_range, repaired_csv, first_line, is_blank, normalise_ids, nul_reason, nul_rows, one_line,
    trimmed_or_none,
)
from .duckcsv import locate_rows, malformed_records, read_csv_sql, report_rejections, spans_lines

COLUMNS = readahead.TWCS_COLUMNS
_TRUE = pa.array(["True", "true", "TRUE", "1"])
_FALSE = pa.array(["False", "false", "FALSE", "0"])


@register
class TwcsImporter(Importer):
    """Reads the Kaggle Customer Support on Twitter (TWCS) CSV."""

    name = "twcs"
    description = "Kaggle Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, text, ...)"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
        cols = {c.strip().strip('"') for c in first.split(",")}
        return {"tweet_id", "author_id", "inbound"} <= cols

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        header, _lines = csv_header(path)
        readahead.refuse_repeated_columns(path, header, COLUMNS)  # other columns are not read: may repeat
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            found = one_line(", ".join(header))  # one line, even when a quoted name holds newlines
            raise ImportFailed(f"{path}:1: not a TWCS file, missing column(s) {', '.join(missing)}; found: {found}")
        records, malformed = self._parse(path, header, options.texts == "requests", options.on_bytes)
        where = locate_rows(path, [m.row for m in malformed], [])[0] if malformed else {}
        if spans_lines(where):  # the error path: maybe a quote that never closes took the lines after it in
            with repaired_csv(path, header) as (damage, repaired):
                if damage:
                    records, malformed = self._parse(repaired, header, options.texts == "requests")
                    yield from self._read_records(path, repaired, header, records, malformed, damage, options, report, None)
                    return
        yield from self._read_records(path, path, header, records, malformed, [], options, report, where)

    def _read_records(
        self, path: Path, lines_from: Path, header: list[str], records: pa.Table, malformed: list,
        damage: list, options: ImportOptions, report: ImportReport, where: dict | None,
    ) -> Iterator[pa.RecordBatch]:
        """Check, convert and yield parsed records; report every rejection with its line in `path`."""
        report.rows_read += records.num_rows + len(malformed) + len(damage)
        channel = options.channel or "twitter"
        pending: list[tuple[int, str, str]] = []  # (well-formed record number, field, reason)
        batches = records.to_batches(max_chunksize=max(1, options.batch_rows))
        starts = np.cumsum([0] + [b.num_rows for b in batches])
        try:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="twcs") as workers:
                # map keeps file order; Arrow and numpy release the GIL, so two batches convert at once
                results = workers.map(
                    lambda i: self._convert(batches[i], channel, int(starts[i]) + 1), range(len(batches))
                )
                for out, rejected in results:
                    pending.extend(rejected)
                    if out.num_rows:
                        yield out
        finally:
            report_rejections(report, path, len(header), header, malformed, pending, damage, lines_from, where)

    @staticmethod
    def _parse(
        path: Path, header: list[str], requests_only: bool = False, on_bytes: Callable[[int], None] | None = None
    ) -> tuple[pa.Table, list]:
        """The well-formed records (the six columns as text, texts unescaped) and the malformed ones.

        `requests_only`: leave out the text of rows that surely cannot open a conversation (see
        readahead.twcs_sql). The CLI may have started this very parse already (readahead).
        """
        sql = twcs_sql(header, requests_only, read_csv_sql(len(header)))
        try:
            done = _run_parse(path, sql, on_bytes)
        except duckdb.Error as exc:
            # the error path: DuckDB takes one line ending for the whole file (from its first lines),
            # and a record ending otherwise (an LF line in a CRLF file) stops the parse with "the CSV
            # Parser state machine reached an invalid state". Read a copy whose records all end in LF.
            failure = ImportFailed(f"{path}: the CSV cannot be parsed: {one_line(first_line(exc))}")
            with lf_copy(path) as copy:
                if copy is None:  # every record ends in LF: the line endings are not what failed
                    raise failure from None
                try:
                    done = _run_parse(copy, sql, None)
                except duckdb.Error:
                    raise failure from None
        records, rejected = done
        return records, malformed_records(rejected)

    def _convert(self, table: pa.RecordBatch, channel: str, first_record: int) -> tuple[pa.RecordBatch, list]:
        """Check and convert raw TWCS values (texts already unescaped): (posts, rejections).

        Rejections are (well-formed record number, field, reason); record numbers count from
        `first_record` for the first row of `table`.
        """
        n = table.num_rows
        rejected = np.zeros(n, dtype=bool)
        reasons: dict[int, tuple[str, str]] = {}

        def flag(mask: np.ndarray, field_name: str, reason: str) -> None:
            for i in np.flatnonzero(mask & ~rejected):
                reasons[int(i)] = (field_name, reason)
            rejected[:] |= mask

        cols = {}
        for name in COLUMNS:
            values, bad_utf8 = decode_utf8(table.column(name))
            flag(bad_utf8, name, "bytes are not valid UTF-8")
            nul = nul_rows(values)
            if nul is not None:
                flag(nul, name, nul_reason(name))
            cols[name] = values
        ids = normalise_ids(cols["tweet_id"])
        flag(pc.is_null(ids).to_numpy(zero_copy_only=False), "tweet_id", "empty tweet_id")
        authors = trimmed_or_none(cols["author_id"])
        if authors is None:
            authors = pc.utf8_trim_whitespace(cols["author_id"])
            flag(is_blank(authors), "author_id", "empty author_id")
        inbound = cols["inbound"]
        is_true = is_false = np.zeros(n, dtype=bool)
        if not inbound.null_count:
            is_true = pc.equal(inbound, "True").to_numpy(zero_copy_only=False)
            is_false = pc.equal(inbound, "False").to_numpy(zero_copy_only=False)
        if not (is_true | is_false).all():  # other spellings, spaces or nulls
            inbound_raw = pc.utf8_trim_whitespace(cols["inbound"])
            is_true = pc.is_in(inbound_raw, value_set=_TRUE).to_numpy(zero_copy_only=False)
            is_false = pc.is_in(inbound_raw, value_set=_FALSE).to_numpy(zero_copy_only=False)
        flag(~(is_true | is_false), "inbound", "inbound must be True or False")
        created = parse_twitter_times(cols["created_at"])
        unparsed = pc.is_null(created).to_numpy(zero_copy_only=False)
        if unparsed.any():  # the error path: a well-formed date of a year no post may have
            flag(_out_of_range(cols["created_at"], unparsed), "created_at", out_of_range("created_at", None))
        flag(unparsed, "created_at", "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'")
        parents = normalise_ids(cols["in_response_to_tweet_id"])
        roles = pc.if_else(pa.array(is_true), "customer", "brand")
        authors = nfc_column(authors)  # once here: the brand column is taken from it
        brands = pc.if_else(pa.array(is_false), authors, pa.scalar(None, pa.string()))
        out = posts_batch(
            {
                "id": ids,
                "channel": _repeated(channel, n),
                "parent_id": parents,
                "author": authors,
                "author_role": roles,
                "brand": brands,
                "created_at": created.cast(pa.timestamp("us", tz="UTC")),
                "text": cols["text"],
            },
            handles_nfc=True,
        )
        rejections = [(first_record + int(i), *reasons[int(i)]) for i in np.flatnonzero(rejected)]
        return (out.filter(pa.array(~rejected)) if rejected.any() else out), rejections


def _run_parse(
    path: Path, sql: str, on_bytes: Callable[[int], None] | None
) -> tuple[pa.Table, list[tuple]]:
    """readahead.parse of `path` (taken from the read-ahead when it started this very parse)."""
    try:
        done = readahead.take(path, sql)
    except Exception:
        if on_bytes is not None:
            on_bytes(path.stat().st_size)
        raise
    if done is not None:
        if on_bytes is not None:
            on_bytes(path.stat().st_size)
        return done
    con = duckdb.connect()
    progress = _Progress(con, path.stat().st_size, on_bytes)
    try:
        return readahead.parse(con, path, sql)
    finally:
        progress.stop()
        con.close()


@contextlib.contextmanager
def lf_copy(path: Path) -> Iterator[Path | None]:
    """A temporary copy of `path` whose records all end in LF (CRLF and bare CR endings made LF),
    or None when every record already does. Only run on the error path (see TwcsImporter._parse).

    Only record endings change: a line break inside a quoted value is kept as written (csv.reader,
    which locate_rows numbers lines with too, decides which lines end a record), so every value
    reads the same and every record keeps its line number. Should csv.reader fail on a line, the
    rest of the file is copied as it is.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="helpfirst-") as folder:
        copy = Path(folder) / path.name
        changed = False
        text = {"encoding": "utf-8", "errors": "surrogateescape", "newline": ""}  # any bytes, kept
        with path.open("r", **text) as source, copy.open("w", **text) as out:
            lines: list[str] = []  # the lines of the record being read

            def fed() -> Iterator[str]:
                for line in source:  # lines end in LF, CRLF or CR (newline="")
                    lines.append(line)
                    yield line

            try:
                for _row in csv.reader(fed()):
                    last = lines.pop()  # the record ends with the last line read
                    if last.endswith("\r"):
                        last, changed = last[:-1] + "\n", True
                    elif last.endswith("\r\n"):
                        last, changed = last[:-2] + "\n", True
                    out.writelines(lines)
                    out.write(last)
                    lines.clear()
            except csv.Error:
                pass
            out.writelines(lines)
            shutil.copyfileobj(source, out)
        yield copy if changed else None


def _out_of_range(raw: pa.Array, rows: np.ndarray) -> np.ndarray:
    """Mask of the given rows whose value is a Twitter date of a year outside EARLIEST_YEAR-LATEST_YEAR
    (in UTC, as every format compares it)."""
    out = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(rows):
        value = raw[int(i)].as_py()
        try:
            when = datetime.strptime(value.strip(), "%a %b %d %H:%M:%S %z %Y")
            year = when.astimezone(timezone.utc).year if when.utcoffset() is not None else when.year
        except (AttributeError, ValueError, OverflowError):
            continue
        out[i] = not EARLIEST_YEAR <= year <= LATEST_YEAR
    return out


_WIDTH = 30  # len("Tue Oct 31 22:10:47 +0000 2017")


def _two_digit_table() -> np.ndarray:
    """Two ASCII digits read as one little-endian uint16 -> their value (0-99); -1 for anything else."""
    table = np.full(1 << 16, -1, dtype=np.int16)
    for tens in range(10):
        for ones in range(10):
            table[(48 + tens) | ((48 + ones) << 8)] = tens * 10 + ones
    return table


_TWO_DIGITS = _two_digit_table()
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
#: a month's number by the 2nd and 3rd letters of its name (unique among the twelve), else 0
_MONTH_BY_TAIL = np.zeros(1 << 16, dtype=np.intp)
for _number, _name in enumerate(_MONTH_NAMES, start=1):
    _MONTH_BY_TAIL[ord(_name[1]) | (ord(_name[2]) << 8)] = _number
_MONTH_HEAD = np.array([0] + [ord(m[0]) for m in _MONTH_NAMES], dtype=np.uint8)  # first letters by number
#: the fixed separators: byte position -> byte
_SEPARATORS = {3: b" ", 7: b" ", 10: b" ", 13: b":", 16: b":", 19: b" ", 25: b" "}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int16)
#: days from 1970-01-01 to the first day of every month of the years a post may have, and of the
#: year either side: the range holds in UTC, so 'Wed Dec 31 23:30:00 -0100 1969' is a post of 1970
_FIRST_LOCAL_YEAR, _LAST_LOCAL_YEAR = EARLIEST_YEAR - 1, LATEST_YEAR + 1
_MONTH_START = (
    ((np.arange(_FIRST_LOCAL_YEAR, _LAST_LOCAL_YEAR + 1)[:, None] - 1970) * 12 + np.arange(12)[None, :])
    .astype("datetime64[M]")
    .astype("datetime64[D]")
    .astype(np.int64)
)


def parse_twitter_times(raw: pa.Array) -> pa.Array:
    """Bytes like 'Tue Oct 31 22:10:47 +0000 2017' -> UTC timestamps; null where a value is not one.

    Twitter writes this layout at a fixed width, so it is decoded arithmetically from the bytes
    (about ten times faster than Arrow's strptime, which also accepts impossible dates like Feb 30).
    """
    n = len(raw)
    fixed = pc.fill_null(pc.equal(pc.binary_length(raw), _WIDTH), False)
    whole = raw.null_count == 0 and pc.all(fixed).as_py() is not False
    rows = raw if whole else pc.filter(raw, fixed)
    seconds, valid = _fixed_width_seconds(rows)
    if not whole:
        placed = np.zeros(n, dtype=np.int64)
        placed_valid = np.zeros(n, dtype=bool)
        where = fixed.to_numpy(zero_copy_only=False)
        placed[where], placed_valid[where] = seconds, valid
        seconds, valid = placed, placed_valid
    return pa.array(seconds, type=pa.int64(), mask=~valid).cast(pa.timestamp("s", tz="UTC"))


@functools.lru_cache(maxsize=8)
def _repeated(value: str, n: int) -> pa.Array:
    """`value` n times; batches of one size share the array (Arrow arrays are immutable)."""
    return pa.repeat(pa.scalar(value, pa.string()), n)


class _Progress:
    """Tells `on_bytes` how far DuckDB has read a file, from its query progress (a watcher thread)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, size: int, on_bytes: Callable[[int], None] | None) -> None:
        self.size, self.on_bytes, self.told = size, on_bytes, 0
        self.done = threading.Event()
        self.thread = None
        if on_bytes is not None:
            self.thread = threading.Thread(target=self._watch, args=(con,), name="twcs-progress", daemon=True)
            self.thread.start()

    def _watch(self, con: duckdb.DuckDBPyConnection) -> None:
        while not self.done.wait(0.1):
            percent = con.query_progress()
            if percent > 0:
                self._tell(int(self.size * min(percent, 100.0) / 100.0))

    def _tell(self, upto: int) -> None:
        if upto > self.told:
            self.on_bytes(upto - self.told)
            self.told = upto

    def stop(self) -> None:
        """Stop watching; the whole file counts as read."""
        if self.thread is not None and not self.done.is_set():
            self.done.set()
            self.thread.join()
            self._tell(self.size)


def _fixed_width_seconds(raw: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds and validity of values that are all exactly _WIDTH bytes long.

    Each field is read in place, as a strided view of the values' bytes: two-digit fields as
    uint16 looked up in a table (which also rejects non-digits), the month by two letters.
    """
    n = len(raw)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    offsets = np.frombuffer(raw.buffers()[1], dtype=np.int32)[raw.offset : raw.offset + n + 1]
    data = np.frombuffer(raw.buffers()[2], dtype=np.uint8)
    start = int(offsets[0])

    def byte(at: int) -> np.ndarray:
        return data[start + at : start + at + _WIDTH * (n - 1) + 1 : _WIDTH]

    def two_digits(at: int) -> np.ndarray:
        pair = np.ndarray((n,), dtype="<u2", buffer=data, offset=start + at, strides=(_WIDTH,))
        return _TWO_DIGITS[pair]

    day, hour, minute, second = two_digits(8), two_digits(11), two_digits(14), two_digits(17)
    offset_hours, offset_minutes, century, year = two_digits(21), two_digits(23), two_digits(26), two_digits(28)
    valid = (day >= 1) & (hour >= 0) & (hour <= 23) & (minute >= 0) & (minute <= 59) & (second >= 0) & (second <= 60)
    # a time-zone offset is at most +2359 (as the canonical formats reject +25:00)
    valid &= (offset_hours >= 0) & (offset_hours <= 23) & (offset_minutes >= 0) & (offset_minutes <= 59)
    valid &= (century >= 0) & (year >= 0)
    for at, separator in _SEPARATORS.items():
        valid &= byte(at) == ord(separator)
    sign = byte(20)
    valid &= (sign == ord("+")) | (sign == ord("-"))
    month = _MONTH_BY_TAIL[np.ndarray((n,), dtype="<u2", buffer=data, offset=start + 5, strides=(_WIDTH,))]
    valid &= (month > 0) & (byte(4) == _MONTH_HEAD[month])
    year = century.astype(np.int32) * 100 + year
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    valid &= (year >= _FIRST_LOCAL_YEAR) & (year <= _LAST_LOCAL_YEAR)
    valid &= day <= _MONTH_DAYS[month] + (leap & (month == 2))
    days = _MONTH_START[np.where(valid, year - _FIRST_LOCAL_YEAR, 0), np.maximum(month - 1, 0)] + (day - 1)
    offset = offset_hours * np.int64(3600) + offset_minutes * np.int64(60)
    local = days * 86400 + hour * np.int64(3600) + minute * np.int64(60) + second
    utc = local - np.where(sign == ord("-"), -offset, offset)
    # the range holds for the time in UTC ('Thu Jan 01 00:00:00 +0100 1970' is 1969 there): rejected
    # here, with its line, rather than after the import with none
    valid &= (utc >= EARLIEST_US // 1_000_000) & (utc <= LATEST_US // 1_000_000)
    return utc, valid
