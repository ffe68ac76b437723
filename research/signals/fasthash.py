"""A vectorised hashed n-gram featuriser for the fast tier: no per-text Python at all.

Texts (an Arrow string array) are normalised with pyarrow.compute (RE2): HTML entities, URLs ->
"url", @mentions -> "@user", digits -> "0", lower case, whitespace collapsed, one space either side.
Then on the UTF-8 bytes of the whole batch (zero-copy from the Arrow buffer), with numpy:
  - char_wb-style byte n-grams (n = 2..5) inside " word " (no space in an n-gram's interior),
    rolling polynomial hash;
  - word unigrams and bigrams (words = runs of letters/digits/_ ; "!" and "?" are words), hashed
    with prefix hashes;
  - each block's count vector per post is divided by sqrt(number of n-grams of that block in the
    post) (a length normalisation that needs no per-(post, feature) de-duplication).
X = CSR (posts x 2^bits) built directly from the per-post n-gram runs (no sort): the model is
X @ W + b for any number of heads. Train with scikit-learn on the same X; ship W (idf folded in).
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

P = np.uint64(0x100000001B3)  # FNV prime as the polynomial base
MIX = np.uint64(0x9E3779B97F4A7C15)
SEEDS = {n: np.uint64(0x51ED27 + 7919 * n) for n in range(1, 9)}


def normalise(texts) -> pa.Array:
    a = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(texts, pa.string())
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    a = pc.fill_null(a, "")
    for s, r in (("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
        a = pc.replace_substring(a, s, r)
    a = pc.replace_substring_regex(a, r"https?://\S+|www\.\S+", " url ")
    a = pc.replace_substring_regex(a, r"@[\p{L}\p{N}_]+", " @user ")
    a = pc.replace_substring_regex(a, r"\p{Nd}+", "0")
    a = pc.utf8_lower(a)
    a = pc.replace_substring_regex(a, r"\s+", " ")
    return pc.binary_join_element_wise(" ", pc.utf8_trim_whitespace(a), " ", "")


def _bytes(a: pa.Array):
    offs = np.frombuffer(a.buffers()[1], dtype=np.int32, count=len(a) + 1, offset=a.offset * 4).astype(np.int64)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)[offs[0]:offs[-1]]
    return data, offs - offs[0]


def _bucket(h, bits):
    return ((h * MIX) >> np.uint64(64 - bits)).astype(np.int64)


def char_ngrams(a: pa.Array, bits: int, nmin=2, nmax=5):
    """(post index, bucket) of every byte n-gram inside ' word ', in post order."""
    b, offs = _bytes(a)
    L = len(b)
    sp_ = (b == 32)
    cs = np.concatenate([[0], np.cumsum(sp_)])
    doc_of = np.repeat(np.arange(len(offs) - 1), np.diff(offs))
    bu = b.astype(np.uint64)
    h = bu.copy()
    docs, feats = [], []
    with np.errstate(over="ignore"):
        for n in range(2, nmax + 1):
            m = L - n + 1
            if m <= 0:
                break
            h = h[:m] * P + bu[n - 1:n - 1 + m]
            if n < nmin:
                continue
            i = np.arange(m)
            ok = (cs[i + n - 1] - cs[i + 1]) == 0  # no space inside
            ok &= ~(sp_[:m] & sp_[1:m + 1])  # not starting on a double space (post boundary)
            ok &= doc_of[:m] == doc_of[n - 1:n - 1 + m]  # same post
            idx = np.nonzero(ok)[0]
            docs.append(doc_of[idx])
            feats.append(_bucket(h[idx] ^ SEEDS[n], bits))
    d = np.concatenate(docs)
    f = np.concatenate(feats)
    o = np.argsort(d, kind="stable")  # n-grams were grouped by n; regroup by post (radix on ints)
    return d[o], f[o]


def word_ngrams(a: pa.Array, bits: int):
    """(post index, bucket) of word unigrams and bigrams."""
    w = pc.replace_substring_regex(a, r"([!?])", " \\1 ")
    w = pc.replace_substring_regex(w, r"[^\p{L}\p{N}_!?@]+", " ")
    b, offs = _bytes(w)
    L = len(b)
    isw = b != 32
    if L == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.nonzero(isw & np.concatenate([[True], ~isw[:-1]]))[0]
    ends = np.nonzero(isw & np.concatenate([~isw[1:], [True]]))[0] + 1
    with np.errstate(over="ignore"):
        H = np.zeros(L + 1, dtype=np.uint64)
        # prefix hash H[i+1] = H[i]*P + b[i] via cumulative trick: H[i] = sum b[j] P^(i-1-j)
        # computed with powers: H = P^(i) * cumsum(b[j] * Pinv^(j+1)) needs an inverse; do it blockwise:
        pw = np.ones(L + 1, dtype=np.uint64)
        pw[1:] = np.cumprod(np.full(L, P, dtype=np.uint64))
        # P is odd, so invertible mod 2^64
        inv = np.uint64(pow(int(P), -1, 1 << 64))
        ipw = np.ones(L + 1, dtype=np.uint64)
        ipw[1:] = np.cumprod(np.full(L, inv, dtype=np.uint64))
        H[1:] = np.cumsum(b.astype(np.uint64) * ipw[1:])  # sum b[j] P^-(j+1)
        # hash of b[s:e] = sum_{j=s}^{e-1} b[j] P^(e-1-j) = (H[e]-H[s]) * P^e
        th = (H[ends] - H[starts]) * pw[ends]
    doc = np.searchsorted(offs, starts, side="right") - 1
    uni = _bucket(th ^ SEEDS[1], bits)
    same = doc[1:] == doc[:-1]
    with np.errstate(over="ignore"):
        bh = (th[:-1] * MIX + th[1:]) ^ SEEDS[2]
    bi = _bucket(bh[same], bits)
    d = np.concatenate([doc, doc[:-1][same]])
    f = np.concatenate([uni, bi])
    o = np.argsort(d, kind="stable")
    return d[o], f[o]


def _csr(d, f, n_docs, n_feat):
    counts = np.bincount(d, minlength=n_docs)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    vals = (1.0 / np.sqrt(np.maximum(counts, 1)))[d].astype(np.float32)
    X = sp.csr_matrix((vals, f.astype(np.int32), indptr), shape=(n_docs, n_feat))
    return X


class HashFeatures:
    """word 1-2grams in one 2^bits space and byte 2-5grams in another; X = [word | char]."""

    def __init__(self, bits=20, char=(2, 5), word=True):
        self.bits, self.char, self.word = bits, char, word

    def transform(self, texts, canonical=False):
        a = normalise(texts)
        n = len(a)
        blocks = []
        if self.word:
            d, f = word_ngrams(a, self.bits)
            blocks.append(_csr(d, f, n, 1 << self.bits))
        if self.char:
            d, f = char_ngrams(a, self.bits, *self.char)
            blocks.append(_csr(d, f, n, 1 << self.bits))
        X = sp.hstack(blocks, format="csr")
        if canonical:  # sum duplicates (for training; inference does not need it)
            X.sum_duplicates()
        return X


class HashModel:
    """Inference: scores = X @ W + b, with W (n_features x heads) float32 (idf folded in)."""

    def __init__(self, feats: HashFeatures, W, b):
        self.feats, self.W, self.b = feats, W, b

    def decision(self, texts):
        return np.asarray(self.feats.transform(texts) @ self.W) + self.b
