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
        ranker = Ranker(suggester.index, settings, suggester.ranker.encoder if semantic else None)
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


def fit(items: list[tuple[np.ndarray, int]], l2: float) -> np.ndarray:
    """Conditional logit: maximise sum log softmax(X w)[gold] - l2 |w|^2 over queries whose gold is a candidate."""
    from scipy.optimize import minimize

    data = [(x, g) for x, g in items if g >= 0]
    f = data[0][0].shape[1]

    def loss(w):
        total, grad = l2 * w @ w, 2 * l2 * w
        for x, g in data:
            s = x @ w
            s = s - s.max()
            p = np.exp(s)
            p /= p.sum()
            total -= s[g] - np.log(np.exp(s).sum())
            grad -= x[g] - p @ x
        return total / len(data), grad / len(data)

    return minimize(loss, np.zeros(f), jac=True, method="L-BFGS-B").x


def score(items: list[tuple[np.ndarray, int]], w: np.ndarray) -> dict:
    pairs = []
    for x, g in items:
        s = x @ w
        # ties broken by row order, as the ranker's stable sort does
        order = np.argsort(-s, kind="stable")[:10].tolist()
        pairs.append((order, g))
    return ibm_cdp.metrics(pairs)


def objective(m: dict) -> float:
    return m["mrr@10"] + 0.5 * m["recall@1"] + 0.5 * m["recall@5"]


def cv(feats, folds_idx: list[int], l2: float) -> dict:
    """Train on all but one of the given folds, score the held-out one, pooled over them."""
    pairs_items, ws = [], []
    scored = []
    for held in folds_idx:
        train = [it for f in folds_idx if f != held for it in feats[f]]
        w = fit(train, l2)
        ws.append(w)
        scored += [(x, g, w) for x, g in feats[held]]
    pairs = []
    for x, g, w in scored:
        pairs.append((np.argsort(-(x @ w), kind="stable")[:10].tolist(), g))
    return ibm_cdp.metrics(pairs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--write", action="store_true", help="write the chosen model to src/helpfirst/suggest/model.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    folds = ibm_cdp_tune.prepare(args.out, args.seed, args.semantic)
    print(f"prepared {len(folds)} folds in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    names = FEATURES if args.semantic else LEXICAL_FEATURES
    grid_settings = [Weights(knn_k=k, knn_sat=sat, agent=a, sem_knn_k=sk, sem_abs=True)
                     for k, sat, a, sk in itertools.product([5, 10, 20], [0, 15], [0.5, 1.0], [10] if not args.semantic else [5, 10, 20])]
    l2s = [1e-3, 1e-2, 3e-2, 0.1]
    cache = {}
    for st in grid_settings:
        feats = featurise(folds, st, names, args.semantic)
        cache[json.dumps(st.to_dict(), sort_keys=True)] = feats
        for l2 in l2s:
            m = cv(feats, list(range(len(folds))), l2)
            print(f"k={st.knn_k} sat={st.knn_sat} agent={st.agent} sk={st.sem_knn_k} l2={l2}: {m} obj={objective(m):.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
