"""Print counts per label, per split and per source for the hand-labelled sets in this folder.

    /work/main/.venv/bin/python data/labels/stats.py
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD = HERE / "build"  # written by assemble.py


def table(title: str, rows: list[dict], label: str) -> None:
    labels = Counter(r[label] for r in rows)
    splits = sorted({r["split"] for r in rows})
    by = Counter((r[label], r["split"]) for r in rows)
    print(f"\n{title}: {len(rows)} rows")
    print(f"  {label:<14}" + "".join(f"{s:>7}" for s in splits) + f"{'total':>7}")
    for name, n in labels.most_common():
        print(f"  {name:<14}" + "".join(f"{by[name, s]:>7}" for s in splits) + f"{n:>7}")
    totals = Counter(r["split"] for r in rows)
    print(f"  {'total':<14}" + "".join(f"{totals[s]:>7}" for s in splits) + f"{len(rows):>7}")
    print("  by source: " + ", ".join(f"{k} {v}" for k, v in Counter(r["source"] for r in rows).most_common()))
    sources = [k for k, _ in Counter(r["source"] for r in rows).most_common()]
    if len(sources) > 1:
        by_src = Counter((r[label], r["source"]) for r in rows)
        print(f"  {'by source':<14}" + "".join(f"{s:>13}" for s in sources))
        for name, _ in labels.most_common():
            print(f"  {name:<14}" + "".join(f"{by_src[name, s]:>13}" for s in sources))


def main() -> None:
    for name, label in (("customer_intent.csv", "intent"), ("brand_reply_kind.csv", "reply_kind")):
        with open(BUILD / name, newline="", encoding="utf-8") as fh:
            table(name, list(csv.DictReader(fh)), label)
    convs = [json.loads(line) for line in (BUILD / "conversation_outcome.jsonl").read_text(encoding="utf-8").splitlines()]
    table("conversation_outcome.jsonl", convs, "outcome")
    print(f"  posts in these conversations: {sum(len(c['posts']) for c in convs)}")
    extra = BUILD / "conversation_outcome_undetermined.jsonl"
    if extra.exists():
        und = [json.loads(line) for line in extra.read_text(encoding="utf-8").splitlines()]
        print(f"\nconversation_outcome_undetermined.jsonl: {len(und)} threads (outcome null)")
        for note, n in Counter(c["note"] for c in und).most_common():
            print(f"  {note:<40}{n:>5}")


if __name__ == "__main__":
    main()
