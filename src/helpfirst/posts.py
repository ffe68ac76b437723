"""The canonical post record and its Arrow schema: every importer and channel produces these."""

from __future__ import annotations

import functools

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


def nfc_column(column: pa.Array) -> pa.Array:
    """A string column in Unicode NFC; an all-ASCII (or all-null) column as it is."""
    if len(column) == 0 or column.null_count == len(column) or pc.all(pc.string_is_ascii(column)).as_py() is not False:
        return column
    return pc.utf8_normalize(column, form="NFC")


def posts_batch(columns: dict[str, pa.Array | list]) -> pa.RecordBatch:
    """Build a record batch in POST_SCHEMA from a dict of columns; absent columns become nulls."""
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
        if field.name in HANDLE_FIELDS:
            arrays[-1] = nfc_column(arrays[-1])
    return pa.RecordBatch.from_arrays(arrays, schema=POST_SCHEMA)


@functools.lru_cache(maxsize=32)
def _nulls(n: int, type_: pa.DataType) -> pa.Array:
    # arrays are immutable: batches of one size share one all-null column instead of allocating
    # (and zeroing) a new one each
    return pa.nulls(n, type=type_)
