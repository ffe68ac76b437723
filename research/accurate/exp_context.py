"""Pilot: does the thread help the accurate model? One cross-fitted run of scripts/train_accurate.py
(same arguments) where every real post that answers another post carries the post it answers as a
second segment: "<post> [SEP] <the post it answers>" (MiniLM's tokenizer reads [SEP] as its
separator; max_len truncates the context first since it comes last). Posts without a parent (the
complaints corpus, openers) and the written posts are unchanged, so the model also learns single
posts. Compare its fold's validation curve with the same fold of the run without context.

Usage: .venv/bin/python research/accurate/exp_context.py [train_accurate.py arguments]
       (e.g. the v8 recipe with --folds 3 --fold 0 --out DIR --ckpt DIR --no-score)
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def with_parents(load_data):
    """load_data wrapped: each real training post with a parent in ../shared/data gets its text."""
    sys.path.insert(0, str(REPO / "data" / "labels"))
    import common

    allposts, _ = common.load_all()
    by_id = {p.id: p for p in allposts.values()}

    def wrapped():
        train, tests, train_texts = load_data()
        n = 0
        for ex in train:
            if ex["root"].startswith("complaints:"):
                continue
            post = by_id.get(ex["key"][1:])
            parent = by_id.get(post.parent) if post is not None and post.parent else None
            if parent is not None and parent.text.strip():
                ex["text"] = f"{ex['text']} [SEP] {parent.text}"
                n += 1
        print(f"context: {n} of {len(train)} training rows carry the post they answer", flush=True)
        return train, tests, train_texts

    return wrapped


if __name__ == "__main__":
    ta = _load("train_accurate", REPO / "scripts" / "train_accurate.py")
    ta.load_data = with_parents(ta.load_data)
    sys.exit(ta.main(sys.argv[1:]))
