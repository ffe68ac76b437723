"""Ship the fast tier as small files with no pickle: size on disk, round-trip check, throughput.

Usage: python export_fast.py [--out /tmp/fastmodel] [--n 100000]
Heads (one shared hashed feature space, W is n_features x heads):
  complaint (2 classes, trained on the complaints 80% split), intent (5), needs_help (2),
  reply_kind (5) (trained on the labels' train split). LR with C fixed at the CV-chosen values
  of exp_complaint/exp_intent/exp_reply_kind (see results.jsonl).
Writes: OUT/fast.json (featuriser params, head names, classes) + OUT/fast.npz (W as sparse
float16 rows, intercepts, idf folded into W); compares with: sklearn pickle of the same models,
a TF-IDF vocabulary-JSON + coefficient export. Then times the loaded model on synthetic texts.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from common import complaint_split, load_complaints, load_intent, load_reply_kind, log_result, tfidf_union
from fasthash import HashFeatures

ap = argparse.ArgumentParser()
ap.add_argument("--out", default="/tmp/fastmodel")
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--bits", type=int, default=20)
A = ap.parse_args()
OUT = Path(A.out)
OUT.mkdir(parents=True, exist_ok=True)


def lr(y, C):
    n = len(np.unique(y))
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000,
                              solver="liblinear" if n == 2 else "lbfgs")


def main():
    hf = HashFeatures(bits=A.bits)
    comp = load_complaints()
    ctr, cte = complaint_split(comp)
    it = load_intent()
    rk = load_reply_kind()
    heads = {
        "complaint": (ctr.text.tolist(), ctr.complaint.values, cte.text.tolist(), cte.complaint.values, 10),
        "intent": (it[it.split == "train"].text.tolist(), it[it.split == "train"].intent.values,
                   it[it.split == "test"].text.tolist(), it[it.split == "test"].intent.values, 30),
        "needs_help": (it[it.split == "train"].text.tolist(), it[it.split == "train"].needs_help.values,
                       it[it.split == "test"].text.tolist(), it[it.split == "test"].needs_help.values, 10),
        "reply_kind": (rk[rk.split == "train"].text.tolist(), rk[rk.split == "train"].reply_kind.values,
                       rk[rk.split == "test"].text.tolist(), rk[rk.split == "test"].reply_kind.values, 30),
    }
    cols, biases, meta, models, tests = [], [], {}, {}, {}
    for name, (xtr, ytr, xte, yte, C) in heads.items():
        X = hf.transform(xtr, canonical=True)
        clf = lr(ytr, C).fit(X, ytr)
        models[name] = clf
        coef = clf.coef_.T  # n_features x (1 or k)
        meta[name] = {"classes": [str(c) for c in clf.classes_], "columns": [len(biases), len(biases) + coef.shape[1]]}
        cols.append(coef)
        biases.extend(clf.intercept_.tolist())
        tests[name] = (xte, yte)
    W = np.hstack(cols).astype(np.float32)
    b = np.asarray(biases, dtype=np.float32)
    nz_rows = np.nonzero(np.any(W != 0, axis=1))[0]
    np.savez_compressed(OUT / "fast.npz", rows=nz_rows.astype(np.int32), W=W[nz_rows].astype(np.float16), b=b)
    (OUT / "fast.json").write_text(json.dumps({
        "format": 1, "featuriser": {"kind": "hashed-ngrams", "bits": A.bits, "char": [2, 5], "word": [1, 2],
                                    "hash": "poly-FNV-prime+fibonacci-bucket", "normalise": "see fasthash.py"},
        "heads": meta}, indent=1))
    with open(OUT / "sklearn-models.pkl", "wb") as f:
        pickle.dump(models, f, protocol=pickle.HIGHEST_PROTOCOL)

    # TF-IDF vocabulary-JSON alternative (complaint head only, as in exp a): vocab + idf + coef
    tv = tfidf_union().fit(ctr.text.tolist())
    tclf = lr(ctr.complaint.values, 3).fit(tv.transform(ctr.text.tolist()), ctr.complaint.values)
    vocab = {n: sorted(v.vocabulary_, key=v.vocabulary_.get) for n, v in tv.transformer_list}
    (OUT / "tfidf-vocab.json").write_text(json.dumps(vocab))
    np.savez_compressed(OUT / "tfidf-weights.npz",
                        idf=np.concatenate([v.idf_ for _, v in tv.transformer_list]).astype(np.float16),
                        coef=tclf.coef_.astype(np.float16), b=tclf.intercept_)
    os.system(f"gzip -kf {OUT / 'tfidf-vocab.json'}")
    sizes = {p.name: p.stat().st_size for p in sorted(OUT.iterdir())}
    log_result({"task": "model_size", "what": "fast tier files", "bytes": sizes,
                "n_heads": len(heads), "n_columns": int(W.shape[1]), "nonzero_rows": int(len(nz_rows))})

    # round trip: load the npz/json only, score, compare with the sklearn models
    z = np.load(OUT / "fast.npz")
    cfg = json.loads((OUT / "fast.json").read_text())
    Wl = np.zeros((2 << cfg["featuriser"]["bits"], z["W"].shape[1]), dtype=np.float32)
    Wl[z["rows"]] = z["W"].astype(np.float32)
    bl = z["b"]
    from sklearn.metrics import f1_score
    for name, (xte, yte) in tests.items():
        m = cfg["heads"][name]
        a0, a1 = m["columns"]
        S = np.asarray(hf.transform(xte) @ Wl[:, a0:a1]) + bl[a0:a1]
        classes = np.array(m["classes"], dtype=object)
        pred = classes[(S[:, 0] > 0).astype(int)] if a1 - a0 == 1 else classes[S.argmax(1)]
        ref = models[name].predict(hf.transform(xte, canonical=True))
        yt = np.array([str(v) for v in yte], dtype=object)
        log_result({"task": name, "eval": "holdout20" if name == "complaint" else "test_split",
                    "features": "hash (exported npz, float16)", "clf": "lr",
                    "macro_f1": round(f1_score(yt, pred.astype(str), average="macro"), 4),
                    "agree_with_sklearn": round(float(np.mean(pred.astype(str) == ref.astype(str))), 4)})

    # throughput of the loaded model: featurise + one sparse product for all 12 columns
    texts = [json.loads(line)["text"] for line in open("/tmp/s.jsonl", encoding="utf-8")][:A.n]
    import pyarrow as pa
    arr = pa.array(texts)
    for label, mat in (("all 4 heads (12 columns), dense W", Wl),
                       ("complaint head only, dense W", np.ascontiguousarray(Wl[:, 0:1]))):
        hf.transform(arr.slice(0, 1000)) @ mat
        t0 = time.perf_counter()
        for i in range(0, len(arr), 10000):
            S = hf.transform(arr.slice(i, 10000)) @ mat
        dt = time.perf_counter() - t0
        log_result({"task": "throughput", "what": f"fasthash featurise + X@W, {label}", "jobs": 1,
                    "n": len(arr), "seconds": round(dt, 2), "posts_per_s": int(len(arr) / dt)})


if __name__ == "__main__":
    main()
