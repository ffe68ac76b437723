"""Train the `--model fast` heads and write src/helpfirst/signals/models/fast.json + fast.npz.

Usage: .venv/bin/python scripts/train_fast.py [--out DIR] [--nested] [--no-write] [--synthetic]

Data (train splits only; see docs/signals.md "Fast tier"):
  complaint   ../shared/data/complaints/train.csv, the seeded 80/20 split stratified on
              label x domain ("holdout20", as in research/signals); the 80% trains
  intent, needs_help   data/labels/build/customer_intent.csv, split == train
  reply_kind  data/labels/build/brand_reply_kind.csv, split == train
Leakage rule (COORDINATION.md): a tweet on the test side of an evaluation never trains a head whose
output that evaluation scores: the complaints holdout's test tweets are dropped from the intent and
needs_help rows (the complaints corpus has intent labels too); with --strict the labels' test
tweets are also dropped from the complaint head (costs the complaint head ~28% of its rows).
Each head is a logistic regression over the hashed word 1-2 + byte 2-5 n-grams (hashing.py); C is
chosen by 5-fold CV on the head's training rows, never on test. The needs_help rule (how much the
needs_help head and the intent head's question+problem probability each count, and the threshold)
is chosen on out-of-fold predictions of the intent training rows. The written model is then
reloaded through helpfirst.signals.fast and scored on the test splits; the scores are printed and
stored in fast.json under "evaluation". --nested adds the complaint head's nested 5-fold CV.
Needs the dev extra (pandas, scikit-learn, scipy).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from helpfirst.signals.fast import MODEL_DIR, FastModel  # noqa: E402
from helpfirst.signals.hashing import FORMAT, HashFeatures, normalise  # noqa: E402

SEED = 20240601  # the research seed: the same complaints holdout as research/signals
LABELS = REPO / "data" / "labels" / "build"
COMPLAINTS = REPO.parent / "shared" / "data" / "complaints" / "train.csv"
BITS = 20
C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)
HEADS = ("complaint", "intent", "needs_help", "reply_kind")


def load() -> dict[str, pd.DataFrame]:
    """The three labelled sets, texts as str, ids as str."""
    comp = pd.read_csv(COMPLAINTS, dtype={"tweet_id": str}, keep_default_na=False)
    comp["id"] = comp["tweet_id"]
    comp["complaint"] = comp["complaint"].astype(int)
    intent = pd.read_csv(LABELS / "customer_intent.csv", dtype=str, keep_default_na=False)
    intent["needs_help"] = intent["intent"].isin(["question", "problem"]).astype(int)
    reply = pd.read_csv(LABELS / "brand_reply_kind.csv", dtype=str, keep_default_na=False)
    return {"complaints": comp, "intent": intent, "reply": reply}


def complaint_split(comp: pd.DataFrame, seed: int = SEED):
    """The research's holdout20: seeded, stratified on label x domain."""
    strat = comp["complaint"].astype(str) + "|" + comp["domain"]
    tr, te = train_test_split(comp.index.values, test_size=0.2, random_state=seed, stratify=strat)
    return comp.loc[tr].reset_index(drop=True), comp.loc[te].reset_index(drop=True)


def lr(n_classes: int, C: float) -> LogisticRegression:
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000,
                              solver="liblinear" if n_classes == 2 else "lbfgs")


class Head:
    """One head: the hashed columns seen in training, LR over them."""

    def __init__(self, hf: HashFeatures, C: float):
        self.hf, self.C = hf, C

    def fit(self, X, y):
        self.used = np.unique(X.indices)
        self.clf = lr(len(np.unique(y)), self.C).fit(X[:, self.used], y)
        return self

    def predict(self, X):
        return self.clf.predict(X[:, self.used])

    def decision(self, X):
        d = self.clf.decision_function(X[:, self.used])
        return d[:, None] if d.ndim == 1 else d


def tune_C(X, y, folds=5, seed=SEED) -> tuple[float, float]:
    """C with the best mean macro-F1 over a stratified k-fold of (X, y)."""
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    best = (-1.0, C_GRID[0])
    for C in C_GRID:
        f = [f1_score(y[te], Head(None, C).fit(X[tr], y[tr]).predict(X[te]), average="macro")
             for tr, te in skf.split(X, y)]
        best = max(best, (float(np.mean(f)), C))
    return best[1], best[0]


def needs_help_rule(X, intent, needs, C_int, C_nh) -> dict:
    """Weight of the needs_help head vs the intent head and the threshold, from out-of-fold
    predictions on the training rows (maximising needs_help F1)."""
    skf = StratifiedKFold(5, shuffle=True, random_state=SEED)
    p_head = np.zeros(len(needs))
    p_int = np.zeros(len(needs))
    for tr, te in skf.split(X, intent):
        h = Head(None, C_nh).fit(X[tr], needs[tr])
        p_head[te] = 1 / (1 + np.exp(-h.decision(X[te])[:, 0]))
        hi = Head(None, C_int).fit(X[tr], intent[tr])
        d = hi.decision(X[te])
        e = np.exp(d - d.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
        cls = list(hi.clf.classes_)
        p_int[te] = p[:, cls.index("question")] + p[:, cls.index("problem")]
    best = (-1.0, 1.0, 0.5)
    for w in (0.0, 0.25, 0.5, 0.75, 1.0):
        for t in np.arange(0.30, 0.71, 0.05):
            f = f1_score(needs, (w * p_head + (1 - w) * p_int) >= t)
            best = max(best, (f, w, round(float(t), 2)))
    return {"head_weight": best[1], "threshold": best[2], "oof_f1": round(best[0], 4)}


def with_written(sets: dict, customer_ids: set, brand_ids: set, batches: tuple = ("",)) -> dict:
    """The training sets with the written posts (data/labels/synthetic/) appended to the heads they
    label, each only when the real post it was modelled on is in that head's training rows."""
    sys.path.insert(0, str(REPO / "data" / "labels"))
    import synthetic
    out = dict(sets)
    cust = [d for b in batches for d in synthetic.load_written("customer", b) if d["src"] in customer_ids]
    brand = [d for b in batches for d in synthetic.load_written("brand", b) if d["src"] in brand_ids]
    for name, rows, label in (("intent", cust, lambda d: d["label"]),
                              ("needs_help", cust, lambda d: int(d["label"] in ("question", "problem"))),
                              ("reply_kind", brand, lambda d: d["label"])):
        texts, y = sets[name]
        out[name] = (list(texts) + [d["text"] for d in rows],
                     np.concatenate([np.asarray(y), np.array([label(d) for d in rows], dtype=np.asarray(y).dtype)]))
    return out


def export(heads: dict, hf: HashFeatures, rule: dict, out: Path, info: dict) -> None:
    """fast.json + fast.npz: W rows that are non-zero in any head, float16; no pickle."""
    cols, biases, meta = [], [], {}
    for name in HEADS:
        h = heads[name]
        coef = np.zeros((hf.n_features, h.clf.coef_.shape[0]), np.float32)
        coef[h.used] = h.clf.coef_.T
        meta[name] = {"classes": [str(c) for c in h.clf.classes_],
                      "columns": [len(biases), len(biases) + coef.shape[1]],
                      "kind": "binary" if coef.shape[1] == 1 else "multiclass", "C": h.C}
        cols.append(coef)
        biases.extend(float(v) for v in h.clf.intercept_)
    W = np.hstack(cols)
    rows = np.nonzero(np.any(W != 0, axis=1))[0]
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "fast.npz", rows=rows.astype(np.int32),
                        W=W[rows].astype(np.float16), b=np.asarray(biases, np.float32))
    (out / "fast.json").write_text(json.dumps({
        "format": FORMAT,
        "featuriser": {"kind": "hashed-ngrams", "bits": hf.bits, "word": [1, 2],
                       "char": list(hf.char), "scale": "1/sqrt(n-grams per block)"},
        "heads": meta, "needs_help_rule": rule, "training": info,
    }, indent=1) + "\n", encoding="utf-8")


def macro(y, p):
    return round(float(f1_score(y, p, average="macro")), 4)


def evaluate(model: FastModel, data: dict, cte: pd.DataFrame, rk_train_norm: set) -> dict:
    """Scores of the reloaded model on the test splits."""
    res = {}
    comp_p = model.customer_outputs(pa.array(cte.text.tolist()))["complaint"]
    yc = cte.complaint.values
    res["complaint_holdout20"] = {"macro_f1": macro(yc, comp_p >= 0.5),
                                  "f1_complaint": round(float(f1_score(yc, comp_p >= 0.5)), 4),
                                  "n": int(len(yc))}
    it = data["intent"][data["intent"].split == "test"]
    o = model.customer_outputs(pa.array(it.text.tolist()))
    res["intent_test"] = {}
    res["needs_help_test"] = {}
    for src, g in [("all", it)] + sorted(it.groupby("source")):
        m = it.index.isin(g.index)
        yi, pi = g.intent.values, o["intent"][m].astype(str)
        res["intent_test"][src] = {"macro_f1": macro(yi, pi),
                                   "accuracy": round(float(accuracy_score(yi, pi)), 4), "n": int(m.sum())}
        yn, pn = g.needs_help.values.astype(bool), o["needs_help"][m]
        res["needs_help_test"][src] = {"f1": round(float(f1_score(yn, pn, zero_division=0)), 4),
                                       "macro_f1": macro(yn, pn), "n": int(m.sum())}
    rk = data["reply"][data["reply"].split == "test"]
    S = model.raw_scores(pa.array(rk.text.tolist()), "brand")
    classes = np.asarray(model.heads["reply_kind"]["classes"], dtype=object)
    pr = classes[S.argmax(1)].astype(str)
    norm_te = np.asarray(normalise(pa.array(rk.text.tolist())).to_pylist(), dtype=object)
    fresh = np.array([t not in rk_train_norm for t in norm_te])
    res["reply_kind_test"] = {
        "all": {"macro_f1": macro(rk.reply_kind.values, pr),
                "accuracy": round(float(accuracy_score(rk.reply_kind.values, pr)), 4), "n": int(len(rk))},
        "without_train_duplicates": {"macro_f1": macro(rk.reply_kind.values[fresh], pr[fresh]),
                                     "accuracy": round(float(accuracy_score(rk.reply_kind.values[fresh], pr[fresh])), 4),
                                     "n": int(fresh.sum())},
    }
    for src, g in sorted(rk.groupby("source")):
        m = rk.index.isin(g.index)
        res["reply_kind_test"][src] = {"macro_f1": macro(g.reply_kind.values, pr[m]), "n": int(m.sum())}
    return res


def nested_complaint(comp: pd.DataFrame, hf: HashFeatures) -> dict:
    """Complaint head: nested 5-fold CV (outer folds stratified on label x domain, C tuned inside)."""
    strat = (comp["complaint"].astype(str) + "|" + comp["domain"]).values
    X = hf.csr(comp.text.tolist())
    y = comp.complaint.values
    outer = StratifiedKFold(5, shuffle=True, random_state=SEED + 1)
    scores = []
    for k, (tr, te) in enumerate(outer.split(X, strat)):
        C, _ = tune_C(X[tr], y[tr])
        scores.append(macro(y[te], Head(hf, C).fit(X[tr], y[tr]).predict(X[te])))
        print(f"  nested fold {k}: C={C} macro-F1 {scores[-1]}", flush=True)
    return {"macro_f1_mean": round(float(np.mean(scores)), 4),
            "macro_f1_sd": round(float(np.std(scores)), 4), "folds": scores}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=MODEL_DIR, help="where fast.json/fast.npz go")
    ap.add_argument("--nested", action="store_true", help="also the complaint nested 5-fold CV")
    ap.add_argument("--no-write", action="store_true", help="evaluate only (model in a temp dir)")
    ap.add_argument("--synthetic", action="store_true",
                    help="also fit the intent, needs_help and reply_kind heads on the written posts of "
                         "data/labels/synthetic/ whose source post trains them (C and the needs_help rule "
                         "are still chosen on the real rows)")
    ap.add_argument("--with-r2", action="store_true",
                    help="with --synthetic: also the second batch of written posts (synthetic/r2/)")
    ap.add_argument("--strict", action="store_true",
                    help="also drop the labels' test tweets from the complaint head's training rows")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = load()
    hf = HashFeatures(bits=BITS)
    ctr, cte = complaint_split(data["complaints"])
    it, rk = data["intent"], data["reply"]
    # leakage rule: a tweet on an evaluation's test side trains no head whose output that
    # evaluation scores. The heads are independent (no head reads another's output), so the
    # complaints holdout's test tweets are dropped from the intent/needs_help training rows, and
    # --strict also drops the labels' test tweets from the complaint head (it changes only the
    # complaint score: the intent, needs_help and reply_kind outputs never read the complaint head).
    label_test = set(it.id[it.split == "test"]) | set(rk.id[rk.split == "test"])
    if args.strict:
        ctr = ctr[~ctr.id.isin(label_test)]
    itr = it[(it.split == "train") & ~it.id.isin(set(cte.id))]
    rtr = rk[(rk.split == "train") & ~rk.id.isin(set(cte.id))]
    print(f"training rows: complaint {len(ctr)}, intent/needs_help {len(itr)}, reply_kind {len(rtr)}",
          flush=True)
    sets = {"complaint": (ctr.text.tolist(), ctr.complaint.values),
            "intent": (itr.text.tolist(), itr.intent.values),
            "needs_help": (itr.text.tolist(), itr.needs_help.values),
            "reply_kind": (rtr.text.tolist(), rtr.reply_kind.values)}
    X = {"complaint": hf.csr(sets["complaint"][0]), "intent": hf.csr(sets["intent"][0]),
         "reply_kind": hf.csr(sets["reply_kind"][0])}
    X["needs_help"] = X["intent"]
    fit_sets = sets
    if args.synthetic:
        fit_sets = with_written(sets, set(itr.id), set(rtr.id), ("", "r2") if args.with_r2 else ("",))
        print(f"written posts: {len(fit_sets['intent'][0]) - len(sets['intent'][0])} customer, "
              f"{len(fit_sets['reply_kind'][0]) - len(sets['reply_kind'][0])} brand", flush=True)
    heads, tuning, fitted_X = {}, {}, {}
    for name in HEADS:
        C, cv = tune_C(X[name], sets[name][1])
        tuning[name] = {"C": C, "cv_macro_f1": round(cv, 4)}
        texts_of = "customer" if name in ("intent", "needs_help") else name   # (the same texts: featurised once)
        if fit_sets is sets:
            Xfit = X[name]
        elif texts_of in fitted_X:
            Xfit = fitted_X[texts_of]
        else:
            Xfit = fitted_X[texts_of] = hf.csr(fit_sets[name][0])
        heads[name] = Head(hf, C).fit(Xfit, fit_sets[name][1])
        print(f"{name}: C={C} (5-fold CV macro-F1 on train {cv:.4f})", flush=True)
    rule = needs_help_rule(X["intent"], sets["intent"][1], sets["needs_help"][1],
                           heads["intent"].C, heads["needs_help"].C)
    print(f"needs_help rule: {rule}", flush=True)
    info = {"rows": {k: int(len(v[1])) for k, v in sets.items()}, "tuning": tuning, "strict": args.strict,
            "written_rows": {k: int(len(fit_sets[k][1]) - len(v[1])) for k, v in sets.items()},
            "seed": SEED, "script": "scripts/train_fast.py"}
    tmp = tempfile.TemporaryDirectory()
    out = Path(tmp.name) if args.no_write else args.out
    export(heads, hf, rule, out, info)
    model = FastModel.load(out)
    rk_train_norm = set(normalise(pa.array(rtr.text.tolist())).to_pylist())
    ev = evaluate(model, data, cte, rk_train_norm)
    if args.nested:
        ev["complaint_nested5cv"] = nested_complaint(data["complaints"], hf)
    meta = json.loads((out / "fast.json").read_text(encoding="utf-8"))
    meta["evaluation"] = ev
    (out / "fast.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    print(json.dumps({"evaluation": ev, "bytes": sizes,
                      "seconds": round(time.perf_counter() - t0, 1)}, indent=1))


if __name__ == "__main__":
    main()
