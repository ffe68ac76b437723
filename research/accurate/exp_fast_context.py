"""Round 9b: does the fast tier gain from the post a reply or follow-up answers?

On the three cross-fitted folds of the accurate model (the same rows, the written posts in
training), the fast tier's heads are fitted twice: on the post's hashed n-grams as shipped, and with
the parent post's hashed n-grams beside them (a separate block of columns, scaled by --weight, plus
a "has a parent" column). Out-of-fold metrics of both, per head, and needs_help per kind of post.

    .venv/bin/python research/accurate/exp_fast_context.py [--weight 0.5] [--bits 18]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "research" / "accurate"))
sys.path.insert(0, str(REPO / "data" / "labels"))
import train_accurate as ta  # noqa: E402
from exp_stack import source_kind  # noqa: E402


def parents_of(train_rows: list[dict]) -> list[str]:
    """The text of the post each real training row answers ('' for none)."""
    import common
    allposts, _ = common.load_all()
    by_id = {p.id: p for p in allposts.values()}
    out = []
    for ex in train_rows:
        post = None if ex["root"].startswith("complaints:") else by_id.get(ex["key"][1:])
        parent = by_id.get(post.parent) if post is not None and post.parent else None
        out.append(parent.text if parent is not None else "")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weight", type=float, default=0.5, help="scale of the parent block")
    ap.add_argument("--bits", type=int, default=18, help="hash bits of the parent block")
    args = ap.parse_args()
    from helpfirst.signals.accurate import sigmoid, softmax
    from helpfirst.signals.hashing import HashFeatures
    tf = ta._train_fast_module()
    train_rows, _, _ = ta.load_data()
    n_real = len(train_rows)
    parent_real = parents_of(train_rows)
    print(f"{sum(bool(p) for p in parent_real)} of {n_real} real rows answer a post", flush=True)
    hf = tf.HashFeatures(bits=tf.BITS)
    hp = HashFeatures(bits=args.bits)
    arms = ("plain", "parent")
    oof = {arm: {h: np.zeros((n_real, len(v)), np.float32) for h, v in ta.HEAD_LABELS.items()} for arm in arms}
    for f in range(3):
        a, b = ta.val_split(train_rows, 0, "root", 3, f)
        written = ta.written_examples(train_rows, b, ("", "r2"))
        rows = train_rows + written
        parents = parent_real + [""] * len(written)
        a = np.concatenate([a, np.arange(n_real, len(rows))])
        Y = {h: np.array([ex[h] for ex in rows]) for h in ta.HEAD_LABELS}
        X = hf.csr([ex["text"] for ex in rows])
        has = sp.csr_matrix(np.array([[1.0 if p else 0.0] for p in parents], np.float32))
        XP = sp.hstack([X, args.weight * hp.csr(parents), has]).tocsr()
        for arm, M in (("plain", X), ("parent", XP)):
            for h, labels in ta.HEAD_LABELS.items():
                ia = a[Y[h][a] >= 0]
                C, _ = tf.tune_C(M[ia], Y[h][ia])
                head = tf.Head(hf, C).fit(M[ia], Y[h][ia])
                d = head.decision(M[b])
                p = np.stack([1 - sigmoid(d[:, 0]), sigmoid(d[:, 0])], 1) if d.shape[1] == 1 else softmax(d)
                full = np.zeros((len(b), len(labels)), np.float32)
                full[:, [int(c) for c in head.clf.classes_]] = p
                oof[arm][h][b] = full
            print(f"fold {f} {arm} done", flush=True)
    Y = {h: np.array([ex[h] for ex in train_rows]) for h in ta.HEAD_LABELS}
    kinds = np.array([source_kind(ex) for ex in train_rows])
    for arm in arms:
        P = oof[arm]
        got = ta.choose_mix(P, None, Y, mix=False)["scores"]
        print(f"{arm}: {got}")
        th = ta.tune_thresholds(P, Y, quiet=True)
        pred = ta.needs_help_score(P, th["needs_help_head_weight"]) >= th["needs_help"]
        y = Y["needs_help"]
        for k in sorted(set(kinds[y >= 0])):
            s = (y >= 0) & (kinds == k)
            p, t = pred[s], y[s] == 1
            print(f"  needs_help {k:14s} F1 {ta._f1(int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum())):.3f}")
        yr = Y["reply_kind"]
        for k in sorted(set(kinds[yr >= 0])):
            s = (yr >= 0) & (kinds == k)
            print(f"  reply_kind {k:14s} macro-F1 {ta.macro_f1(yr[s], P['reply_kind'][s].argmax(1), list(range(5))):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
