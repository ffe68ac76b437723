"""Reading sheets for the third round of brand-reply labelling (reply_kind): the rest of twcs-head5k.

    python3 data/labels/sheets_r3_brand.py [--out /tmp/labelwork_r3b] [--per-sheet 50] [--progress]

The candidates are those of round 2 (sheets_r2_brand.twcs_candidates: twcs-head5k brand replies
round 1 did not label, one per exact text) that round 2 did not label either. They are grouped by
brand (so a brand's templates are read together) and by thread (sha1 order of the root); each
thread is printed whole in time order. Replies to label are marked `>> n` (n numbers them within
the sheet, `[done: label]` once in the round-3 file); other posts are indented and show the label
an earlier round gave them (`r1:`/`r2:`, intent for customer posts, reply kind for brand replies),
so precedents are in view. The split is not shown. Labels are typed by hand into
annotations/head5k_posts_r3_brand.tsv.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, TWCS_HEAD, load_twcs  # noqa: E402
from sheets_r2_brand import h, labels, twcs_candidates  # noqa: E402

ROUND3 = "head5k_posts_r3_brand.tsv"


def earlier_labels() -> dict[str, str]:
    """Post id -> 'r1: label' / 'r2: label' from every earlier twcs-head5k annotation file."""
    out: dict[str, str] = {}
    for path in sorted((HERE / "annotations").glob("head5k_posts*.tsv")):
        if path.name == ROUND3:
            continue
        tag = "r2" if "_r2_" in path.name else "r1"
        out.update({k: f"{tag}: {v}" for k, v in labels(path.name).items()})
    return out


def line(p, prefix: str, note: str = "") -> str:
    """One post: prefix, role, id, author, time, parent, note; its text on the next line."""
    text = p.text.replace("\n", " ⏎ ")
    extra = f" ({note})" if note else ""
    return f"{prefix}[{p.role[0].upper()}] {p.id} @{p.author} {p.created_at_sort} <-{p.parent or '-'}{extra}\n        {text}"


def build(per_sheet: int) -> list[list[tuple[str, str]]]:
    """Sheets as lists of (text block, reply id or '') — one block per thread header/post."""
    head, _ = load_twcs(TWCS_HEAD, "twcs-head5k")
    done2 = labels("head5k_posts_r2_brand.tsv")
    done3 = labels(ROUND3)
    earlier = earlier_labels()
    todo = [p for p in twcs_candidates(head) if p.id not in done2]
    threads: dict[str, list] = defaultdict(list)
    for p in head.values():
        threads[p.root].append(p)
    by_brand: dict[str, list[str]] = defaultdict(list)
    for root in sorted({p.root for p in todo}, key=h):
        by_brand[next(p.author for p in todo if p.root == root)].append(root)
    todo_ids = {p.id for p in todo}
    sheets: list[list[tuple[str, str]]] = [[]]
    count = 0
    for brand in sorted(by_brand, key=lambda b: (-len(by_brand[b]), b)):
        for root in by_brand[brand]:
            posts = sorted(threads[root], key=lambda p: (p.created_at_sort, int(p.id)))
            n = sum(p.id in todo_ids for p in posts)
            if count and count + n > per_sheet:
                sheets.append([])
                count = 0
            sheets[-1].append((f"### THREAD {root} brand={brand}", ""))
            for p in posts:
                if p.id in todo_ids:
                    count += 1
                    done = f"[done: {done3[p.id]}] " if p.id in done3 else ""
                    sheets[-1].append((line(p, f">> {count:2d} {done}"), p.id))
                else:
                    sheets[-1].append((line(p, "        ", earlier.get(p.id, "")), ""))
            sheets[-1].append(("", ""))
    return sheets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/labelwork_r3b")
    ap.add_argument("--per-sheet", type=int, default=50)
    ap.add_argument("--progress", action="store_true", help="print how many replies each sheet has left")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    done3 = labels(ROUND3)
    sheets = build(args.per_sheet)
    total = 0
    for i, blocks in enumerate(sheets):
        (out / f"tw3_{i:02d}.txt").write_text("\n".join(b for b, _ in blocks) + "\n", encoding="utf-8")
        ids = [pid for _, pid in blocks if pid]
        total += len(ids)
        if args.progress:
            left = [pid for pid in ids if pid not in done3]
            print(f"tw3_{i:02d}.txt: {len(ids)} to label, {len(left)} left" + (f" (first {left[0]})" if left else ""))
    print(f"{total} replies in {len(sheets)} sheets -> {out}")


if __name__ == "__main__":
    main()
