"""Inter-annotator agreement: a second, blind labelling of a sample of the test split.

    python3 data/labels/agreement.py sheets [--out /tmp/labelwork_agree] [--n 400] [--per-sheet 134]
    python3 data/labels/agreement.py apply SHEET TYPED      # typed '<number> <label>' lines -> annotations
    python3 data/labels/agreement.py progress
    python3 data/labels/agreement.py score [--pred-customer F --pred-brand F] [--json]
    python3 data/labels/agreement.py sheets --text-only [--out /tmp/labelwork_textonly]
    python3 data/labels/agreement.py score --text-only [--pred-customer F] [--json]

`sheets` draws a seeded random sample of the test-split rows of build/customer_intent.csv and
build/brand_reply_kind.csv (after assemble.py) and prints each sampled post in its whole thread,
marked `>> n`, with no label of any post in view (the earlier rounds showed the labels of context
posts; here the second annotator sees none, so the two labels are independent). `apply` checks a
sheet's typed labels and writes them to annotations/agreement_{customer,brand}.tsv. `score` compares
the second labels with the first (the labels the test split is scored on): Cohen's kappa, accuracy,
and the issue's own metrics (intent and reply_kind macro-F1, needs_help F1) computed with the first
labels as the reference, which is what a model's score on the same rows means; given `helpfirst
classify` output for the same rows it also scores the model on them, against each annotator and on the
rows where both agree. Standard library only.

`--text-only` is the same study for the customer posts with the thread taken away: each sampled post
is printed alone, as `helpfirst classify` sees it, and the labels go to
annotations/agreement_text_only_customer.tsv. Scored against the first labels (read in the thread), it
says how far a careful reader gets from the post's own text: the ceiling of any single-post model.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUILD, HERE, load_all  # noqa: E402

INTENTS = ("question", "problem", "feedback", "praise", "other")
KINDS = ("solution", "redirect", "clarify", "acknowledge", "other")
CODES = {
    "customer": {"q": "question", "p": "problem", "f": "feedback", "pr": "praise", "o": "other"},
    "brand": {"s": "solution", "r": "redirect", "c": "clarify", "a": "acknowledge", "o": "other"},
}
FILES = {"customer": ("customer_intent.csv", "intent"), "brand": ("brand_reply_kind.csv", "reply_kind")}
SALT = "agreement-2026-11-26"


def annotation_path(role: str, text_only: bool = False) -> Path:
    """The committed second-annotator labels of one role (or of the text-only reading)."""
    return HERE / "annotations" / (f"agreement_text_only_{role}.tsv" if text_only else f"agreement_{role}.tsv")


def first_labels(role: str) -> dict[str, tuple[str, str, str]]:
    """Test-split rows of one label file: id -> (source, text, first label)."""
    name, field = FILES[role]
    with open(BUILD / name, newline="", encoding="utf-8") as fh:
        return {r["id"]: (r["source"], r["text"], r[field]) for r in csv.DictReader(fh) if r["split"] == "test"}


def sample(role: str, n: int) -> list[str]:
    """A seeded random sample of n test-split ids (order fixed by a salted sha1 of the id)."""
    ids = sorted(first_labels(role), key=lambda i: hashlib.sha1(f"{SALT}:{role}:{i}".encode()).hexdigest())
    return ids[:n]


def _line(p, prefix: str) -> str:
    text = p.text.replace("\n", " ⏎ ")
    who = "BRAND" if p.role == "brand" else "customer"
    return f"{prefix}[{who}] @{p.author or '?'} {p.created_at_sort}\n        {text}"


def build_sheets(n: int, per_sheet: int) -> dict[str, list[list[tuple[str, str]]]]:
    """role -> sheets, each a list of (text block, sampled post id or '')."""
    posts, _ = load_all(with_complaints=True)
    threads: dict[tuple[str, str], list] = defaultdict(list)
    for p in posts.values():
        threads[(p.source, p.root)].append(p)
    out: dict[str, list[list[tuple[str, str]]]] = {}
    for role in ("customer", "brand"):
        rows = first_labels(role)
        sheets: list[list[tuple[str, str]]] = []
        for k, pid in enumerate(sample(role, n)):
            if k % per_sheet == 0:
                sheets.append([])
            source = rows[pid][0]
            post = posts[(source, pid)]
            thread = threads[(source, post.root)]
            if source != "ibm-cdp":  # IBM turns are in conversation order already; its final link has no time
                thread = sorted(thread, key=lambda p: (p.created_at_sort, int(p.id)))
            if len(thread) > 40:  # the one long campaign thread: the post and its neighbours
                at = thread.index(post)
                thread = thread[max(0, at - 6): at + 6]
            num = k % per_sheet + 1
            sheets[-1].append((f"### {num}  (source {source}; {len(thread)} post(s) shown)", ""))
            for p in thread:
                sheets[-1].append((_line(p, f">> {num:3d} " if p.id == pid else "        "), pid if p.id == pid else ""))
            sheets[-1].append(("", ""))
        out[role] = sheets
    return out


def build_text_only_sheets(n: int, per_sheet: int) -> list[list[tuple[str, str]]]:
    """The sampled customer posts alone, no thread and no label: sheets of (text block, post id or '')."""
    rows = first_labels("customer")
    sheets: list[list[tuple[str, str]]] = []
    for k, pid in enumerate(sample("customer", n)):
        if k % per_sheet == 0:
            sheets.append([])
        num = k % per_sheet + 1
        text = rows[pid][1].replace("\n", " ⏎ ")
        sheets[-1].append((f">> {num:3d}  {text}", pid))
        sheets[-1].append(("", ""))
    return sheets


def _read_tsv(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        return dict(line.rstrip("\n").split("\t")[:2] for line in fh if line.strip() and not line.startswith("#"))


def cmd_sheets(args: argparse.Namespace) -> None:
    """Write the reading sheets and a key of number -> post id per sheet."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.text_only:
        by_role = {"customer": build_text_only_sheets(args.n, args.per_sheet)}
    else:
        by_role = build_sheets(args.n, args.per_sheet)
    for role, sheets in by_role.items():
        for i, blocks in enumerate(sheets):
            stem = f"{role}_{i}"
            (out / f"{stem}.txt").write_text("\n".join(b for b, _ in blocks) + "\n", encoding="utf-8")
            key = [pid for _, pid in blocks if pid]
            meta = {"role": role, "ids": key, "text_only": args.text_only}
            (out / f"{stem}.key.json").write_text(json.dumps(meta), encoding="utf-8")
            print(f"{out / stem}.txt: {len(key)} {role} posts")


def cmd_apply(args: argparse.Namespace) -> None:
    """Check a typed label file against its sheet's key and add its labels to the annotations."""
    key = json.loads(Path(args.sheet).with_suffix(".key.json").read_text(encoding="utf-8"))
    role, ids = key["role"], key["ids"]
    codes = CODES[role]
    names = set(codes.values())
    got: dict[int, str] = {}
    errors = []
    for lineno, line in enumerate(Path(args.typed).read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if len(parts) != 2 or not parts[0].isdigit():
            errors.append(f"{args.typed}:{lineno}: expected '<number> <label>', got {line!r}")
            continue
        num, label = int(parts[0]), codes.get(parts[1].lower(), parts[1].lower())
        if label not in names:
            errors.append(f"{args.typed}:{lineno}: unknown label {parts[1]!r} (one of {', '.join(sorted(names))})")
        elif not 1 <= num <= len(ids):
            errors.append(f"{args.typed}:{lineno}: number {num} is not on the sheet (1-{len(ids)})")
        elif num in got and got[num] != label:
            errors.append(f"{args.typed}:{lineno}: number {num} labelled twice ({got[num]}, {label})")
        else:
            got[num] = label
    missing = [n for n in range(1, len(ids) + 1) if n not in got]
    if missing:
        errors.append(f"{args.typed}: no label for number(s) {', '.join(map(str, missing))}")
    if errors:
        sys.exit("\n".join(errors))
    path = annotation_path(role, key.get("text_only", False))
    have = _read_tsv(path)
    with open(path, "a", encoding="utf-8") as fh:
        for num in sorted(got):
            if ids[num - 1] not in have:
                fh.write(f"{ids[num - 1]}\t{got[num]}\n")
    print(f"{len(got)} labels from {args.typed} -> {path.name}")


def cmd_progress(_: argparse.Namespace) -> None:
    """How many sampled posts have a second label."""
    for role in ("customer", "brand"):
        print(f"{role}: {len(_read_tsv(annotation_path(role)))} second labels")
    print(f"customer, text only: {len(_read_tsv(annotation_path('customer', True)))} labels")


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two label lists."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def f1(ref: list[bool], hyp: list[bool]) -> float:
    """Binary F1 of hyp against ref."""
    tp = sum(r and h for r, h in zip(ref, hyp))
    fp = sum(h and not r for r, h in zip(ref, hyp))
    fn = sum(r and not h for r, h in zip(ref, hyp))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(ref: list[str], hyp: list[str], labels: tuple[str, ...]) -> float:
    """Macro-F1 over the labels present in ref or hyp (as sklearn's f1_score(average='macro'))."""
    present = [k for k in labels if k in ref or k in hyp]
    return sum(f1([r == k for r in ref], [h == k for h in hyp]) for k in present) / len(present)


def metrics(role: str, ref: list[str], hyp: list[str]) -> dict[str, float]:
    """The issue's metrics of hyp against ref, plus accuracy and kappa."""
    labels = INTENTS if role == "customer" else KINDS
    out = {
        "n": len(ref),
        "accuracy": round(sum(r == h for r, h in zip(ref, hyp)) / len(ref), 4),
        "kappa": round(cohen_kappa(ref, hyp), 4),
        ("intent_macro_f1" if role == "customer" else "reply_kind_macro_f1"): round(macro_f1(ref, hyp, labels), 4),
    }
    if role == "customer":
        need = ("question", "problem")
        out["needs_help_f1"] = round(f1([r in need for r in ref], [h in need for h in hyp]), 4)
        out["needs_help_kappa"] = round(cohen_kappa([r in need for r in ref], [h in need for h in hyp]), 4)
    return out


def _predictions(path: str | None, role: str) -> dict[str, str]:
    if not path:
        return {}
    field = "intent" if role == "customer" else "reply_kind"
    with open(path, encoding="utf-8") as fh:
        return {str(d["id"]): d[field] for d in map(json.loads, fh) if d.get(field)}


def cmd_score(args: argparse.Namespace) -> None:
    """Agreement of the second labels with the first, and a model's score on the same rows."""
    result: dict[str, dict] = {}
    for role in ("customer",) if args.text_only else ("customer", "brand"):
        rows = first_labels(role)
        second = _read_tsv(annotation_path(role, args.text_only))
        ids = [i for i in sample(role, len(rows)) if i in second and second[i] != "skip"]
        if not ids:
            continue
        first = [rows[i][2] for i in ids]
        two = [second[i] for i in ids]
        part: dict[str, dict] = {"second_vs_first": metrics(role, first, two)}
        part["confusion"] = {f"{a}->{b}": c for (a, b), c in sorted(Counter(zip(first, two)).items()) if a != b}
        by_source: dict[str, list[int]] = defaultdict(list)
        for k, i in enumerate(ids):
            by_source[rows[i][0]].append(k)
        part["by_source"] = {s: metrics(role, [first[k] for k in ks], [two[k] for k in ks]) for s, ks in sorted(by_source.items())}
        pred = _predictions(getattr(args, f"pred_{role}", None), role)
        if pred:
            missing = [i for i in ids if i not in pred]
            if missing:
                sys.exit(f"{role}: {len(missing)} sampled ids have no prediction (first {missing[0]})")
            model = [pred[i] for i in ids]
            agreed = [k for k in range(len(ids)) if first[k] == two[k]]
            part["model_vs_first"] = metrics(role, first, model)
            part["model_vs_second"] = metrics(role, two, model)
            part["model_on_agreed_rows"] = metrics(role, [first[k] for k in agreed], [model[k] for k in agreed])
        result[role] = part
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for role, part in result.items():
        for name, m in part.items():
            if name in ("confusion", "by_source"):
                continue
            print(f"{role:8s} {name:22s} " + "  ".join(f"{k} {v}" for k, v in m.items()))
        for source, m in part["by_source"].items():
            print(f"{role:8s}   {source:20s} " + "  ".join(f"{k} {v}" for k, v in m.items()))
        print(f"{role:8s} disagreements (first->second): " + ", ".join(f"{k} {v}" for k, v in part["confusion"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheets", help="write the blind reading sheets")
    s.add_argument("--out", default="/tmp/labelwork_agree")
    s.add_argument("--n", type=int, default=400, help="sampled test rows per role")
    s.add_argument("--per-sheet", type=int, default=134)
    s.add_argument("--text-only", action="store_true", help="customer posts alone, without their thread")
    s.set_defaults(func=cmd_sheets)
    a = sub.add_parser("apply", help="add a typed label file's labels to the annotations")
    a.add_argument("sheet")
    a.add_argument("typed")
    a.set_defaults(func=cmd_apply)
    sub.add_parser("progress", help="count the second labels").set_defaults(func=cmd_progress)
    c = sub.add_parser("score", help="agreement, and a model's score on the sampled rows")
    c.add_argument("--pred-customer", help="helpfirst classify output for the sampled customer posts")
    c.add_argument("--pred-brand", help="helpfirst classify output for the sampled brand replies")
    c.add_argument("--json", action="store_true")
    c.add_argument("--text-only", action="store_true", help="score the text-only reading instead")
    c.set_defaults(func=cmd_score)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
