"""Customer intent (5 classes) and needs_help (question|problem vs rest) on the labels' test split.

Usage: python exp_intent.py FEATURES [FEATURES ...] [--augment]
  intent:      macro-F1 of the 5-class model; needs_help F1 derived from it (pred in {question, problem})
  needs_help:  binary model, F1 of the positive class, C tuned on train split only (scoring f1)
  --augment:   needs_help with the complaints data as extra training signal:
               pos   = complaints with complaint=1 added as needs_help=1
               all   = every complaint tweet added with needs_help=complaint
               stack = P(complaint) from a model trained on complaints only, as one extra feature
               (inner CV folds validate on labelled posts only; augmented rows are always in training)
"""
from __future__ import annotations

import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import LinearSVC

from common import SEED, hstack, load_complaints, load_intent, log_result
from models import C_GRID, Features, run, scores


def main():
    kinds = [a for a in sys.argv[1:] if not a.startswith("--")]
    df = load_intent()
    tr, te = df[df.split == "train"], df[df.split == "test"]
    for kind in kinds:
        for fam in ("lr", "svm"):
            res, clf, feats, pred = run(kind, fam, tr.text.tolist(), tr.intent.values,
                                        te.text.tolist(), te.intent.values, "intent")
            nh_pred = np.isin(pred, ["question", "problem"]).astype(int)
            res["needs_help_f1_from_intent"] = round(f1_score(te.needs_help, nh_pred), 4)
            log_result({"task": "intent", "eval": "test_split", **res})
            res, *_ = run(kind, fam, tr.text.tolist(), tr.needs_help.values, te.text.tolist(),
                          te.needs_help.values, "intent", pos_label=1, scoring="f1")
            log_result({"task": "needs_help", "eval": "test_split", **res})
        if "--augment" in sys.argv:
            augment(kind, tr, te)


def augment(kind, tr, te):
    comp = load_complaints()
    for mode in ("pos", "all", "stack"):
        for fam in ("lr", "svm"):
            if mode == "stack":
                cf = Features(kind).fit(comp.text.tolist())
                cX = cf.transform(comp.text.tolist(), "complaints-all")
                cclf = LogisticRegression(C=3, class_weight="balanced", solver="liblinear",
                                          max_iter=5000).fit(cX, comp.complaint.values)
                feats = Features(kind).fit(tr.text.tolist())

                def X(texts, name):
                    p = cclf.predict_proba(cf.transform(texts, name))[:, 1:2].astype(np.float32)
                    return hstack(feats.transform(texts, name), 3 * (p - 0.5))

                Xtr, ytr = X(tr.text.tolist(), "intent-tr"), tr.needs_help.values
                n_lab, weights = len(tr), None
            else:
                extra = comp if mode == "all" else comp[comp.complaint == 1]
                texts = tr.text.tolist() + extra.text.tolist()
                ytr = np.concatenate([tr.needs_help.values, extra.complaint.values])
                feats = Features(kind).fit(texts)
                Xtr = feats.transform(texts, "aug")
                n_lab = len(tr)

                def X(texts, name):
                    return feats.transform(texts, name)
            # inner CV: validate on labelled rows only, extra rows always in training
            skf = StratifiedKFold(5, shuffle=True, random_state=SEED)
            cv = [(np.concatenate([a, np.arange(n_lab, Xtr.shape[0])]), b)
                  for a, b in skf.split(np.zeros(n_lab), tr.needs_help.values)]
            est = (LogisticRegression(solver="liblinear", max_iter=5000) if fam == "lr"
                   else LinearSVC(dual=False, max_iter=5000))
            gs = GridSearchCV(est, {"C": C_GRID[fam], "class_weight": [None, "balanced"]},
                              scoring="f1", cv=cv, n_jobs=2).fit(Xtr, ytr)
            pred = gs.best_estimator_.predict(X(te.text.tolist(), "intent-te"))
            log_result({"task": "needs_help", "eval": "test_split", "features": kind,
                        "augment": mode, "clf": fam, **{k: str(v) for k, v in gs.best_params_.items()},
                        "cv_train": round(gs.best_score_, 4),
                        **scores(te.needs_help.values, pred, pos_label=1)})


if __name__ == "__main__":
    main()
