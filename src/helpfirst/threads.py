"""Reply graph -> threads: de-duplicate posts, resolve parents, find each post's root."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ingest.base import ImportReport


@dataclass
class Threads:
    """Posts with their thread structure; row numbers index `posts`."""

    posts: pa.Table  # POST_SCHEMA with conversation_id filled, plus row_nr, root_nr, orphan
    orphan_threads: int
    loops_cut: int


def _keys(table: pa.Table, column: str) -> pa.Array:
    """Ids qualified by channel when an archive mixes channels (ids are only unique per channel)."""
    ids = table.column(column).combine_chunks()
    channels = table.column("channel").combine_chunks()
    if pc.count_distinct(channels).as_py() <= 1:
        return ids
    return pc.binary_join_element_wise(pc.fill_null(channels, ""), ids, "\x1f")


def dedupe(table: pa.Table, report: ImportReport, sources: list[str] | None = None) -> pa.Table:
    """Drop posts whose id was already loaded (first one wins), counting each as rejected."""
    if table.num_rows == 0:
        return table
    encoded = pc.dictionary_encode(_keys(table, "id")).indices.to_numpy(zero_copy_only=False)
    if len(np.unique(encoded)) == table.num_rows:
        return table
    _, first = np.unique(encoded, return_index=True)
    keep = np.zeros(table.num_rows, dtype=bool)
    keep[first] = True
    dup_rows = np.flatnonzero(~keep)
    ids = table.column("id")
    for row in dup_rows:
        report.reject(_source_of(table, int(row), sources), None, "id", f"duplicate id {ids[int(row)].as_py()!r}: already loaded")
    report.rows_loaded -= len(dup_rows)
    return table.filter(pa.array(keep))


def _source_of(table: pa.Table, row: int, sources: list[str] | None) -> str:
    if sources and "_source" in table.column_names:
        return sources[table.column("_source")[row].as_py()]
    return "(archive)"


def build_threads(table: pa.Table) -> Threads:
    """Resolve parent links (any order, across files) and give every post its root."""
    n = table.num_rows
    keys = _keys(table, "id")
    parent_keys = _parent_keys(table)
    parent = pc.index_in(parent_keys, value_set=keys).to_numpy(zero_copy_only=False)
    has_parent_id = pc.is_valid(table.column("parent_id")).to_numpy(zero_copy_only=False)
    # index_in gives null (-> NaN as float) where the parent is not loaded
    parent = np.where(np.isnan(parent), -1, parent).astype(np.int64) if parent.dtype.kind == "f" else parent.astype(np.int64)
    parent[parent == np.arange(n)] = -1  # a post that names itself as parent is a root
    # a format's own conversation id re-attaches posts whose parent is missing
    if "conversation_id" in table.column_names and table.column("conversation_id").null_count < n:
        conv_given = pc.index_in(table.column("conversation_id"), value_set=keys).to_numpy(zero_copy_only=False)
        conv_given = np.where(np.isnan(conv_given), -1, conv_given).astype(np.int64) if conv_given.dtype.kind == "f" else conv_given.astype(np.int64)
        reattach = (parent < 0) & has_parent_id & (conv_given >= 0) & (conv_given != np.arange(n))
        parent[reattach] = conv_given[reattach]
    root, loops = _roots(parent)
    orphan = (root == np.arange(n)) & has_parent_id & (parent < 0)
    root_ids = pc.take(table.column("id"), pa.array(root))
    posts = table.set_column(table.column_names.index("conversation_id"), "conversation_id", root_ids)
    posts = posts.append_column("row_nr", pa.array(np.arange(n, dtype=np.int64)))
    posts = posts.append_column("root_nr", pa.array(root))
    posts = posts.append_column("orphan", pa.array(orphan))
    return Threads(posts=posts, orphan_threads=int(orphan.sum()), loops_cut=loops)


def _parent_keys(table: pa.Table) -> pa.Array:
    parents = table.column("parent_id").combine_chunks()
    channels = table.column("channel").combine_chunks()
    if pc.count_distinct(channels).as_py() <= 1:
        return parents
    return pc.binary_join_element_wise(pc.fill_null(channels, ""), parents, "\x1f")


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
    for _ in range(int(np.ceil(np.log2(max(len(up), 2)))) + 2):
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
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
