"""Reply graph -> threads: de-duplicate posts, resolve parents, find each post's root."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ingest.base import DuplicateId, ImportReport


@dataclass
class Threads:
    """Posts with their thread structure; row numbers index `posts`."""

    posts: pa.Table  # POST_SCHEMA with conversation_id filled, plus row_nr, root_nr, orphan
    orphan_threads: int
    loops_cut: int


def build_threads(table: pa.Table, report: ImportReport | None = None, sources: list[str] | None = None) -> Threads:
    """Drop duplicate ids (first one wins, each counted as rejected), resolve parent links, root every post.

    Rows may be in any order and come from several files. One hash of the ids serves both jobs:
    looking every id and every parent id up in it gives each id's first row and each post's parent.
    """
    n = table.num_rows
    given_conv = "conversation_id" in table.column_names and table.column("conversation_id").null_count < n
    columns = ["id", "parent_id"] + (["conversation_id"] if given_conv else [])
    found = _lookup(_id_keys(table, columns))
    first, parent = found[:n], found[n : 2 * n]
    conv = found[2 * n :] if given_conv else None
    rows = np.arange(n)
    duplicate = first != rows
    if duplicate.any():
        if report is not None:
            _reject_duplicates(table, np.flatnonzero(duplicate), first, report, sources)
        keep = ~duplicate
        new_position = np.cumsum(keep) - 1
        table = table.filter(pa.array(keep))
        parent = np.where(parent[keep] >= 0, new_position[np.maximum(parent[keep], 0)], -1)
        if conv is not None:
            conv = np.where(conv[keep] >= 0, new_position[np.maximum(conv[keep], 0)], -1)
        n = table.num_rows
        rows = np.arange(n)
    if "_source" in table.column_names:
        table = table.drop_columns(["_source"])
    self_parent = parent == rows  # a post naming itself as its parent: the shortest reply loop
    parent[self_parent] = -1
    has_parent_id = pc.is_valid(table.column("parent_id")).to_numpy(zero_copy_only=False)
    if conv is not None:
        _attach_by_conversation(table, parent, conv, self_parent)
    root, loops = _roots(parent)
    orphan = (root == rows) & has_parent_id & (parent < 0) & ~self_parent
    loops += int(self_parent.sum())
    # conversation_id as a dictionary over the ids: the same strings, without copying them
    ids = table.column("id").combine_chunks()
    conversation_ids = pa.DictionaryArray.from_arrays(pa.array(root), ids)
    posts = table.set_column(table.column_names.index("conversation_id"), "conversation_id", conversation_ids)
    posts = posts.append_column("row_nr", pa.array(rows))
    posts = posts.append_column("root_nr", pa.array(root))
    posts = posts.append_column("orphan", pa.array(orphan))
    return Threads(posts=posts, orphan_threads=int(orphan.sum()), loops_cut=loops)


def _attach_by_conversation(table: pa.Table, parent: np.ndarray, conv: np.ndarray, self_parent: np.ndarray) -> None:
    """Use a format's own conversation id for posts without a loaded parent (in place).

    Such a post hangs under the post its conversation id names; when that post is not loaded, the
    earliest post of the conversation (ties by reading order) is the root the others hang under.
    """
    rows = np.arange(len(parent))
    loose = (parent < 0) & ~self_parent
    named = loose & (conv >= 0) & (conv != rows)
    parent[named] = conv[named]
    given = pc.is_valid(table.column("conversation_id")).to_numpy(zero_copy_only=False)
    unnamed = np.flatnonzero(loose & (conv < 0) & given)
    if len(unnamed) < 2:
        return
    keys = pc.dictionary_encode(table.column("conversation_id").take(pa.array(unnamed))).combine_chunks().indices
    codes = keys.to_numpy(zero_copy_only=False)
    times = pc.cast(table.column("created_at").take(pa.array(unnamed)), pa.int64()).to_numpy(zero_copy_only=False)
    order = np.lexsort((unnamed, times, codes))
    first_of_group = np.concatenate([[True], codes[order][1:] != codes[order][:-1]])
    group_root = np.empty(codes.max() + 1, dtype=np.int64)
    group_root[codes[order][first_of_group]] = unnamed[order][first_of_group]
    roots = group_root[codes]
    others = roots != unnamed
    parent[unnamed[others]] = roots[others]


def _id_keys(table: pa.Table, columns: list[str]) -> list[np.ndarray] | list[pa.Array]:
    """The id columns as lookup keys: int64 arrays (-1 for null) when every id is a canonical decimal
    number, else strings, qualified by channel when an archive mixes channels (ids are only unique
    per channel). Integers are looked up several times faster than strings."""
    channels = table.column("channel")
    one_channel = len(channels) == 0 or (
        channels.null_count in (0, len(channels)) and pc.count_distinct(channels).as_py() <= 1
    )
    if one_channel:
        numeric = [_as_integers(table.column(c)) for c in columns]
        if all(v is not None for v in numeric):
            return numeric
        return [table.column(c).combine_chunks() for c in columns]
    prefix = pc.fill_null(channels.combine_chunks(), "")
    return [pc.binary_join_element_wise(prefix, table.column(c).combine_chunks(), "\x1f") for c in columns]


#: Integer ids up to this many times the number of posts are looked up in a direct-address table.
DENSE_FACTOR = 8


def _lookup(lookups: list[np.ndarray] | list[pa.Array]) -> np.ndarray:
    """Row of the first post with each looked-up id (-1 when absent); lookups[0] are the ids themselves."""
    if isinstance(lookups[0], np.ndarray):
        ids = lookups[0]
        low, high = (int(ids.min()), int(ids.max())) if len(ids) else (0, -1)
        if low >= 0 and high < DENSE_FACTOR * len(ids) + 1024:
            # archives with small sequential ids (TWCS): an array indexed by id beats any hash table;
            # its last slot stays -1 and takes every id that is absent, too big, or null (-1)
            table = np.full(high + 2, -1, dtype=np.int64)
            table[ids[::-1]] = np.arange(len(ids) - 1, -1, -1)  # written last = first occurrence
            wanted = np.concatenate(lookups)
            wanted[(wanted < 0) | (wanted > high)] = high + 1
            return table[wanted]
        wanted = np.concatenate(lookups)
        return _positions(pc.index_in(pa.array(wanted, mask=wanted < 0), value_set=pa.array(ids)))
    return _positions(pc.index_in(pa.concat_arrays(lookups), value_set=lookups[0]))


def _as_integers(values: pa.ChunkedArray | pa.Array) -> np.ndarray | None:
    """The ids as int64 (-1 for null) when every one is a canonical decimal number (so '03' and '3'
    stay apart), else None."""
    out = []
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        if not pa.types.is_string(chunk.type):
            return None
        try:
            numbers = pc.cast(chunk, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        # the cast also takes '03', '-3' and '0x3': a first digit 1-9 (then all are digits), or the number 0 written '0'
        if len(chunk) and chunk.null_count < len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
            lengths = np.diff(offsets)
            starts = offsets[:-1]
            if chunk.null_count:
                valid = chunk.is_valid().to_numpy(zero_copy_only=False)
                starts, lengths = starts[valid], lengths[valid]
            lead = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[starts]
            nonzero_lead = (lead - np.uint8(ord("1"))) <= 8  # '1'..'9'; other bytes wrap past 8
            if not nonzero_lead.all() and not (nonzero_lead | ((lead == ord("0")) & (lengths == 1))).all():
                return None
        out.append(numbers.fill_null(-1).to_numpy() if numbers.null_count else numbers.to_numpy())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _positions(found: pa.Array) -> np.ndarray:
    """index_in result as int64 positions, -1 where not found."""
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _reject_duplicates(table: pa.Table, rows: np.ndarray, first: np.ndarray, report: ImportReport,
                       sources: list[str] | None) -> None:
    ids = table.column("id")
    source_of = table.column("_source") if sources is not None and "_source" in table.column_names else None
    for row in rows.tolist():
        index = source_of[row].as_py() if source_of is not None else None
        source = sources[index] if index is not None else "(archive)"
        value = ids[row].as_py()
        listed = report.reject(source, None, "id", f"duplicate id {value!r}: already loaded")
        if listed is not None:
            kept = source_of[int(first[row])].as_py() if source_of is not None else None
            report.duplicates.append(DuplicateId(listed, value, index, kept))
        if index is not None and index < len(report.files):  # keep the per-file counts adding up too
            report.files[index]["rows_loaded"] -= 1
            report.files[index]["rows_rejected"] += 1
    report.rows_loaded -= len(rows)


def _roots(parent: np.ndarray) -> tuple[np.ndarray, int]:
    """Root of every node by pointer jumping (O(n log depth)); reply loops are cut at every member."""
    n = len(parent)
    idx = np.arange(n, dtype=np.int64)
    up = _jump(np.where(parent >= 0, parent, idx))
    stuck = np.flatnonzero(parent[up] >= 0)  # landed somewhere that still has a parent: a loop
    if len(stuck) == 0:
        return up, 0
    on_loop = _loop_members(parent, stuck)
    parent = parent.copy()
    parent[on_loop] = -1
    return _jump(np.where(parent >= 0, parent, idx)), int(on_loop.sum())


def _jump(up: np.ndarray) -> np.ndarray:
    nxt = np.empty_like(up)  # two buffers taken in turn: no new array per step
    for _ in range(int(np.ceil(np.log2(max(len(up), 2)))) + 2):
        np.take(up, up, out=nxt)
        if np.array_equal(nxt, up):
            break
        up, nxt = nxt, up
    return up


def _loop_members(parent: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Nodes that are their own ancestor, found by walking up from the nodes that never reached a root."""
    on_loop = np.zeros(len(parent), dtype=bool)
    state = np.zeros(len(parent), dtype=np.int8)  # 0 unseen, 1 on the current walk, 2 finished
    for start in starts:
        path = []
        node = int(start)
        while node >= 0 and state[node] == 0:
            state[node] = 1
            path.append(node)
            node = int(parent[node])
        if node >= 0 and state[node] == 1:
            on_loop[path[path.index(node):]] = True
        state[path] = 2
    return on_loop
