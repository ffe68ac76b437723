"""Why the reply_kind mix helps out of fold and costs on test: v6's out-of-fold probabilities rebuilt
from the shipped members (member i was trained with fold i held out), the mix by source and fold,
a stacker instead of the linear mix, and the test split's mixed-vs-alone difference with a paired
bootstrap interval.

Usage: .venv/bin/python research/accurate/mix_analysis.py [--work /tmp/v6-oof] [--no-test]
Needs the semantic and dev extras and data/labels/build (assemble.py). About 5 CPU minutes on 2
cores (three member passes over 1,900 rows each, the fast tier's heads retrained per fold).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))

import train_accurate as ta  # noqa: E402
from helpfirst.signals.accurate import MODEL_DIR, AccurateClassifier  # noqa: E402

MEMBERS = ("", "m2", "m3")   # the package's ensemble: fold 0's run, then m2 = fold 1, m3 = fold 2


def rebuild_oof(work: Path, train_rows, Y) -> None:
    """One directory per fold with the member alone (no mix) and its oof.npz (ta.save_oof)."""
    cfg = json.loads((MODEL_DIR / ta.CONFIG_FILE).read_text(encoding="utf-8"))
    for fold, sub in enumerate(MEMBERS):
        d = work / f"f{fold}"
        if (d / ta.OOF_FILE).is_file():
            continue
        d.mkdir(parents=True, exist_ok=True)
        for name in ("adapter_config.json", "adapter_model.safetensors", ta.HEADS_FILE):
            shutil.copyfile(MODEL_DIR / sub / name, d / name)
        one = {k: v for k, v in cfg.items() if k not in ("members", "member_training")}
        one["mix"] = {}
        (d / ta.CONFIG_FILE).write_text(json.dumps(one), encoding="utf-8")
        a, b = ta.val_split(train_rows, 0, "root", len(MEMBERS), fold)
        probs = AccurateClassifier(d, mix=False).probabilities([train_rows[i]["text"] for i in b])
        fast = ta.cached_fast_val_probs(d / "fast.npz", train_rows, Y, a, b)
        ta.save_oof(d, b, len(train_rows), probs, fast)


def oof_report(work: Path, train_rows, Y) -> None:
    from sklearn.linear_model import LogisticRegression
    idx, net, fast = ta.out_of_fold([str(work / f"f{i}") for i in range(len(MEMBERS))], len(train_rows))
    fold = np.concatenate([np.full(len(np.load(work / f"f{i}" / ta.OOF_FILE)["idx"]), i)
                           for i in range(len(MEMBERS))])
    source = np.array([ex["root"].split(":")[0] for ex in train_rows])[idx]
    y = Y["reply_kind"][idx]
    m = y >= 0
    P, F, y, fold, source = net["reply_kind"][m], fast["reply_kind"][m], y[m], fold[m], source[m]
    labels = list(range(len(ta.REPLY_KINDS)))

    def f1(p, sel):
        return round(ta.macro_f1(y[sel], p[sel].argmax(1), labels), 4)

    every = np.ones(len(y), bool)
    print(f"out of fold, reply_kind: {len(y)} rows; by source "
          + ", ".join(f"{s} {np.bincount(y[source == s], minlength=5).tolist()}" for s in ("ibm", "twcs"))
          + f" (classes {ta.REPLY_KINDS})")
    for w in (0.0, 0.2, 0.35, 0.55, 0.7, 1.0):
        mix = (1 - w) * P + w * F
        print(f"  fast weight {w:.2f}: all {f1(mix, every)}  ibm {f1(mix, source == 'ibm')}  "
              f"twcs {f1(mix, source == 'twcs')}  folds "
              + " ".join(str(f1(mix, fold == k)) for k in range(len(MEMBERS))))
    # the weight chosen on two folds, scored on the third; a stacker fitted the same way
    X = np.hstack([np.log(P + 1e-6), np.log(F + 1e-6)])
    lin, stack, chosen = np.zeros(len(y), int), np.zeros(len(y), int), []
    for k in range(len(MEMBERS)):
        tr, te = fold != k, fold == k
        w = max(ta.MIX_WEIGHTS, key=lambda w: ta.macro_f1(y[tr], ((1 - w) * P[tr] + w * F[tr]).argmax(1), labels))
        chosen.append(float(w))
        lin[te] = ((1 - w) * P[te] + w * F[te]).argmax(1)
        stack[te] = LogisticRegression(C=0.1, max_iter=3000).fit(X[tr], y[tr]).predict(X[te])
    print(f"  weight chosen on two folds, scored on the third: {chosen} -> {ta.macro_f1(y, lin, labels):.4f}")
    print(f"  stacker (LR over log-probabilities of both, C 0.1), same protocol: {ta.macro_f1(y, stack, labels):.4f}")


def test_report() -> None:
    _, tests, _ = ta.load_data()
    brand = tests["brand"]
    y = np.array([ta.REPLY_KINDS.index(r["reply_kind"]) for r in brand])
    source = np.array([r["source"] for r in brand])
    clf = AccurateClassifier()
    texts = [r["text"] for r in brand]
    mixed = clf.probabilities(texts)["reply_kind"].argmax(1)
    clf.mix = {}
    alone = clf.probabilities(texts)["reply_kind"].argmax(1)
    labels = list(range(len(ta.REPLY_KINDS)))
    for name, sel in (("all", np.ones(len(y), bool)), ("ibm-cdp", source == "ibm-cdp"),
                      ("twcs-head5k", source == "twcs-head5k")):
        print(f"test {name} ({sel.sum()} rows, classes {np.bincount(y[sel], minlength=5).tolist()}): "
              f"mixed {ta.macro_f1(y[sel], mixed[sel], labels):.4f} (accuracy {np.mean(mixed[sel] == y[sel]):.4f}), "
              f"alone {ta.macro_f1(y[sel], alone[sel], labels):.4f} (accuracy {np.mean(alone[sel] == y[sel]):.4f})")
    rng = np.random.default_rng(0)
    diff = []
    for _ in range(2000):
        i = rng.integers(0, len(y), len(y))
        diff.append(ta.macro_f1(y[i], mixed[i], labels) - ta.macro_f1(y[i], alone[i], labels))
    lo, hi = np.percentile(diff, [2.5, 97.5])
    print(f"test, mixed minus alone, paired bootstrap (2,000): {np.mean(diff):+.4f} [{lo:+.4f}, {hi:+.4f}]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="/tmp/v6-oof", help="where the per-fold directories go")
    ap.add_argument("--no-test", action="store_true", help="out-of-fold figures only")
    args = ap.parse_args()
    train_rows, _, _ = ta.load_data()
    Y = {h: np.array([ex[h] for ex in train_rows]) for h in ta.HEAD_LABELS}
    work = Path(args.work)
    rebuild_oof(work, train_rows, Y)
    oof_report(work, train_rows, Y)
    if not args.no_test:
        test_report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
