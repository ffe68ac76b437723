"""Do written training posts (data/labels/synthetic/) help the fast tier? Grouped CV on the real training rows.

    .venv/bin/python research/signals/exp_synthetic.py [--folds 5] [--weights 0,0.5,1]

The real training rows of the intent and reply_kind label files are cut into folds by conversation
root (StratifiedGroupKFold, seeded); each fold is predicted by heads fitted on the other folds' real
rows plus the written posts whose source (`src`) lies in those folds, at a sample weight w (w = 0 is
the real rows alone), with the written `same` posts only or with their `contrast` partners too. The
written posts never reach a held-out fold, and no test-split row is read. Prints out-of-fold
reply_kind and intent macro-F1 and needs_help F1 (question or problem by the intent head's argmax).
The heads are the fast tier's (hashed word and byte n-grams, logistic regression, C as shipped).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "data" / "labels"))
from helpfirst.signals.hashing import HashFeatures  # noqa: E402

import common  # noqa: E402
import synthetic  # noqa: E402

C = {"customer": 3.0, "brand": 30.0}   # the shipped intent and reply_kind heads' C (fast.json)


def roots() -> dict[tuple[str, str], str]:
    """(source, id) -> conversation root, the split key."""
    posts, _ = common.load_all(with_complaints=True)
    return {k: f"{p.source}:{p.root}" for k, p in posts.items()}


def fit_predict(X, y, w, Xte, C_):
    used = np.unique(X.indices)
    clf = LogisticRegression(C=C_, class_weight="balanced", max_iter=5000)
    clf.fit(X[:, used], y, sample_weight=w)
    return clf.predict(Xte[:, used])


def run(role: str, folds: int, weights: list[float], hf: HashFeatures, root_of, batches=("",)) -> list[dict]:
    real = synthetic.train_rows(role)
    written = [d for b in batches for d in synthetic.load_written(role, b)]
    texts = [r["text"] for r in real]
    y = np.array([r["label"] for r in real])
    groups = [root_of.get((r["source"], r["id"]), r["id"]) for r in real]
    Xr = hf.csr(texts)
    Xw = hf.csr([d["text"] for d in written]) if written else None
    yw = np.array([d["label"] for d in written])
    src = np.array([d["src"] for d in written])
    how = np.array([d["how"] for d in written])
    ids = np.array([r["id"] for r in real])
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=7)
    splits = list(cv.split(Xr, y, groups))
    out = []
    for kinds in (("same",), ("same", "contrast")):
        for w in weights:
            if w == 0 and kinds != ("same",):
                continue
            pred = np.empty(len(y), dtype=object)
            for tr, te in splits:
                X, yy, ww = Xr[tr], y[tr], np.ones(len(tr))
                if w > 0 and Xw is not None:
                    keep = np.isin(src, ids[tr]) & np.isin(how, kinds)
                    X = sp.vstack([X, Xw[keep]]).tocsr()
                    yy = np.concatenate([yy, yw[keep]])
                    ww = np.concatenate([ww, np.full(keep.sum(), w)])
                pred[te] = fit_predict(X, yy, ww, Xr[te], C[role])
            res = {"role": role, "written": "+".join(kinds) if w else "none", "weight": w,
                   "n_written": int(len(written)),
                   "macro_f1": round(f1_score(y, pred.astype(str), average="macro"), 4)}
            if role == "customer":
                need = np.isin(y, ["question", "problem"])
                res["needs_help_f1"] = round(f1_score(need, np.isin(pred.astype(str), ["question", "problem"])), 4)
            print(json.dumps(res), flush=True)
            out.append(res)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--weights", default="0,0.5,1")
    ap.add_argument("--role", choices=("customer", "brand", "both"), default="both")
    ap.add_argument("--with-r2", action="store_true", help="the second batch of written posts too")
    args = ap.parse_args()
    hf = HashFeatures(bits=20)
    root_of = roots()
    weights = [float(w) for w in args.weights.split(",")]
    for role in (("customer", "brand") if args.role == "both" else (args.role,)):
        run(role, args.folds, weights, hf, root_of, ("", "r2") if args.with_r2 else ("",))


if __name__ == "__main__":
    main()
