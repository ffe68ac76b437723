"""Complaint (1/0) macro-F1: fixed seeded stratified 80/20 split, plus nested 5-fold CV.

Usage: python exp_complaint.py FEATURES [FEATURES ...] [--nested]
FEATURES: tfidf | tfidf+eng | word | minilm | minilm+eng | minilm+tfidf ...
C and class_weight are tuned by 5-fold CV on the training part only, for LR and LinearSVC.
"""
from __future__ import annotations

import sys

import numpy as np
from sklearn.model_selection import StratifiedKFold

from common import SEED, complaint_split, load_complaints, log_result
from models import run


def main():
    kinds = [a for a in sys.argv[1:] if not a.startswith("--")]
    nested = "--nested" in sys.argv
    df = load_complaints()
    tr, te = complaint_split(df)
    for kind in kinds:
        for fam in ("lr", "svm"):
            res, *_ = run(kind, fam, tr.text.tolist(), tr.complaint.values, te.text.tolist(),
                          te.complaint.values, "complaints", pos_label=1)
            log_result({"task": "complaint", "eval": "holdout20", **res})
            if nested:
                outer = StratifiedKFold(5, shuffle=True, random_state=SEED + 1)
                strat = df.complaint.astype(str) + "|" + df.domain
                f1s, f1p = [], []
                for k, (a, b) in enumerate(outer.split(df, strat)):
                    r, *_ = run(kind, fam, df.text.iloc[a].tolist(), df.complaint.values[a],
                                df.text.iloc[b].tolist(), df.complaint.values[b],
                                f"complaints-fold{k}", pos_label=1)
                    f1s.append(r["macro_f1"]); f1p.append(r["f1_pos"])
                log_result({"task": "complaint", "eval": "nested5cv", "features": kind, "clf": fam,
                            "macro_f1": round(float(np.mean(f1s)), 4),
                            "macro_f1_sd": round(float(np.std(f1s)), 4),
                            "f1_pos": round(float(np.mean(f1p)), 4), "folds": f1s})


if __name__ == "__main__":
    main()
