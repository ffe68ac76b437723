"""Reading sheets for round 2 of customer-post labelling (intent), in thread context.

    python3 data/labels/sheets_r2.py [--out /tmp/labelwork_r2] [--head 850] [--cap 40]
    python3 data/labels/sheets_r2.py --progress     # which sheets still have unlabelled posts
    python3 data/labels/sheets_r2.py --out /tmp/labelwork_r2_more --head 1000 --cap 50 --left   # a later batch

Only customer posts that no annotations/*.tsv file labels yet are candidates:
- twcs-head5k: whole threads (every not-yet-labelled customer post of a thread), taken in sha1
  order of the thread root, at most --cap candidate posts per brand, until --head posts;
- ibm-cdp: every client turn not labelled yet (the 225 dev conversations round 1 did not read).
Each thread is printed whole in time order; the posts to label are marked `>>`, posts labelled
in an earlier round `..`, other posts (brand replies, context) are indented. The split is not
shown: the annotator labels without knowing it. Labels go, typed by hand, into
annotations/head5k_posts_r2_customer.tsv and annotations/ibm_posts_r2_customer.tsv.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, TWCS_HEAD, load_ibm, load_twcs  # noqa: E402

R2_FILES = {"head": "head5k_posts_r2_customer.tsv", "ibm": "ibm_posts_r2_customer.tsv"}


def h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest()[:12], 16)


def labelled_ids(only: str | None = None) -> dict[str, str]:
    """Post id -> label from annotations/*posts*.tsv (or only from the named file)."""
    ids: dict[str, str] = {}
    for path in sorted((HERE / "annotations").glob("*posts*.tsv")):
        if only and path.name != only:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                pid, label = line.split("\t")[:2]
                ids[pid] = label
    return ids


def fmt(p, mark: str, earlier: str = "") -> str:
    text = p.text.replace("\n", " ⏎ ")
    note = f" (earlier: {earlier})" if earlier else ""
    return f"{mark} [{p.role[0].upper()}] {p.id} @{p.author} {p.created_at_sort}  <-{p.parent or '-'}{note}\n      {text}"


def write_sheets(
    out: Path, prefix: str, groups: list[tuple[str, str, list]], todo: set[str], earlier: dict[str, str], per_sheet: int
) -> list[Path]:
    """Write groups (title, brand, posts) into sheets of about per_sheet posts to label."""
    sheets: list[list[str]] = [[]]
    count = 0
    for title, brand, posts in groups:
        n = sum(p.id in todo for p in posts)
        if count and count + n > per_sheet:
            sheets.append([])
            count = 0
        lines = [f"### {title} brand={brand}"]
        for p in posts:
            mark = ">>" if p.id in todo else (".." if p.role == "customer" else "  ")
            lines.append(fmt(p, mark, earlier.get(p.id, "") if p.id not in todo else ""))
        sheets[-1].append("\n".join(lines) + "\n")
        count += n
    paths = []
    for i, body in enumerate(sheets):
        path = out / f"{prefix}_{i:02d}.txt"
        path.write_text("\n".join(body), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/labelwork_r2")
    ap.add_argument("--head", type=int, default=850, help="twcs-head5k posts to put on sheets")
    ap.add_argument("--cap", type=int, default=40, help="at most this many candidate posts per brand")
    ap.add_argument("--per-sheet", type=int, default=50)
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--left", action="store_true", help="write only threads with posts not yet labelled in round 2")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    done_before = labelled_ids()
    done_r2 = labelled_ids(R2_FILES["head"]) | labelled_ids(R2_FILES["ibm"])
    # round-1 labels (shown beside context posts, for consistency) and any other annotator's files
    earlier = {k: v for k, v in done_before.items() if k not in done_r2}

    head, rejected = load_twcs(TWCS_HEAD, "twcs-head5k")
    for r in rejected:
        print("skipped", r, file=sys.stderr)
    threads: dict[str, list] = defaultdict(list)
    for p in head.values():
        threads[p.root].append(p)
    per_brand: dict[str, int] = defaultdict(int)
    groups, todo_head = [], set()
    for root in sorted(threads, key=h):
        posts = sorted(threads[root], key=lambda p: (p.created_at_sort, int(p.id)))
        cand = [p.id for p in posts if p.role == "customer" and p.id not in earlier]
        brand = posts[0].brand
        if not cand or per_brand[brand] >= args.cap:
            continue
        per_brand[brand] += len(cand)
        todo_head.update(cand)
        groups.append((f"THREAD {root}", brand, posts))
        if len(todo_head) >= args.head:
            break
    if args.left:  # a later batch: only what is still to read, after raising --head/--cap
        groups = [g for g in groups if any(p.id in todo_head and p.id not in done_r2 for p in g[2])]
        todo_head = {i for i in todo_head if i not in done_r2}
    head_sheets = write_sheets(out, "head", groups, todo_head, earlier, args.per_sheet)

    ibm = load_ibm()
    convs: dict[str, list] = defaultdict(list)
    for p in ibm.values():
        convs[p.root].append(p)
    igroups, todo_ibm = [], set()
    for root in sorted(convs, key=h):
        cand = [p.id for p in convs[root] if p.role == "customer" and p.id not in earlier]
        if cand:
            todo_ibm.update(cand)
            igroups.append((f"IBM {root}", convs[root][0].brand, convs[root]))
    ibm_sheets = write_sheets(out, "ibm", igroups, todo_ibm, earlier, args.per_sheet)

    if args.progress:
        for path in head_sheets + ibm_sheets:
            ids = [line.split()[2] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(">>")]
            left = [i for i in ids if i not in done_r2]
            print(f"{path.name}: {len(ids)} to label, {len(left)} left" + (f" (first {left[0]})" if left else ""))
    print(
        f"head5k: {len(groups)} threads, {len(todo_head)} posts in {len(head_sheets)} sheets; "
        f"ibm: {len(igroups)} conversations, {len(todo_ibm)} posts in {len(ibm_sheets)} sheets -> {out}"
    )


if __name__ == "__main__":
    main()
