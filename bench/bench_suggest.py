"""Benchmark suggestions: 10,000 resources and 1,000,000 past replies, against plain peers in the same run.

    python bench/bench_suggest.py [--resources 10000] [--replies 1000000] [--queries 1000] [--semantic] [--seed 0]
                                  [--no-peer] [--results DIR]

1. Generates (in memory, seeded) resources for 100 brands (title, body, URL, tags from per-brand
   topic vocabularies) and 1M past brand replies, each with the customer's words before it: 30% link
   a resource (cases), 70% solved without a link (reusable answers).
2. helpfirst: resource index build rate (tokenise + bm25s, resources/s); the whole suggestion index
   (resources + 1M replies); save; load (memory-mapped) and time to the first answer; p50/p95/p99
   latency of `Suggester.suggest` (ranking, reasons and draft) over N queries, lexical-only and,
   with --semantic, with MiniLM (query embedded by the real model on every call; the vectors of the
   past replies that linked a resource and of the linking replies per resource (the ones semantic ranking reads) are random unit vectors of the real shape, since embedding 1M replies takes about an hour
   on 2 cores and their values do not change the cost of a query; resources are embedded for real).
3. Peers on the same data: rank_bm25 (BM25Okapi) building the resource index, and scikit-learn
   TF-IDF over resources + replies (fit, then cosine top-k within the brand by a row mask), the way a
   plain script would do it. Ratios are printed; results go to bench/results/suggest-<N>.json
   (--results DIR: to DIR instead), with the queries asked for and measured, the commit, date,
   load average and machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from helpfirst.knowledge.models import Resource  # noqa: E402
from helpfirst.knowledge.store import resource_text, resource_tokens  # noqa: E402
from helpfirst.knowledge.lexical import Bm25Index  # noqa: E402
from helpfirst.suggest.history import Answer, Case, Lessons  # noqa: E402
from helpfirst.suggest.index import SuggestIndex  # noqa: E402
from helpfirst.suggest.rank import Query, QueryTurn  # noqa: E402
from helpfirst.suggest.service import Suggester  # noqa: E402

GENERIC = ("account order payment login password refund delivery app update error crash screen device network "
           "subscription charge card email phone settings install download sync backup storage battery wifi "
           "connection screen video audio upload share privacy security profile cancel renew plan").split()
FILLER = "please help my the not working since yesterday again still cant get it to work any idea what to do".split()
BRANDS = 100
WARMUP = 20   # queries answered before timing, the way a running service has its caches warm


def synth(resources: int, replies: int, seed: int, queries: int = 2000) -> tuple[list[Resource], Lessons, list[Query]]:
    """Seeded resources, past replies and ``queries`` queries (the first ones the same for any count)."""
    rng = random.Random(seed)
    brands = [f"Brand{i:03d}" for i in range(BRANDS)]
    topics = {b: [f"{rng.choice(GENERIC)}{rng.randint(0, 999)}" for _ in range(60)] for b in brands}
    res: list[Resource] = []
    for i in range(resources):
        b = brands[i % len(brands)]
        words = rng.sample(topics[b], 4) + rng.sample(GENERIC, 3)
        title = " ".join(words[:5]).replace("0", "")
        body = " ".join(rng.choice(words + GENERIC) for _ in range(60))
        res.append(Resource(f"doc{i}", b, rng.choice(("article", "video", "faq", "board")), f"https://help.{b.lower()}.example/{'-'.join(words[:4])}",
                            title, body, rng.sample(words, 2)))
    by_brand: dict[str, list[Resource]] = {}
    for r in res:
        by_brand.setdefault(r.brand, []).append(r)
    lessons = Lessons()
    t0 = 1.6e9
    for i in range(replies):
        b = brands[min(int(rng.paretovariate(1.2)) - 1, 99)] if i % 3 else brands[i % 100]
        r = rng.choice(by_brand[b])
        words = r.title.split()
        customer = " ".join(rng.sample(words, min(3, len(words))) + rng.sample(FILLER, 6) + [rng.choice(GENERIC)])
        when = t0 + i * 30.0
        if i % 10 < 3:
            lessons.cases.append(Case(b, r.url, customer, "", when, 1.0, f"c{i}", "resolved",
                                      f"@user{i} this should help with {' '.join(words[:2])}: {r.url}"))
        else:
            lessons.answers.append(Answer(b, f"@user{i} try this: {' '.join(rng.sample(words, min(3, len(words))))} then restart",
                                          customer, when, 1.0, f"p{i}", f"https://x.example/status/{i}"))
    out_queries = []
    for i in range(queries):
        b = brands[min(int(rng.paretovariate(1.2)) - 1, 99)]
        r = rng.choice(by_brand[b])
        text = " ".join(rng.sample(r.title.split(), 2) + rng.sample(FILLER, 8) + [rng.choice(GENERIC)])
        out_queries.append(Query(f"q{i}", b, [QueryTurn("customer", f"@{b} {text}", None, f"cust{i}")], "x"))
    return res, lessons, out_queries


def percentiles(samples: list[float]) -> dict:
    a = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 2), "p95_ms": round(float(np.percentile(a, 95)), 2),
            "p99_ms": round(float(np.percentile(a, 99)), 2), "n": len(samples)}


def latency(suggester: Suggester, queries: list[Query], n: int) -> dict:
    for q in queries[:WARMUP]:
        suggester.suggest(q, 10)
    times = []
    for q in queries[WARMUP : WARMUP + n]:
        t = time.perf_counter()
        suggester.suggest(q, 10)
        times.append(time.perf_counter() - t)
    if len(times) != n:
        raise SystemExit(f"measured {len(times)} queries, {n} were asked for")
    return percentiles(times)


def speed_words(ours: float, peer: float) -> str:
    """'2.5x faster' or '1.3x slower': how helpfirst's time compares with the peer's."""
    if ours <= 0 or peer <= 0:
        return "not comparable (a time of 0)"
    if round(peer / ours, 1) == 1.0:
        return "as fast (x1.0)"
    return f"{peer / ours:.1f}x faster" if peer > ours else f"{ours / peer:.1f}x slower"


def peer_rank_bm25_build(resources: list[Resource]) -> float:
    from rank_bm25 import BM25Okapi

    t = time.perf_counter()
    BM25Okapi([resource_text(r).lower().split() for r in resources])
    return time.perf_counter() - t


def peer_tfidf(resources: list[Resource], lessons: Lessons, queries: list[Query], n: int) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [resource_text(r) for r in resources] + [a.context + " " + a.text for a in lessons.answers] + [c.customer_text for c in lessons.cases]
    brands = np.array([r.brand for r in resources] + [a.brand for a in lessons.answers] + [c.brand for c in lessons.cases])
    t = time.perf_counter()
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    matrix = vec.fit_transform(docs).tocsr()
    build = time.perf_counter() - t
    times = []
    for q in queries[WARMUP : WARMUP + n]:
        t = time.perf_counter()
        mask = brands == q.brand
        scores = (matrix @ vec.transform([q.posts[0].text]).T).toarray().ravel()
        scores[~mask] = 0
        top = np.argpartition(-scores, 10)[:10]
        top[np.argsort(-scores[top])]
        times.append(time.perf_counter() - t)
    return {"build_s": round(build, 2), **percentiles(times)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=10_000)
    ap.add_argument("--replies", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-peer", action="store_true", help="skip the TF-IDF peer (it needs a few GB for 1M replies)")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results",
                    help="folder the results JSON is written to (default bench/results)")
    args = ap.parse_args(argv)
    if args.resources < BRANDS:
        ap.error(f"--resources {args.resources}: at least {BRANDS} (one per brand)")
    if args.replies < 0:
        ap.error(f"--replies {args.replies}: expected 0 or more")
    if args.queries < 1:
        ap.error(f"--queries {args.queries}: expected 1 or more")
    out: dict = {"benchmark": "suggest", "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "resources": args.resources, "replies": args.replies, "seed": args.seed,
                 "queries_requested": args.queries, "warmup_queries": WARMUP}

    t = time.perf_counter()
    resources, lessons, queries = synth(args.resources, args.replies, args.seed, WARMUP + args.queries)
    out["generate_s"] = round(time.perf_counter() - t, 2)

    # resource index build rate: tokenising + bm25s, the work `kb add` and the index do per resource
    # best of 3 for both (a second each): other jobs on the machine move single runs a lot
    out["load_average_before"] = round(os.getloadavg()[0], 2)
    runs, peer_runs = [], []
    for _ in range(3):
        t = time.perf_counter()
        Bm25Index.build([resource_tokens(r) for r in resources])
        runs.append(time.perf_counter() - t)
        peer_runs.append(peer_rank_bm25_build(resources))
    res_build, peer_build = min(runs), min(peer_runs)
    out["resource_index"] = {"seconds": round(res_build, 3), "resources_per_s": round(len(resources) / res_build),
                             "runs_resources_per_s": [round(len(resources) / r) for r in runs],
                             "peer_rank_bm25_seconds": round(peer_build, 3), "peer_resources_per_s": round(len(resources) / peer_build)}

    t = time.perf_counter()
    index = SuggestIndex.build(resources, lessons)
    out["full_build_s"] = round(time.perf_counter() - t, 2)
    encoder = None
    if args.semantic:
        from helpfirst.suggest.index import _resource_sentence
        from helpfirst.suggest.semantic import DIM, Encoder

        encoder = Encoder()
        t = time.perf_counter()
        index.res_emb = encoder.encode([_resource_sentence(r) for r in sorted(resources, key=lambda r: (r.brand.lower(), r.id))])
        out["embed_resources_per_s"] = round(len(resources) / (time.perf_counter() - t))
        rng = np.random.default_rng(args.seed)

        def unit(n: int) -> np.ndarray:
            v = rng.standard_normal((n, DIM), dtype=np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

        index.case_emb = unit(len(index.case_res))
        index.desc_emb = unit(len(resources))

    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        folder = Path(tmp) / "index"
        t = time.perf_counter()
        index.save(folder)
        out["save_s"] = round(time.perf_counter() - t, 2)
        out["index_mb"] = round(sum(f.stat().st_size for f in folder.iterdir()) / 1e6, 1)
        del index
        t = time.perf_counter()
        loaded = SuggestIndex.load(folder)
        out["load_s"] = round(time.perf_counter() - t, 3)
        suggester = Suggester(loaded)
        suggester.suggest(queries[0], 10)
        out["load_to_first_answer_s"] = round(time.perf_counter() - t, 3)
        out["lexical"] = latency(suggester, queries, args.queries)
        out["queries_measured"] = out["lexical"]["n"]
        if encoder is not None:
            out["semantic"] = latency(Suggester(loaded, encoder=encoder), queries, args.queries)
        del suggester, loaded
    if not args.no_peer:
        out["peer_tfidf"] = peer_tfidf(resources, lessons, queries, args.queries)
        out["ratio_p95_peer_over_helpfirst"] = round(out["peer_tfidf"]["p95_ms"] / out["lexical"]["p95_ms"], 1)
    out["ratio_resource_build_peer_over_helpfirst"] = round(peer_build / res_build, 2)
    out["machine"] = {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                      "cpus": os.cpu_count(), "platform": platform.platform(),
                      "bm25s": metadata.version("bm25s")}
    out["load_average_after"] = round(os.getloadavg()[0], 2)
    try:
        import subprocess

        out["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        pass

    print(f"resources: {args.resources:,}  past replies: {args.replies:,}")
    ri = out["resource_index"]
    print(f"resource index build: {ri['resources_per_s']:,}/s (rank_bm25 peer {ri['peer_resources_per_s']:,}/s: "
          f"helpfirst is {speed_words(res_build, peer_build)})")
    print(f"full index build: {out['full_build_s']} s, save {out['save_s']} s, {out['index_mb']} MB, load {out['load_s']} s, first answer after {out['load_to_first_answer_s']} s")
    print(f"queries: {out['lexical']['n']:,} measured of {args.queries:,} asked for, after {WARMUP} warm-up queries")
    print(f"latency lexical: p50 {out['lexical']['p50_ms']} ms, p95 {out['lexical']['p95_ms']} ms, p99 {out['lexical']['p99_ms']} ms")
    if "semantic" in out:
        print(f"latency semantic: p50 {out['semantic']['p50_ms']} ms, p95 {out['semantic']['p95_ms']} ms, p99 {out['semantic']['p99_ms']} ms")
    if "peer_tfidf" in out:
        p = out["peer_tfidf"]
        print(f"peer TF-IDF (scikit-learn): build {p['build_s']} s, p95 {p['p95_ms']} ms -> helpfirst p95 is "
              f"{speed_words(out['lexical']['p95_ms'], p['p95_ms'])}")
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"suggest-{args.replies}{'-semantic' if args.semantic else ''}.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
