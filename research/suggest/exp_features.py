#!/usr/bin/env python3
"""Ideas 2 and 3: features designed after reading the misses, added to the shipped conditional logit, same folds.

    nice -n 19 .venv/bin/python research/suggest/exp_features.py [--seed 13]

What the misses showed (research/suggest/README.md): most linked-before misses lose to a resource
the brand links more (the generic contact form or help home beats the specific page), and some lose
to a "twin" linked in the same replies (an agent reply with two links credits both; IBM CDP's answer
is the second link in 47 of its 64 two-link replies). Candidates:

- `nonneg off`: the same features, weights free in sign (a generic resource can be pushed down).
- `specific`: 1 - the resource's share of the brand's links, for linked resources (a non-negative
  weight on it favours the rarely linked, specific pages).
- `last_share`: the share of the resource's past linking replies in which it was the reply's last
  link (1 for a resource always linked alone or last).
- `label_share` (diagnostic only, not shippable: it reads the data set's answer labels of the
  history): the share of the resource's past links in which it was the labelled answer.
- `sem_max_gap`: the resource's closest past case's cosine minus the brand's best such cosine
  (0 for the resource owning the nearest case), shifted to [0, 1].
"""

from __future__ import annotations

import argparse
import re

import numpy as np

from common import CL, cv, fmt, ibm_cdp, load, nested

_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/\d+/")


def _key(url: str) -> str:
    u = _ARCHIVE.sub("", url.strip().rstrip(".,);"))
    u = re.sub(r"^https?://(www\.)?", "", u).rstrip("/").lower()
    return u


def annotate(folds, seed_folds_convs):
    """Adds it['last_share'] and it['label_share'] per candidate, from the fold's history conversations."""
    for f, items in enumerate(folds):
        history = [c for g, convs in enumerate(seed_folds_convs) if g != f for c in convs]
        for it in items:
            brand_hist = [c for c in history if c["dialogHeader"]["company"] == it["brand"]]
            keys = {_key(u): r for r, u in enumerate(it["urls"])}
            # doc-id keys for the candidates learned from history (their id is their canonical URL)
            linked = np.zeros(len(it["urls"]))
            last = np.zeros(len(it["urls"]))
            label = np.zeros(len(it["urls"]))
            row_of_doc = {d: r for r, d in enumerate(it["doc_ids"])}
            for c in brand_hist:
                found = [keys.get(_key(u)) for u in re.findall(r"https?://\S+", c["agentURL"]["url_utterance"])]
                found = [r for r in found if r is not None]
                for r in set(found):
                    linked[r] += 1
                if found:
                    last[found[-1]] += 1
                g = row_of_doc.get(ibm_cdp.doc_id(c["agentURL"]["doc_id"]))
                if g is not None:
                    label[g] += 1
            with np.errstate(invalid="ignore", divide="ignore"):
                it["last_share"] = np.where(linked > 0, last / np.maximum(linked, 1), 0.0)
                it["label_share"] = np.where(it["links"] > 0, np.minimum(label / np.maximum(it["links"], 1), 1.0), 0.0)


def design(extra: tuple[str, ...]):
    def d(it):
        x = it["x"]
        cols = [x]
        names = it["_names"]
        for e in extra:
            if e == "specific":
                cols.append(((1 - it["x"][:, names.index("prior_share")]) * (it["links"] > 0))[:, None])
            elif e == "last_share":
                cols.append(it["last_share"][:, None])
            elif e == "label_share":
                cols.append(it["label_share"][:, None])
            elif e == "sem_max_gap":
                sm = x[:, names.index("sem_max")]
                cols.append((1 + sm - sm.max())[:, None] * (it["links"] > 0)[:, None])
        return np.column_stack(cols)
    return d


def fold_convs(seed: int):
    from dump_features import tune_folds

    return [q for _h, q in tune_folds(seed)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--nested", action="store_true")
    args = ap.parse_args()
    data = load(args.seed)
    folds = data["folds"]
    for items in folds:
        for it in items:
            it["_names"] = list(data["names"])
    annotate(folds, fold_convs(args.seed))
    n_last = sum(1 for f in folds for it in f if it["gold"] >= 0 and it["links"][it["gold"]] > 0 and 0 < it["last_share"][it["gold"]] < 1)
    print(f"linked-before answers whose last_share is strictly between 0 and 1: {n_last}")
    runs = {
        "shipped features (baseline)": lambda: CL(design(())),
        "nonneg off": lambda: CL(design(()), nonneg=False),
        "+ specific": lambda: CL(design(("specific",))),
        "+ last_share": lambda: CL(design(("last_share",))),
        "+ sem_max_gap": lambda: CL(design(("sem_max_gap",))),
        "+ last_share + specific": lambda: CL(design(("last_share", "specific"))),
        "+ label_share (diagnostic, not shippable)": lambda: CL(design(("label_share",))),
        "baseline L2 0.01": lambda: CL(design(()), l2=1e-2),
        "+ last_share L2 0.01": lambda: CL(design(("last_share",)), l2=1e-2),
    }
    for name, make in runs.items():
        print(f"{name:50s} {fmt(cv(folds, make))}", flush=True)
    if args.nested:
        grid = {f"{e} l2 {l2}": (lambda e=e, l2=l2: CL(design(e), l2=l2))
                for e in ((), ("last_share",)) for l2 in (1e-3, 1e-2)}
        print(f"{'NESTED shipped/last_share x L2 0.001/0.01':50s} {fmt(nested(folds, grid))}")


if __name__ == "__main__":
    main()
