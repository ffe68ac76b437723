#!/usr/bin/env python3
"""Learn the ranking model's weights on the IBM CDP *tune* part only (nested cross-validation).

    ibm_cdp_learn.py --out DIR [--semantic] [--write]

Each tune fold's queries are featurised against the index of the other 4 tune folds (the same
code `helpfirst suggest` runs). A conditional-logit model (softmax over the brand's resources,
L2-penalised) is fitted on the features. Hyper-parameters (the penalty, the feature set and the
features' own settings: neighbours k, saturation, agent weight) are chosen by cross-validation
over the tune folds; the nested loop (choose on 4 folds, score on the 5th) estimates how well that
choice generalises. With --write the chosen model is fitted on all tune folds and written to
src/helpfirst/suggest/model.json. Nothing here reads the report part.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ibm_cdp  # noqa: E402
import ibm_cdp_tune  # noqa: E402

from helpfirst.suggest.rank import FEATURES, LEXICAL_FEATURES, SEMANTIC_FEATURES, Ranker, Weights  # noqa: E402

MODEL = Path(__file__).resolve().parents[1] / "src" / "helpfirst" / "suggest" / "model.json"


def featurise(folds, settings: Weights, names: tuple[str, ...], semantic: bool) -> list[list[tuple[np.ndarray, int]]]:
    """Per fold, per query: (features of the brand's resources [n, F], row of the gold resource or -1)."""
    out = []
    for suggester, queries, gold in folds:
        ranker = suggester.ranker  # one ranker per fold: query embeddings are computed once
        ranker.weights = settings
        if not semantic:
            ranker.encoder = None
        ids = suggester.index.resources.column("id").to_pylist()
        items = []
        for q in queries:
            lo, parts, _best = ranker.features(q, names)
            n = len(parts["prior"])
            x = np.zeros((n, len(names)), np.float64)
            for j, name in enumerate(names):
                if name in parts:
                    x[:, j] = parts[name]
            g = next((i for i in range(n) if ibm_cdp.doc_id(ids[lo + i]) == gold[q.id]), -1)
            items.append((x, g))
        out.append(items)
    return out


def _stack(items: list[tuple[np.ndarray, int]]):
    data = [(x, g) for x, g in items if g >= 0 and len(x) > 1]
    x = np.concatenate([x for x, _ in data])
    sizes = np.array([len(x) for x, _ in data])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return x, starts, starts + np.array([g for _, g in data]), sizes


def fit(items: list[tuple[np.ndarray, int]], l2: float, nonneg: bool = True) -> np.ndarray:
    """Conditional logit: maximise mean log softmax(X w)[gold] - l2 |w|^2 over the queries whose gold is a candidate."""
    from scipy.optimize import minimize

    x, starts, golds, sizes = _stack(items)
    seg = np.repeat(np.arange(len(starts)), sizes)
    m = len(starts)

    def loss(w):
        s = x @ w
        s = s - np.repeat(np.maximum.reduceat(s, starts), sizes)
        e = np.exp(s)
        z = np.add.reduceat(e, starts)
        p = e / z[seg]
        value = -(s[golds] - np.log(z)).sum() / m + l2 * w @ w
        grad = -(x[golds].sum(0) - p @ x) / m + 2 * l2 * w
        return value, grad

    bounds = [(0, None)] * x.shape[1] if nonneg else None
    return minimize(loss, np.full(x.shape[1], 0.1), jac=True, method="L-BFGS-B", bounds=bounds).x


def ranked(items: list[tuple[np.ndarray, int]], w: np.ndarray) -> list[tuple[list[int], int]]:
    # ties broken by row order, as the ranker's stable sort does
    return [(np.argsort(-(x @ w), kind="stable")[:10].tolist(), g) for x, g in items]


def objective(m: dict) -> float:
    return m["mrr@10"] + 0.5 * m["recall@1"] + 0.5 * m["recall@5"]


def cv(feats, folds_idx: list[int], l2: float, nonneg: bool = True) -> dict:
    """Fit on all but one of the given folds, rank the held-out one; metrics pooled over the held-out folds."""
    pairs = []
    for held in folds_idx:
        w = fit([it for f in folds_idx if f != held for it in feats[f]], l2, nonneg)
        pairs += ranked(feats[held], w)
    return ibm_cdp.metrics(pairs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--write", action="store_true", help="write the chosen model to src/helpfirst/suggest/model.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    folds = ibm_cdp_tune.prepare(args.out, args.seed, True)  # one index with embeddings serves both rankings
    print(f"prepared {len(folds)} folds in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    names = FEATURES if args.semantic else LEXICAL_FEATURES
    sem_ks = [5, 10] if args.semantic else [10]
    settings = [Weights(knn_k=k, knn_sat=sat, agent=a, sem_knn_k=sk, sem_abs=True)
                for k, sat, a, sk in itertools.product([5, 10, 20], [0, 15], [0.5, 1.0], sem_ks)]
    l2s = [1e-3, 1e-2]
    feats = []
    for st in settings:
        feats.append(featurise(folds, st, names, args.semantic))
    print(f"featurised {len(settings)} settings in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    grid = [(i, l2) for i in range(len(settings)) for l2 in l2s]
    everything = list(range(len(folds)))
    # nested: the whole choice made on 4 folds, scored on the 5th
    outer = []
    for held in everything:
        inner = [f for f in everything if f != held]
        i, l2 = max(grid, key=lambda c: objective(cv(feats[c[0]], inner, c[1])))
        w = fit([it for f in inner for it in feats[i][f]], l2)
        outer += ranked(feats[i][held], w)
        print(f"outer fold {held}: chose setting {i} l2 {l2}", file=sys.stderr)
    nested = ibm_cdp.metrics(outer)
    print(f"nested CV estimate: {nested}", file=sys.stderr)
    scores = {c: cv(feats[c[0]], everything, c[1]) for c in grid}
    (i, l2), best = max(scores.items(), key=lambda kv: objective(kv[1]))
    w = fit([it for f in everything for it in feats[i][f]], l2)
    chosen = {name: round(float(v), 4) for name, v in zip(names, w) if round(float(v), 4) != 0}
    st = settings[i]
    model = {"weights": {**chosen, "agent": st.agent, "knn_k": st.knn_k, "knn_sat": st.knn_sat,
                         **({"sem_knn_k": st.sem_knn_k, "sem_abs": True} if args.semantic else {})},
             "l2": l2, "cv_tune": best, "nested_cv_tune": nested, "queries": sum(len(f[1]) for f in folds)}
    print(json.dumps(model), file=sys.stderr)
    if args.write:
        doc = json.loads(MODEL.read_text()) if MODEL.exists() else {}
        doc["semantic" if args.semantic else "lexical"] = model
        MODEL.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {MODEL}", file=sys.stderr)


if __name__ == "__main__":
    main()
