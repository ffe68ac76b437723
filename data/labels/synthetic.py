"""Written training posts: new posts in the annotators' own words, modelled on training-split situations.

    python3 data/labels/synthetic.py sheets [--out /tmp/labelwork_synth] [--per-sheet 200] [--sheets 4]
                                            [--batch r2 --customer-sheets N]   # a later batch
    python3 data/labels/synthetic.py collect [--batch r2] TYPED.jsonl...   # check and add to synthetic/[r2/]*.jsonl
    python3 data/labels/synthetic.py stats [--batch r2]

The real labelled posts are all the real posts there are here, and a blind second labelling
(agreement.py) agrees with them far more than the models do, so the models are short of examples,
not of consistent labels. `sheets` prints seeded, class-balanced samples of **training-split** rows
(never a test-split row: the sheets are built from rows whose split is `train`, checked) with the
post they answer. For each, a writer adds two posts of their own: `same`, a new post in their own
words about a similar situation (another brand, product and details) with the same label, and
`contrast`, a small edit of that new post that changes its label (e.g. the steps replaced by "DM us"
turn a `solution` into a `redirect`), so the boundary between two labels is drawn by a pair that
differs in little else. The texts are the writers' own (no more than a few words of the source in a
row), so they are committed under synthetic/ with the project's licence; `src` names the training
post each pair was modelled on, so training code keeps a pair on its source's side of any
validation split. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUILD, DATA, HERE, load_all  # noqa: E402

LABELS = {
    "customer": ("question", "problem", "feedback", "praise", "other"),
    "brand": ("solution", "redirect", "clarify", "acknowledge", "other"),
}
FILES = {"customer": ("customer_intent.csv", "intent"), "brand": ("brand_reply_kind.csv", "reply_kind")}
OUT = HERE / "synthetic"
SEED = 26


def train_rows(role: str) -> list[dict]:
    """The training-split rows of one label file (id, source, text, label)."""
    name, field = FILES[role]
    with open(BUILD / name, newline="", encoding="utf-8") as fh:
        rows = [dict(r, label=r[field]) for r in csv.DictReader(fh)]
    return [r for r in rows if r["split"] == "train"]


def balanced_sample(rows: list[dict], n: int, seed: int) -> list[dict]:
    """n rows drawn without replacement with weight 1/sqrt(class size): rarer labels more often."""
    rng = random.Random(seed)
    size = Counter(r["label"] for r in rows)
    pool = sorted(rows, key=lambda r: r["id"])
    keyed = sorted(pool, key=lambda r: rng.random() ** (size[r["label"]] ** 0.5), reverse=True)  # Efraimidis-Spirakis
    return keyed[:n]


def cmd_sheets(args: argparse.Namespace) -> None:
    """Write the writing sheets: training rows with the post they answer."""
    posts, _ = load_all(with_complaints=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for role in ("customer", "brand"):
        rows = train_rows(role)
        assert all(r["split"] == "train" for r in rows)
        if args.batch:   # a later batch: only training posts no earlier batch was modelled on
            covered = {d["src"] for d in load_written(role)}
            rows = [r for r in rows if r["id"] not in covered]
        n = args.per_sheet * (args.sheets if role == "brand" or not args.customer_sheets else args.customer_sheets)
        picked = balanced_sample(rows, n, SEED + (2 if args.batch else 0))
        sheets = len(picked) and (n + args.per_sheet - 1) // args.per_sheet
        for s in range(sheets):
            part = picked[s::sheets]
            lines = []
            for r in part:
                p = posts.get((r["source"], r["id"]))
                parent = posts.get((r["source"], p.parent)) if p and p.parent else None
                lines.append(f"### src={r['id']}  label={r['label']}")
                if parent is not None:
                    lines.append(f"    (in reply to) {parent.text.replace(chr(10), ' ')}")
                lines.append(f"    {r['text'].replace(chr(10), ' ')}")
                lines.append("")
            path = out / f"{args.batch + '_' if args.batch else ''}{role}_{s}.txt"
            path.write_text("\n".join(lines), encoding="utf-8")
            print(f"{path}: {len(part)} {role} rows ({dict(Counter(r['label'] for r in part))})")


def load_written(role: str, batch: str = "") -> list[dict]:
    """The committed written posts of one role (batch "": the first batch, the one v7 trained on;
    "r2": the second, in synthetic/r2/, not trained on yet)."""
    path = (OUT / batch if batch else OUT) / f"{role}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cmd_collect(args: argparse.Namespace) -> None:
    """Check typed JSONL files of written posts and append the new ones to synthetic/<role>.jsonl."""
    train_ids = {role: {r["id"] for r in train_rows(role)} for role in LABELS}
    into = OUT / args.batch if args.batch else OUT
    into.mkdir(parents=True, exist_ok=True)
    for path in args.typed:
        errors, good = [], []
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"{where}: not JSON ({e.msg})")
                continue
            role, src, text, label, how = (d.get(k) for k in ("role", "src", "text", "label", "how"))
            if role not in LABELS:
                errors.append(f"{where}: role {role!r} is not customer or brand")
            elif str(src) not in train_ids[role]:
                errors.append(f"{where}: src {src!r} is not a training-split {role} post")
            elif label not in LABELS[role]:
                errors.append(f"{where}: label {label!r} is not one of {', '.join(LABELS[role])}")
            elif how not in ("same", "contrast"):
                errors.append(f"{where}: how {how!r} is not same or contrast")
            elif not isinstance(text, str) or len(text.strip()) < 3:
                errors.append(f"{where}: text is empty")
            else:
                good.append({"role": role, "src": str(src), "how": how, "label": label, "text": text.strip()})
        if errors:
            print("\n".join(errors[:20]), file=sys.stderr)
            print(f"{path}: {len(errors)} bad line(s); {len(good)} good ones kept", file=sys.stderr)
        for role in LABELS:
            have = {hashlib.sha1(d["text"].lower().encode()).hexdigest()
                    for batch in {"", args.batch} for d in load_written(role, batch)}
            new = []
            for d in good:
                key = hashlib.sha1(d["text"].lower().encode()).hexdigest()
                if d["role"] == role and key not in have:
                    have.add(key)
                    new.append(d)
            if new:
                with open(into / f"{role}.jsonl", "a", encoding="utf-8") as fh:
                    fh.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in new)
                print(f"{path}: {len(new)} new {role} posts -> {into.relative_to(HERE)}/{role}.jsonl")


def cmd_stats(args: argparse.Namespace) -> None:
    """Counts of the written posts by role, label and kind of pair member."""
    for role in LABELS:
        rows = load_written(role, args.batch)
        print(f"{role}: {len(rows)} written posts from {len({r['src'] for r in rows})} training posts")
        for how in ("same", "contrast"):
            c = Counter(r["label"] for r in rows if r["how"] == how)
            print(f"  {how:8s} " + "  ".join(f"{k} {c[k]}" for k in LABELS[role]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheets", help="write the writing sheets (training rows only)")
    s.add_argument("--out", default="/tmp/labelwork_synth")
    s.add_argument("--per-sheet", type=int, default=200)
    s.add_argument("--sheets", type=int, default=4)
    s.add_argument("--customer-sheets", type=int, default=0, help="customer sheets (default: --sheets)")
    s.add_argument("--batch", default="", help="a later batch (e.g. r2): only posts no earlier batch covered")
    s.set_defaults(func=cmd_sheets)
    c = sub.add_parser("collect", help="check written posts and add them to synthetic/")
    c.add_argument("typed", nargs="+")
    c.add_argument("--batch", default="", help="the batch folder under synthetic/ (default: the first batch)")
    c.set_defaults(func=cmd_collect)
    t = sub.add_parser("stats", help="count the written posts")
    t.add_argument("--batch", default="")
    t.set_defaults(func=cmd_stats)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
