"""The fast tier's featuriser: hashed word 1-2-grams and byte 2-5-grams, with no per-text Python.

Texts are normalised with pyarrow.compute (RE2): ``&amp;``/``&lt;``/``&gt;`` unescaped, URLs ->
``url``, @mentions -> ``@user``, digit runs -> ``0``, lower case, whitespace collapsed, one space
either side. On the UTF-8 bytes of the whole batch (zero-copy from the Arrow buffer), numpy then
takes
- byte n-grams (n = 2..5) that have no space inside (so they sit inside " word "), with a rolling
  polynomial hash, and
- word unigrams and bigrams (words are runs of letters, digits, ``_`` and ``@``; ``!`` and ``?`` are
  words of their own), with prefix hashes;
and maps every hash to one of 2^bits buckets per block (word block first, then the byte block).
Each post's n-grams of one block count 1/sqrt(number of that block's n-grams in the post).

The hash is part of the shipped model's format (``FORMAT``): changing it or the normalisation needs a
new format number and a retrained model. tests/test_signals_fast.py pins it with golden values.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FORMAT = 1
P = np.uint64(0x100000001B3)  # FNV prime as the polynomial base
MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * MIX are the bucket
SEEDS = {n: np.uint64(0x51ED27 + 7919 * n) for n in range(1, 9)}


def normalise(texts) -> pa.Array:
    """The normalised text every n-gram is taken from (nulls become empty posts)."""
    a = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(list(texts), pa.string())
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    if pa.types.is_large_string(a.type):
        a = a.cast(pa.string())
    a = pc.fill_null(a, "")
    for s, r in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
        a = pc.replace_substring(a, s, r)
    a = pc.replace_substring_regex(a, r"https?://\S+|www\.\S+", " url ")
    a = pc.replace_substring_regex(a, r"@[\p{L}\p{N}_]+", " @user ")
    a = pc.replace_substring_regex(a, r"\p{Nd}+", "0")
    a = pc.utf8_lower(a)
    a = pc.replace_substring_regex(a, r"\s+", " ")
    return pc.binary_join_element_wise(" ", pc.utf8_trim_whitespace(a), " ", "")


def _bytes(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array and its offsets (int64, starting at 0), without copying."""
    offs = np.frombuffer(a.buffers()[1], dtype=np.int32, count=len(a) + 1,
                         offset=a.offset * 4).astype(np.int64)
    data = a.buffers()[2]
    b = np.frombuffer(data, dtype=np.uint8)[offs[0]:offs[-1]] if data is not None else np.zeros(0, np.uint8)
    return b, offs - offs[0]


def _bucket(h: np.ndarray, bits: int) -> np.ndarray:
    return ((h * MIX) >> np.uint64(64 - bits)).astype(np.int64)


def char_ngrams(a: pa.Array, bits: int, nmin: int = 2, nmax: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(post index, bucket) of every byte n-gram with no space inside, in post order.

    Hashes are computed one n at a time over all start bytes; the n-grams are then taken
    (start byte, n) in order, so they come out grouped by post with no sort. A window crossing two
    posts always has a space inside or is the double space between them, so it is never taken.
    """
    b, offs = _bytes(a)
    size = len(b)
    k = nmax - 1
    if size == 0 or nmax < 2:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    bp = np.empty(size + k, np.uint64)
    bp[:size] = b
    bp[size:] = 32  # padding spaces: windows running past the end are never valid
    space = bp == 32
    pos = np.arange(size + k)
    next_space = np.minimum.accumulate(np.where(space, pos, size + k)[::-1])[::-1]
    run = (next_space - pos)[1:size + 1]  # length of the non-space run after each start byte
    hashes = np.empty((k, size), np.uint64)
    valid = np.empty((k, size), bool)
    with np.errstate(over="ignore"):
        h = bp[:size] * P + bp[1:size + 1]
        hashes[0] = h ^ SEEDS[2]
        valid[0] = ~(space[:size] & space[1:size + 1])
        for n in range(3, nmax + 1):
            h = h * P + bp[n - 1:n - 1 + size]
            hashes[n - 2] = h ^ SEEDS[n]
            valid[n - 2] = run >= n - 2
        if nmin > 2:
            valid[:nmin - 2] = False
        sel = np.flatnonzero(valid.T)  # (start byte, n) order
        start = sel // k
        f = _bucket(np.take(hashes.ravel(), (sel - start * k) * size + start), bits)
    doc_of = np.repeat(np.arange(len(offs) - 1, dtype=np.int32), np.diff(offs))
    return np.take(doc_of, start), f


# byte classes for word_ngrams: 0 separator, 1 word byte, 2 "!" or "?" (a word of its own)
_CLASS = np.zeros(256, np.int8)
_CLASS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@", np.uint8)] = 1
_CLASS[[ord("!"), ord("?")]] = 2
_CLASS[0x80:] = 1  # only met in non-ASCII posts, which a regex has already reduced to words


def word_ngrams(a: pa.Array, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(post index, bucket) of word unigrams and bigrams, in post order (each word, then the
    bigram it starts).

    Words are runs of letters, digits, ``_`` and ``@``; ``!`` and ``?`` are one-byte words. ASCII
    posts are split by a byte table; the others first go through the Unicode regexes
    ``([!?])`` -> `` \\1 `` and ``[^\\p{L}\\p{N}_!?@]+`` -> `` `` (same words, same order).
    """
    is_ascii = pc.string_is_ascii(a)
    other = np.flatnonzero(~np.asarray(is_ascii, bool))
    if len(other):
        sub = pc.replace_substring_regex(a.take(pa.array(other)), r"([!?])", " \\1 ")
        sub = pc.replace_substring_regex(sub, r"[^\p{L}\p{N}_!?@]+", " ")
        a = pc.replace_with_mask(a, pc.invert(is_ascii), sub)
    b, offs = _bytes(a)
    size = len(b)
    if size == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    cls = _CLASS[b]
    prev = np.concatenate([[0], cls[:-1]])
    nxt = np.concatenate([cls[1:], [0]])
    # every normalised post starts and ends with a space, so no word spans two posts
    starts = np.flatnonzero((cls != 0) & ((prev != cls) | (cls == 2)))
    ends = np.flatnonzero((cls != 0) & ((nxt != cls) | (cls == 2))) + 1
    if len(starts) == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    with np.errstate(over="ignore"):
        # hash of b[s:e] = sum b[j] P^(e-1-j) = (H[e] - H[s]) * P^e with H[i] = sum_{j<i} b[j] P^-(j+1);
        # P is odd, so it has an inverse modulo 2^64
        pw = np.ones(size + 1, dtype=np.uint64)
        pw[1:] = np.cumprod(np.full(size, P, dtype=np.uint64))
        inv = np.uint64(pow(int(P), -1, 1 << 64))
        ipw = np.cumprod(np.full(size, inv, dtype=np.uint64))
        H = np.zeros(size + 1, dtype=np.uint64)
        H[1:] = np.cumsum(b.astype(np.uint64) * ipw)
        th = (H[ends] - H[starts]) * pw[ends]
        nw = len(th)
        doc = (np.searchsorted(offs, starts, side="right") - 1).astype(np.int32)
        feats = np.empty((nw, 2), np.int64)
        valid = np.ones((nw, 2), bool)
        feats[:, 0] = _bucket(th ^ SEEDS[1], bits)
        feats[:-1, 1] = _bucket((th[:-1] * MIX + th[1:]) ^ SEEDS[2], bits)
        feats[-1, 1] = 0
        valid[:-1, 1] = doc[1:] == doc[:-1]
        valid[-1, 1] = False
    sel = np.flatnonzero(valid)
    return doc[sel // 2], feats.ravel()[sel]


class HashFeatures:
    """Word 1-2-grams in buckets [0, 2^bits) and byte 2-5-grams in [2^bits, 2^(bits+1))."""

    def __init__(self, bits: int = 20, char: tuple[int, int] = (2, 5), word: bool = True):
        self.bits, self.char, self.word = bits, tuple(char), word

    @property
    def n_features(self) -> int:
        """Width of the feature space (both blocks)."""
        return 2 << self.bits

    def blocks(self, texts) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per block: (post index, feature id, per-post weight) with n-grams grouped by post."""
        a = normalise(texts)
        n = len(a)
        out = []
        if self.word:
            d, f = word_ngrams(a, self.bits)
            out.append((d, f, _scale(d, n)))
        if self.char:
            d, f = char_ngrams(a, self.bits, *self.char)
            out.append((d, f + (1 << self.bits), _scale(d, n)))
        return out

    def csr(self, texts):
        """The feature matrix as scipy CSR with duplicates summed (training only: needs scipy)."""
        import scipy.sparse as sp
        n = len(texts)
        mats = []
        for d, f, scale in self.blocks(texts):
            counts = np.bincount(d, minlength=n)
            indptr = np.concatenate([[0], np.cumsum(counts)])
            mats.append(sp.csr_matrix((scale[d].astype(np.float32), f.astype(np.int32), indptr),
                                      shape=(n, self.n_features)))
        X = mats[0]
        for m in mats[1:]:
            X = X + m
        X.sum_duplicates()
        return X.tocsr()


def _scale(d: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(d, minlength=n)
    return (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
