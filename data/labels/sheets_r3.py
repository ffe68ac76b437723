"""Reading sheets for round 3 of customer-post labelling (intent), and filing the typed labels.

    python3 data/labels/sheets_r3.py sheets [--out /tmp/labelwork_r3] [--thread-cap 30]
    python3 data/labels/sheets_r3.py apply /tmp/labelwork_r3/head_00.txt /tmp/labelwork_r3/head_00.lab
    python3 data/labels/sheets_r3.py progress

Candidates are the customer posts no annotations/*.tsv file labels yet:
- twcs-head5k: every such post, in whole threads (sha1 order of the root), except that a thread
  with more than --thread-cap candidates (the one marksandspencer campaign thread) gives only the
  --thread-cap posts with the lowest sha1 of the tweet id; such a thread is shown as the selected
  posts with their ancestors and the replies to them, not whole.
- complaints: every tweet of ../shared/data/complaints/train.csv, text only (common.load_complaints
  does not read the corpus's `complaint` label or `domain`), in sha1 order of the tweet id.
Each post to label is marked `>>` and numbered within its sheet; the split is never shown.
The annotator types one `<number> <code>` line per post into a .lab file
(q question, p problem, f feedback, g praise, o other, x skip); `apply` checks that every numbered
post of the sheet has exactly one label and appends `id<TAB>label` lines to the round-3 file.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, TWCS_HEAD, load_complaints, load_twcs  # noqa: E402
from sheets_r2 import h, labelled_ids  # noqa: E402

R3_FILES = {"head": "head5k_posts_r3_customer.tsv", "complaints": "complaints_posts_r3_customer.tsv"}
CODES = {"q": "question", "p": "problem", "f": "feedback", "g": "praise", "o": "other", "x": "skip"}
ITEM = re.compile(r"^>> +(\d+) \[C\] (\d+)")


def line(p, mark: str, earlier: str = "") -> str:
    text = p.text.replace("\n", " ⏎ ")
    note = f" (earlier: {earlier})" if earlier else ""
    return f"{mark}[{p.role[0].upper()}] {p.id} @{p.author}{note}: {text}"


def head_groups(thread_cap: int, done: dict[str, str]) -> list[tuple[str, list, set[str]]]:
    """(title, posts to show, ids to label) per twcs-head5k thread with unlabelled customer posts."""
    head, _ = load_twcs(TWCS_HEAD, "twcs-head5k")
    threads: dict[str, list] = defaultdict(list)
    for p in head.values():
        threads[p.root].append(p)
    groups = []
    for root in sorted(threads, key=h):
        posts = sorted(threads[root], key=lambda p: (p.created_at_sort, int(p.id)))
        cand = [p.id for p in posts if p.role == "customer" and p.id not in done]
        if not cand:
            continue
        title = f"THREAD {root} brand={posts[0].brand}"
        if len(cand) > thread_cap:
            chosen = set(sorted(cand, key=h)[:thread_cap])
            keep = set(chosen)
            for pid in chosen:  # ancestors for context, and the replies each chosen post got
                cur = head[pid]
                while cur.parent in head:
                    keep.add(cur.parent)
                    cur = head[cur.parent]
                keep.update(r for r in head[pid].responses if r in head)
            posts = [p for p in posts if p.id in keep]
            title += f" (campaign thread: {thread_cap} of its {len(cand)} unlabelled customer posts, by sha1 of the id)"
            cand = sorted(chosen)
        groups.append((title, posts, set(cand)))
    return groups


def write(out: Path, prefix: str, groups: list[tuple[str, list, set[str]]], done: dict[str, str], per_sheet: int) -> int:
    """Write numbered sheets of about per_sheet posts to label; return the number of sheets."""
    sheets: list[list[str]] = [[]]
    n = 0
    for title, posts, todo in groups:
        if n and n + len(todo) > per_sheet:
            sheets.append([])
            n = 0
        lines = [f"### {title}"] if title else []
        for p in posts:
            if p.id in todo:
                n += 1
                lines.append(line(p, f">> {n:3d} "))
            else:
                lines.append(line(p, "   .. " if p.role == "customer" else "      ", done.get(p.id, "")))
        sheets[-1].append("\n".join(lines))
    for i, body in enumerate(sheets):
        (out / f"{prefix}_{i:02d}.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")
    return len(sheets)


def sheet_items(sheet: Path) -> dict[int, str]:
    """Item number -> post id of a sheet."""
    items = {}
    for ln in sheet.read_text(encoding="utf-8").splitlines():
        m = ITEM.match(ln)
        if m:
            items[int(m.group(1))] = m.group(2)
    return items


def apply(sheet: Path, labfile: Path) -> None:
    """Append the labels typed for one sheet to its round-3 annotation file, after checks."""
    items = sheet_items(sheet)
    got: dict[int, str] = {}
    for k, ln in enumerate(labfile.read_text(encoding="utf-8").splitlines(), 1):
        ln = ln.split("#")[0].strip()
        if not ln:
            continue
        num, code = ln.split()
        if int(num) not in items or code not in CODES or int(num) in got:
            sys.exit(f"{labfile}:{k}: bad line {ln!r}")
        got[int(num)] = CODES[code]
    if set(got) != set(items):
        sys.exit(f"{labfile}: unlabelled items {sorted(set(items) - set(got))}")
    target = HERE / "annotations" / R3_FILES["head" if sheet.name.startswith("head") else "complaints"]
    already = labelled_ids()
    dup = [items[i] for i in sorted(items) if items[i] in already]
    if dup:
        sys.exit(f"{sheet.name}: {len(dup)} posts already labelled (first {dup[0]}); nothing written")
    if not target.exists():
        target.write_text(
            "# round 3, customer posts (intent), labelled by hand from sheets_r3.py reading sheets; see GUIDE.md\n",
            encoding="utf-8",
        )
    with open(target, "a", encoding="utf-8") as fh:
        for i in sorted(items):
            fh.write(f"{items[i]}\t{got[i]}\n")
    print(f"{sheet.name}: {len(items)} labels -> {target.name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["sheets", "apply", "progress"])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--out", default="/tmp/labelwork_r3")
    ap.add_argument("--thread-cap", type=int, default=30)
    ap.add_argument("--per-sheet", type=int, default=100)
    args = ap.parse_args()
    out = Path(args.out)
    if args.cmd == "apply":
        apply(Path(args.files[0]), Path(args.files[1]))
        return
    r3 = labelled_ids(R3_FILES["head"]) | labelled_ids(R3_FILES["complaints"])
    if args.cmd == "progress":
        for sheet in sorted(out.glob("*.txt")):
            ids = sheet_items(sheet).values()
            print(f"{sheet.name}: {len(ids)} posts, {sum(i not in r3 for i in ids)} left")
        return
    out.mkdir(parents=True, exist_ok=True)
    # the selection ignores round-3 labels, so the sheets stay the same while the round-3 files grow
    done = {k: v for k, v in labelled_ids().items() if k not in r3}
    groups = head_groups(args.thread_cap, done)
    nh = write(out, "head", groups, done, args.per_sheet)
    complaints, rejected = load_complaints()
    for r in rejected:
        print("skipped", r, file=sys.stderr)
    cgroups = [("", [p], {p.id}) for p in sorted(complaints.values(), key=lambda p: h(p.id))]
    nc = write(out, "complaints", cgroups, done, args.per_sheet * 3 // 2)
    print(
        f"head5k: {len(groups)} threads, {sum(len(g[2]) for g in groups)} posts in {nh} sheets; "
        f"complaints: {len(cgroups)} tweets in {nc} sheets -> {out}"
    )


if __name__ == "__main__":
    main()
