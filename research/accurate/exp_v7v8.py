"""Round 10: does averaging the v7 and v8 runs of the same fold lift the heads out of fold?

v7 and v8 were trained on the same three folds by conversation root (seed 0), v7 with the first
batch of written posts, v8 with both. Each fold's two networks never saw that fold, so their
average is as out of fold as v8's own probabilities. This rebuilds v7's out-of-fold probabilities
(its members from commit 503475b, extracted with `git archive` into --v7), reuses v8's and the
fast tier's from exp_stack.py's cache, and compares after the shipped tuning (choose_mix):
v8 alone, v7 alone, and their average; then needs_help by nested cross-validation (head weight
and threshold chosen on inner folds; 5 outer folds grouped by conversation root, 3 repeats).

Ship rule, fixed before the run: the six-member ensemble replaces v8 only if its out-of-fold mean
after tuning beats v8's by at least 0.005 AND its nested needs_help F1 is not below v8's; it
doubles the accurate tier's encoder work, so a smaller gain does not pay for itself. The test
splits are read once, after that choice, and only if the rule says ship.

    git archive 503475b src/helpfirst/signals/models/accurate | tar -x -C /tmp/v7
    .venv/bin/python research/accurate/exp_v7v8.py --work /tmp/stack \
        --v7 /tmp/v7/src/helpfirst/signals/models/accurate
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import exp_stack  # noqa: E402
import train_accurate as ta  # noqa: E402


def rebuild_v7(work: Path, v7_dir: Path, idx_v8: np.ndarray) -> dict:
    """v7's network probabilities, member f on fold f, in exp_stack's row order (cached)."""
    out = work / "oof-v7.npz"
    if not out.is_file():
        from helpfirst.signals.accurate import AccurateClassifier
        train_rows, _, _ = ta.load_data()
        clf = AccurateClassifier(v7_dir, mix=False, threads=2)
        members = list(clf.nets)
        parts = {"idx": [], **{h: [] for h in ta.HEAD_LABELS}}
        for f, net in enumerate(members):
            _, b = ta.val_split(train_rows, 0, "root", 3, f)
            clf.nets = [net]
            probs = clf.probabilities([train_rows[i]["text"] for i in b])
            parts["idx"].append(b)
            for h in ta.HEAD_LABELS:
                parts[h].append(probs[h])
            print(f"v7 fold {f}: {len(b)} rows", flush=True)
        np.savez(out, **{k: np.concatenate(v) for k, v in parts.items()})
    z = dict(np.load(out))
    if not np.array_equal(z["idx"], idx_v8):
        raise SystemExit("v7 and v8 folds differ: the average would not be out of fold")
    return {h: z[h] for h in ta.HEAD_LABELS}


def nested_needs_help(net: dict, y: np.ndarray, roots: np.ndarray, outer: int, repeats: int) -> list[float]:
    """needs_help F1 of the shipped rule with weight and threshold chosen on the other outer folds."""
    from sklearn.model_selection import GroupKFold
    out = []
    for rep in range(repeats):
        rng = np.random.default_rng(rep)
        uniq = np.unique(roots)
        perm = dict(zip(uniq, rng.permutation(len(uniq))))
        g = np.array([perm[r] for r in roots])
        pred = np.zeros(len(y), bool)
        for tr, te in GroupKFold(outer).split(y, y, g):
            w, t = exp_stack.rule_fit({h: v[tr] for h, v in net.items()}, y[tr])
            pred[te] = ta.needs_help_score({h: v[te] for h, v in net.items()}, w) >= t
        tp, fp, fn = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
        out.append(round(ta._f1(tp, fp, fn), 4))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/stack")
    ap.add_argument("--v7", required=True, help="v7's model folder (accurate.json, m2, m3)")
    ap.add_argument("--outer", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    z = dict(np.load(exp_stack.rebuild_oof(work)))
    idx = z["idx"]
    v8 = {h: z[f"net_{h}"] for h in ta.HEAD_LABELS}
    fast = {h: z[f"fast_{h}"] for h in ta.HEAD_LABELS}
    v7 = rebuild_v7(work, Path(args.v7), idx)
    both = {h: (v7[h] + v8[h]) / 2 for h in ta.HEAD_LABELS}
    train_rows, _, _ = ta.load_data()
    Y = {h: np.array([train_rows[i][h] for i in idx]) for h in ta.HEAD_LABELS}
    m = Y["needs_help"] >= 0
    roots = np.array([train_rows[i]["root"] for i in idx[m]])
    result = {}
    for name, net in (("v8", v8), ("v7", v7), ("v7+v8", both)):
        tuned = ta.choose_mix(net, fast, Y, quiet=True)
        nested = nested_needs_help({h: v[m] for h, v in net.items()}, Y["needs_help"][m], roots,
                                   args.outer, args.repeats)
        result[name] = {"after_tuning": tuned["scores"], "mix": tuned["mix"],
                        "thresholds": {k: v for k, v in tuned["thresholds"].items() if k != "validation"},
                        "nested_needs_help": {"mean": round(float(np.mean(nested)), 4), "runs": nested}}
        print(name, json.dumps(result[name]), flush=True)
    gain = result["v7+v8"]["after_tuning"]["mean"] - result["v8"]["after_tuning"]["mean"]
    ship = gain >= 0.005 and result["v7+v8"]["nested_needs_help"]["mean"] >= result["v8"]["nested_needs_help"]["mean"]
    print(json.dumps({"gain_mean_after_tuning": round(gain, 4), "ship": ship}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
