"""Helpers shared by importers: text decoding, timestamps, ids, mentions, row filtering."""

from __future__ import annotations

import codecs
import csv
import html
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from .base import EARLIEST_YEAR, LATEST_YEAR, nfc

UTC_US = pa.timestamp("us", tz="UTC")
#: the years posts may have, in microseconds since the epoch (as the timestamps are held)
EARLIEST_US = int((datetime(EARLIEST_YEAR, 1, 1, tzinfo=timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 1_000_000
LATEST_US = int((datetime(LATEST_YEAR, 12, 31, 23, 59, 59, tzinfo=timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 1_000_000 + 999_999


def decode_utf8(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Binary column -> string column plus a bool mask of rows whose bytes are not valid UTF-8."""
    if pa.types.is_string(column.type):
        return column, np.zeros(len(column), dtype=bool)
    try:
        return column.cast(pa.string()), np.zeros(len(column), dtype=bool)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    bad = np.zeros(len(column), dtype=bool)
    values: list[str | None] = []
    for i, raw in enumerate(column.to_pylist()):
        if raw is None:
            values.append(None)
            continue
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad[i] = True
            values.append(None)
    return pa.array(values, type=pa.string()), bad


def is_blank(column: pa.Array) -> np.ndarray:
    """Mask of null or whitespace-only strings."""
    stripped = pc.utf8_trim_whitespace(column)
    mask = pc.or_kleene(pc.is_null(stripped), pc.equal(pc.utf8_length(stripped), 0))
    return mask.fill_null(True).to_numpy(zero_copy_only=False)




#: The one rule for ids written as floats, in every format (CSV columns, JSON strings, duplicates.py):
#: ASCII digits, a point and one or more zeros ('3.0', '12.00') are the digits alone; anything else
#: ('v1.0', '3.5', '-3.0', '3.') is an id of its own.
FLOAT_ID = re.compile(r"([0-9]+)\.0+")


def plain_id(text: str) -> str:
    """A trimmed id without the point and zeros of a float-written whole number (FLOAT_ID)."""
    if "." in text:
        match = FLOAT_ID.fullmatch(text)
        if match:
            return match.group(1)
    return text


def normalise_ids(column: pa.Array) -> pa.Array:
    """Ids as trimmed strings; '3.0' and '3.00' (ids written as floats, FLOAT_ID) become '3'; empty becomes null."""
    plain = _digit_ids(column)
    return plain if plain is not None else _normalise_any_ids(column)


def _normalise_any_ids(column: pa.Array) -> pa.Array:
    cleaned = pc.utf8_trim_whitespace(column)
    # a substring search first: the rest only runs when some id holds '.0' at all
    if pc.any(pc.match_substring(cleaned, ".0")).as_py():
        # FLOAT_ID by kernels (twice as fast as the regex): ends in '0', with the zeros trimmed ends
        # in '.', and before that point only ASCII digits
        trimmed = pc.utf8_rtrim(cleaned, characters="0")
        number = pc.utf8_slice_codeunits(trimmed, 0, -1)
        floaty = pc.and_(pc.and_(pc.ends_with(cleaned, "0"), pc.ends_with(trimmed, ".")), pc.ascii_is_decimal(number))
        cleaned = pc.if_else(floaty, number, cleaned)
    empty = pc.equal(pc.utf8_length(cleaned), 0)
    if pc.any(empty).as_py():
        cleaned = pc.if_else(empty, pa.scalar(None, pa.string()), cleaned)
    return cleaned


def _string_buffers(column: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(offsets, data bytes, validity) of a string array, or None when it is not a plain one."""
    if not isinstance(column, pa.Array) or not pa.types.is_string(column.type):
        return None
    n = len(column)
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + n + 1]
    if buffers[2] is None:
        data = np.zeros(0, dtype=np.uint8)
    else:
        data = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    valid = column.is_valid().to_numpy(zero_copy_only=False) if column.null_count else np.ones(n, dtype=bool)
    if column.null_count and (np.diff(offsets)[~valid] != 0).any():
        return None  # null slots holding bytes: not worth a fast path
    return offsets - offsets[0], data, valid


def _digit_ids(column: pa.Array) -> pa.Array | None:
    """normalise_ids for the usual columns, by a look at the bytes: every id made of ASCII digits
    (returned as it is) or every id digits followed by '.0' (returned without it); None otherwise."""
    parts = _string_buffers(column)
    if parts is None:
        return None
    offsets, data, valid = parts
    lengths = np.diff(offsets)[valid]
    not_digit = int(np.count_nonzero((data - np.uint8(48)) > 9))  # bytes other than 0-9 wrap past 9
    if not_digit == 0 and (lengths > 0).all():
        return column
    if not_digit == len(lengths) and (lengths >= 3).all():
        ends = offsets[1:][valid]
        if (data[ends - 2] == ord(".")).all() and (data[ends - 1] == ord("0")).all():
            return _without_last_two_bytes(column, offsets, data, valid, ends)
    return None


def _without_last_two_bytes(
    column: pa.Array, offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, ends: np.ndarray
) -> pa.Array:
    """Every non-null value of a string array without its last two (ASCII) bytes, built from the buffers."""
    keep = np.ones(len(data), dtype=bool)
    keep[ends - 2] = False
    keep[ends - 1] = False
    removed = np.zeros(len(offsets), dtype=np.int32)
    np.cumsum(valid * np.int32(2), out=removed[1:])
    validity = None if not column.null_count else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), len(column), [validity, pa.py_buffer(offsets - removed), pa.py_buffer(data[keep])],
        null_count=column.null_count,
    )


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # what utf8_trim_whitespace (and str.isspace) trims
_ASCII_SPACE[128:] = True  # a non-ASCII byte at either end could be Unicode white space


def trimmed_or_none(column: pa.Array) -> pa.Array | None:
    """`column` when trimming white space would change no value and none is empty or null, else None."""
    parts = _string_buffers(column)
    if parts is None or column.null_count:
        return None
    offsets, data, _valid = parts
    if len(column) == 0:
        return column
    if (np.diff(offsets) == 0).any():
        return None
    if _ASCII_SPACE[data[offsets[:-1]]].any() or _ASCII_SPACE[data[offsets[1:] - 1]].any():
        return None
    return column


def parse_iso_timestamps(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """ISO 8601 strings -> UTC timestamps and a mask of unparseable ones.

    Values without an offset are taken as UTC. A vectorised cast is tried first; only a batch with
    unusual values falls back to Python's parser.
    """
    try:
        return pc.cast(column, UTC_US), pc.is_null(column).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    out: list[datetime | None] = []
    bad = np.zeros(len(column), dtype=bool)
    for i, raw in enumerate(column.to_pylist()):
        value = parse_iso(raw)
        if value is None:
            bad[i] = True
        out.append(value)
    return pa.array(out, type=UTC_US), bad


#: a time of day to the minute after the date: 'T09:30', ' 09:30', 'T0930' (ISO 8601 allows the
#: date alone or the hour alone too; a reply time measured in minutes cannot use them)
_TIME_OF_DAY = r"\d[Tt ]\d{2}:?\d{2}"
_HAS_TIME_OF_DAY = re.compile(_TIME_OF_DAY)


def no_time_of_day(name: str, value: object) -> str:
    """The rejection reason of a date-time string without hours and minutes (the same in every format)."""
    return f"{name} has no time of day (hours and minutes): {preview(value)}"


def lacks_time_of_day(column: pa.Array, parsed: np.ndarray) -> np.ndarray:
    """Mask of the `parsed` rows of a string column whose value has no hours and minutes ('2024-02-01')."""
    out = np.zeros(len(column), dtype=bool)
    # the regex only for values not laid out as 'YYYY-MM-DDTHH:MM...' (their bytes 9-15 match it);
    # length alone proves nothing: '2024-02-01T09+05:00' and a date padded with spaces are long
    rows = np.flatnonzero(parsed & ~_minutes_at_byte_9(column))
    if len(rows):
        values = column.take(pa.array(rows))
        found = pc.match_substring_regex(values, pattern=_TIME_OF_DAY).fill_null(True).to_numpy(zero_copy_only=False)
        out[rows] = ~found
    return out


def _byte_mask(positions: tuple[int, ...], byte: int) -> np.uint64:
    return np.uint64(sum(byte << (8 * p) for p in positions))


# bytes 8-15 of a value read as one little-endian uint64: byte 8 is bits 0-7, byte 15 bits 56-63
_DIGITS_AT = (1, 3, 4, 6, 7)  # bytes 9, 11, 12, 14, 15
_HIGH_NIBBLES, _LOW_NIBBLES = _byte_mask(_DIGITS_AT, 0xF0), _byte_mask(_DIGITS_AT, 0x0F)
_DIGIT_HIGH, _SIX = _byte_mask(_DIGITS_AT, 0x30), _byte_mask(_DIGITS_AT, 0x06)


def _minutes_at_byte_9(column: pa.Array) -> np.ndarray:
    """Mask of the values whose bytes 9-15 are a digit, T/t/space, 2 digits, ':', 2 digits (so
    _TIME_OF_DAY matches them), by a look at the buffers; all False when the column is not plain."""
    parts = _string_buffers(column)
    if parts is None:
        return np.zeros(len(column), dtype=bool)
    offsets, data, valid = parts
    out = valid & (np.diff(offsets) >= 16)
    if not out.any():
        return out
    # every offset's next 8 bytes as one (unaligned) uint64: one gather per value, not one per byte
    words = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))[offsets[:-1][out] + 8]
    # a digit is 0x3N with N <= 9: N + 6 stays below 0x10
    proven = (words & _HIGH_NIBBLES) == _DIGIT_HIGH
    proven &= (((words & _LOW_NIBBLES) + _SIX) & _HIGH_NIBBLES) == 0
    proven &= ((words >> np.uint64(40)) & np.uint64(0xFF)) == ord(":")
    separator = (words >> np.uint64(16)) & np.uint64(0xFF)
    proven &= ((separator | np.uint64(0x20)) == ord("t")) | (separator == ord(" "))
    out[out] = proven
    return out


def parse_iso(raw: object) -> datetime | None:
    """One ISO 8601 value (or epoch seconds) -> aware UTC datetime, None when unparseable."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        try:
            return datetime.fromtimestamp(float(raw), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 has no UTC equivalent
        return None


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p)\s*/?>", re.IGNORECASE)


def html_to_text(markup: str | None) -> str | None:
    """Plain text from the small HTML subset social networks emit (Mastodon `content`)."""
    if markup is None:
        return None
    text = _BREAK.sub("\n", markup)
    text = _TAG.sub("", text)
    return html.unescape(text).strip()


# --- helpers for the JSON and canonical importers (x-v2, mastodon, jsonl, csv) -------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64_MAX = 2**63 - 1
#: the largest whole number a JSON number read as a float holds exactly (as in knowledge.sources: kb add)
_EXACT_FLOAT = 2**53


class FieldError(ValueError):
    """A value of one field cannot be used; the message is the rejection reason, `field` names the field."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def nul_reason(name: str) -> str:
    """The rejection reason of a value holding a NUL (U+0000), raw or escaped (the same in every format)."""
    return f"{name} holds a NUL byte (U+0000), which is not text"


def has_surrogates(text: str) -> bool:
    """True when a str holds lone surrogates (undecodable bytes or a bad \\u escape in JSON)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def to_id(value: object, name: str = "id") -> str | None:
    """A JSON id (string or integer) as a trimmed string; None when absent or empty.

    Integral floats and '3.0' or '3.00' become '3' (FLOAT_ID: ids written by tools that store numbers as floats); a float above 2^53
    (not exact) is rejected.
    Raises FieldError for other types.
    """
    if value is None:
        return None
    if type(value) is str:
        if has_surrogates(value):
            raise FieldError(f"{name} is not valid Unicode", name)
        if "\x00" in value:
            raise FieldError(nul_reason(name), name)
        text = value.strip()
        if not text:
            return None
        return plain_id(text)
    if isinstance(value, bool):
        raise FieldError(f"{name} must be a string or an integer, not a boolean", name)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= _EXACT_FLOAT:
            return str(int(value))
        if value.is_integer():
            # 1052912345678901234.0 (pandas writes tweet ids so) is read as the nearest float, another number: two ids
            # would become one and replies would link to the wrong post
            raise FieldError(f"{name} must be text or an integer, not the number {json.dumps(value)}: a number beyond "
                             f"2^53 written as a float is too large to be exact; write ids as strings", name)
        raise FieldError(f"{name} must be a string or an integer, not {value!r}", name)
    raise FieldError(f"{name} must be a string or an integer, not {json_kind(value)}", name)


def to_text(value: object, name: str = "text") -> str | None:
    """A JSON string field; None when absent. Raises FieldError for other types or bad Unicode."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(f"{name} must be a string, not {json_kind(value)}", name)
    if has_surrogates(value):
        raise FieldError(f"{name} is not valid Unicode", name)
    if "\x00" in value:
        raise FieldError(nul_reason(name), name)
    return value


def to_count(value: object, name: str) -> int | None:
    """A like/repost count: a whole number >= 0 (int, integral float or digits); None when absent."""
    if value is None:
        return None
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        text = plain_id(text)
        if text.isascii() and text.isdigit() and len(text) <= 19:
            number = int(text)
    if number is None or number < 0 or number > _INT64_MAX:
        raise FieldError(f"{name} must be a whole number >= 0, not {preview(value)}", name)
    return number


def to_timestamp(value: object, name: str = "created_at", numbers: bool = True) -> datetime:
    """A required ISO 8601 (or, with `numbers`, epoch seconds) timestamp within the years posts may
    have; raises FieldError when absent, of another type, unparseable or out of range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(f"missing {name}", name)
    if not numbers and not isinstance(value, str):
        raise FieldError(f"{name} must be an ISO 8601 date-time string, not {json_kind(value)}: {preview(value)}", name)
    parsed = None if isinstance(value, bool) else parse_iso(value)
    if parsed is None:
        raise FieldError(f"{name} is not an ISO 8601 date-time: {preview(value)}", name)
    if isinstance(value, str) and not _HAS_TIME_OF_DAY.search(value):
        raise FieldError(no_time_of_day(name, value), name)
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise FieldError(out_of_range(name, value), name)
    return parsed


def out_of_range(name: str, value: object) -> str:
    """The reason given for a date outside the years a post may have (the same in every format)."""
    shown = "" if value is None else f": {preview(value)}"
    return f"{name} is dated outside {EARLIEST_YEAR}-{LATEST_YEAR}{shown}"


def json_kind(value: object) -> str:
    """The JSON kind of a value as a rejection names it: 'an object', 'a string', 'null', ..."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def json_preview(value: object, limit: int = 40) -> str:
    """A JSON value as a rejection shows it, written as JSON (false, "true"), cut to about `limit` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def preview(value: object, limit: int = 40) -> str:
    """A value as a rejection reason shows it: its repr, cut to `limit` characters.

    A cut string keeps its closing quote ('abcd...'); any other value ends in ... alone.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        return text[: limit - 4] + "..." + text[-1]
    return text[: limit - 3] + "..."


def one_line(text: str, limit: int = 200) -> str:
    """Text for a one-line message: runs of white space folded to one space, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message; its type when it has none."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"  # Python's message speaks of its own recursion, not of the input
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        # Python's message tells to call sys.set_int_max_str_digits(): not the reader's business
        return f"a number too long (over {sys.get_int_max_str_digits()} digits)"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def get_path(record: dict, path: str, missing: object = None) -> object:
    """record[path], or a dotted path into nested objects ('user.name'); `missing` when absent."""
    if path in record:
        return record[path]
    if "." not in path:
        return missing
    value: object = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return missing
        value = value[part]
    return value


# --- handles, brands and mentions -----------------------------------------------------------------

# @handle or @user@instance.domain, not preceded by a handle character (so e-mail addresses do not
# count). A handle is letters, combining marks, digits and underscores, as in the scorecard
# (measure.scorecard.HANDLE), and is taken whole: '@Acmeé' and '@Acme' + U+0301 are the handle
# 'Acmé' (match_handle compares in NFC), neither mentions 'Acme'.
_INSTANCE = r"(?:@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)?"
_MENTION = regex.compile(r"(?<![\p{L}\p{M}\p{N}_@])@([\p{L}\p{M}\p{N}_]+" + _INSTANCE + ")")
#: the same on ASCII text (most posts), with the faster stdlib engine
_MENTION_ASCII = re.compile(r"(?<![A-Za-z0-9_@])@([A-Za-z0-9_]+" + _INSTANCE + ")")


def handle_lookup(handles: object) -> dict[str, str]:
    """Lower-cased NFC handle -> handle as given (NFC); a fediverse handle 'user@host' is also found by 'user'."""
    out: dict[str, str] = {}
    for raw in handles or ():
        given = nfc(str(raw).strip().lstrip("@"))
        if not given:
            continue
        out.setdefault(given.lower(), given)
    for key, given in list(out.items()):
        if "@" in key:
            out.setdefault(key.split("@", 1)[0], given)
    return out


def bot_handles(options: object) -> dict[str, str]:
    """The --bot handles, when the options carry them (`bots`); empty otherwise."""
    return handle_lookup(getattr(options, "bots", None) or ())


def match_handle(handle: str | None, lookup: dict[str, str]) -> str | None:
    """The handle as given in `lookup` that `handle` names (case-insensitive).

    A bare 'acme' (a local account) matches a brand given as 'acme@home.instance'; a remote
    'acme@other.instance' matches only a brand given with that same instance, never a bare 'acme':
    anyone can register that name elsewhere.
    """
    if not handle or not lookup:
        return None
    return lookup.get(nfc(handle.strip().lstrip("@")).lower())


def first_brand_mention(text: str | None, lookup: dict[str, str]) -> str | None:
    """The first @mention in `text` that is one of the handles in `lookup`, as given there."""
    if not text or not lookup or "@" not in text:
        return None
    for match in (_MENTION_ASCII if text.isascii() else _MENTION).finditer(text):
        found = match_handle(match.group(1), lookup)
        if found is not None:
            return found
    return None


# --- building batches row by row ---------------------------------------------------------------------


class PostRows:
    """Rows of posts collected one by one and turned into a POST_SCHEMA batch every `batch_rows`."""

    def __init__(self, batch_rows: int) -> None:
        from ..posts import POST_FIELDS

        self.batch_rows = max(1, int(batch_rows))
        self._fields = POST_FIELDS
        self._columns: dict[str, list] = {f: [] for f in POST_FIELDS}
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def add(self, **values: object) -> None:
        """Append one post; fields not given are null."""
        for name in self._fields:
            self._columns[name].append(values.get(name))
        self._n += 1

    def full(self) -> bool:
        return self._n >= self.batch_rows

    def flush(self) -> pa.RecordBatch:
        """The collected rows as a batch; the buffer starts empty again."""
        from ..posts import posts_batch

        batch = posts_batch(self._columns)
        self._columns = {f: [] for f in self._fields}
        self._n = 0
        return batch


# --- streaming JSON: JSON Lines, JSON arrays, concatenated or pretty-printed documents ---------------

JSON_CHUNK = 1 << 20
#: a single JSON value (one array element or document) larger than this is refused
MAX_JSON_VALUE = 256 << 20
_JSON_WS = re.compile(r"[ \t\n\r]*")
_BOM = b"\xef\xbb\xbf"


@dataclass
class JsonRecord:
    """One record of a JSON file: its value, or why it could not be read. Either way it is one row."""

    line: int
    value: object = None
    error: str | None = None
    field: str | None = None


def _bad_bytes_field(raw: bytes) -> str | None:
    """The dotted path of the first field whose bytes are not valid UTF-8 in a JSON line, if it parses."""
    try:
        value = json.loads(raw.decode("utf-8", "surrogateescape"), strict=False)
    except (ValueError, RecursionError):
        return None
    return _surrogate_path(value)


def _surrogate_path(value: object, prefix: str = "") -> str | None:
    """Dotted path (list items by index) of the first key or string holding undecodable bytes."""
    stack = [(prefix, value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                return path or None
        elif isinstance(node, dict):
            items = list(node.items())
            for key, item in reversed(items):
                where = f"{path}.{key}" if path else str(key)
                if _SURROGATE.search(str(key)):  # the bad bytes shown as \xff: a lone surrogate is no valid JSON text
                    return where.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                stack.append((where, item))
        elif isinstance(node, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in reversed(list(enumerate(node))))
    return None


def iter_json_records(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[JsonRecord]:
    """Stream the records of a JSON file without loading it whole.

    Layouts: JSON Lines (one value per line; a bad line is one bad record), a JSON array (its
    elements are the records), a single object, or several concatenated/pretty-printed documents
    (a top-level array is flattened one level). Invalid UTF-8 makes a record bad, not the file.
    Broken JSON in an array or a pretty-printed document leaves no way to find the next record:
    ImportFailed names the line.
    """
    from .base import ImportFailed

    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_HEAD)
            if len(head) < SNIFF_HEAD and not head.removeprefix(_BOM).strip():
                raise ImportFailed(f"{path}: the file is empty")  # as check_readable says of a file without a BOM
            fh.seek(0)
            layout = _json_layout(fh)
            fh.seek(0)
            if layout == "lines":
                yield from _json_lines(fh, on_bytes)
            else:
                yield from _JsonStream(path, fh, on_bytes).records()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _json_layout(fh) -> str:
    """'stream' for arrays and pretty-printed documents, 'lines' for JSON Lines (and anything else)."""
    head = fh.read(SNIFF_HEAD)
    cut = len(head) >= SNIFF_HEAD  # the file goes on past the head
    if cut:  # a head of white space only: judged by what follows it
        head = head_past_blanks(fh, head, SNIFF_HEAD)
        cut = len(head.removeprefix(_BOM)) >= SNIFF_HEAD
    if head.startswith(_BOM):
        head = head[3:]
    stripped = head.lstrip()
    if stripped.startswith(b"["):
        return "stream"
    if not stripped.startswith(b"{"):
        return "lines"
    lines = [ln for ln in stripped.split(b"\n") if ln.strip()]
    first = lines[0]
    if len(lines) == 1 or first.strip() == b"{":
        # a single line (possibly longer than the head) is one record either way
        return "stream" if first.strip() == b"{" else "lines"
    try:
        json.loads(first)
        return "lines"
    except (ValueError, RecursionError):
        pass
    if b"\r" in first.rstrip():
        # lines ended by a lone CR (read as lines by _json_lines), or a raw CR inside a string
        for candidate in (first, first.split(b"\r", 1)[0]):
            try:
                json.loads(candidate, strict=False)
                return "lines"
            except (ValueError, RecursionError):
                pass
    if _one_document(stripped, cut):
        return "stream"
    # broken within the head: indented lines go on a pretty-printed document (broken JSON there is
    # one error naming its line); lines that start anew are records, the first one bad
    second = lines[1]
    if second[:1] in (b" ", b"\t", b'"', b"}", b"]"):
        return "stream"
    return "lines"


def _one_document(text: bytes, cut: bool) -> bool:
    """Whether `text`, whose first line is no JSON value on its own, begins with one value over several lines.

    A value that parses across the line breaks, or that is still open where a `cut` head ends, is
    a document written over lines (an X page with one tweet a line).
    """
    decoded = text.decode("utf-8", "surrogateescape")
    try:
        json.JSONDecoder(strict=False).raw_decode(decoded)
        return True
    except json.JSONDecodeError as exc:
        # the same test of a value cut by the end of the text as _JsonStream.value
        return cut and (exc.msg.startswith("Unterminated string") or exc.pos >= len(decoded) - 32)
    except (ValueError, RecursionError):
        return False


SNIFF_HEAD = 64 * 1024


def head_past_blanks(fh, head: bytes, size: int) -> bytes:
    """`head`, the first bytes read from the binary file `fh` (`size` of them, or fewer at its end); when they are
    white space only (after a UTF-8 BOM) and a regular file goes on, its BOM, one line break if the white space held
    one, then up to `size` bytes from the file's first byte that is not white space (read on in chunks of `size`).
    A file of white space to its end (or a device, not read past its head) gives `head` as it was: an empty file."""
    body = head.removeprefix(_BOM)
    if len(head) < size or body.strip():
        return head
    try:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return head
    except (OSError, AttributeError, ValueError):
        return head
    seen = body
    while True:
        chunk = fh.read(size)
        if not chunk:
            return head
        rest = chunk.lstrip()
        seen += chunk[: len(chunk) - len(rest)]
        if rest:
            # a line break stays (LF, or CR when there was none): the first line is blank, as when the white space is
            # shorter (a CSV header must be the first line)
            brk = b"\n" if b"\n" in seen else b"\r" if b"\r" in seen else b""
            more = fh.read(size - len(rest)) if len(rest) < size else b""
            return head[: len(head) - len(body)] + brk + rest + more
        seen = b"\n" if b"\n" in seen else b"\r" if b"\r" in seen else b""


def json_message(exc: json.JSONDecodeError, column: bool = True) -> str:
    """The message of a JSON parse error with the column where it is (`column`) or without a place
    (the line is told): Python's 'Unterminated string starting at' ends with its own 'at'."""
    if column:
        return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
    return exc.msg.removesuffix(" starting at")


def _physical_lines(fh) -> Iterator[bytes]:
    """The lines of a binary file as the file iterator splits them (at LF), except for a file whose
    head holds CRs and no LF (old Mac line ends): read in chunks and split at CR, CRLF and LF, never
    held whole as one line."""
    head = fh.read(SNIFF_HEAD)
    fh.seek(0)
    if not (b"\r" in head and b"\n" not in head):
        return fh
    return _cr_lines(fh)


def _cr_lines(fh) -> Iterator[bytes]:
    rest = b""
    while True:
        chunk = fh.read(JSON_CHUNK)
        if not chunk:
            break
        lines = (rest + chunk).splitlines(keepends=True)  # bytes: at CR, LF and CRLF only
        rest = lines.pop()  # the last line may go on in the next chunk (a CR there its CRLF)
        yield from lines
    if rest:
        yield rest


def _lone_cr(raw: bytes) -> bool:
    """Whether a line holds a CR that is not the CR of its CRLF ending (a line end of its own)."""
    end = len(raw) - (2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0)
    return raw.find(b"\r", 0, end) >= 0


def _json_line(number: int, raw: bytes) -> JsonRecord | None:
    """The record of one line of JSON Lines; None for a blank line."""
    if raw.startswith(_BOM):
        raw = raw[3:]
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return JsonRecord(number, error="bytes are not valid UTF-8", field=_bad_bytes_field(raw))
    try:
        value = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        return JsonRecord(number, error=f"not valid JSON: {json_message(exc)}")
    except (ValueError, RecursionError) as exc:
        return JsonRecord(number, error=f"not valid JSON: {one_line(first_line(exc))}")
    return JsonRecord(number, value)


def _json_lines(fh, on_bytes: Callable[[int], None] | None) -> Iterator[JsonRecord]:
    """The records of a JSON Lines file. A lone CR ends a line as LF and CRLF do (as in the CSV
    reader and editors): a line holding one is one record only when it parses whole (a raw CR
    inside a string, which the lenient parser takes), else each of its CR lines is a record."""
    unreported = 0
    number = 0
    try:
        for raw in _physical_lines(fh):
            unreported += len(raw)
            if on_bytes is not None and unreported >= JSON_CHUNK:
                on_bytes(unreported)
                unreported = 0
            if raw.startswith(_BOM):  # any line: `cat a.jsonl b.jsonl` puts b's BOM at a line start
                raw = raw[3:]
            if 13 in raw and _lone_cr(raw):  # 13: CR (an int is searched by memchr, 10x faster than b"\r")
                pieces = raw.splitlines(keepends=True)
                record = _json_line(number + 1, raw)
                if record is not None and record.error is None:
                    yield record
                    number += len(pieces)
                    continue
                for piece in pieces:
                    number += 1
                    record = _json_line(number, piece)
                    if record is not None:
                        yield record
                continue
            number += 1
            if not raw.strip():
                continue
            # _json_line, written out: the loop runs once per line of files of millions of lines
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield JsonRecord(number, error="bytes are not valid UTF-8", field=_bad_bytes_field(raw))
                continue
            try:
                value = json.loads(text, strict=False)
            except json.JSONDecodeError as exc:
                yield JsonRecord(number, error=f"not valid JSON: {json_message(exc)}")
                continue
            except (ValueError, RecursionError) as exc:
                yield JsonRecord(number, error=f"not valid JSON: {one_line(first_line(exc))}")
                continue
            yield JsonRecord(number, value)
    finally:
        if on_bytes is not None and unreported:
            on_bytes(unreported)


_BRACKET_OR_QUOTE = re.compile(r'[\[\]{}"]')
#: the rest of a JSON string after its opening quote, closing quote included
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


class _JsonStream:
    """A buffer over a JSON text that decodes one top-level value (or array element) at a time."""

    def __init__(self, path: Path, fh, on_bytes: Callable[[int], None] | None) -> None:
        self.path = path
        self.fh = fh
        self.on_bytes = on_bytes
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.json = json.JSONDecoder(strict=False)
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number at buffer index `counted`
        self.counted = 0
        self.first = True

    def fill(self) -> bool:
        """Read more text into the buffer; False at the end of the file."""
        if self.eof:
            return False
        data = self.fh.read(max(JSON_CHUNK, len(self.buf) - self.pos))
        if not data:
            self.eof = True
            self.buf += self.decoder.decode(b"", final=True)
            return False
        if self.on_bytes is not None:
            self.on_bytes(len(data))
        if self.first:
            self.first = False
            if data.startswith(_BOM):
                data = data[3:]
        self.buf += self.decoder.decode(data)
        return True

    def line_at(self, index: int) -> int:
        if index >= self.counted:
            self.line += self.buf.count("\n", self.counted, index)
            self.counted = index
            return self.line
        return self.line - self.buf.count("\n", index, self.counted)

    def peek(self) -> str | None:
        """Skip whitespace; the next character, or None at the end of the file."""
        while True:
            self.pos = _JSON_WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return None

    def compact(self) -> None:
        if self.pos > JSON_CHUNK:
            self.line_at(self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
            self.counted = 0

    def fail(self, index: int, reason: str):
        from .base import ImportFailed

        return ImportFailed(f"{self.path}:{self.line_at(index)}: broken JSON, nothing after this can be read: {reason}")

    def value(self) -> JsonRecord:
        start = self.pos
        while True:
            try:
                value, end = self.json.raw_decode(self.buf, start)
            except json.JSONDecodeError as exc:
                maybe_cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf) - 32
                if maybe_cut and len(self.buf) - start < MAX_JSON_VALUE and self.fill():
                    continue
                if maybe_cut and not self.eof:
                    raise self.fail(start, f"a value larger than {MAX_JSON_VALUE >> 20} MB") from None
                raise self.fail(exc.pos, json_message(exc, column=False)) from None
            except RecursionError:
                # valid JSON may nest deeper than the parser goes: that value alone is rejected, as a
                # line of JSON Lines is, when its end can be found by counting brackets
                end = self.nested_end(start)
                if end is None:
                    raise self.fail(start, "nested too deeply") from None
                line = self.line_at(start)
                self.pos = end
                return JsonRecord(line, error="not valid JSON: nested too deeply")
            except ValueError as exc:
                raise self.fail(start, one_line(first_line(exc))) from None
            if end >= len(self.buf) and not self.eof and self.fill():
                continue  # a number cut at the end of the buffer may go on
            break
        line = self.line_at(start)
        self.pos = end
        if _SURROGATE.search(self.buf, start, end):
            return JsonRecord(line, error="bytes are not valid UTF-8", field=_surrogate_path(value))
        return JsonRecord(line, value)

    def nested_end(self, start: int) -> int | None:
        """The end of the array or object at `start`, found by counting its brackets (strings
        skipped, without recursion); None when the file (or MAX_JSON_VALUE) ends first."""
        if self.buf[start : start + 1] not in ("[", "{"):
            return None
        pos, depth = start, 0
        while True:
            found = _BRACKET_OR_QUOTE.search(self.buf, pos)
            if found is None:
                if len(self.buf) - start >= MAX_JSON_VALUE or not self.fill():
                    return None
                continue
            c = found.group()
            if c == '"':
                closed = _STRING_REST.match(self.buf, found.end())
                if closed is None:  # the string goes on past the buffer
                    pos = found.start()
                    if len(self.buf) - start >= MAX_JSON_VALUE or not self.fill():
                        return None
                    continue
                pos = closed.end()
                continue
            pos = found.end()
            depth += 1 if c in "[{" else -1
            if depth == 0:
                return pos

    def records(self) -> Iterator[JsonRecord]:
        while True:
            self.compact()
            c = self.peek()
            if c is None:
                return
            if c == "\ufeff":  # the BOM of a file joined on (`cat a.json b.json`), between two documents
                self.pos += 1
                continue
            if c != "[":
                yield self.value()
                continue
            self.pos += 1
            first = True
            while True:
                self.compact()
                c = self.peek()
                if c is None:
                    raise self.fail(self.pos, "the file ends inside an array (missing ']')")
                if c == "]" and first:
                    self.pos += 1
                    break
                yield self.value()
                first = False
                c = self.peek()
                if c == ",":
                    self.pos += 1
                    continue
                if c == "]":
                    self.pos += 1
                    break
                if c is None:
                    raise self.fail(self.pos, "the file ends inside an array (missing ']')")
                raise self.fail(self.pos, f"expected ',' or ']' after an array element, found {c!r}")


# --- CSV -----------------------------------------------------------------------------------------------

# Post texts can be longer than the csv module's 128 KiB field limit; Arrow reads such fields, so the
# Python passes over the same files (header, line numbers of rejected rows) must accept them too.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


@contextmanager
def quiet_invalid_row_handler(handler: Callable) -> Iterator[None]:
    """Keep pyarrow from printing a traceback when it cannot decode a malformed row for `handler`.

    pyarrow decodes an invalid row's text as UTF-8 before calling the invalid-row handler; when
    that fails it reports the error through sys.unraisablehook (a traceback on stderr) and the read
    stops with ArrowInvalid, which the importer turns into its one-line error. Only that one
    error, for that one handler, is silenced; everything else reaches the previous hook.
    """
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if unraisable.object is handler and issubclass(unraisable.exc_type, UnicodeDecodeError):
            return
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:
            sys.unraisablehook = previous


def csv_first_bad_row(path: Path, width: int) -> int | None:
    """Line of the first record whose field count is not `width` and whose bytes are not valid UTF-8.

    Arrow cannot skip such a row (its invalid-row handler decodes the row as UTF-8), so the whole
    file stops there; this names the line in that one-line error.
    """
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        try:
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                if row and len(row) != width and any(has_surrogates(cell) for cell in row):
                    return start
                start = reader.line_num + 1
        except csv.Error:
            return None
    return None


# one definition, kept in the light start-up module (the CLI's read-ahead runs before numpy loads)
from ..readahead import csv_header  # noqa: E402


def csv_record_lines(
    path: Path, width: int, good_records: list[int], bad_count: int, limit: int = 2000
) -> tuple[dict[int, int], list[int]]:
    """Starting line numbers of CSV records, found by a second pass (only run when rows were rejected).

    Returns the line of each given well-formed record (1-based among records with `width`
    fields; at most `limit` of them) and of the first `bad_count` records with another width.
    """
    wanted = set(sorted(good_records)[:limit])
    good: dict[int, int] = {}
    bad: list[int] = []
    if not wanted and not bad_count:
        return good, bad
    last = max(wanted, default=0)
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh)
        try:
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
        except csv.Error:
            pass  # the line numbers found so far are still right
    return good, bad


class ArrowCsvRead:
    """The bookkeeping the Arrow CSV importers (csv, twcs) share for one file.

    Give `on_invalid` to Arrow as the invalid-row handler (a row with the wrong number of fields
    is skipped and remembered) and read under `quiet()`; iterate `batches(reader, failure)`; add
    each row a batch rejects to `pending` as (well-formed record number, field, reason). In a
    `finally` block, once the file is closed, `report_rejections()` counts the skipped rows as read
    and reports every rejection with its line (found by one more pass over the file, only when
    there is something to report).
    """

    def __init__(self, path: Path, width: int, report, lines_from: Path | None = None, reported: int = 0) -> None:
        self.path = path
        self.lines_from = lines_from or path  # the file numbered like `path` that is read (see repaired_csv)
        self.width = width
        self.report = report
        self.invalid: list[str] = []  # reasons of malformed rows, in file order
        self.pending: list[tuple[int, str, str]] = []
        self.reported = reported  # bytes told to on_bytes (a file read again goes on from there)
        invalid = self.invalid

        self.multiline_invalid = False  # a malformed row ran over several lines (a quote that never closes?)

        def on_invalid(row) -> str:
            invalid.append(f"expected {row.expected_columns} fields, found {row.actual_columns}")
            text = row.text or ""
            if "\n" in text or "\r" in text:
                self.multiline_invalid = True
            return "skip"

        # one function object for the whole read: quiet_invalid_row_handler knows it by identity
        self.on_invalid = on_invalid

    def quiet(self):
        """Keep pyarrow's traceback off stderr when it cannot hand a malformed row to `on_invalid`."""
        return quiet_invalid_row_handler(self.on_invalid)

    @staticmethod
    def batches(reader, failure: Callable[[pa.ArrowInvalid], Exception]) -> Iterator[pa.RecordBatch]:
        """The batches of an Arrow CSV reader; a parse error raises `failure(error)` instead."""
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise failure(exc) from None
            yield batch

    def progress(self, source, on_bytes: Callable[[int], None] | None) -> None:
        """Tell `on_bytes` how far the read of `source` has come since the last call."""
        if on_bytes is not None:
            pos = source.tell()
            if pos > self.reported:  # a file read again (see canonical) is not told twice
                on_bytes(pos - self.reported)
                self.reported = pos

    def report_rejections(self, damage: list | None = None) -> None:
        """Count the malformed rows as read and report every rejection with its line, in file order.

        `damage`: records whose quote never closed (QuoteDamage, already counted as read).
        """
        path, report = str(self.path), self.report
        report.rows_read += len(self.invalid)
        good_lines, bad_lines = csv_record_lines(
            self.lines_from, self.width, [p[0] for p in self.pending], len(self.invalid)
        )
        found = [(d.line, d.field, d.reason) for d in damage or []]
        found += [(bad_lines[i] if i < len(bad_lines) else None, None, r) for i, r in enumerate(self.invalid)]
        found += [(good_lines.get(record), f, r) for record, f, r in self.pending]
        found.sort(key=lambda r: (r[0] is None, r[0] or 0))  # file order: what a person fixing it reads first
        for line, field_name, reason in found:
            report.reject(path, line, field_name, reason)


def parse_counts(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """String column of counts -> int64 (blank = null) and a mask of values that are not whole numbers >= 0."""
    trimmed = pc.utf8_trim_whitespace(column)
    blank = is_blank(trimmed)
    cleaned = pc.replace_substring_regex(trimmed, pattern=r"^(\d+)\.0+$", replacement=r"\1")
    cleaned = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), cleaned)
    digits = pc.match_substring_regex(cleaned, pattern=r"^\d{1,18}$").fill_null(True)
    bad = ~digits.to_numpy(zero_copy_only=False)
    if bad.any():
        cleaned = pc.if_else(pa.array(bad), pa.scalar(None, pa.string()), cleaned)
    return pc.cast(cleaned, pa.int64()), bad


#: the rejection reason of a record whose quote never closes (the same for every CSV format)
QUOTE_DAMAGE_REASON = "a quote that never closes: the quoted value runs on into the following lines, read as records of their own"


@dataclass(frozen=True)
class QuoteDamage:
    """A record whose quote never closes on its own line and runs on into the lines after it."""

    line: int
    field: str | None
    reason: str = QUOTE_DAMAGE_REASON


def _open_quote_field(line: str) -> int | None:
    """0-based index of the field whose quote is still open at the end of `line`, else None."""
    field_index, quoted, at_start, opened = 0, False, True, None
    i = 0
    while i < len(line):
        ch = line[i]
        if quoted:
            if ch == '"':
                if i + 1 < len(line) and line[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif ch == '"' and at_start:
            quoted, opened = True, field_index
        elif ch == ",":
            field_index += 1
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return opened if quoted else None


def csv_quote_damage(path: Path, names: list[str]) -> tuple[list[QuoteDamage], list[str]]:
    """Records whose quote never closes, and the file's lines with those records' first lines blanked.

    A strict csv.reader pass (only run on the error path): a record that fails strictly on a later
    line than it began, or at the end of the file, swallowed the lines after its own. Reading on
    from the line after it recovers them; blanking its line keeps every later line number.
    """
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        lines = fh.readlines()
    damage: list[QuoteDamage] = []
    at = 0  # index of the next line to read
    while at < len(lines):
        reader = csv.reader(iter(lines[at:]), strict=True)
        start = at
        try:
            for _row in reader:
                start = at + reader.line_num
        except csv.Error as exc:
            ended = at + reader.line_num  # lines consumed, the failing one included
            if ended - 1 > start or "end of data" in str(exc):
                index = _open_quote_field(lines[start].rstrip("\r\n"))
                name = names[index] if index is not None and index < len(names) else None
                damage.append(QuoteDamage(start + 1, name))
                lines[start] = "\n"
                at = start + 1
            else:
                at = ended
            continue
        break
    return damage, lines


def csv_records(path: Path, repaired: bool = False) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every record of a CSV file, the header first, read leniently.

    `repaired`: read as the importer reads a file with a quote that never closes (see
    csv_quote_damage: the damaged records' first lines blanked, the lines they swallowed read as
    records of their own). A blank line is an empty record.
    """
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        if repaired:
            lines = csv_quote_damage(path, [])[1]
            source: Iterator[str] = (
                line.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for line in lines
            )
        else:
            source = fh
        reader = csv.reader(source)
        start = 1
        try:
            for row in reader:
                yield start, row
                start = reader.line_num + 1
        except csv.Error:
            return


def has_quote_damage(report, file: str) -> bool:
    """Whether `report` rejected a record of `file` for a quote that never closes."""
    return any(r.file == file and r.reason == QUOTE_DAMAGE_REASON for r in report.rejections)


@contextmanager
def repaired_csv(
    path: Path, names: list[str], found: tuple[list[QuoteDamage], list[str]] | None = None
) -> Iterator[tuple[list[QuoteDamage], Path]]:
    """(damage, a temporary copy of `path` with the damaged records' first lines blanked) - see csv_quote_damage.

    `found`: what csv_quote_damage returned, if it already ran. The copy exists only when there is
    damage, and only inside the `with` block.
    """
    import tempfile

    damage, lines = found if found is not None else csv_quote_damage(path, names)
    if not damage:
        yield damage, path
        return
    with tempfile.TemporaryDirectory(prefix="helpfirst-") as folder:
        copy = Path(folder) / path.name
        with copy.open("w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.writelines(lines)
        del lines
        yield damage, copy


def _libc_memchr():
    try:
        import ctypes

        memchr = ctypes.CDLL(None).memchr
    except (OSError, AttributeError, TypeError):
        return None
    memchr.restype = ctypes.c_void_p
    memchr.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    return memchr


_MEMCHR = _libc_memchr()


def has_line_break(column: pa.Array) -> bool:
    """Whether any value of a string/binary column holds a line break (a byte scan; no copy where libc has memchr)."""
    return _has_byte(column, (10, 13))


def _has_byte(column: pa.Array, wanted: tuple[int, ...]) -> bool:
    """Whether any value of a string/binary column holds one of the `wanted` bytes (see has_line_break)."""
    if len(column) == 0 or column.type not in (pa.binary(), pa.string()):
        return False
    buffers = column.buffers()
    if buffers[2] is None:
        return False
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    if end <= start:
        return False
    if _MEMCHR is not None:
        address = buffers[2].address + start
        return any(_MEMCHR(address, byte, end - start) is not None for byte in wanted)
    data = buffers[2].to_pybytes()[start:end]
    return any(bytes([byte]) in data for byte in wanted)


def nul_rows(column: pa.Array) -> np.ndarray | None:
    """Mask of the values of a string/binary column that hold a NUL byte; None when none does (one memchr)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not _has_byte(column, (0,)):
        return None
    return pc.match_substring(column, "\x00").fill_null(False).to_numpy(zero_copy_only=False)


def line_break_values(column: pa.Array, min_commas: int = 0) -> list[tuple[int, bytes]]:
    """(row, bytes) of the values of a string/binary column that hold a line break and whose last
    line holds at least `min_commas` commas, in row order."""
    if not has_line_break(column):
        return []
    buffers = column.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    first, end = int(offsets[0]), int(offsets[-1])
    raw = buffers[2].to_pybytes()[:end]
    breaks: list[int] = []
    for byte in (b"\n", b"\r"):  # bytes.find is a memchr: only the line breaks cost a step
        at = raw.find(byte, first)
        while at >= 0:
            breaks.append(at)
            at = raw.find(byte, at + 1)
    positions = np.unique(np.array(breaks, dtype=np.int64))
    rows = np.searchsorted(offsets, positions, side="right") - 1
    if min_commas:
        # the line break(s) ending a value (the file's last one, taken in by a quote that never
        # closes) end its last line: that line is the one before them
        ends = offsets[rows + 1]
        following = np.append(positions[1:], -1)
        inner = (positions < ends - 2) | ((positions == ends - 2) & (following != positions + 1))
        positions, rows = positions[inner], rows[inner]
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = rows[1:] != rows[:-1]
    found = []
    for row, tail in zip(rows[last].tolist(), (positions[last] + 1).tolist()):
        stop = int(offsets[row + 1])
        if not min_commas or raw.count(b",", tail, stop) >= min_commas:
            found.append((row, raw[int(offsets[row]) : stop]))
    return found


class QuotedValues:
    """Checks that multi-line values read leniently were quoted in the file exactly as read.

    A quote that never closes makes the lenient reader take the following lines into one value: the
    file then does not hold that value quoted and followed by a delimiter. Each value is looked up
    from where the previous one ended (values come in file order), so all lookups together read the
    file about once, at the speed of a substring search; only a value that is not found makes the
    caller run the strict pass (csv_quote_damage).
    """

    def __init__(self, path: Path) -> None:
        import mmap

        self._fh = path.open("rb")
        try:
            self._map = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            self._map = b""
        self._cursor = 0

    def intact(self, value: bytes) -> bool:
        """Whether `value` (holding a line break) appears next in the file as one quoted field."""
        quoted = b'"' + (value.replace(b'"', b'""') if b'"' in value else value) + b'"'
        # the whole quoted value, searched forward without a cap: earlier values that begin alike
        # (many posts starting "Hi" + line break) are passed over at the speed of the search, so a
        # clean file never looks damaged; a swallowing value is not in the file and ends the search
        at = self._map.find(quoted, self._cursor)
        while at >= 0:
            end = at + len(quoted)
            if self._map[end : end + 1] in (b",", b"\n", b"\r", b""):
                self._cursor = end
                return True
            at = self._map.find(quoted, at + 1)
        return False

    def close(self) -> None:
        """Release the mapping and the file."""
        if not isinstance(self._map, bytes):
            self._map.close()
        self._fh.close()
