"""How far does a careful reader get on IBM CDP with the information the ranker has?

    python research/suggest/reader_study.py sheets [--out /tmp/cdp-reader]      # reading sheets, one per group of brands
    python research/suggest/reader_study.py ranker [--out /tmp/cdp-reader] [--semantic on|off]
    python research/suggest/reader_study.py score --answers research/suggest/reader/*.txt [--ranker F]

The setting (fixed, so the reader never sees a query's answer): the **tune part** (262 conversations,
seed 13 as in scripts/ibm_cdp.py) is the history, the **report part** (263) the queries. A sheet
holds, per brand, its resources (id and URL, archive.org prefix removed for reading), its past
cases (the turns before the link and the linking reply with its link replaced by the resource id),
and its queries (the turns before the link). The reader writes, per query, up to five resource ids,
best first. `ranker` runs `helpfirst suggest` on exactly the same three files, so both are scored on
the same information; `score` prints recall@1, recall@5 and MRR (within the five) for each.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import ibm_cdp  # noqa: E402

GROUPS = [
    ["RockstarSupport", "AdobeCare", "hulu_support"],
    ["Google", "AppleSupport", "zoom_us"],
    ["TeamYouTube", "MojangSupport", "AskPlayStation", "Delta"],
    ["AskeBay", "DropboxSupport", "YahooCare", "SpotifyCares", "Ask_WellsFargo", "TMobileHelp", "GoDaddyHelp",
     "AmazonHelp", "SouthwestAir", "ChaseSupport", "MicrosoftHelps", "XboxSupport", "Ask_Spectrum", "Uber_Support"],
]
_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/\d+[a-z_]*/", re.I)


def parts() -> tuple[list[dict], list[dict], dict[str, str], dict[str, list[str]]]:
    """(tune conversations, report conversations, doc id -> url, brand -> doc ids)."""
    convs, urls, companies = ibm_cdp.load(ibm_cdp.DATA)
    split = ibm_cdp.split(convs)
    return [c for f in split["tune"] for c in f], [c for f in split["report"] for c in f], urls, companies


def _plain(url: str) -> str:
    return _ARCHIVE.sub("", url)


def _turn_lines(conv: dict) -> list[str]:
    out = []
    for _tid, _author, role, _created, text in ibm_cdp._turns(conv):
        out.append(f"    {'customer' if role == 'customer' else 'agent   '}: {' '.join(text.split())}")
    return out


def cmd_sheets(args: argparse.Namespace) -> None:
    """Write one reading sheet per group of brands, and the key of query numbers."""
    tune, report, urls, companies = parts()
    cases, queries = defaultdict(list), defaultdict(list)
    for c in tune:
        cases[c["dialogHeader"]["company"]].append(c)
    for c in report:
        queries[c["dialogHeader"]["company"]].append(c)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for g, brands in enumerate(GROUPS):
        lines, key, num = [], [], 0
        for brand in brands:
            if not queries[brand]:
                continue
            ids = [i for i in companies.get(brand, []) if i in urls]
            linked = Counter(ibm_cdp.doc_id(c["agentURL"]["doc_id"]) for c in cases[brand])
            lines += [f"######## BRAND {brand}: {len(ids)} resources, {len(cases[brand])} past cases, {len(queries[brand])} queries", "",
                      "## Resources (id, URL; times the brand linked it in the past cases)"]
            lines += [f"  {i}  {_plain(urls[i])}" + (f"   [linked {linked[i]}x]" if linked[i] else "") for i in ids]
            lines += ["", "## Past cases (oldest first): the conversation, then the agent's reply that linked a resource"]
            for k, c in enumerate(sorted(cases[brand], key=lambda c: c["dialogHeader"]["conversationDateTime"]), 1):
                doc = ibm_cdp.doc_id(c["agentURL"]["doc_id"])
                reply = " ".join(c["agentURL"]["url_utterance"].replace(c["agentURL"]["url"], f"[resource {doc}]").split())
                lines += [f"  case {k} ({c['dialogHeader']['conversationDateTime'][:10]}) -> resource {doc}", *_turn_lines(c),
                          f"    LINKING REPLY: {reply}"]
            lines += ["", f"## Queries of {brand}: for each, up to 5 resource ids of {brand}, best first"]
            for c in sorted(queries[brand], key=lambda c: c["dialogHeader"]["conversationDateTime"]):
                num += 1
                key.append(c["dialogHeader"]["sessionID"])
                lines += [f"  QUERY {num} ({c['dialogHeader']['conversationDateTime'][:10]})", *_turn_lines(c)]
            lines.append("")
        (out / f"sheet_{g}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (out / f"sheet_{g}.key.json").write_text(json.dumps(key), encoding="utf-8")
        print(f"{out}/sheet_{g}.txt: {num} queries, brands {', '.join(b for b in brands if queries[b])}")


def cmd_ranker(args: argparse.Namespace) -> None:
    """helpfirst suggest on the same history and queries."""
    tune, report, urls, companies = parts()
    folder = Path(args.out) / f"ranker-{args.semantic}"
    ibm_cdp.write_set(folder, ibm_cdp.kb_lines(urls, companies), tune, report)
    lines = ibm_cdp.run_cli(folder, None, ["--semantic", args.semantic])
    (folder / "suggestions.jsonl").write_text("\n".join(lines) + "\n")
    print(json.dumps({"ranker": args.semantic, **ibm_cdp.score(folder / "gold.jsonl", lines)}))


def _gold() -> dict[str, str]:
    _tune, report, _urls, _companies = parts()
    return {c["dialogHeader"]["sessionID"]: ibm_cdp.doc_id(c["agentURL"]["doc_id"]) for c in report}


def _five(pairs: list[tuple[list, str]]) -> dict:
    n = len(pairs)
    r1 = sum(r[:1] == [g] for r, g in pairs) / n
    r5 = sum(g in r[:5] for r, g in pairs) / n
    mrr5 = sum(1 / (r[:5].index(g) + 1) for r, g in pairs if g in r[:5]) / n
    return {"n": n, "recall@1": round(r1, 4), "recall@5": round(r5, 4), "mrr@5": round(mrr5, 4)}


def cmd_score(args: argparse.Namespace) -> None:
    """Score the readers' answers and, on the same queries, the ranker's."""
    gold = _gold()
    reader: dict[str, list[str]] = {}
    for path in args.answers:
        sheet = Path(path).stem.split(".")[0]
        key = json.loads((Path(args.keys) / f"{sheet}.key.json").read_text())
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            parts_ = line.split()
            if not parts_ or parts_[0].startswith("#"):
                continue
            reader[key[int(parts_[0]) - 1]] = [ibm_cdp.doc_id(p) for p in parts_[1:6]]
    ids = sorted(reader)
    print(json.dumps({"reader": _five([(reader[i], gold[i]) for i in ids])}))
    if args.ranker:
        got = {d["id"]: [ibm_cdp.doc_id(s["resource_id"]) for s in d["suggestions"]]
               for d in map(json.loads, Path(args.ranker).read_text().splitlines()) if d}
        print(json.dumps({"ranker": _five([(got.get(i, []), gold[i]) for i in ids])}))
        both = Counter((reader[i][:1] == [gold[i]], got.get(i, [])[:1] == [gold[i]]) for i in ids)
        print(json.dumps({"first right (reader, ranker)": {f"{a},{b}": v for (a, b), v in sorted(both.items())}}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheets")
    s.add_argument("--out", default="/tmp/cdp-reader")
    s.set_defaults(func=cmd_sheets)
    r = sub.add_parser("ranker")
    r.add_argument("--out", default="/tmp/cdp-reader")
    r.add_argument("--semantic", default="on", choices=["on", "off"])
    r.set_defaults(func=cmd_ranker)
    c = sub.add_parser("score")
    c.add_argument("--answers", nargs="+", required=True)
    c.add_argument("--keys", default="/tmp/cdp-reader")
    c.add_argument("--ranker")
    c.set_defaults(func=cmd_score)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
