#!/usr/bin/env python3
"""Conversation outcome against the hand-labelled real conversations (data/labels/build/conversation_outcome.jsonl).

    eval_outcome.py [--model fast] [--labels model|gold|oof] [--json FILE]
    eval_outcome.py --tune [--labels model|gold|oof]  (grid over the rules on the TRAIN split only)

The conversations are the real TWCS threads of ../shared/data/twcs-head5k, audited by the same
code as `helpfirst audit` (import, threading, the core scorecard, the signals, the outcome rules).
A labelled conversation is matched by its root tweet id.

- `--labels model` (default): per-post signals from the model (`--model`), as in an audit.
- `--labels gold`: intent and reply kind from the hand labels of data/labels/build (by tweet id,
  else by exact text; the model fills the few posts without a label); measures the rules alone.
- `--labels oof`: like `model`, except that the posts of the TRAIN conversations get out-of-fold
  predictions: the fast model's intent and reply-kind heads (same features, same C) refitted 5
  times on the labelled train split without the threads of one fold of those conversations (and
  without any post whose text is in them), each predicting its fold. The train split then shows
  the model's real errors, so rules can be tuned on it (`--tune --labels oof`) with the test split
  still unseen.
Sentiment always comes from helpfirst.signals (model-free). The rules were tuned on `train` only;
report the `test` split (the model's training data has no post of a test conversation: the split is
by conversation root in every label file).

Prints accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix per split
(train, test, all), and on the threads labelled `answered, no reply` (outside the five outcomes) the
share judged `unconfirmed`.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "data" / "labels" / "build"
HEAD5K = ROOT.parent / "shared" / "data" / "twcs-head5k" / "twcs-head5k.csv"
GOLD_CLASSES = ["resolved", "redirected", "unresolved", "abandoned"]


def load_conversations() -> tuple[list[dict], list[dict]]:
    """The labelled conversations, and the undetermined ones (outcome null, with a note)."""
    main = [json.loads(line) for line in (LABELS / "conversation_outcome.jsonl").open(encoding="utf-8")]
    other = [json.loads(line) for line in (LABELS / "conversation_outcome_undetermined.jsonl").open(encoding="utf-8")]
    return main, other


def gold_post_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Hand labels by tweet id and by exact text: intent of customer posts and kind of brand replies."""
    by_id: dict[str, str] = {}
    by_text: dict[str, str] = {}
    for name, column in (("customer_intent.csv", "intent"), ("brand_reply_kind.csv", "reply_kind")):
        with (LABELS / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                by_id[f"{column}:{row['id']}"] = row[column]
                by_text[f"{column}:{row['text']}"] = row[column]
    return by_id, by_text


def audit_head5k(model: str, labels: str):
    """The twcs-head5k audit: (threaded posts, core scorecard, per-post signals)."""
    from helpfirst.audit import run_audit
    from helpfirst.measure.signals_scorecard import classify_threaded

    result = run_audit([HEAD5K])
    posts = result.threads.posts
    signals = classify_threaded(posts, model)
    if labels == "gold":
        signals = _with_gold(posts, signals)
    elif labels == "oof":
        signals = _out_of_fold(posts, signals)
    return result, signals


def _out_of_fold(posts: pa.Table, signals: pa.Table, folds: int = 5) -> pa.Table:
    """The signals with intent/reply kind of the train conversations' posts predicted out of fold."""
    import hashlib

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from helpfirst.signals.hashing import HashFeatures

    convs, _ = load_conversations()
    fold_of = {c["id"]: int(hashlib.sha1(c["id"].encode()).hexdigest()[:8], 16) % folds
               for c in convs if c["split"] == "train"}
    ids = posts.column("id").to_pylist()
    roots = [ids[r] for r in posts.column("root_nr").to_pylist()]
    texts = posts.column("text").to_pylist()
    roles = posts.column("author_role").to_pylist()
    root_of = dict(zip(ids, roots, strict=True))
    hf = HashFeatures(bits=20)
    out = {"intent": signals.column("intent").to_pylist(), "reply_kind": signals.column("reply_kind").to_pylist()}
    for column, role, name, C in (("intent", "customer", "customer_intent.csv", 3.0),
                                  ("reply_kind", "brand", "brand_reply_kind.csv", 30.0)):
        with (LABELS / name).open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["split"] == "train"]
        X = hf.csr([r["text"] for r in rows])
        y = np.array([r[column] for r in rows])
        for k in range(folds):
            held = [i for i, root in enumerate(roots) if fold_of.get(root) == k and roles[i] == role]
            held_texts = {texts[i] for i in held}
            keep = np.array([not (fold_of.get(root_of.get(r["id"])) == k or r["text"] in held_texts) for r in rows])
            used = np.unique(X[keep].indices)
            clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X[keep][:, used], y[keep])
            if held:
                pred = clf.predict(hf.csr([texts[i] or "" for i in held])[:, used])
                for i, label in zip(held, pred, strict=True):
                    out[column][i] = str(label)
            print(f"{column} fold {k}: trained on {int(keep.sum())} posts, predicted {len(held)}", file=sys.stderr)
    intent = out["intent"]
    needs = [None if i is None else i in ("question", "problem") for i in intent]
    res = signals.set_column(signals.schema.get_field_index("intent"), "intent", pa.array(intent, pa.string()))
    res = res.set_column(res.schema.get_field_index("needs_help"), "needs_help", pa.array(needs, pa.bool_()))
    return res.set_column(res.schema.get_field_index("reply_kind"), "reply_kind", pa.array(out["reply_kind"], pa.string()))


def _with_gold(posts: pa.Table, signals: pa.Table) -> pa.Table:
    by_id, by_text = gold_post_labels()
    ids = posts.column("id").to_pylist()
    texts = posts.column("text").to_pylist()
    roles = posts.column("author_role").to_pylist()
    intent = signals.column("intent").to_pylist()
    kind = signals.column("reply_kind").to_pylist()
    found = 0
    for i, (pid, text, role) in enumerate(zip(ids, texts, roles, strict=True)):
        column = "intent" if role == "customer" else "reply_kind" if role == "brand" else None
        if column is None:
            continue
        label = by_id.get(f"{column}:{pid}") or by_text.get(f"{column}:{text}")
        if label is None:
            continue
        found += 1
        if column == "intent":
            intent[i] = label
        else:
            kind[i] = label
    print(f"gold labels for {found:,} of {len(ids):,} posts", file=sys.stderr)
    needs = [None if i is None else i in ("question", "problem") for i in intent]
    out = signals.set_column(signals.schema.get_field_index("intent"), "intent", pa.array(intent, pa.string()))
    out = out.set_column(out.schema.get_field_index("needs_help"), "needs_help", pa.array(needs, pa.bool_()))
    return out.set_column(out.schema.get_field_index("reply_kind"), "reply_kind", pa.array(kind, pa.string()))


def judge(result, signals, rules) -> dict[str, str]:
    """Outcome of every conversation of the audit, by its request's tweet id."""
    from helpfirst.measure.signals_scorecard import measure_signals

    posts = result.threads.posts
    judged = measure_signals(posts, result.scorecard, frozenset(), post_signals=signals, rules=rules).conversations
    ids = posts.column("id").to_pylist()
    return {ids[c]: o for c, o in zip(judged.column("conv").to_pylist(), judged.column("outcome").to_pylist(), strict=True)}


def scores(gold: list[str], pred: list[str]) -> dict:
    """Accuracy, macro-F1 over the gold classes, per-class figures and the confusion matrix."""
    predicted_labels = GOLD_CLASSES + sorted({p for p in pred} - set(GOLD_CLASSES))
    per_class = {}
    for c in GOLD_CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                        "support": tp + fn}
    matrix = [[sum(g == a and p == b for g, p in zip(gold, pred, strict=True)) for b in predicted_labels]
              for a in GOLD_CLASSES]
    n = len(gold)
    majority = max(GOLD_CLASSES, key=gold.count) if gold else None
    return {
        "n": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4) if n else None,
        "macro_f1": round(sum(v["f1"] for v in per_class.values()) / len(per_class), 4),
        "majority_baseline": {"class": majority, "accuracy": round(gold.count(majority) / n, 4) if n else None},
        "per_class": per_class,
        "confusion": {"rows_gold": GOLD_CLASSES, "cols_predicted": predicted_labels, "matrix": matrix},
    }


def evaluate(outcomes: dict[str, str], convs: list[dict], undetermined: list[dict]) -> dict:
    """Scores per split, and the judgement of the threads the five outcomes do not cover."""
    out: dict = {}
    missing = [c["id"] for c in convs if c["id"] not in outcomes]
    for split in ("train", "test", "all"):
        chosen = [c for c in convs if split == "all" or c["split"] == split]
        chosen = [c for c in chosen if c["id"] in outcomes]
        out[split] = scores([c["outcome"] for c in chosen], [outcomes[c["id"]] for c in chosen])
    silent = [c for c in undetermined if c.get("note") in ("answered, no reply", "acknowledge only, no reply")]
    judged = [outcomes[c["id"]] for c in silent if c["id"] in outcomes]
    out["answered_no_reply"] = {
        "n": len(judged),
        "judged": {o: judged.count(o) for o in sorted(set(judged))},
        "share_unconfirmed": round(judged.count("unconfirmed") / len(judged), 4) if judged else None,
    }
    out["not_found"] = missing
    return out


#: The grid `--tune` searches (on the train split only); the shipped defaults are in OutcomeRules.
GRID = {
    "positive_sentiment": (0.3, 0.5, 0.7, 2.0),
    "negative_sentiment": (-0.5, -0.3, -2.0),
    "other_positive_sentiment": (0.3, 0.4, 0.5, 0.6, 2.0),
    "praise_after_redirect_resolves": (False, True),
    "solution_after_redirect_cancels": (True, False),
    "unanswered_answer_is_unresolved": (True, False),
}


def tune(result, signals, convs: list[dict]) -> list[tuple[float, dict]]:
    """Accuracy on the train split for every rule setting of GRID (best first; 2.0 / -2.0 = rule off)."""
    from helpfirst.signals.outcome import OutcomeRules

    train = [c for c in convs if c["split"] == "train"]
    rows = []
    for values in itertools.product(*GRID.values()):
        rules = OutcomeRules(**dict(zip(GRID, values, strict=True)))
        outcomes = judge(result, signals, rules)
        found = [c for c in train if c["id"] in outcomes]
        acc = sum(outcomes[c["id"]] == c["outcome"] for c in found) / len(found)
        rows.append((acc, rules.describe()))
    rows.sort(key=lambda r: -r[0])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="fast", help="signals model for the per-post signals (fast|accurate)")
    parser.add_argument("--labels", choices=("model", "gold", "oof"), default="model",
                        help="intent/reply kind from the model (as in an audit), from the hand labels (gold), "
                             "or from the model with out-of-fold predictions on the train split (oof)")
    parser.add_argument("--tune", action="store_true", help="grid over the rules on the train split only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if not HEAD5K.is_file():
        sys.exit(f"{HEAD5K}: not found (the real TWCS rows live in ../shared/data)")
    if not (LABELS / "conversation_outcome.jsonl").is_file():
        sys.exit(f"{LABELS}: run `.venv/bin/python data/labels/assemble.py` first")
    convs, undetermined = load_conversations()
    start = time.perf_counter()
    result, signals = audit_head5k(args.model, args.labels)
    if args.tune:
        for acc, rules in tune(result, signals, convs)[:10]:
            print(f"train accuracy {acc:.4f}  {rules}")
        return 0
    from helpfirst.signals.outcome import RULES

    report = {
        "task": "conversation outcome",
        "model": args.model,
        "labels": args.labels,
        "rules": RULES.describe(),
        "command": "scripts/eval_outcome.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        **evaluate(judge(result, signals, RULES), convs, undetermined),
        "seconds": round(time.perf_counter() - start, 1),
    }
    for split in ("test", "train", "all"):
        s = report[split]
        print(f"{split:<5} n={s['n']:<4} accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
              f"(majority '{s['majority_baseline']['class']}': {s['majority_baseline']['accuracy']:.3f})")
        for c, v in s["per_class"].items():
            print(f"        {c:<11} P {v['precision']:.2f}  R {v['recall']:.2f}  F1 {v['f1']:.2f}  n={v['support']}")
        cols = s["confusion"]["cols_predicted"]
        print("        gold \\ predicted " + " ".join(f"{c[:10]:>10}" for c in cols))
        for label, line in zip(s["confusion"]["rows_gold"], s["confusion"]["matrix"], strict=True):
            print(f"        {label:<17} " + " ".join(f"{v:>10}" for v in line))
    a = report["answered_no_reply"]
    print(f"answered, no reply (outside the five): n={a['n']}, judged {a['judged']}, unconfirmed {a['share_unconfirmed']}")
    if report["not_found"]:
        print(f"not found in the audit: {report['not_found']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
