#!/usr/bin/env python3
"""Tune the fusion weights on the IBM CDP *tune* part only (folds: history = the other tune folds).

    ibm_cdp_tune.py --out DIR [--semantic] [--trials 300]

Builds each fold's index once through the same code `helpfirst suggest` runs (build_or_load),
then scores weight settings in-process: single signals first (what each is worth alone), then a
seeded random search around the defaults. Writes DIR/weights.json (the best setting) and
DIR/tune-results.jsonl. Nothing here reads the report part.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ibm_cdp  # noqa: E402

from helpfirst.suggest.rank import Weights, default_weights  # noqa: E402
from helpfirst.suggest.service import Suggester, build_or_load, read_queries  # noqa: E402


def prepare(out: Path, seed: int, semantic: bool) -> list[tuple[Suggester, list, dict]]:
    convs, urls, companies = ibm_cdp.load(ibm_cdp.DATA)
    encoder = None
    if semantic:
        from helpfirst.suggest.semantic import Encoder

        encoder = Encoder()
    folds = []
    for f, (history, queries) in enumerate(ibm_cdp.fold_sets(ibm_cdp.DATA, "tune", seed)):
        folder = out / f"tune-{f}"
        ibm_cdp.write_set(folder, ibm_cdp.kb_lines(urls, companies), history, queries)
        built = build_or_load([folder / "kb.jsonl"], [folder / "history.jsonl"], index_dir=folder / ("index-sem" if semantic else "index"),
                              semantic=semantic, encoder=encoder)
        qs = [q for _n, q in read_queries(folder / "queries.jsonl")]
        gold = {g["id"]: g["doc_id"] for g in map(json.loads, (folder / "gold.jsonl").read_text().splitlines())}
        folds.append((Suggester(built.index, encoder=encoder), qs, gold))
    return folds


def evaluate(folds, weights: Weights) -> dict:
    pairs = []
    for suggester, queries, gold in folds:
        suggester.ranker.weights = weights
        ids = suggester.index.resources.column("id")
        for q in queries:
            ranked = [ibm_cdp.doc_id(ids[c.row].as_py()) for c in suggester.ranker.rank(q, 10) if c.kind == "resource"]
            pairs.append((ranked, gold[q.id]))
    return ibm_cdp.metrics(pairs)


def objective(m: dict) -> float:
    return m["mrr@10"] + 0.5 * m["recall@1"] + 0.5 * m["recall@5"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--start", type=Path, help="weights (JSON) to start the search from")
    args = ap.parse_args()
    t0 = time.perf_counter()
    folds = prepare(args.out, args.seed, args.semantic)
    print(f"prepared {len(folds)} folds in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    results = []
    signals = ["lex", "evidence", "knn", "prior"] + (["sem", "sem_knn", "sem_ev"] if args.semantic else [])
    zero = Weights(**{s: 0.0 for s in set(signals) | {"sem", "sem_knn", "sem_ev", "lex_new"}}, answer=0.0)
    for s in signals:
        m = evaluate(folds, replace(zero, **{s: 1.0}))
        results.append({"weights": {s: 1.0}, **m})
        print(f"alone {s:9s} {m}", file=sys.stderr)
    base = Weights.from_dict(json.loads(args.start.read_text())) if args.start else default_weights(args.semantic)
    if not args.semantic:
        base = replace(base, sem=0.0, sem_knn=0.0, sem_ev=0.0)
    best = (objective(evaluate(folds, base)), base)
    rng = random.Random(args.seed)
    grid = {"lex": [0, 0.25, 0.5, 1, 1.5], "evidence": [0, 0.25, 0.5, 1, 1.5], "knn": [0, 0.5, 1, 1.5, 2],
            "prior": [0, 0.25, 0.5, 0.75, 1, 1.5, 2], "agent": [0, 0.25, 0.5, 1], "knn_k": [3, 5, 10, 20, 40],
            "lex_new": [0, 0.25, 0.5], "prior_shape": [0, 0.5, 1]}
    if args.semantic:
        grid |= {"sem": [0, 0.25, 0.5, 1, 1.5], "sem_knn": [0, 0.5, 1, 1.5, 2], "sem_knn_k": [3, 5, 10, 20, 40],
                 "sem_ev": [0, 0.25, 0.5, 1, 1.5], "sem_abs": [False, True], "sem_power": [1, 2, 4, 8],
                 "knn_sat": [0, 5, 15], "knn": [0, 0.25, 0.5, 1]}
    for trial in range(args.trials):
        current = best[1]
        changes = {k: rng.choice(v) for k, v in rng.sample(sorted(grid.items()), rng.randint(1, 3))}
        w = replace(current, **changes)
        m = evaluate(folds, w)
        results.append({"weights": w.to_dict(), **m})
        if objective(m) > best[0]:
            best = (objective(m), w)
            print(f"trial {trial}: {m} {w.to_dict()}", file=sys.stderr)
    final = evaluate(folds, best[1])
    (args.out / "tune-results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    (args.out / "weights.json").write_text(json.dumps(best[1].to_dict(), indent=1))
    print(json.dumps({"part": "tune", "semantic": args.semantic, **final, "weights": best[1].to_dict()}))


if __name__ == "__main__":
    main()
