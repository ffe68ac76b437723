"""Brand reply_kind (5 classes) on the labels' test split: rules alone, classifiers, and both.

Usage: python exp_reply_kind.py FEATURES [FEATURES ...]
  FEATURES may include "cues" (the rule cue groups + the rule's one-hot label as features).
  Also logs: rules alone; "override" = classifier, but the rule's label wins where the rule says
  redirect and the classifier does not say solution (the rule's most precise class on train).
"""
from __future__ import annotations

import sys

import numpy as np
from sklearn.metrics import classification_report

from common import REPLY_KINDS, load_reply_kind, log_result
from models import run, scores
from reply_rules import rule_kind


def main():
    kinds = [a for a in sys.argv[1:] if not a.startswith("--")]
    df = load_reply_kind()
    df["reply_kind"] = df["reply_kind"].astype(object)
    tr, te = df[df.split == "train"], df[df.split == "test"]
    rule_te = np.array([rule_kind(t) for t in te.text])
    rule_tr = np.array([rule_kind(t) for t in tr.text])
    log_result({"task": "reply_kind", "eval": "test_split", "features": "rules", "clf": "rules",
                "train_macro_f1": scores(tr.reply_kind, rule_tr)["macro_f1"],
                **scores(te.reply_kind, rule_te)})
    for kind in kinds:
        for fam in ("lr", "svm"):
            res, clf, feats, pred = run(kind, fam, tr.text.tolist(), tr.reply_kind.values,
                                        te.text.tolist(), te.reply_kind.values, "reply")
            log_result({"task": "reply_kind", "eval": "test_split", **res})
            over = np.where((rule_te == "redirect") & (pred != "solution"), "redirect", pred)
            log_result({"task": "reply_kind", "eval": "test_split", "features": kind + "|override",
                        "clf": fam, **scores(te.reply_kind, over)})
            if "-v" in sys.argv:
                print(classification_report(te.reply_kind, pred, labels=REPLY_KINDS, digits=3))


if __name__ == "__main__":
    main()
