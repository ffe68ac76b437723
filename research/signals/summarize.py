"""Print markdown tables from results.jsonl (latest record per experiment key)."""
from __future__ import annotations

import json
from pathlib import Path

rows = [json.loads(line) for line in (Path(__file__).parent / "results.jsonl").open(encoding="utf-8")]
latest = {}
for r in rows:
    key = (r.get("task"), r.get("eval"), r.get("features"), r.get("clf"), r.get("augment"), r.get("what"),
           r.get("jobs"), r.get("model"), r.get("seed"), r.get("epochs"), r.get("src"))
    latest[key] = r


def table(task, evals, cols):
    sel = [r for r in latest.values() if r.get("task") == task and r.get("eval") in evals]
    if not sel:
        return
    print(f"\n### {task} ({', '.join(evals)})\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in sel:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")


table("complaint", ["holdout20", "nested5cv"],
      ["eval", "features", "clf", "C", "class_weight", "cv_train", "macro_f1", "macro_f1_sd", "f1_pos"])
table("intent", ["test_split"], ["features", "clf", "C", "cv_train", "macro_f1", "accuracy", "needs_help_f1_from_intent"])
table("needs_help", ["test_split"], ["features", "augment", "clf", "C", "class_weight", "cv_train", "f1_pos", "macro_f1"])
table("reply_kind", ["test_split"], ["features", "clf", "C", "cv_train", "macro_f1", "accuracy"])
for t in ("complaint", "intent", "needs_help", "reply_kind"):
    table(t, ["distill", "distill-nested5cv"], ["eval", "model", "pool_size", "pool_pos_rate", "macro_f1", "macro_f1_sd", "f1_pos"])
ft = [r for r in latest.values() if r.get("features") == "minilm-finetuned"]
if ft:
    print("\n### fine-tuned MiniLM\n")
    cols = ["task", "eval", "epochs", "lr", "best_epoch", "val_curve", "macro_f1", "f1_pos", "needs_help_f1_from_intent",
            "train_minutes", "predict_posts_per_s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in ft:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
tp = [r for r in latest.values() if r.get("task") == "throughput"]
if tp:
    print("\n### throughput\n")
    print("| what | texts | processes | n | best s | posts/s |")
    print("|---|---|---|---|---|---|")
    for r in tp:
        print(f"| {r['what']} | {r.get('src', 's.jsonl')} | {r['jobs']} | {r['n']} | {r.get('seconds', '')} | {r['posts_per_s']:,} |")
for r in latest.values():
    if r.get("task") in ("sentiment_agreement", "model_size", "language"):
        print("\n" + json.dumps({k: v for k, v in r.items() if k != "time"}))
