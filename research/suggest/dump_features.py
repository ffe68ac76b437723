#!/usr/bin/env python3
"""Featurise the IBM CDP *tune* part once and save everything the experiments need (never the report part).

    dump_features.py --out /tmp/helper-sug/cdp [--fold-seed 13] [--lexical]

Fold seed 13 is exactly the split scripts/ibm_cdp_learn.py uses (ibm_cdp.fold_sets). Any other fold
seed re-shuffles the same 262 tune conversations into 5 new folds (the report part is untouched and
never read into a fold): a second fold split to confirm a gain.

Per fold, per query: the shipped model's features (semantic model settings: knn_k 5, knn_sat 0,
agent 1.0, sem_knn_k 5, sem_abs) for each of the brand's resources, the gold row, and side
information for new features and for reading misses (doc ids, URLs, raw link counts, times of the
resource's past links, the query's text, customer and time).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import ibm_cdp  # noqa: E402

from helpfirst.suggest.rank import FEATURES, LEXICAL_FEATURES, Weights, _key, _query_time  # noqa: E402
from helpfirst.suggest.service import Suggester, build_or_load, read_queries  # noqa: E402

SHIPPED_SEM = Weights(knn_k=5, knn_sat=0, agent=1.0, sem_knn_k=5, sem_abs=True)
SHIPPED_LEX = Weights(knn_k=5, knn_sat=15, agent=1.0)


def tune_folds(seed: int) -> list[tuple[list[dict], list[dict]]]:
    if seed == 13:
        return ibm_cdp.fold_sets(ibm_cdp.DATA, "tune", 13)
    convs, _u, _c = ibm_cdp.load(ibm_cdp.DATA)
    tune = [c for fold in ibm_cdp.split(convs, 13)["tune"] for c in fold]  # the tune part of the shipped split
    tune.sort(key=lambda c: c["dialogHeader"]["sessionID"])
    random.Random(seed).shuffle(tune)
    folds = [tune[i::5] for i in range(5)]
    return [([c for g, fold in enumerate(folds) if g != f for c in fold], q) for f, q in enumerate(folds)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--fold-seed", type=int, default=13)
    ap.add_argument("--lexical", action="store_true", help="the lexical model's settings and features (no MiniLM)")
    args = ap.parse_args()
    semantic = not args.lexical
    names = FEATURES if semantic else LEXICAL_FEATURES
    settings = SHIPPED_SEM if semantic else SHIPPED_LEX
    convs, urls, companies = ibm_cdp.load(ibm_cdp.DATA)
    by_id = {c["dialogHeader"]["sessionID"]: c for c in convs}
    encoder = None
    if semantic:
        from helpfirst.suggest.semantic import Encoder

        encoder = Encoder()
    t0 = time.perf_counter()
    dump = {"names": names, "fold_seed": args.fold_seed, "semantic": semantic, "folds": []}
    for f, (history, queries) in enumerate(tune_folds(args.fold_seed)):
        folder = args.out / f"seed{args.fold_seed}" / f"tune-{f}"
        ibm_cdp.write_set(folder, ibm_cdp.kb_lines(urls, companies), history, queries)
        built = build_or_load([folder / "kb.jsonl"], [folder / "history.jsonl"], index_dir=folder / ("index-sem" if semantic else "index"),
                              semantic=semantic, encoder=encoder)
        ix = built.index
        sug = Suggester(ix, encoder=encoder)
        ranker = sug.ranker
        ranker.weights = settings
        ids = [ibm_cdp.doc_id(i) for i in ix.resources.column("id").to_pylist()]
        rurls = ix.resources.column("url").to_pylist()
        qs = [q for _n, q in read_queries(folder / "queries.jsonl")]
        gold = {g["id"]: g["doc_id"] for g in map(json.loads, (folder / "gold.jsonl").read_text().splitlines())}
        # the history's linked conversations per doc id (for reading misses and for new features)
        hist_by_doc: dict[str, list[str]] = {}
        for c in history:
            hist_by_doc.setdefault(ibm_cdp.doc_id(c["agentURL"]["doc_id"]), []).append(c["dialogHeader"]["sessionID"])
        items = []
        for q in qs:
            rows = ix.brands.get(_key(q.brand))
            lo, parts, best = ranker.features(q, names)
            n = len(parts["prior"])
            x = np.zeros((n, len(names)), np.float64)
            for j, name in enumerate(names):
                if name in parts:
                    x[:, j] = parts[name]
            cids = ids[lo:lo + n]
            g = next((i for i in range(n) if cids[i] == gold[q.id]), -1)
            clo, chi = rows.case if rows is not None else (0, 0)
            case_res = np.asarray(ix.case_res[clo:chi]) - lo
            case_time = np.asarray(ix.case_time[clo:chi])
            conv = by_id[q.id]
            items.append({
                "id": q.id, "brand": q.brand, "x": x, "gold": g, "gold_doc": gold[q.id], "doc_ids": cids, "urls": rurls[lo:lo + n],
                "links": np.asarray(ix.links[lo:lo + n], np.float64), "prior": np.asarray(ix.prior[lo:lo + n], np.float64),
                "case_res": case_res, "case_time": case_time, "qtime": _query_time(q),
                "posts": [(p.role, p.text) for p in q.posts],
                "customer": next((t.get("client") for t in conv["dialogContent"] if "client" in t), None),
                "best_case": best, "hist_by_doc": {d: hist_by_doc.get(d, []) for d in set(cids)},
            })
        dump["folds"].append(items)
        print(f"fold {f}: {len(items)} queries, {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    path = args.out / f"features-seed{args.fold_seed}{'-lex' if args.lexical else ''}.pkl"
    path.write_bytes(pickle.dumps(dump))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
