#!/usr/bin/env python3
"""IBM CDP (conversational document prediction) -> the three files `helpfirst suggest` reads, plus scoring.

    ibm_cdp.py convert --out DIR [--data ../shared/data/ibm-cdp] [--part tune|report | --only tune|report] [--seed 13]
    ibm_cdp.py score   --gold DIR/gold.jsonl --output suggestions.jsonl
    ibm_cdp.py report  --out DIR [--data ...] [--part tune|report] [--seed 13] [--weights W.json] [--semantic auto|on|off]
                       (helpfirst suggest on each fold of a part, the report part by default, and the scores)

The weights are tuned by scripts/ibm_cdp_tune.py (on the tune part only), not by this script.

Files written by `convert` (the shape of the independent held-out set):
  kb.jsonl       one line per (brand, doc id): {id, brand, kind: article, url, title: "", body: ""}
  history.jsonl  canonical posts of the history conversations, ending with the agent's linking reply
  queries.jsonl  {id, brand, posts: [{role, text, created_at}]} of the query conversations (the turns before the link)
  gold.jsonl     {id, doc_id, url} the answer for each query

Splits are by conversation, seeded: a `tune` part (weights are tuned on it, only) and a `report`
part (numbers are reported on it, only), each cut into folds; a query fold's history is every other
conversation allowed to the run (tune runs never see report conversations).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ibm-cdp"


def load(data: Path) -> tuple[list[dict], dict[str, str], dict[str, list[str]]]:
    convs = json.loads((data / "dev.json").read_text())
    urls = dict(line.rstrip("\n").split("\t", 1) for line in (data / "docID_url.tsv").open() if line.strip())
    companies = {}
    for line in (data / "company_docIDs.tsv").open():
        if line.strip():
            brand, ids = line.rstrip("\n").split("\t")
            companies[brand] = [i.strip() for i in ids.split(",") if i.strip()]
    return convs, urls, companies


def doc_id(raw: str) -> str:
    """dev.json writes some ids zero-padded ('0012'); docID_url.tsv does not."""
    return raw.lstrip("0") or "0"


def split(convs: list[dict], seed: int = 13, tune_share: float = 0.5, folds: int = 5) -> dict[str, list[list[dict]]]:
    """{'tune': [fold, ...], 'report': [fold, ...]} by conversation, seeded."""
    order = sorted(convs, key=lambda c: c["dialogHeader"]["sessionID"])
    random.Random(seed).shuffle(order)
    cut = int(round(len(order) * tune_share))
    parts = {"tune": order[:cut], "report": order[cut:]}
    return {name: [items[i::folds] for i in range(folds)] for name, items in parts.items()}


def kb_lines(urls: dict[str, str], companies: dict[str, list[str]]) -> list[dict]:
    return [{"id": i, "brand": brand, "kind": "article", "url": urls[i], "title": "", "body": ""}
            for brand, ids in companies.items() for i in ids if i in urls]


def _turns(conv: dict) -> list[tuple[str, str, str, str, str]]:
    """(tweet id, author, role, created_at, text) of the turns before the link."""
    out = []
    for t in conv["dialogContent"]:
        role = "customer" if "client" in t else "brand"
        # a few turns name no author: the customer is then "customer", an agent the brand
        author = t.get("client") or t.get("agent") or ("customer" if role == "customer" else conv["dialogHeader"]["company"])
        out.append((t["tweet_ID"], author, role, t["datetime"], t["message"]))
    return out


def history_posts(conv: dict) -> list[dict]:
    brand = conv["dialogHeader"]["company"]
    sid = conv["dialogHeader"]["sessionID"]
    posts, parent = [], None
    turns = _turns(conv)
    for tid, author, role, created, text in turns:
        posts.append({"id": tid, "channel": "twitter", "conversation_id": sid, "parent_id": parent, "author": author,
                      "author_role": role, "brand": brand, "created_at": created, "text": text})
        parent = tid
    last = datetime.fromisoformat(turns[-1][3].replace("Z", "+00:00")) if turns else datetime.fromisoformat(conv["dialogHeader"]["conversationDateTime"].replace("Z", "+00:00"))
    link = conv["agentURL"]
    # the linking reply carries no time of its own: one minute after the turn it answers
    posts.append({"id": link["tweet_ID"], "channel": "twitter", "conversation_id": sid, "parent_id": parent, "author": brand,
                  "author_role": "brand", "brand": brand, "created_at": (last + timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
                  "text": link["url_utterance"]})
    return posts


def query_line(conv: dict) -> dict:
    return {"id": conv["dialogHeader"]["sessionID"], "brand": conv["dialogHeader"]["company"],
            "posts": [{"role": role, "text": text, "created_at": created} for _tid, _a, role, created, text in _turns(conv)]}


def _write(path: Path, lines) -> None:
    """Write lines unless the file already holds exactly them (its modification time, hence a cached index's key, is kept)."""
    text = "".join(lines)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


def write_set(out: Path, kb: list[dict], history: list[dict], queries: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "kb.jsonl", (json.dumps(r) + "\n" for r in kb))
    _write(out / "history.jsonl", (json.dumps(p) + "\n" for conv in sorted(history, key=lambda c: c["dialogHeader"]["conversationDateTime"])
                                   for p in history_posts(conv)))
    _write(out / "queries.jsonl", (json.dumps(query_line(c)) + "\n" for c in queries))
    _write(out / "gold.jsonl", (json.dumps({"id": c["dialogHeader"]["sessionID"], "doc_id": doc_id(c["agentURL"]["doc_id"]),
                                            "url": c["agentURL"]["url"]}) + "\n" for c in queries))


def fold_sets(data: Path, part: str, seed: int) -> list[tuple[list[dict], list[dict]]]:
    """(history, queries) per fold of a part; report folds also learn from the whole tune part."""
    convs, _urls, _companies = load(data)
    parts = split(convs, seed)
    folds = parts[part]
    sets = []
    for f, queries in enumerate(folds):
        history = [c for g, fold in enumerate(folds) if g != f for c in fold]
        if part == "report":
            history += [c for fold in parts["tune"] for c in fold]
        sets.append((history, queries))
    return sets


def score(gold_path: Path, output_lines: list[str]) -> dict:
    gold = {g["id"]: g["doc_id"] for g in map(json.loads, gold_path.read_text().splitlines())}
    got = {}
    for line in output_lines:
        if line.strip():
            doc = json.loads(line)
            got[doc["id"]] = [doc_id(s["resource_id"]) for s in doc["suggestions"]]
    pairs = [(got.get(q, []), d) for q, d in gold.items()]
    return {**metrics(pairs), "ci95": bootstrap(pairs)}


def per_query(pairs: list[tuple[list, object]]) -> list[tuple[float, float, float]]:
    """(hit at 1, hit in 5, reciprocal rank within 10) per query."""
    out = []
    for ranked, g in pairs:
        rr = 1 / (ranked[:10].index(g) + 1) if g in ranked[:10] else 0.0
        out.append((float(ranked[:1] == [g]), float(g in ranked[:5]), rr))
    return out


def metrics(pairs: list[tuple[list, object]]) -> dict:
    n = len(pairs)
    r1, r5, mrr = (sum(v) / n for v in zip(*per_query(pairs)))
    return {"n": n, "recall@1": round(r1, 4), "recall@5": round(r5, 4), "mrr@10": round(mrr, 4)}


def bootstrap(pairs: list[tuple[list, object]], rounds: int = 2000, seed: int = 0) -> dict:
    """95% percentile intervals of each metric, resampling the queries with replacement (seeded)."""
    import numpy as np

    values = np.array(per_query(pairs))
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(rounds, len(values)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5], axis=0)
    return {name: [round(float(a), 3), round(float(b), 3)] for name, a, b in zip(("recall@1", "recall@5", "mrr@10"), lo, hi)}


def _cmd_convert(args) -> None:
    convs, urls, companies = load(args.data)
    if args.only:
        # one part as one archive (history = queries = its conversations): for `helpfirst eval suggest`
        part = [c for fold in split(convs, args.seed)[args.only] for c in fold]
        write_set(args.out, kb_lines(urls, companies), part, part)
        print(f"wrote the {len(part)} conversations of the {args.only} part to {args.out}")
    elif args.part:
        sets = fold_sets(args.data, args.part, args.seed)
        for f, (history, queries) in enumerate(sets):
            write_set(args.out / f"{args.part}-{f}", kb_lines(urls, companies), history, queries)
        print(f"wrote {len(sets)} folds of the {args.part} part to {args.out}")
    else:
        # everything: history = all conversations, queries = all (for backtests and smoke runs)
        write_set(args.out, kb_lines(urls, companies), convs, convs)
        print(f"wrote {len(convs)} conversations to {args.out}")


def _cmd_score(args) -> None:
    print(json.dumps(score(args.gold, args.output.read_text().splitlines())))


def run_cli(folder: Path, weights: Path | None, extra: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "helpfirst", "suggest", "--kb", str(folder / "kb.jsonl"), "--history", str(folder / "history.jsonl"),
           "--input", str(folder / "queries.jsonl"), "--k", "10", "--json", "--index", str(folder / "index")] + extra
    if weights:
        cmd += ["--weights", str(weights)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"helpfirst suggest failed: {proc.stderr.strip()}")
    return proc.stdout.splitlines()


def _cmd_report(args) -> None:
    convs, urls, companies = load(args.data)
    lines_all, gold_all = [], []
    for f, (history, queries) in enumerate(fold_sets(args.data, args.part, args.seed)):
        folder = args.out / f"{args.part}-{f}"
        write_set(folder, kb_lines(urls, companies), history, queries)
        t0 = time.perf_counter()
        lines = run_cli(folder, args.weights, ["--semantic", args.semantic])
        print(f"fold {f}: {len(queries)} queries, {time.perf_counter() - t0:.1f}s, {score(folder / 'gold.jsonl', lines)}", file=sys.stderr)
        lines_all += lines
        gold_all += (folder / "gold.jsonl").read_text().splitlines()
    (args.out / "gold-all.jsonl").write_text("\n".join(gold_all) + "\n")
    print(json.dumps({"part": args.part, **score(args.out / "gold-all.jsonl", lines_all)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="write kb/history/queries/gold files of the IBM CDP conversations")
    c.add_argument("--data", type=Path, default=DATA, help="the IBM CDP folder (dev.json, docID_url.tsv, company_docIDs.tsv)")
    c.add_argument("--out", type=Path, required=True)
    which = c.add_mutually_exclusive_group()
    which.add_argument("--part", choices=["tune", "report"], help="write the folds of one part (default: everything as one set)")
    which.add_argument("--only", choices=["tune", "report"], help="write one part's conversations as one set (for the backtest)")
    c.add_argument("--seed", type=int, default=13)
    s = sub.add_parser("score", help="recall@1, recall@5, MRR@10 of helpfirst suggest --json output against gold.jsonl")
    s.add_argument("--gold", type=Path, required=True)
    s.add_argument("--output", type=Path, required=True)
    r = sub.add_parser("report", help="run helpfirst suggest on each fold of a part and score it")
    r.add_argument("--data", type=Path, default=DATA, help="the IBM CDP folder")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--part", choices=["tune", "report"], default="report")
    r.add_argument("--seed", type=int, default=13)
    r.add_argument("--weights", type=Path)
    r.add_argument("--semantic", default="off", choices=["auto", "on", "off"], help="helpfirst suggest --semantic")
    args = ap.parse_args()
    {"convert": _cmd_convert, "score": _cmd_score, "report": _cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
