"""Round 9: can a stacker over every head's probabilities lift needs_help out of fold?

Rebuilds the shipped v8 ensemble's out-of-fold probabilities (each member on its own fold, the
fast tier trained on the other two folds, exactly as the --folds runs did), checks they reproduce
the shipped tuning (out-of-fold needs_help 0.881), then compares, by nested cross-validation over
the out-of-fold rows (grouped by conversation root), the shipped needs_help rule (head weight and
threshold chosen on the inner folds) with logistic-regression stackers over the probabilities.

    .venv/bin/python research/accurate/exp_stack.py --work /tmp/stack
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import train_accurate as ta  # noqa: E402


def rebuild_oof(work: Path) -> Path:
    """Per member, its fold's network probabilities and the fast tier's (cached in work)."""
    out = work / "oof.npz"
    if out.is_file():
        return out
    from helpfirst.signals.accurate import AccurateClassifier
    train_rows, _, _ = ta.load_data()
    n_real = len(train_rows)
    clf = AccurateClassifier(ta.MODEL_DIR, mix=False, threads=2)
    members = list(clf.nets)
    parts = {"idx": [], **{f"net_{h}": [] for h in ta.HEAD_LABELS}, **{f"fast_{h}": [] for h in ta.HEAD_LABELS}}
    for f, net in enumerate(members):
        a, b = ta.val_split(train_rows, 0, "root", 3, f)
        rows = train_rows + ta.written_examples(train_rows, b, ("", "r2"))
        a = np.concatenate([a, np.arange(n_real, len(rows))])
        Y = {h: np.array([ex[h] for ex in rows]) for h in ta.HEAD_LABELS}
        clf.nets = [net]
        probs = clf.probabilities([train_rows[i]["text"] for i in b])
        fast = ta.fast_val_probs(rows, Y, a, b)
        parts["idx"].append(b)
        for h in ta.HEAD_LABELS:
            parts[f"net_{h}"].append(probs[h])
            parts[f"fast_{h}"].append(fast[h])
        print(f"fold {f}: {len(b)} rows", flush=True)
    np.savez(out, **{k: np.concatenate(v) for k, v in parts.items()})
    return out


def features(P: dict, design: str) -> np.ndarray:
    """Stacker inputs: log-probabilities of the chosen heads, network and fast tier."""
    eps = 1e-4
    cols = []
    heads = {"help": ["intent", "needs_help"], "all": ["complaint", "intent", "needs_help"]}[design.split("+")[0]]
    for src in ("net", "fast") if "fast" in design else ("net",):
        for h in heads:
            p = np.clip(P[f"{src}_{h}"], eps, 1)
            cols.append(np.log(p[:, 1:2]) - np.log(p[:, 0:1]) if p.shape[1] == 2 else np.log(p))
    return np.hstack(cols)


def best_t(y, s):
    t, f = ta.best_threshold(y, s, ta.f1_pos)
    return t, f


def rule_fit(P, y):
    best = (-1, 0, 0.5)
    for w in ta.HELP_HEAD_WEIGHTS:
        t, f = best_t(y, ta.needs_help_score(P, w))
        if f > best[0] + 1e-9:
            best = (f, w, t)
    return best[1], best[2]


def source_kind(row: dict) -> str:
    """complaints | twcs-root | twcs-followup | ibm-root | ibm-followup (a follow-up answers another post)."""
    src, _, rid = row["root"].partition(":")
    return src if src == "complaints" else f"{src}-{'root' if rid == row['key'][1:] else 'followup'}"


def breakdown(train_rows, idx, net, thresholds) -> None:
    """needs_help F1 of the shipped rule, per kind of post, out of fold."""
    y = np.array([train_rows[i]["needs_help"] for i in idx])
    m = y >= 0
    pred = ta.needs_help_score(net, thresholds["needs_help_head_weight"]) >= thresholds["needs_help"]
    kinds = np.array([source_kind(train_rows[i]) for i in idx])
    for k in sorted(set(kinds[m])):
        s = m & (kinds == k)
        p, t = pred[s], y[s] == 1
        tp, fp, fn = int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum())
        print(f"  {k:14s} n={int(s.sum()):5d} positive={int(t.sum()):5d} F1={ta._f1(tp, fp, fn):.3f} "
              f"false positives {fp}, misses {fn}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/stack")
    ap.add_argument("--outer", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    z = dict(np.load(rebuild_oof(work)))
    train_rows, _, _ = ta.load_data()
    idx = z["idx"]
    Y = {h: np.array([train_rows[i][h] for i in idx]) for h in ta.HEAD_LABELS}
    net = {h: z[f"net_{h}"] for h in ta.HEAD_LABELS}
    fast = {h: z[f"fast_{h}"] for h in ta.HEAD_LABELS}
    shipped = ta.choose_mix(net, fast, Y, quiet=True)
    print("reproduced out-of-fold tuning:", json.dumps(shipped["scores"]), "mix", shipped["mix"], flush=True)

    print("needs_help out of fold by kind of post (tuned rule, networks alone):")
    breakdown(train_rows, idx, net, shipped["thresholds"])
    m = Y["needs_help"] >= 0
    y = Y["needs_help"][m]
    P = {**{f"net_{h}": net[h][m] for h in ta.HEAD_LABELS}, **{f"fast_{h}": fast[h][m] for h in ta.HEAD_LABELS}}
    roots = np.array([train_rows[i]["root"] for i in idx[m]])
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    designs = ["help", "all", "help+fast", "all+fast"]
    Cs = [0.01, 0.1, 1.0, 10.0]
    results = {"rule": [], **{d: [] for d in designs}}
    for rep in range(args.repeats):
        # shuffle the groups' order so each repeat cuts differently
        rng = np.random.default_rng(rep)
        uniq = np.unique(roots)
        perm = dict(zip(uniq, rng.permutation(len(uniq))))
        g = np.array([perm[r] for r in roots])
        preds = {k: np.zeros(len(y), bool) for k in results}
        for tr, te in GroupKFold(args.outer).split(y, y, g):
            Ptr = {k: v[tr] for k, v in P.items()}
            Pte = {k: v[te] for k, v in P.items()}
            netr = {h: Ptr[f"net_{h}"] for h in ta.HEAD_LABELS}
            nete = {h: Pte[f"net_{h}"] for h in ta.HEAD_LABELS}
            w, t = rule_fit(netr, y[tr])
            preds["rule"][te] = ta.needs_help_score(nete, w) >= t
            for d in designs:
                Xtr, Xte = features(Ptr, d), features(Pte, d)
                # inner CV: C and threshold on out-of-inner-fold scores
                best = (-1, None, 0.5)
                for C in Cs:
                    s = np.zeros(len(tr))
                    for itr, ite in GroupKFold(4).split(Xtr, y[tr], g[tr]):
                        lr = LogisticRegression(C=C, max_iter=2000).fit(Xtr[itr], y[tr][itr])
                        s[ite] = lr.predict_proba(Xtr[ite])[:, 1]
                    tt, f = best_t(y[tr], s)
                    if f > best[0]:
                        best = (f, C, tt)
                lr = LogisticRegression(C=best[1], max_iter=2000).fit(Xtr, y[tr])
                preds[d][te] = lr.predict_proba(Xte)[:, 1] >= best[2]
        for k in results:
            p = preds[k]
            tp, fp, fn = int((p & (y == 1)).sum()), int((p & (y == 0)).sum()), int((~p & (y == 1)).sum())
            results[k].append(ta._f1(tp, fp, fn))
        print(f"repeat {rep}: " + ", ".join(f"{k} {v[-1]:.4f}" for k, v in results.items()), flush=True)
    print(json.dumps({k: {"mean": round(float(np.mean(v)), 4), "runs": [round(x, 4) for x in v]}
                      for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
