"""Does distilling the accurate tier into the fast one help? (pseudo-labelling unlabelled posts)

Usage: python distill.py [--synth N]
Teacher: frozen MiniLM + TF-IDF + engineered features, LinearSVC (C=0.1, the CV choice in
exp_complaint) / LR for needs_help, trained on the gold training part only.
Student: the fast hashed n-gram LR (fasthash, C=10, balanced), trained on gold + teacher labels.
Unlabelled pools (never any test-side conversation):
  real  = customer posts of twcs-head5k / twcs-sample / ibm-cdp whose conversation root is on the
          train side of split_for(), minus the labelled posts themselves;
  synth = N customer posts from `helpfirst synth` (template text), as a contrast.
Scored on the complaint holdout20 and on the labels' needs_help test split.
"""
from __future__ import annotations

import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

import common as C  # noqa: E402  research common
from models import Features  # noqa: E402


def pool_real(exclude: set[str]):
    import importlib.util
    spec = importlib.util.spec_from_file_location("labels_common", C.REPO / "data" / "labels" / "common.py")
    lc = importlib.util.module_from_spec(spec)
    sys.modules["labels_common"] = lc  # dataclasses need the module registered
    spec.loader.exec_module(lc)
    posts, _ = lc.load_all()
    out = sorted({p.text for p in posts.values()
                  if p.role == "customer" and lc.split_for(p.root) == "train" and p.text not in exclude
                  and p.text.strip()})
    return out


def pool_synth(n):
    out = []
    with open("/tmp/s.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["author_role"] == "customer":
                out.append(r["text"])
            if len(out) >= n:
                break
    return out


def student(texts, y, C_=10):
    f = Features("hash").fit(texts)
    X = f.transform(texts, "s")
    clf = LogisticRegression(C=C_, class_weight="balanced", solver="liblinear", max_iter=5000).fit(X, y)
    return f, clf


def run(task, xtr, ytr, xte, yte, pools):
    teacher_f = Features("minilm+tfidf+eng").fit(xtr)
    T = (LinearSVC(C=0.1, dual=False) if task == "complaint" else
         LogisticRegression(C=1, solver="liblinear", max_iter=5000))
    T.fit(teacher_f.transform(xtr, "t"), ytr)
    t_pred = T.predict(teacher_f.transform(xte, "t"))
    C.log_result({"task": task, "eval": "distill", "model": "teacher (minilm+tfidf+eng)",
                  "macro_f1": round(f1_score(yte, t_pred, average="macro"), 4),
                  "f1_pos": round(f1_score(yte, t_pred), 4)})
    f, s = student(xtr, ytr)
    p = s.predict(f.transform(xte, "s"))
    C.log_result({"task": task, "eval": "distill", "model": "student gold only",
                  "macro_f1": round(f1_score(yte, p, average="macro"), 4), "f1_pos": round(f1_score(yte, p), 4)})
    for pname, pool in pools.items():
        pl = T.predict(teacher_f.transform(pool, "pool"))
        f, s = student(xtr + pool, np.concatenate([ytr, pl]))
        p = s.predict(f.transform(xte, "s"))
        C.log_result({"task": task, "eval": "distill", "model": f"student gold + {pname} pseudo",
                      "pool_size": len(pool), "pool_pos_rate": round(float(np.mean(pl)), 3),
                      "macro_f1": round(f1_score(yte, p, average="macro"), 4), "f1_pos": round(f1_score(yte, p), 4)})


def main():
    n_synth = int(sys.argv[sys.argv.index("--synth") + 1]) if "--synth" in sys.argv else 5000
    comp = C.load_complaints()
    ctr, cte = C.complaint_split(comp)
    it = C.load_intent()
    labelled = set(it.text) | set(C.load_reply_kind().text)
    real = pool_real(labelled)
    synth = pool_synth(n_synth)
    pools = {"real": real, "synth": synth}
    if "--cv" in sys.argv:  # complaint only, on the 5 outer folds of exp_complaint's nested CV
        from sklearn.model_selection import StratifiedKFold
        strat = comp.complaint.astype(str) + "|" + comp.domain
        global_log = C.log_result
        scores = {}

        def collect(rec):
            scores.setdefault(rec["model"], []).append(rec["macro_f1"])
        C.log_result = collect
        for a, b in StratifiedKFold(5, shuffle=True, random_state=C.SEED + 1).split(comp, strat):
            run("complaint", comp.text.iloc[a].tolist(), comp.complaint.values[a],
                comp.text.iloc[b].tolist(), comp.complaint.values[b], pools)
        C.log_result = global_log
        for m, v in scores.items():
            C.log_result({"task": "complaint", "eval": "distill-nested5cv", "model": m,
                          "macro_f1": round(float(np.mean(v)), 4), "macro_f1_sd": round(float(np.std(v)), 4),
                          "folds": v})
        return
    run("complaint", ctr.text.tolist(), ctr.complaint.values, cte.text.tolist(), cte.complaint.values, pools)
    tr, te = it[it.split == "train"], it[it.split == "test"]
    run("needs_help", tr.text.tolist(), tr.needs_help.values.astype(int), te.text.tolist(),
        te.needs_help.values.astype(int), pools)


if __name__ == "__main__":
    main()
