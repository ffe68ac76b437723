"""Shared harness of the stop-14 experiments: load the dumped tune features, fit, cross-validate, score.

Same folds, same conditional logit (scripts/ibm_cdp_learn.py's fit), same metrics (scripts/ibm_cdp.py)
as the shipped model's learning, so the baseline re-measured here is like for like.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import ibm_cdp  # noqa: E402
from ibm_cdp_learn import fit as cl_fit  # noqa: E402

OUT = Path("/tmp/helper-sug/cdp")


def load(seed: int = 13, lexical: bool = False) -> dict:
    return pickle.loads((OUT / f"features-seed{seed}{'-lex' if lexical else ''}.pkl").read_bytes())


def objective(m: dict) -> float:
    return m["mrr@10"] + 0.5 * m["recall@1"] + 0.5 * m["recall@5"]


def rank_pairs(items, scores_fn) -> list[tuple[list[int], int]]:
    """(top-10 rows, gold row) per query; ties broken by row order as the ranker's stable sort does."""
    return [(np.argsort(-scores_fn(it), kind="stable")[:10].tolist(), it["gold"]) for it in items]


def metrics(pairs) -> dict:
    return ibm_cdp.metrics(pairs)


def split_metrics(items, pairs) -> dict:
    """Metrics over all queries, and over those whose answer was linked before / never linked."""
    seen = [i for i, it in enumerate(items) if it["gold"] >= 0 and it["links"][it["gold"]] > 0]
    new = [i for i in range(len(items)) if i not in set(seen)]
    out = metrics(pairs)
    out["seen_top1"] = sum(pairs[i][0][:1] == [pairs[i][1]] for i in seen)
    out["seen_n"] = len(seen)
    out["new_top1"] = sum(pairs[i][0][:1] == [pairs[i][1]] for i in new)
    out["new_n"] = len(new)
    return out


class Model:
    """fit(train items) -> self; score(item) -> scores over the item's candidates."""

    def fit(self, items):
        raise NotImplementedError

    def score(self, it):
        raise NotImplementedError


class CL(Model):
    """Conditional logit over columns made by `design(item) -> [n, F]`, weights >= 0 (the shipped learner)."""

    def __init__(self, design, l2: float = 1e-3, nonneg: bool = True):
        self.design, self.l2, self.nonneg = design, l2, nonneg

    def fit(self, items):
        self.w = cl_fit([(self.design(it), it["gold"]) for it in items], self.l2, self.nonneg)
        return self

    def score(self, it):
        return self.design(it) @ self.w


CACHE_FITS = False  # exp_gbm.py's nested run: reuse a fit of the same factory on the same training set
_FITS: dict = {}


def fit_on(make_model, train: list):
    """make_model().fit(train), or, with CACHE_FITS, the earlier fit of this factory on these very items
    (the fits are deterministic; the key holds the factory, and the items live in the loaded folds)."""
    if not CACHE_FITS:
        return make_model().fit(train)
    key = (make_model, tuple(map(id, train)))
    if key not in _FITS:
        _FITS[key] = make_model().fit(train)
    return _FITS[key]


def cv_pairs(folds, make_model, held_out=None):
    """Out-of-fold (top-10, gold) pairs in fold order: fit on the other folds, rank the held-out one."""
    idx = list(range(len(folds))) if held_out is None else held_out
    pairs, items = [], []
    for held in idx:
        model = fit_on(make_model, [it for f in idx if f != held for it in folds[f]])
        pairs += rank_pairs(folds[held], model.score)
        items += folds[held]
    return items, pairs


def cv(folds, make_model, idx=None) -> dict:
    items, pairs = cv_pairs(folds, make_model, idx)
    return split_metrics(items, pairs)


def nested(folds, grid: dict, log=None) -> dict:
    """Nested CV: for each outer fold, choose the grid entry (name -> model factory) by the objective of
    CV over the 4 other folds, fit it on them, rank the outer fold. `log(str)`, if given, gets each inner
    CV result and each choice."""
    pairs, items, chosen = [], [], []
    every = list(range(len(folds)))
    for held in every:
        inner = [f for f in every if f != held]
        inner_m = {k: cv(folds, grid[k], inner) for k in grid}
        if log:
            for k, m in inner_m.items():
                log(f"  outer {held} inner {k:62s} {fmt(m)}  obj {objective(m):.4f}")
        name = max(grid, key=lambda k: objective(inner_m[k]))  # first of the grid on a tie, as before
        if log:
            log(f"  outer {held} chose {name}")
        chosen.append(name)
        model = fit_on(grid[name], [it for f in inner for it in folds[f]])
        pairs += rank_pairs(folds[held], model.score)
        items += folds[held]
    out = split_metrics(items, pairs)
    out["chosen"] = chosen
    return out


def fmt(m: dict) -> str:
    s = f"{m['recall@1']:.3f} / {m['recall@5']:.3f} / {m['mrr@10']:.3f}  seen {m['seen_top1']}/{m['seen_n']} new {m['new_top1']}/{m['new_n']}"
    if "chosen" in m:
        s += f"  chose {m['chosen']}"
    return s
