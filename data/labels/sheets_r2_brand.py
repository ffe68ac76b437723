"""Reading sheets for the second round of brand-reply labelling (reply_kind).

    python3 data/labels/sheets_r2_brand.py [--out /tmp/labelwork_r2b] [--per-sheet 50]

Lists the brand replies that round 1 did not label, each with the posts it answers, as plain
text sheets to read; the labels are typed by hand into annotations/*_r2_brand.tsv.

- twcs-head5k: every unlabelled `inbound=False` post, shown under up to four ancestor posts
  (oldest first) and followed by the direct replies to it. Brands are interleaved round-robin
  (order inside a brand by sha1 of the id), so every sheet mixes many brands and the early
  sheets cover the small brands.
- ibm-cdp: the conversations whose agent turns / final agentURL utterance are unlabelled, each
  printed whole; the replies to label are marked `>>` and numbered within the sheet.
Replies whose exact text was already labelled (assemble.py keeps a text once) are left out.
The selection depends only on round-1 annotations, so sheets stay the same while round-2 files
grow; replies already in a *_r2_brand.tsv file are marked `[done: label]`.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HERE, IBM_DEV, TWCS_HEAD, load_ibm, load_twcs  # noqa: E402

ROUND1 = {"twcs-head5k": ["head5k_posts.tsv"], "ibm-cdp": ["ibm_posts.tsv"]}
ROUND2 = {"twcs-head5k": "head5k_posts_r2_brand.tsv", "ibm-cdp": "ibm_posts_r2_brand.tsv"}


def h(s: str) -> int:
    """Stable sort key from the sha1 of an id."""
    return int(hashlib.sha1(s.encode()).hexdigest()[:12], 16)


def labels(fname: str) -> dict[str, str]:
    """id -> label from one annotation file ({} when it does not exist yet)."""
    path = HERE / "annotations" / fname
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pid, label, *_ = line.split("\t")
            out[pid] = label
    return out


def fmt(p, prefix: str = "  ") -> str:
    """One post on one line: prefix, role, id, author, text (newlines shown as ⏎)."""
    text = p.text.replace("\n", " ⏎ ")
    return f"{prefix}[{p.role[0].upper()}] {p.id} ({p.author}): {text}"


def mark(n: int, done: str | None) -> str:
    """Prefix of a reply to label: `>> <number in sheet>`, plus its round-2 label once given."""
    return f">> {n:2d} " + (f"[done: {done}] " if done else "")


def twcs_candidates(head: dict) -> list:
    """twcs-head5k brand replies round 1 left unlabelled, in sha1 order of the id, one per exact text."""
    done1 = {k: v for f in ROUND1["twcs-head5k"] for k, v in labels(f).items()}
    seen_text = {head[i].text for i in done1 if i in head and head[i].role == "brand"}
    out = []
    for p in sorted(head.values(), key=lambda p: h(p.id)):
        if p.role == "brand" and p.id not in done1 and p.text not in seen_text:
            seen_text.add(p.text)
            out.append(p)
    return out


def twcs_sheets(per_sheet: int) -> list[str]:
    """Sheets of unlabelled twcs-head5k brand replies, brands interleaved, with thread context."""
    head, _ = load_twcs(TWCS_HEAD, "twcs-head5k")
    done2 = labels(ROUND2["twcs-head5k"])
    by_brand: dict[str, list] = defaultdict(list)
    for p in twcs_candidates(head):
        by_brand[p.author].append(p)
    order = []
    queues = [by_brand[b] for b in sorted(by_brand)]
    while any(queues):
        for q in queues:
            if q:
                order.append(q.pop(0))
    sheets = []
    for i in range(0, len(order), per_sheet):
        out = []
        for n, p in enumerate(order[i : i + per_sheet], 1):
            chain, cur = [], p
            while cur.parent and cur.parent in head and len(chain) < 4:
                cur = head[cur.parent]
                chain.append(cur)
            out.extend(fmt(c, "    ") for c in reversed(chain))
            out.append(fmt(p, mark(n, done2.get(p.id))))
            out.extend(fmt(head[r], "      after ") for r in p.responses if r in head)
            out.append("")
        sheets.append("\n".join(out))
    return sheets


def ibm_sheets(per_sheet: int) -> list[str]:
    """Sheets of whole ibm-cdp conversations whose brand replies are unlabelled."""
    ibm = load_ibm(IBM_DEV)
    done1 = labels(ROUND1["ibm-cdp"][0])
    done2 = labels(ROUND2["ibm-cdp"])
    convs: dict[str, list] = defaultdict(list)
    for p in ibm.values():
        convs[p.root].append(p)
    seen_text = {ibm[i].text for i in done1 if i in ibm and ibm[i].role == "brand"}
    sheets, out, n = [], [], 0
    for root in sorted(convs, key=h):
        todo = [p for p in convs[root] if p.role == "brand" and p.id not in done1 and p.text not in seen_text]
        if not todo:
            continue
        seen_text.update(p.text for p in todo)
        ids = {p.id for p in todo}
        out.append(f"### IBM {root} brand={convs[root][0].brand}")
        for p in convs[root]:
            if p.id in ids:
                out.append(fmt(p, mark(n + 1, done2.get(p.id))))
                n += 1
            else:
                out.append(fmt(p, "    "))
        out.append("")
        if n >= per_sheet:
            sheets.append("\n".join(out))
            out, n = [], 0
    if out:
        sheets.append("\n".join(out))
    return sheets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/labelwork_r2b")
    ap.add_argument("--per-sheet", type=int, default=50)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for prefix, sheets in (("tw", twcs_sheets(args.per_sheet)), ("ibm", ibm_sheets(args.per_sheet))):
        for i, text in enumerate(sheets):
            (out / f"{prefix}_{i:02d}.txt").write_text(text + "\n", encoding="utf-8")
        print(f"{prefix}: {len(sheets)} sheets -> {out}")


if __name__ == "__main__":
    main()
