#!/usr/bin/env python3
"""Idea 2: print the tune queries whose answer was linked before but is not ranked first (out-of-fold, shipped learner).

    nice -n 19 .venv/bin/python research/suggest/read_misses.py [--n 15] [--all]

For each miss: the query's turns, the answer (rank, URL, links, the customer texts and linking
replies of its past cases) and the wrongly top-ranked resource (same), with both rows' features.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timezone

import numpy as np

from common import CL, ibm_cdp, load, rank_pairs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=15)
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    data = load(13)
    names, folds = data["names"], data["folds"]
    convs, _u, _c = ibm_cdp.load(ibm_cdp.DATA)
    by_id = {c["dialogHeader"]["sessionID"]: c for c in convs}
    misses = []
    for held in range(5):
        model = CL(lambda it: it["x"]).fit([it for f in range(5) if f != held for it in folds[f]])
        for it, (top, g) in zip(folds[held], rank_pairs(folds[held], model.score)):
            if g >= 0 and it["links"][g] > 0 and top[0] != g:
                s = model.score(it)
                misses.append((it, top, s, model.w))
    print(f"{len(misses)} misses among linked-before answers")
    pick = misses if args.all else random.Random(0).sample(misses, min(args.n, len(misses)))

    def show(it, r, label, s, w):
        past = it["hist_by_doc"].get(it["doc_ids"][r], [])
        when = [datetime.fromtimestamp(t, timezone.utc).date().isoformat() for rr, t in zip(it["case_res"], it["case_time"]) if rr == r]
        contrib = {n: round(float(it["x"][r, j] * w[j]), 2) for j, n in enumerate(names) if it["x"][r, j] * w[j] > 0.05}
        print(f"  {label}: doc {it['doc_ids'][r]} score {s[r]:.2f} links {int(it['links'][r])} url {it['urls'][r]}")
        print(f"     contributions {json.dumps(contrib)}")
        print(f"     linked on {sorted(when)[-6:]}")
        for sid in past[:4]:
            c = by_id[sid]
            cust = " | ".join(t["message"] for t in c["dialogContent"] if "client" in t)[:200]
            print(f"     past customer: {cust!r}")
            print(f"          reply: {c['agentURL']['url_utterance'][:160]!r}  by customer {next((t.get('client') for t in c['dialogContent'] if 'client' in t), None)}")

    for it, top, s, w in pick:
        g = it["gold"]
        rank = int((s > s[g]).sum()) + 1
        print("=" * 100)
        qdate = datetime.fromtimestamp(it["qtime"], timezone.utc).isoformat() if it["qtime"] else None
        print(f"{it['id']} brand {it['brand']} ({len(it['x'])} resources) customer {it['customer']} at {qdate}; answer rank {rank}")
        for role, text in it["posts"]:
            print(f"  [{role}] {text[:300]!r}")
        show(it, g, "ANSWER", s, w)
        show(it, top[0], "TOP", s, w)


if __name__ == "__main__":
    main()
