"""The canonical post record and its Arrow schema: every importer and channel produces these."""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROLES = ("customer", "brand", "bot")

#: Columns every importer yields, in this order. Derived signals (intent, sentiment, ...)
#: are added by later stages as extra columns; they never change these.
POST_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("channel", pa.string()),
        pa.field("conversation_id", pa.string()),
        pa.field("parent_id", pa.string()),
        pa.field("author", pa.string()),
        pa.field("author_role", pa.string()),
        pa.field("brand", pa.string()),
        pa.field("created_at", pa.timestamp("us", tz="UTC")),
        pa.field("text", pa.string()),
        pa.field("url", pa.string()),
        pa.field("likes", pa.int64()),
        pa.field("reposts", pa.int64()),
    ]
)

POST_FIELDS = tuple(POST_SCHEMA.names)

#: handle columns, held in Unicode NFC: 'S' + combining caron and 'Š' are one account and one brand
HANDLE_FIELDS = ("author", "brand")


#: UTF-8 lead byte of U+0300, the first combining mark: text of code points below it (ASCII, Latin-1,
#: Latin Extended-A/B, IPA) is NFC as it stands, so a column without this byte or above needs no pass
_FIRST_NOT_NFC_SAFE_BYTE = 0xCC


def nfc_column(column: pa.Array) -> pa.Array:
    """A string column in Unicode NFC; a column already in NFC as it is (the same array)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if len(column) == 0 or column.null_count == len(column) or _below_u0300(column):
        return column
    # handles repeat (one author, many posts): normalise each distinct value once
    encoded = pc.dictionary_encode(column)
    distinct = encoded.dictionary
    normalised = pc.utf8_normalize(distinct, form="NFC")
    if pc.all(pc.equal(normalised, distinct)).as_py():
        return column
    return pc.take(normalised, encoded.indices)


def _below_u0300(column: pa.Array) -> bool:
    """True when no value of a string array holds a code point from U+0300 up (by a look at its bytes)."""
    if not pa.types.is_string(column.type):
        return False
    _validity, offsets_buffer, data_buffer = column.buffers()
    if data_buffer is None:
        return True
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    # bytes under null slots are looked at too: at worst a needless normalisation pass
    return len(data) == 0 or int(data.max()) < _FIRST_NOT_NFC_SAFE_BYTE


def posts_batch(columns: dict[str, pa.Array | list], *, handles_nfc: bool = False) -> pa.RecordBatch:
    """A POST_SCHEMA batch from a dict of columns (absent ones null; author and brand made NFC unless `handles_nfc`)."""
    n = None
    for value in columns.values():
        n = len(value)
        break
    if n is None:
        n = 0
    arrays = []
    for field in POST_SCHEMA:
        value = columns.get(field.name)
        if value is None:
            arrays.append(_nulls(n, field.type))
        elif isinstance(value, (pa.Array, pa.ChunkedArray)):
            if isinstance(value, pa.ChunkedArray):
                value = value.combine_chunks()
            arrays.append(value if value.type == field.type else value.cast(field.type))
        else:
            arrays.append(pa.array(value, type=field.type))
        if field.name in HANDLE_FIELDS and not handles_nfc:
            arrays[-1] = nfc_column(arrays[-1])
    return pa.RecordBatch.from_arrays(arrays, schema=POST_SCHEMA)


@functools.lru_cache(maxsize=32)
def _nulls(n: int, type_: pa.DataType) -> pa.Array:
    # arrays are immutable: batches of one size share one all-null column instead of allocating
    # (and zeroing) a new one each
    return pa.nulls(n, type=type_)
