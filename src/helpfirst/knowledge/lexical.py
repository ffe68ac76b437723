"""BM25 over token lists (bm25s builds the score matrix), queried within one brand's slice of documents.

Documents are stored brand by brand, so a brand's documents are one row range [lo, hi). bm25s
keeps one column of precomputed BM25 weights per token with sorted document numbers; a query adds
up, for each of its tokens, only the part of that column inside the brand's range (a binary search),
so a query costs what the brand's postings cost, not the whole archive's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_FILES = ("data", "indices", "indptr")


class Bm25Index:
    """Precomputed BM25 weights (CSC by token) and the token vocabulary."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int], num_docs: int) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab = vocab
        self.num_docs = num_docs

    @classmethod
    def build(cls, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> "Bm25Index":
        """Index token lists (document i = row i)."""
        import bm25s

        if not docs:
            return cls(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(1, np.int64), {}, 0)
        # bm25s averages document lengths over the corpus; an empty document is a valid one
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        scores, vocab = model.build_index_from_tokens(docs, show_progress=False)
        return cls(
            np.asarray(scores["data"], dtype=np.float32),
            np.asarray(scores["indices"], dtype=np.int32),
            np.asarray(scores["indptr"], dtype=np.int64),
            vocab,
            len(docs),
        )

    def token_ids(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Known token ids of a query and how often each occurs in it."""
        counts: dict[int, int] = {}
        for t in tokens:
            i = self.vocab.get(t)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        freq = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        return ids, freq

    def scores(self, tokens: list[str], lo: int = 0, hi: int | None = None, repeat_weight: bool = False) -> np.ndarray:
        """BM25 score of every document in rows [lo, hi) for the query tokens."""
        hi = self.num_docs if hi is None else hi
        out = np.zeros(max(hi - lo, 0), dtype=np.float32)
        if hi <= lo:
            return out
        ids, freq = self.token_ids(tokens)
        for t, f in zip(ids.tolist(), freq.tolist()):
            s, e = int(self.indptr[t]), int(self.indptr[t + 1])
            if s == e:
                continue
            col = self.indices[s:e]
            if lo > 0 or hi < self.num_docs:
                a, z = np.searchsorted(col, [lo, hi])
                if a == z:
                    continue
                s, e, col = s + a, s + z, col[a:z]
            w = self.data[s:e]
            out[col - lo] += w * (f if repeat_weight else 1.0)
        return out

    def save(self, folder: Path, name: str) -> None:
        """Write the arrays (.npy, memory-mappable) and the vocabulary (JSON)."""
        folder.mkdir(parents=True, exist_ok=True)
        for part in _FILES:
            np.save(folder / f"{name}.{part}.npy", getattr(self, part))
        (folder / f"{name}.vocab.json").write_text(json.dumps({"num_docs": self.num_docs, "vocab": self.vocab}))

    @classmethod
    def load(cls, folder: Path, name: str) -> "Bm25Index":
        """Open a saved index; the arrays are memory-mapped, so opening is fast at any size."""
        meta = json.loads((folder / f"{name}.vocab.json").read_text())
        arrays = [np.load(folder / f"{name}.{part}.npy", mmap_mode="r") for part in _FILES]
        return cls(*arrays, meta["vocab"], meta["num_docs"])
