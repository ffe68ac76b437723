"""Handles in NFC at batch speed (speed review 3): a column already in NFC is kept as it is (no
normalisation pass), others are normalised one distinct value at a time, and the result is always
what normalising every value gives."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.posts import nfc_column, posts_batch

NFC = unicodedata.normalize("NFC", "ŠkodaHelp")
NFD = unicodedata.normalize("NFD", "ŠkodaHelp")


def slow(column: pa.Array) -> pa.Array:
    return pc.utf8_normalize(column, form="NFC")


def test_every_code_point_below_u0300_is_left_as_it_is_and_is_nfc():
    # the byte check keeps a column whose bytes are all below 0xCC (code points below U+0300)
    column = pa.array([chr(c) + chr(d) for c in range(1, 0x300, 7) for d in range(0x80, 0x300, 5)] + [None, ""])
    assert nfc_column(column) is column
    assert column.equals(slow(column))


def test_a_latin1_column_is_the_same_array():
    column = pa.array(["sam", "josé", None, "Zoë", "", "Müller"])
    assert nfc_column(column) is column


def test_a_column_already_nfc_above_u0300_is_the_same_array():
    column = pa.array(["東京サポート", "Ελλάδα", None, NFC, "sam", "Đức"])
    assert nfc_column(column) is column


def test_mixed_columns_match_normalising_every_value():
    rng = random.Random(7)
    parts = ["sam", "e\u0301", "é", "S\u030c", "Š", "東", "ｶﾞ", "가", "\u1100\u1161", "a\u0323\u0302", "Å", "A\u030a",
             "\u212b", " ", "@", "ﬁ", "😀", "x\u0301\u0301"]
    values = ["".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) for _ in range(3000)]
    values = [None if rng.random() < 0.1 else v for v in values]
    column = pa.array(values)
    got = nfc_column(column)
    assert got.equals(slow(column))
    assert got.to_pylist() == [None if v is None else unicodedata.normalize("NFC", v) for v in values]
    # a slice (offset into shared buffers) and a chunked column give the same
    assert nfc_column(column.slice(100, 900)).equals(slow(column.slice(100, 900)))
    chunked = pa.chunked_array([column.slice(0, 1000), column.slice(1000)])
    assert nfc_column(chunked).to_pylist() == slow(column).to_pylist()


def test_mostly_ascii_column_with_one_decomposed_value():
    values = ["sam"] * 500 + [NFD] + [None] * 10 + ["AcmeHelp"] * 500 + [NFD]
    got = nfc_column(pa.array(values))
    assert got.to_pylist() == ["sam"] * 500 + [NFC] + [None] * 10 + ["AcmeHelp"] * 500 + [NFC]


def test_all_null_empty_and_bytes_under_null_slots():
    assert nfc_column(pa.nulls(5, pa.string())).null_count == 5
    assert len(nfc_column(pa.array([], pa.string()))) == 0
    # a null slot whose bytes are a decomposed name: the value stays null
    data = NFD.encode()
    offsets = pa.py_buffer(pa.array([0, 3, 3 + len(data), 6 + len(data)], pa.int32()).buffers()[1])
    validity = pa.py_buffer(bytes([0b101]))
    column = pa.Array.from_buffers(pa.string(), 3, [validity, offsets, pa.py_buffer(b"sam" + data + b"bob")], null_count=1)
    assert nfc_column(column).to_pylist() == ["sam", None, "bob"]


def test_posts_batch_normalises_unless_told_the_handles_are_nfc():
    author = pa.array([NFD, "sam"])
    assert posts_batch({"id": ["1", "2"], "author": author}).column("author").to_pylist() == [NFC, "sam"]
    kept = posts_batch({"id": ["1", "2"], "author": nfc_column(author)}, handles_nfc=True)
    assert kept.column("author").to_pylist() == [NFC, "sam"]


def twcs_file(tmp_path: Path, author: str) -> Path:
    path = tmp_path / "twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        f"1,josé,True,Tue Oct 31 22:10:47 +0000 2017,@{NFC} help,2,\n"
        f"2,{author},False,Tue Oct 31 22:12:47 +0000 2017,@josé ok,,1\n"
        f"3,{NFD}_fan,True,Tue Oct 31 22:14:47 +0000 2017,@{NFC} again,,\n"
        "4,東京,True,Tue Oct 31 22:15:47 +0000 2017,hi,,\n",
        encoding="utf-8",
    )
    return path


def read(path: Path, **options) -> list[dict]:
    report = ImportReport()
    rows = [row for b in read_posts([path], ImportOptions(**options), report) for row in b.to_pylist()]
    assert report.rows_rejected == 0 and not report.errors
    return rows


def test_twcs_brand_written_decomposed_is_the_composed_brand(tmp_path):
    rows = read(twcs_file(tmp_path, NFD))
    assert [(r["author"], r["brand"]) for r in rows] == [
        ("josé", None), (NFC, NFC), (NFC + "_fan", None), ("東京", None)]


def test_twcs_brand_written_composed_is_kept(tmp_path):
    rows = read(twcs_file(tmp_path, NFC))
    assert [(r["author"], r["brand"]) for r in rows][1] == (NFC, NFC)


def test_canonical_csv_mixed_column_with_nulls_and_decomposed_brand(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,author,created_at,text,parent_id,brand\n"
        "1,sam,2024-02-01T09:00:00Z,hi there,,\n"
        f"2,  {NFD} ,2024-02-01T09:05:00Z,@sam ok,1,\n"
        "3,josé,2024-02-01T09:06:00Z,hello,,e\u0301clair\n"
        "4,東京,2024-02-01T09:07:00Z,hello,,\n",
        encoding="utf-8",
    )
    rows = read(path, brands=frozenset({NFD}))
    assert [(r["author"], r["author_role"], r["brand"]) for r in rows] == [
        ("sam", "customer", None), (NFC, "brand", NFC), ("josé", "customer", "éclair"), ("東京", "customer", None)]
