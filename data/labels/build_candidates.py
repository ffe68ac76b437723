"""Extract candidate posts and threads to read and label by hand.

Writes plain-text reading sheets to a working folder (default /tmp/labelwork); the labels
themselves are typed into annotations/*.tsv by the annotator and merged by assemble.py.

Selection (deterministic, by sha1 of ids, so re-running gives the same sheets):
- twcs-head5k: complete threads (every response id present in the file) opened by a customer:
  200 with at most 12 per brand and a mix of thread lengths, then 87 more weighted towards the
  rarer outcomes (see below); every post of these threads is a candidate for customer_intent /
  brand_reply_kind, and each thread for conversation_outcome. Extra single posts from other
  threads (up to 6 per brand, shown with their parent) widen the brand mix; not all were read.
- twcs-sample: every tweet.
- ibm-cdp: 300 conversations; every client turn, agent turn and final agentURL utterance.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import IBM_DEV, TWCS_HEAD, TWCS_SAMPLE, load_ibm, load_twcs  # noqa: E402


def h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest()[:12], 16)


def fmt(p, indent="") -> str:
    text = p.text.replace("\n", " ⏎ ")
    return f"{indent}[{p.role[0].upper()}] {p.id} ({p.author}) {p.created_at}: {text}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/labelwork")
    ap.add_argument("--threads", type=int, default=200)
    ap.add_argument("--ibm", type=int, default=300)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    head, rejected = load_twcs(TWCS_HEAD, "twcs-head5k")
    for r in rejected:
        print("skipped", r, file=sys.stderr)
    threads: dict[str, list] = defaultdict(list)
    for p in head.values():
        threads[p.root].append(p)
    complete = {
        r: sorted(v, key=lambda p: (p.created_at_sort, int(p.id)))
        for r, v in threads.items()
        if head[r].role == "customer" and all(x in head for p in v for x in p.responses) and len(v) <= 16
    }
    # size buckets to get a spread of thread lengths
    quota = {2: 0.35, 3: 0.17, 4: 0.2, 5: 0.28}
    per_brand: dict[str, int] = defaultdict(int)
    chosen: list[str] = []
    taken = defaultdict(int)
    for r in sorted(complete, key=h):
        v = complete[r]
        bucket = min(len(v), 5)
        brand = next((p.author for p in v if p.role == "brand"), "")
        if per_brand[brand] >= 12 or taken[bucket] >= quota[bucket] * args.threads:
            continue
        per_brand[brand] += 1
        taken[bucket] += 1
        chosen.append(r)
        if len(chosen) >= args.threads:
            break
    # a second batch weighted towards the rarer outcomes: threads whose last post is a brand
    # question (likely `abandoned`) or a customer thanks/confirmation (likely `resolved`),
    # plus a few more of any kind; the heuristic only picks what to read, the label is by hand
    def last_is_brand_question(v):
        return v[-1].role == "brand" and v[-1].text.rstrip().endswith("?")

    def last_is_thanks(v):
        t = v[-1].text.lower() if v[-1].role == "customer" else ""
        return any(w in t for w in ("thank", "thx", "worked", "fixed", "sorted", "resolved", "great"))

    rest = [r for r in sorted(complete, key=h) if r not in set(chosen) and len(complete[r]) >= 2]
    more = [r for r in rest if last_is_brand_question(complete[r])][:25]
    more += [r for r in rest if last_is_thanks(complete[r]) and r not in more][:25]
    more += [r for r in rest if r not in more][:15]
    # a third, later batch for the rarest outcome (`abandoned`): threads whose last post is a
    # brand post with a question mark anywhere and no DM/private-message request
    dm = re.compile(r"\bDM\b|direct message|private message", re.I)

    def asks_in_thread(v):
        return v[-1].role == "brand" and "?" in v[-1].text and not dm.search(v[-1].text)

    more += [r for r in rest if asks_in_thread(complete[r]) and r not in more][:30]
    chosen = chosen + more
    chosen_set = set(chosen)
    for i in range(0, len(chosen), 20):
        with open(out / f"threads_{i // 20:02d}.txt", "w") as fh:
            for r in chosen[i : i + 20]:
                fh.write(f"### THREAD {r} brand={complete[r][0].brand} n={len(complete[r])}\n")
                for p in complete[r]:
                    fh.write(fmt(p, "  ") + ("  <- " + p.parent if p.parent else "") + "\n")
                fh.write("\n")

    # extra single posts from other head5k threads: a few per brand, with the parent as context
    extra_c: dict[str, list] = defaultdict(list)
    extra_b: dict[str, list] = defaultdict(list)
    for p in sorted(head.values(), key=lambda p: h(p.id)):
        if p.root in chosen_set:
            continue
        (extra_c if p.role == "customer" else extra_b)[p.brand].append(p)
    for name, pool, cap in (("extra_customer", extra_c, 6), ("extra_brand", extra_b, 6)):
        picked = [p for brand in sorted(pool) for p in pool[brand][:cap]]
        with open(out / f"{name}.txt", "w") as fh:
            for p in picked:
                if p.parent and p.parent in head:
                    fh.write(fmt(head[p.parent], "    ctx ") + "\n")
                fh.write(fmt(p) + f"  root={p.root}\n\n")

    sample, _ = load_twcs(TWCS_SAMPLE, "twcs-sample")
    with open(out / "sample.txt", "w") as fh:
        for p in sorted(sample.values(), key=lambda p: (p.root, int(p.id))):
            if p.parent and p.parent in sample:
                fh.write(fmt(sample[p.parent], "    ctx ") + "\n")
            fh.write(fmt(p) + f"  root={p.root}\n\n")

    ibm = load_ibm(IBM_DEV)
    convs: dict[str, list] = defaultdict(list)
    for p in ibm.values():
        convs[p.root].append(p)
    roots = sorted(convs, key=h)[: args.ibm]
    for i in range(0, len(roots), 30):
        with open(out / f"ibm_{i // 30:02d}.txt", "w") as fh:
            for r in roots[i : i + 30]:
                fh.write(f"### IBM {r} brand={convs[r][0].brand}\n")
                for p in convs[r]:
                    fh.write(fmt(p, "  ") + "\n")
                fh.write("\n")
    print(f"{len(chosen)} threads, {sum(len(complete[r]) for r in chosen)} posts; ibm {len(roots)} conversations")


if __name__ == "__main__":
    main()
