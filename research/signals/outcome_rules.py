"""Conversation outcome from per-post fast signals + the GUIDE's ordered rules (a baseline).

Usage: python outcome_rules.py
Signals: fast hashed LR for intent and reply_kind (trained on the labels' train split; the
outcome test threads are on the test side of the same root split), vader_arrow compound.
Rules, in the GUIDE's order, over the opener's posts after the first brand reply:
  no brand reply -> unanswered
  last customer post is praise, or compound >= 0.5 and not a problem -> resolved
  last customer post is a problem/question after a brand reply, or the thread ends on the customer's
    unanswered problem -> unresolved
  any brand reply is redirect, or the customer says they DM'd -> redirected
  the last brand reply is clarify with no customer post after it -> abandoned
  otherwise -> redirected (the most frequent class)
"""
from __future__ import annotations

import re

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from common import load_intent, load_outcomes, load_reply_kind, log_result
from models import Features
from vader_arrow import VaderArrow

DMD = re.compile(r"\b(dm'?d|dm(ed)?|sent (a |you a |the )?(dm|message)|messaged|direct message)\b", re.I)
LABELS = ["resolved", "redirected", "unresolved", "abandoned"]


def fit(texts, y, C):
    f = Features("hash").fit(texts)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(f.transform(texts, "x"), y)
    return lambda ts: clf.predict(f.transform(ts, "x"))


def main():
    it, rk = load_intent(), load_reply_kind()
    itr, rtr = it[it.split == "train"], rk[rk.split == "train"]
    intent = fit(itr.text.tolist(), np.array(list(itr.intent)), 3)
    kind = fit(rtr.text.tolist(), np.array(list(rtr.reply_kind)), 10)
    va = VaderArrow()
    convs = load_outcomes()
    for split in ("test", "train"):
        cs = [c for c in convs if c["split"] == split]
        gold, pred = [], []
        for c in cs:
            posts = c["posts"]
            cust = [p for p in posts if p["role"] == "customer"]
            brand = [p for p in posts if p["role"] == "brand"]
            gold.append(c["outcome"])
            if not brand:
                pred.append("unanswered")
                continue
            first_b = posts.index(brand[0])
            after = [p for p in posts[first_b + 1:] if p["role"] == "customer"]
            kinds = kind([p["text"] for p in brand]) if brand else []
            last = posts[-1]
            out = None
            if after:
                lt = after[-1]["text"]
                li = intent([lt])[0]
                comp = float(va.compound([lt])[0])
                if li == "praise" or (comp >= 0.5 and li != "problem"):
                    out = "resolved"
                elif li in ("problem",) or (last["role"] == "customer" and li == "question"):
                    out = "unresolved"
            if out is None and (any(k == "redirect" for k in kinds) or any(DMD.search(p["text"]) for p in after)):
                out = "redirected"
            if out is None and kinds[-1] == "clarify" and last["role"] == "brand":
                out = "abandoned"
            pred.append(out or "redirected")
        gold, pred = np.array(gold), np.array(pred)
        log_result({"task": "outcome", "eval": f"{split}_split rules on fast signals", "n": len(cs),
                    "accuracy": round(accuracy_score(gold, pred), 4),
                    "macro_f1": round(f1_score(gold, pred, labels=LABELS, average="macro"), 4),
                    "majority_baseline_accuracy": round(float(np.mean(gold == "redirected")), 4),
                    "confusion_rows_true_cols_pred": {"labels": LABELS,
                                                      "matrix": confusion_matrix(gold, pred, labels=LABELS).tolist()}})


if __name__ == "__main__":
    main()
