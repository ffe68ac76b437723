"""Helpers shared by importers: text decoding, timestamps, ids, mentions, row filtering."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

UTC_US = pa.timestamp("us", tz="UTC")


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


_FLOAT_ID = re.compile(r"\.0+$")


def normalise_ids(column: pa.Array) -> pa.Array:
    """Ids as trimmed strings; '3.0' (ids written as floats) becomes '3'; empty becomes null."""
    trimmed = pc.utf8_trim_whitespace(column)
    cleaned = pc.replace_substring_regex(trimmed, pattern=r"^(\d+)\.0+$", replacement=r"\1")
    empty = pc.equal(pc.utf8_length(cleaned), 0)
    return pc.if_else(empty, pa.scalar(None, pa.string()), cleaned)


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
    return value.astimezone(timezone.utc)


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p)\s*/?>", re.IGNORECASE)


def html_to_text(markup: str | None) -> str | None:
    """Plain text from the small HTML subset social networks emit (Mastodon `content`)."""
    if markup is None:
        return None
    text = _BREAK.sub("\n", markup)
    text = _TAG.sub("", text)
    return html.unescape(text).strip()


def mask_to_indices(mask: np.ndarray) -> np.ndarray:
    """Positions where a mask is true."""
    return np.flatnonzero(mask)


def keep_rows(batch: pa.RecordBatch, rejected: np.ndarray) -> pa.RecordBatch:
    """The rows of a batch whose mask entry is false."""
    if not rejected.any():
        return batch
    return batch.filter(pa.array(~rejected))
