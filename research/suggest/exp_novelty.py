#!/usr/bin/env python3
"""Idea 3: gate "a resource never linked before" by how new the request is (query-level novelty x candidate features).

    nice -n 19 .venv/bin/python research/suggest/exp_novelty.py [--seed 13] [--nested]

The brand's nearest past case (the highest `sem_max` over its resources: the cosine of the request to
the closest customer text that got a link) tells whether the answer was linked before (AUC 0.77 on
the tune part, fold seed 13; 0.74 seed 7). In a softmax over the brand's resources a query-level
value cancels, so it enters as interactions: with `fam` = that nearest cosine and `nov` = 1 - fam,
- `new_nov`: never linked x nov; `lexnew_nov`: lex_new x nov; `semnew_nov`: sem x never linked x nov
- `linked_fam`: linked x fam (the mirror: a familiar request favours what was linked before)
"""

from __future__ import annotations

import argparse

import numpy as np

from common import CL, cv, fmt, load, nested


def design(extra, names, last_share=False):
    js = {n: names.index(n) for n in names}

    def d(it):
        x = it["x"]
        fam = float(x[:, js["sem_max"]].max())
        nov = 1.0 - fam
        new = (it["links"] <= 0).astype(float)
        cols = [x]
        for e in extra:
            if e == "new_nov":
                cols.append(new * nov)
            elif e == "lexnew_nov":
                cols.append(x[:, js["lex_new"]] * nov)
            elif e == "semnew_nov":
                cols.append(x[:, js["sem"]] * new * nov)
            elif e == "linked_fam":
                cols.append((1 - new) * fam)
            elif e == "semknn_fam":
                cols.append(x[:, js["sem_knn"]] * fam)
        if last_share:
            cols.append(it["last_share"])
        return np.column_stack([c if c.ndim == 2 else c[:, None] for c in cols])
    return d


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--nested", action="store_true")
    args = ap.parse_args()
    data = load(args.seed)
    names, folds = list(data["names"]), data["folds"]
    from exp_features import annotate, fold_convs

    annotate(folds, fold_convs(args.seed))
    sets = {
        "baseline": (),
        "+ new_nov": ("new_nov",),
        "+ lexnew_nov": ("lexnew_nov",),
        "+ semnew_nov": ("semnew_nov",),
        "+ linked_fam": ("linked_fam",),
        "+ semknn_fam": ("semknn_fam",),
        "+ new_nov + linked_fam": ("new_nov", "linked_fam"),
        "+ all five": ("new_nov", "lexnew_nov", "semnew_nov", "linked_fam", "semknn_fam"),
    }
    for name, extra in sets.items():
        print(f"{name:40s} {fmt(cv(folds, lambda e=extra: CL(design(e, names))))}", flush=True)
    for name, extra in (("+ new_nov + linked_fam + last_share", ("new_nov", "linked_fam")), ("+ all five + last_share", tuple(sets["+ all five"]))):
        print(f"{name:40s} {fmt(cv(folds, lambda e=extra: CL(design(e, names, True))))}", flush=True)
    if args.nested:
        grid = {name: (lambda e=extra: CL(design(e, names))) for name, extra in sets.items()}
        print(f"{'NESTED over the rows above':40s} {fmt(nested(folds, grid))}", flush=True)


if __name__ == "__main__":
    main()
