#!/usr/bin/env python3
"""Stop 17: does the resource whose URL stands out win? Margin features, after the reader study.

    nice -n 19 .venv/bin/python research/suggest/exp_margin.py [--seed 13] [--nested]

The reader study (reader_study.py) found the ranker's gap to a careful reader almost entirely on
answers never linked before whose URL says what the page is (reader 36 of 67 first, ranker 6, on
the report part). Such a page often stands out among the brand's resources for the request (its
URL words match it and no other page's do), while the linear model only sees each resource's own
score beside the linked pages' large history scores. Candidates, per resource i of the brand:

- `F_margin`: max(0, F_i - max_{j != i} F_j) for F in sem, lex_new, lex: how far i leads the rest;
- `F_top`: 1 for the resource with the brand's highest F (ties: all of them), for the same F;
- `F_newtop`: `F_top` for a never-linked resource only;
- `sem_z`: (sem_i - mean) / std over the brand's resources, clipped at 0.
"""

from __future__ import annotations

import argparse

import numpy as np

from common import CL, cv, fmt, load, nested


def _margin(v: np.ndarray) -> np.ndarray:
    if len(v) < 2:
        return np.zeros_like(v)
    order = np.sort(v)
    second = np.where(v >= order[-1], order[-2], order[-1])
    return np.maximum(0.0, v - second)


def design(extra, names, last_share=False):
    js = {n: names.index(n) for n in names}

    def d(it):
        x = it["x"]
        new = (it["links"] <= 0).astype(float)
        cols = [x]
        for e in extra:
            base, _, kind = e.partition("_")
            if base == "lexnew":
                base = "lex_new"
            v = x[:, js[base]].astype(float)
            if kind == "margin":
                cols.append(_margin(v))
            elif kind == "top":
                cols.append((v >= v.max()).astype(float) * (v.max() > 0))
            elif kind == "newtop":
                cols.append((v >= v.max()).astype(float) * (v.max() > 0) * new)
            elif kind == "z":
                sd = v.std()
                cols.append(np.maximum(0.0, (v - v.mean()) / sd) if sd > 0 else np.zeros_like(v))
            elif kind == "newmargin":
                cols.append(_margin(v) * new)
        if last_share:
            cols.append(it["last_share"])
        return np.column_stack([c if c.ndim == 2 else c[:, None] for c in cols])
    return d


SETS = {
    "baseline": (),
    "+ sem_margin": ("sem_margin",),
    "+ sem_newmargin": ("sem_newmargin",),
    "+ sem_top": ("sem_top",),
    "+ sem_newtop": ("sem_newtop",),
    "+ sem_z": ("sem_z",),
    "+ lexnew_margin": ("lexnew_margin",),
    "+ lexnew_top": ("lexnew_top",),
    "+ lex_margin": ("lex_margin",),
    "+ sem_newmargin + lexnew_margin": ("sem_newmargin", "lexnew_margin"),
    "+ sem_newtop + lexnew_top": ("sem_newtop", "lexnew_top"),
    "+ sem_margin + sem_z + lexnew_margin": ("sem_margin", "sem_z", "lexnew_margin"),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--nested", action="store_true")
    args = ap.parse_args()
    data = load(args.seed)
    names, folds = list(data["names"]), data["folds"]
    for name, extra in SETS.items():
        print(f"{name:45s} {fmt(cv(folds, lambda e=extra: CL(design(e, names))))}", flush=True)
    if args.nested:
        grid = {name: (lambda e=extra: CL(design(e, names))) for name, extra in SETS.items()}
        print(f"{'NESTED over the rows above':45s} {fmt(nested(folds, grid))}", flush=True)


if __name__ == "__main__":
    main()
