"""Merge the hand labels in annotations/*.tsv with the exact source texts into the label files.

    /work/main/.venv/bin/python data/labels/assemble.py

Writes customer_intent.csv, brand_reply_kind.csv, conversation_outcome.jsonl and
conversation_outcome_undetermined.jsonl into build/ beside this script (gitignored: only the labels,
by post id, are committed; the texts stay in ../shared/data). Texts are always read again from
../shared/data (never retyped), so they stay byte-for-byte as in the source. Exact duplicate
texts are kept once (the first in annotation order). The split comes from common.split_for(root).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUILD, DATA, HERE, TWCS_HEAD, load_all, load_twcs, split_for  # noqa: E402

INTENTS = {"question", "problem", "feedback", "praise", "other"}
REPLY_KINDS = {"solution", "redirect", "clarify", "acknowledge", "other"}
OUTCOMES = {"resolved", "redirected", "unresolved", "abandoned", "unanswered"}
ANNOTATIONS = [  # file, source; later rounds of labelling live in their own files (absent ones are skipped)
    ("head5k_posts.tsv", "twcs-head5k"),
    ("sample_posts.tsv", "twcs-sample"),
    ("ibm_posts.tsv", "ibm-cdp"),
    ("head5k_posts_r2_customer.tsv", "twcs-head5k"),
    ("head5k_posts_r2_brand.tsv", "twcs-head5k"),
    ("ibm_posts_r2_customer.tsv", "ibm-cdp"),
    ("ibm_posts_r2_brand.tsv", "ibm-cdp"),
    ("head5k_posts_r3_customer.tsv", "twcs-head5k"),
    ("head5k_posts_r3_brand.tsv", "twcs-head5k"),
    ("complaints_posts_r3_customer.tsv", "complaints"),
]


def read_tsv(path: Path) -> list[list[str]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        rows.append([f"{path.name}:{n}"] + fields)
    return rows


def main() -> None:
    if not DATA.is_dir():
        sys.exit(
            f"the labelled posts' texts are read from {DATA}, which is not here: the labels are committed "
            "by post id only, so the label files can be built only beside the project's data sets"
        )
    BUILD.mkdir(exist_ok=True)
    posts, _rejected = load_all(with_complaints=True)
    customer: list[dict] = []
    brand: list[dict] = []
    seen_ids: set[tuple[str, str]] = set()
    seen_text: dict[str, set[str]] = {"customer": set(), "brand": set()}
    dropped_dup = skipped = 0
    for fname, source in ANNOTATIONS:
        if not (HERE / "annotations" / fname).exists():
            continue
        for where, pid, label, *_ in read_tsv(HERE / "annotations" / fname):
            post = posts.get((source, pid))
            if post is None:
                sys.exit(f"{where}: no {source} post with id {pid}")
            if (source, pid) in seen_ids:
                sys.exit(f"{where}: {source} post {pid} labelled twice")
            seen_ids.add((source, pid))
            if label == "skip":  # not usable: e.g. a brand account posting as a customer
                skipped += 1
                continue
            allowed = INTENTS if post.role == "customer" else REPLY_KINDS
            if label not in allowed:
                sys.exit(f"{where}: label {label!r} is not valid for a {post.role} post")
            if post.text in seen_text[post.role]:
                dropped_dup += 1
                continue
            seen_text[post.role].add(post.text)
            row = {"id": pid, "source": source, "text": post.text, "split": split_for(post.root)}
            if post.role == "customer":
                customer.append({**row, "intent": label})
            else:
                brand.append({**row, "reply_kind": label})

    for name, rows, label in (("customer_intent.csv", customer, "intent"), ("brand_reply_kind.csv", brand, "reply_kind")):
        with open(BUILD / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=["id", "source", "text", label, "split"], quoting=csv.QUOTE_MINIMAL)
            w.writeheader()
            w.writerows(rows)

    # conversations: whole twcs-head5k threads, posts in time order
    head, _ = load_twcs(TWCS_HEAD, "twcs-head5k")
    threads: dict[str, list] = {}
    for p in head.values():
        threads.setdefault(p.root, []).append(p)
    done, undetermined = [], []
    for where, root, outcome, *note in read_tsv(HERE / "annotations" / "head5k_outcomes.tsv"):
        if root not in threads or head[root].parent is not None and head[root].parent in head:
            sys.exit(f"{where}: {root} is not a thread root in twcs-head5k")
        ordered = sorted(threads[root], key=lambda p: (p.created_at_sort, int(p.id)))
        record = {
            "id": root,
            "source": "twcs-head5k",
            "posts": [{"id": p.id, "role": p.role, "created_at": p.created_at_sort, "text": p.text} for p in ordered],
        }
        if outcome == "undetermined":
            undetermined.append({**record, "outcome": None, "note": note[0] if note else "", "split": split_for(root)})
        elif outcome in OUTCOMES:
            done.append({**record, "outcome": outcome, "split": split_for(root)})
        else:
            sys.exit(f"{where}: unknown outcome {outcome!r}")
    for name, rows in (("conversation_outcome.jsonl", done), ("conversation_outcome_undetermined.jsonl", undetermined)):
        with open(BUILD / name, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(
        f"customer_intent {len(customer)}, brand_reply_kind {len(brand)}, conversations {len(done)} "
        f"(+{len(undetermined)} undetermined); {dropped_dup} exact-duplicate texts dropped, {skipped} skipped"
    )


if __name__ == "__main__":
    main()
