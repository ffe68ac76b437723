#!/usr/bin/env python3
"""Idea 1: a non-linear ranker over the same per-(query, resource) features, against the conditional logit, same folds.

    nice -n 19 .venv/bin/python research/suggest/exp_gbm.py [--seed 13] [--nested]

Models: the shipped conditional logit (baseline, re-measured), LightGBM lambdarank, scikit-learn
HistGradientBoosting (pointwise), and LightGBM boosted from the conditional logit's score (the trees
only correct the linear model: init_score = the logit's score fitted on the same training folds).
Extra columns for the trees: log(1 + links), the brand's resource count, the days since the
resource was last linked, and each feature's rank among the brand's resources.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np

import common
from common import CL, Model, cv, fmt, load, nested

warnings.filterwarnings("ignore")


def base(it):
    return it["x"]


def extras(it):
    x = it["x"]
    n = len(x)
    links = it["links"]
    last = np.full(n, 365.0)
    if it["qtime"] is not None and len(it["case_res"]):
        for r, t in zip(it["case_res"], it["case_time"]):
            last[r] = min(last[r], abs(it["qtime"] - t) / 86400.0)
    ranks = (-x).argsort(0, kind="stable").argsort(0, kind="stable").astype(np.float64)  # 0 = best of the brand
    return np.column_stack([x, np.log1p(links), np.full(n, np.log(n)), np.log1p(last), np.minimum(ranks, 50)])


def _train(items, design):
    data = [it for it in items if it["gold"] >= 0 and len(it["x"]) > 1]
    xs = [design(it) for it in data]
    y = np.concatenate([(np.arange(len(x)) == it["gold"]).astype(int) for x, it in zip(xs, data)])
    return data, np.concatenate(xs), y, [len(x) for x in xs]


_BASE: dict = {}  # fitted logits by training set (the nested run refits the same sets many times)


class CachedCL(Model):
    """The shipped conditional logit over the 24 features, fitted once per training set (it is deterministic)."""

    def fit(self, items):
        key = tuple(map(id, items))  # the items live in `folds` for the whole run: ids are stable
        if key not in _BASE:
            _BASE[key] = CL(base).fit(items)
        return _BASE[key]


class LGB(Model):
    def __init__(self, design, init=None, **params):
        self.design, self.init, self.params = design, init, params

    def fit(self, items):
        import lightgbm as lgb

        data, x, y, groups = _train(items, self.design)
        init = None
        if self.init is not None:
            self.base = self.init().fit(items)
            init = np.concatenate([self.base.score(it) for it in data])
        self.m = lgb.LGBMRanker(objective="lambdarank", lambdarank_truncation_level=10, n_jobs=1, deterministic=True,
                                force_row_wise=True, random_state=0, verbose=-1, **self.params)
        self.m.fit(x, y, group=groups, init_score=init)
        return self

    def score(self, it):
        s = self.m.predict(self.design(it))
        return s + self.base.score(it) if self.init is not None else s


class HGB(Model):
    def __init__(self, design, **params):
        self.design, self.params = design, params

    def fit(self, items):
        from sklearn.ensemble import HistGradientBoostingClassifier

        _data, x, y, _g = _train(items, self.design)
        self.m = HistGradientBoostingClassifier(random_state=0, **self.params).fit(x, y)
        return self

    def score(self, it):
        return self.m.decision_function(self.design(it))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--nested", action="store_true")
    ap.add_argument("--nested-only", action="store_true", help="with --nested: skip the plain 5-fold CV of the nested families")
    ap.add_argument("--grids", default="logit,lgb,hgb,boost", help="which model families to run")
    ap.add_argument("--designs", default="feats,feats+extras")
    args = ap.parse_args()
    want = set(args.grids.split(","))
    designs = set(args.designs.split(","))
    folds = load(args.seed)["folds"]
    common.CACHE_FITS = True  # the inner CVs of two outer folds share a training set (all but those two folds)
    cl = CachedCL
    rows = {"conditional logit (shipped learner, L2 0.001)": cl}
    lgb_grid = {}
    for design_name, design in (("feats", base), ("feats+extras", extras)):
        if design_name not in designs:
            continue
        for leaves in (3, 7):
            for n_est in (50, 150, 400):
                for lr in (0.03, 0.1):
                    name = f"lgb lambdarank {design_name} leaves {leaves} trees {n_est} lr {lr}"
                    lgb_grid[name] = (lambda d=design, l=leaves, e=n_est, r=lr:
                                      LGB(d, num_leaves=l, n_estimators=e, learning_rate=r, min_child_samples=20, subsample=1.0))
    hgb_grid = {}
    for design_name, design in (("feats", base), ("feats+extras", extras)):
        if design_name not in designs:
            continue
        for depth in (2, 3):
            for it_ in (100, 300):
                hgb_grid[f"hgb pointwise {design_name} depth {depth} iters {it_}"] = (
                    lambda d=design, dp=depth, i=it_: HGB(d, max_depth=dp, max_iter=i, learning_rate=0.05, min_samples_leaf=20))
    boost_grid = {}
    for design_name, design in (("feats", base), ("feats+extras", extras)):
        if design_name not in designs:
            continue
        for leaves in (3, 7):
            for n_est in (20, 60, 150):
                boost_grid[f"lgb from logit {design_name} leaves {leaves} trees {n_est} lr 0.05"] = (
                    lambda d=design, l=leaves, e=n_est: LGB(d, init=cl, num_leaves=l, n_estimators=e, learning_rate=0.05,
                                                            min_child_samples=20))
    results = {}
    families = {"logit": rows, "lgb": lgb_grid, "hgb": hgb_grid, "boost": boost_grid}
    for family, grid in families.items():
        if family not in want or (args.nested and args.nested_only and family != "logit"):
            continue
        for name, make in grid.items():
            t0 = time.perf_counter()
            results[name] = cv(folds, make)
            print(f"{name:70s} {fmt(results[name])}  ({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.nested:
        for label, grid in (("lgb", lgb_grid), ("hgb", hgb_grid), ("boost", boost_grid)):
            if label not in want:
                continue
            print(f"NESTED {label:63s} {fmt(nested(folds, grid, log=lambda s: print(s, flush=True)))}", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
