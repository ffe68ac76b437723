"""A worker process that classifies slices of posts for the audit (see signals_scorecard.classify_threaded).

    python -m helpfirst.measure.signals_worker MODEL [SIGNAL,...]

Reads frames from standard input and answers each on standard output, in order. A frame is an
8-byte little-endian length and that many bytes of Arrow IPC stream; the request has the columns
`text` and `role`, the answer the signals of classify_posts. A zero length ends the worker. The
worker is a fresh interpreter, so it shares no threads or locks with the audit process.
"""

from __future__ import annotations

import struct
import sys
from typing import BinaryIO

import pyarrow as pa

HEADER = struct.Struct("<Q")


def write_frame(stream: BinaryIO, data: bytes) -> None:
    """One frame: its length, then its bytes."""
    stream.write(HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's bytes; None at a zero-length frame or the end of the stream."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    if size == 0:
        return None
    data = stream.read(size)
    if len(data) < size:
        raise EOFError(f"frame cut short: {len(data)} of {size} bytes")
    return data


def to_ipc(table: pa.Table) -> bytes:
    """A table as Arrow IPC stream bytes (only the rows of a slice are written)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_ipc(data: bytes) -> pa.Table:
    """The table of Arrow IPC stream bytes."""
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def main(argv: list[str]) -> int:
    """Serve frames until told to stop."""
    from ..signals import classify_posts, get_model

    model = argv[0]
    wanted = argv[1].split(",") if len(argv) > 1 and argv[1] else None
    get_model(model)
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while (data := read_frame(source)) is not None:
        part = from_ipc(data)
        write_frame(sink, to_ipc(classify_posts(part.column("text"), part.column("role"), model=model, signals=wanted)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
