"""Threading: parents in any order, missing parents, loops, duplicates, several channels."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa

from helpfirst.ingest import ImportReport
from helpfirst.posts import posts_batch
from helpfirst.threads import _roots, build_threads

import numpy as np


def table(rows: list[tuple]) -> pa.Table:
    """rows: (id, parent_id, role[, channel])"""
    now = datetime(2017, 1, 1, tzinfo=timezone.utc)
    batch = posts_batch(
        {
            "id": [r[0] for r in rows],
            "parent_id": [r[1] for r in rows],
            "author_role": [r[2] for r in rows],
            "author": ["x"] * len(rows),
            "channel": [r[3] if len(r) > 3 else "twitter" for r in rows],
            "created_at": [now] * len(rows),
        }
    )
    return pa.Table.from_batches([batch])


def conv_of(threads) -> dict[str, str]:
    posts = threads.posts
    return dict(zip(posts.column("id").to_pylist(), posts.column("conversation_id").to_pylist()))


def test_out_of_order_and_deep_replies():
    t = build_threads(table([("d", "c", "customer"), ("c", "b", "brand"), ("b", "a", "customer"), ("a", None, "customer")]))
    assert conv_of(t) == {"a": "a", "b": "a", "c": "a", "d": "a"}
    assert t.orphan_threads == 0


def test_missing_parent_starts_an_orphan_thread():
    t = build_threads(table([("a", None, "customer"), ("b", "gone", "customer"), ("c", "b", "brand")]))
    assert conv_of(t) == {"a": "a", "b": "b", "c": "b"}
    assert t.orphan_threads == 1
    assert t.posts.column("orphan").to_pylist() == [False, True, False]


def test_reply_loops_are_cut():
    t = build_threads(table([("a", "b", "customer"), ("b", "a", "brand"), ("c", "a", "customer"), ("s", "s", "customer")]))
    convs = conv_of(t)
    assert convs["a"] == "a" and convs["b"] == "b" and convs["c"] == "a"
    assert convs["s"] == "s"  # a post naming itself as its parent is a root
    assert t.loops_cut == 3  # a and b, and s, which names itself


def test_long_chain_resolves():
    n = 5000
    rows = [(str(i), str(i - 1) if i else None, "customer") for i in range(n)]
    t = build_threads(table(rows[::-1]))
    assert set(conv_of(t).values()) == {"0"}


def test_same_id_on_two_channels_are_two_posts():
    t = table([("1", None, "customer", "x"), ("1", None, "customer", "mastodon"), ("2", "1", "brand", "mastodon")])
    report = ImportReport(rows_read=3, rows_loaded=3)
    threads = build_threads(t, report)
    assert report.rows_rejected == 0
    assert threads.posts.column("root_nr").to_pylist() == [0, 1, 1]


def test_duplicates_are_rejected_and_counted():
    t = table([("1", None, "customer"), ("0", "1", "customer"), ("1", None, "customer"), ("2", "1", "brand")])
    report = ImportReport(rows_read=4, rows_loaded=4)
    kept = build_threads(t, report).posts
    assert kept.column("id").to_pylist() == ["1", "0", "2"]
    assert kept.column("root_nr").to_pylist() == [0, 0, 0]
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 3, 1)
    assert report.rejections[0].field == "id"


def test_pointer_jumping_matches_naive_walk():
    rng = np.random.default_rng(3)
    n = 2000
    parent = np.array([rng.integers(-1, i) if i else -1 for i in range(n)])
    perm = rng.permutation(n)
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    shuffled = np.where(parent[perm] >= 0, inv[np.maximum(parent[perm], 0)], -1)
    roots, loops = _roots(shuffled)
    assert loops == 0
    for i in range(0, n, 37):
        node = i
        while shuffled[node] >= 0:
            node = shuffled[node]
        assert roots[i] == node


def test_id_lookup_paths_agree():
    # the same reply graph with dense numeric ids, huge numeric ids (X snowflakes) and non-numeric ids
    shape = [(0, None), (1, 0), (2, 1), (3, None), (4, 3), (1, None), (5, 42)]  # id 1 repeats; 42 is missing

    def build(fmt):
        rows = [(fmt(i), None if p is None else fmt(p), "customer") for i, p in shape]
        report = ImportReport(rows_read=len(rows), rows_loaded=len(rows))
        threads = build_threads(table(rows), report)
        return threads.posts.column("root_nr").to_pylist(), threads.orphan_threads, report.rows_rejected

    dense = build(str)
    snowflake = build(lambda i: str(923_456_789_012_345_678 + i * 1_000_003))
    text = build(lambda i: f"t{i}")
    padded = build(lambda i: f"0{i}")  # '01' is not the number 1: stays on the string path
    assert dense == snowflake == text == padded == ([0, 0, 0, 3, 3, 5], 1, 1)


def table_with_conv(rows: list[tuple]) -> pa.Table:
    """rows: (id, parent_id, conversation_id, minutes)"""
    from datetime import timedelta

    now = datetime(2017, 1, 1, tzinfo=timezone.utc)
    batch = posts_batch(
        {
            "id": [r[0] for r in rows],
            "parent_id": [r[1] for r in rows],
            "conversation_id": [r[2] for r in rows],
            "author_role": ["customer"] * len(rows),
            "author": ["x"] * len(rows),
            "channel": ["helpdesk"] * len(rows),
            "created_at": [now + timedelta(minutes=r[3]) for r in rows],
        }
    )
    return pa.Table.from_batches([batch])


def test_conversation_id_threads_posts_without_parents():
    # a helpdesk export: no parent links, only a thread id; t9 names no loaded post
    t = build_threads(
        table_with_conv(
            [("a", None, "t1", 0), ("b", None, "a", 5), ("c", "gone", "a", 6), ("d", None, "t9", 9), ("e", None, "t9", 3), ("f", None, None, 1)]
        )
    )
    assert conv_of(t) == {"a": "a", "b": "a", "c": "a", "d": "e", "e": "e", "f": "f"}
    assert t.orphan_threads == 0


def test_self_parent_is_a_loop_not_an_orphan():
    t = build_threads(table([("s", "s", "customer"), ("r", "s", "brand")]))
    assert conv_of(t) == {"s": "s", "r": "s"}
    assert (t.orphan_threads, t.loops_cut) == (0, 1)
