"""Kaggle "Customer Support on Twitter" (TWCS) CSV: brand posts are the non-inbound ones."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..posts import posts_batch
from . import register
from .base import EARLIEST_YEAR, LATEST_YEAR, ImportFailed, ImportOptions, ImportReport, Importer
from .common import (
    ArrowCsvRead,
    csv_header,
    decode_utf8,
    first_line,
    is_blank,
    normalise_ids,
    one_line,
    rows_containing_byte,
)

COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_TRUE = pa.array(["True", "true", "TRUE", "1"])
_FALSE = pa.array(["False", "false", "FALSE", "0"])


@register
class TwcsImporter(Importer):
    name = "twcs"
    description = "Kaggle Customer Support on Twitter CSV (tweet_id, author_id, inbound, created_at, text, ...)"

    def sniff(self, path: Path, head: bytes) -> bool:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
        cols = {c.strip().strip('"') for c in first.split(",")}
        return {"tweet_id", "author_id", "inbound"} <= cols

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        header, _lines = csv_header(path)
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            found = one_line(", ".join(header))  # one line, even when a quoted name holds newlines
            raise ImportFailed(f"{path}:1: not a TWCS file, missing column(s) {', '.join(missing)}; found: {found}")
        csv_read = ArrowCsvRead(path, len(header), report)
        # pyarrow cannot hand a malformed row with invalid UTF-8 to on_invalid: keep its traceback
        # off stderr (the read then stops with the one-line ImportFailed below)
        with csv_read.quiet():
            source = pa.OSFile(str(path))
            try:
                reader = pacsv.open_csv(
                    source,
                    # the names as csv_header read them (spaces around names stripped), so Arrow finds them
                    read_options=pacsv.ReadOptions(
                        block_size=8 << 20, use_threads=True, column_names=header, skip_rows=1
                    ),
                    parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=csv_read.on_invalid),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=list(COLUMNS),
                        column_types={c: pa.binary() for c in COLUMNS},
                        strings_can_be_null=True,
                        quoted_strings_can_be_null=False,
                    ),
                )
            except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
                # the first block is parsed on open: a row Arrow cannot skip fails the file here, not in the loop
                source.close()
                raise ImportFailed(f"{path}: the CSV cannot be parsed: {first_line(exc)}") from None
            channel = options.channel or "twitter"
            record = 0  # well-formed data records seen so far in this file
            # batches are converted on a second thread while the next block is parsed (Arrow and
            # numpy release the GIL); results are taken in file order
            workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="twcs")
            in_flight: deque[tuple[Future, int, list]] = deque()

            def take_one() -> pa.RecordBatch:
                future, rows, batch_pending = in_flight.popleft()
                out = future.result()
                report.rows_read += rows
                csv_read.pending.extend(batch_pending)
                return out

            def failure(exc: pa.ArrowInvalid) -> ImportFailed:
                return ImportFailed(f"{path}: the CSV cannot be parsed further: {first_line(exc)}")

            try:
                for batch in csv_read.batches(reader, failure):
                    batch_pending: list = []  # (well-formed record number, field, reason)
                    in_flight.append(
                        (workers.submit(self._convert, batch, channel, record, batch_pending), batch.num_rows, batch_pending)
                    )
                    record += batch.num_rows
                    csv_read.progress(source, options.on_bytes)
                    while len(in_flight) > 2:
                        out = take_one()
                        if out.num_rows:
                            yield out
                while in_flight:
                    out = take_one()
                    if out.num_rows:
                        yield out
            finally:
                for future, _rows, _p in in_flight:
                    future.cancel()
                workers.shutdown(wait=True)
                source.close()
                csv_read.report_rejections()

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
    found = rows_containing_byte(text, ord("&"))
    if not found.any():
        return text
    mask = pa.array(found)
    escaped = pc.filter(text, mask)  # only the few texts with an entity pay for the replacements
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        escaped = pc.replace_substring(escaped, entity, char)
    return pc.replace_with_mask(text, mask, escaped)


_MONTH_KEYS = {(ord(m[0]) << 16) | (ord(m[1]) << 8) | ord(m[2]): i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
_SORTED_KEYS = np.array(sorted(_MONTH_KEYS), dtype=np.int64)
_SORTED_MONTHS = np.array([_MONTH_KEYS[k] for k in sorted(_MONTH_KEYS)], dtype=np.int64)
_WIDTH = 30  # len("Tue Oct 31 22:10:47 +0000 2017")
_LITERALS = {3: b" ", 7: b" ", 10: b" ", 13: b":", 16: b":", 19: b" ", 25: b" "}
_DIGITS = (8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24, 26, 27, 28, 29)


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


def _fixed_width_seconds(raw: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds and validity of values that are all exactly _WIDTH bytes long."""
    n = len(raw)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    offsets = np.frombuffer(raw.buffers()[1], dtype=np.int32)[raw.offset : raw.offset + n + 1]
    chars = np.frombuffer(raw.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(n, _WIDTH)
    valid = np.ones(n, dtype=bool)
    for position, literal in _LITERALS.items():
        valid &= chars[:, position] == literal[0]
    sign_char = chars[:, 20]
    valid &= (sign_char == ord("+")) | (sign_char == ord("-"))
    digits = {i: chars[:, i].astype(np.int64) - 48 for i in _DIGITS}
    for d in digits.values():
        valid &= (d >= 0) & (d <= 9)
    key = (chars[:, 4].astype(np.int64) << 16) | (chars[:, 5].astype(np.int64) << 8) | chars[:, 6]
    slot = np.clip(np.searchsorted(_SORTED_KEYS, key), 0, 11)
    valid &= _SORTED_KEYS[slot] == key
    month = _SORTED_MONTHS[slot]

    def number(*places: int) -> np.ndarray:
        value = np.zeros(n, dtype=np.int64)
        for place in places:
            value = value * 10 + digits[place]
        return value

    year, day = number(26, 27, 28, 29), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    offset = number(21, 22) * 3600 + number(23, 24) * 60
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month] + (leap & (month == 2))
    valid &= (day >= 1) & (day <= month_days) & (hour <= 23) & (minute <= 59) & (second <= 60)
    valid &= (year >= EARLIEST_YEAR) & (year <= LATEST_YEAR)
    # days since 1970-01-01 from the civil date (H. Hinnant's algorithm), vectorised
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    local = days * 86400 + hour * 3600 + minute * 60 + second
    return local - np.where(sign_char == ord("-"), -offset, offset), valid
