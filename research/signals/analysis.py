"""Error analysis + bootstrap intervals on the labels' test split for the fast and the best frozen model.

Usage: python analysis.py
Per task: per-class F1, confusion matrix, 95% bootstrap interval of the headline metric
(1,000 resamples of the test posts, seeded); for needs_help, which true intents the errors are.
"""
from __future__ import annotations

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix, f1_score

from common import INTENTS, REPLY_KINDS, SEED, load_intent, load_reply_kind, log_result
from models import run


def boot(y, p, fn, n=1000):
    rng = np.random.default_rng(SEED)
    idx = np.arange(len(y))
    vals = []
    for _ in range(n):
        s = rng.choice(idx, len(idx), replace=True)
        vals.append(fn(y[s], p[s]))
    return [round(float(np.percentile(vals, 2.5)), 4), round(float(np.percentile(vals, 97.5)), 4)]


def main():
    it = load_intent()
    tr, te = it[it.split == "train"], it[it.split == "test"]
    rk = load_reply_kind()
    rtr, rte = rk[rk.split == "train"], rk[rk.split == "test"]
    macro = lambda a, b: f1_score(a, b, average="macro")  # noqa: E731
    pos = lambda a, b: f1_score(a, b, pos_label=1)  # noqa: E731
    for kind, fam in (("hash", "lr"), ("minilm+tfidf+eng", "lr")):
        res, clf, feats, pred = run(kind, fam, tr.text.tolist(), tr.intent.values, te.text.tolist(),
                                    te.intent.values, "intent")
        y = np.array(list(te.intent))
        print(f"\n== intent, {kind} {fam}\n", classification_report(y, pred, labels=INTENTS, digits=3))
        print(confusion_matrix(y, pred, labels=INTENTS))
        log_result({"task": "intent", "eval": "bootstrap", "features": kind, "clf": fam,
                    "macro_f1": res["macro_f1"], "ci95": boot(y, pred, macro)})
        res, clf, feats, pred = run(kind, fam if fam == "lr" else fam, tr.text.tolist(), tr.needs_help.values,
                                    te.text.tolist(), te.needs_help.values, "intent", pos_label=1, scoring="f1")
        y = te.needs_help.values.astype(int)
        pred = pred.astype(int)
        fn = te.intent.values[(y == 1) & (pred == 0)]
        fp = te.intent.values[(y == 0) & (pred == 1)]
        u_fn, c_fn = np.unique(fn, return_counts=True)
        u_fp, c_fp = np.unique(fp, return_counts=True)
        log_result({"task": "needs_help", "eval": "bootstrap", "features": kind, "clf": fam,
                    "f1_pos": res["f1_pos"], "ci95": boot(y, pred, pos),
                    "false_negatives_by_intent": dict(zip(u_fn.tolist(), c_fn.tolist())),
                    "false_positives_by_intent": dict(zip(u_fp.tolist(), c_fp.tolist()))})
    for kind, fam in (("hash", "svm"), ("minilm+tfidf+cues", "svm")):
        res, clf, feats, pred = run(kind, fam, rtr.text.tolist(), rtr.reply_kind.values, rte.text.tolist(),
                                    rte.reply_kind.values, "reply")
        y = np.array(list(rte.reply_kind))
        print(f"\n== reply_kind, {kind} {fam}\n", classification_report(y, pred, labels=REPLY_KINDS, digits=3))
        cm = confusion_matrix(y, pred, labels=REPLY_KINDS)
        print(cm)
        has_url = np.array(["http" in t for t in rte.text])
        sr = ((y == "solution") & (pred == "redirect")) | ((y == "redirect") & (pred == "solution"))
        log_result({"task": "reply_kind", "eval": "bootstrap", "features": kind, "clf": fam,
                    "macro_f1": res["macro_f1"], "ci95": boot(y, pred, macro),
                    "errors": int(np.sum(y != pred)), "solution_redirect_swaps": int(sr.sum()),
                    "swaps_with_url": int((sr & has_url).sum()),
                    "confusion_rows_true_cols_pred": {"labels": REPLY_KINDS, "matrix": cm.tolist()}})


if __name__ == "__main__":
    main()
