"""``--model fast``: linear heads over the hashed n-grams of ``hashing.py``, numpy only.

The model is two small files in ``signals/models/`` written by ``scripts/train_fast.py``:
``fast.json`` (format version, featuriser parameters, heads with their classes and weight columns,
the needs_help rule) and ``fast.npz`` (``rows``: the feature ids with a non-zero weight, int32;
``W``: their weights, float16, one column per class score; ``b``: biases, float32). No pickle.
A head's score for a post is sum(weight of each n-gram) + bias; binary heads have one column
(sigmoid), multi-class heads one per class (softmax).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from helpfirst.signals.base import (
    NEEDS_HELP_INTENTS,
    PostClassifier,
    SignalsUnavailable,
    _as_array,
    register_model,
)
from helpfirst.signals.hashing import FORMAT, HashFeatures

MODEL_DIR = Path(__file__).resolve().parent / "models"
CHUNK = 8192  # posts featurised at once: keeps the per-n-gram arrays small
SEGMENT = 256  # posts summed at once: keeps the gathered weight rows in cache
CUSTOMER_HEADS = ("complaint", "intent", "needs_help")
BRAND_HEADS = ("reply_kind",)


class FastModel(PostClassifier):
    """Hashed word 1-2 + byte 2-5 n-gram logistic-regression heads (the default tier)."""

    name = "fast"

    def __init__(self, meta: dict, rows: np.ndarray, W: np.ndarray, b: np.ndarray):
        if meta.get("format") != FORMAT:
            raise SignalsUnavailable(
                f"fast model format {meta.get('format')} is not {FORMAT}; retrain it with "
                "scripts/train_fast.py")
        fz = meta["featuriser"]
        self.meta = meta
        self.features = HashFeatures(bits=fz["bits"], char=tuple(fz["char"]), word=True)
        self.heads = meta["heads"]
        self.b = np.asarray(b, np.float32)
        nh = meta.get("needs_help_rule", {})
        self.nh_weight = float(nh.get("head_weight", 1.0))
        self.nh_threshold = float(nh.get("threshold", 0.5))
        # compact lookup: feature id -> row of W (the last row is all zeros, for unseen features)
        self.lut = np.full(self.features.n_features, len(rows), np.int32)
        self.lut[np.asarray(rows, np.int64)] = np.arange(len(rows), dtype=np.int32)
        Wf = np.vstack([np.asarray(W, np.float32), np.zeros((1, W.shape[1]), np.float32)])
        self._cols: dict[str, dict[str, slice]] = {}
        self._W: dict[str, np.ndarray] = {}
        self._bias: dict[str, np.ndarray] = {}
        for group, heads in (("customer", CUSTOMER_HEADS), ("brand", BRAND_HEADS)):
            cols, slices = [], {}
            for h in heads:
                a, z = self.heads[h]["columns"]
                slices[h] = slice(len(cols), len(cols) + z - a)
                cols.extend(range(a, z))
            self._cols[group] = slices
            self._W[group] = np.ascontiguousarray(Wf[:, cols])
            self._bias[group] = self.b[cols]

    @classmethod
    def load(cls, directory: Path | str = MODEL_DIR) -> FastModel:
        """Load fast.json + fast.npz from ``directory`` (the package's models/ by default)."""
        d = Path(directory)
        try:
            meta = json.loads((d / "fast.json").read_text(encoding="utf-8"))
            with np.load(d / "fast.npz", allow_pickle=False) as z:
                rows, W, b = z["rows"], z["W"], z["b"]
        except FileNotFoundError as exc:
            raise SignalsUnavailable(
                f"the fast model files are missing ({exc.filename}); train them with "
                "scripts/train_fast.py") from exc
        return cls(meta, rows, W, b)

    def raw_scores(self, texts, group: str) -> np.ndarray:
        """Linear scores (posts x the group's columns): sum of n-gram weights * scale + bias."""
        texts = _as_array(texts)
        W = self._W[group]
        out = np.zeros((len(texts), W.shape[1]), np.float32)
        for lo in range(0, len(texts), CHUNK):
            part = texts.slice(lo, CHUNK)
            n = len(part)
            acc = out[lo:lo + n]
            for d, f, scale in self.features.blocks(part):
                acc += _segment_sums(W, self.lut[f], d, n) * scale[:, None]
        return out + self._bias[group]

    def _scores(self, texts, customer, brand) -> dict:
        n = len(texts)
        res = {"complaint": np.zeros(n, np.float32), "intent": np.full(n, None, object),
               "needs_help": np.zeros(n, bool), "reply_kind": np.full(n, None, object)}
        ci = np.flatnonzero(customer)
        if len(ci):
            part = self.customer_outputs(texts.take(pa.array(ci)))
            for k in ("complaint", "intent", "needs_help"):
                res[k][ci] = part[k]
        bi = np.flatnonzero(brand)
        if len(bi):
            S = self.raw_scores(texts.take(pa.array(bi)), "brand")
            classes = np.asarray(self.heads["reply_kind"]["classes"], dtype=object)
            res["reply_kind"][bi] = classes[S[:, self._cols["brand"]["reply_kind"]].argmax(1)]
        return res

    def customer_outputs(self, texts) -> dict:
        """complaint probability, intent and needs_help of customer posts (needs_help and intent
        are kept consistent: needs_help is true exactly when intent is question or problem)."""
        S = self.raw_scores(texts, "customer")
        cols = self._cols["customer"]
        complaint = _sigmoid(S[:, cols["complaint"]][:, 0])
        p_int = _softmax(S[:, cols["intent"]])
        classes = list(self.heads["intent"]["classes"])
        help_cols = [classes.index(c) for c in NEEDS_HELP_INTENTS]
        p_help_intent = p_int[:, help_cols].sum(1)
        p_help_head = _sigmoid(S[:, cols["needs_help"]][:, 0])
        p_help = self.nh_weight * p_help_head + (1 - self.nh_weight) * p_help_intent
        needs_help = p_help >= self.nh_threshold
        in_help = np.isin(np.asarray(classes, dtype=object), NEEDS_HELP_INTENTS)
        masked = np.where(needs_help[:, None] == in_help[None, :], p_int, -1.0)
        intent = np.asarray(classes, dtype=object)[masked.argmax(1)]
        return {"complaint": complaint.astype(np.float32), "intent": intent,
                "needs_help": needs_help, "p_needs_help": p_help.astype(np.float32),
                "p_intent": p_int}


def _segment_sums(W: np.ndarray, rows: np.ndarray, doc: np.ndarray, n: int) -> np.ndarray:
    """Per post, the sum of W's rows over its n-grams (``doc`` is sorted; posts without any get 0)."""
    out = np.zeros((n, W.shape[1]), np.float32)
    if len(doc) == 0:
        return out
    counts = np.bincount(doc, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)])
    for lo in range(0, n, SEGMENT):
        hi = min(n, lo + SEGMENT)
        a, b = starts[lo], starts[hi]
        if a == b:
            continue
        idx = np.minimum(starts[lo:hi] - a, b - a - 1)
        block = np.add.reduceat(np.take(W, rows[a:b], axis=0), idx, axis=0)  # take: 5x W[...] here
        block[counts[lo:hi] == 0] = 0.0
        out[lo:hi] = block
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(S: np.ndarray) -> np.ndarray:
    e = np.exp(S - S.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


register_model("fast", FastModel.load)
