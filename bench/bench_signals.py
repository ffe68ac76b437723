"""Benchmark `helpfirst classify --model fast` against the usual notebook approach.

    python bench/bench_signals.py [--posts 500000] [--repeat 1] [--jobs 0] [--no-peer] [--results DIR]

1. Input: the real TWCS posts of ../shared/data (twcs-head5k and twcs-sample; role from the
   `inbound` flag) repeated to N posts with unique ids, as JSON Lines `{"id", "text", "role"}` in
   bench/data/signals-<N>.jsonl (gitignored; written once, read once before timing).
2. helpfirst: `python -m helpfirst classify FILE --out OUT --json` as its own process, end to end
   (start-up, model load, parsing, all seven signals, writing JSONL), with `--jobs` workers (default:
   one per core).
3. Peer, in the same run on the same file: pandas `read_json(lines=True)`, vaderSentiment's
   `polarity_scores` applied row by row, scikit-learn TfidfVectorizer (word 1-2 + char_wb 2-5,
   fitted on the labelled training texts before timing) and LogisticRegression `predict` /
   `predict_proba` for complaint, intent and needs_help on customer rows and reply_kind on brand
   rows, then `to_json(lines=True)`. It computes fewer signals (no language, no urgency). Timed
   in-process from reading the file to writing the output; fitting is not timed. One process, as
   in a notebook.
4. Prints posts/s for both and the ratio, and the CPU seconds each used (posts per CPU second is
   the figure that survives a shared machine); writes bench/results/signals-<N>.json (--results DIR:
   to DIR instead) with the commit, date, load average and machine. Run it under the
   CPU lock: `flock /tmp/helpfirst-cpu.lock nice -n 5 .venv/bin/python bench/bench_signals.py`.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared" / "data"
LABELS = ROOT / "data" / "labels" / "build"


def make_input(posts: int, path: Path) -> Path:
    """The real TWCS posts repeated to ``posts`` lines (cached)."""
    if path.is_file() and path.stat().st_size > 0:
        return path
    base = []
    for f in (SHARED / "twcs-head5k" / "twcs-head5k.csv", SHARED / "twcs-sample" / "sample.csv"):
        with f.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r.get("text") and r.get("inbound") in ("True", "False"):
                    base.append((r["text"], "customer" if r["inbound"] == "True" else "brand"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(posts):
            text, role = base[i % len(base)]
            out.write(json.dumps({"id": str(i), "text": text, "role": role}, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def run_helpfirst(src: Path, out: Path, jobs: int) -> dict:
    cmd = [sys.executable, "-m", "helpfirst", "classify", str(src), "--out", str(out), "--json",
           "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    err = proc.stderr.read()
    if status != 0:
        sys.exit(f"helpfirst classify failed: {err.strip()[-500:]}")
    summary = json.loads(err.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime  # with the pool workers, which the process waited for
    return {"seconds": round(seconds, 2), "posts": summary["classified"],
            "posts_per_s": round(summary["classified"] / seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "cpu_seconds": round(cpu, 2), "posts_per_cpu_s": round(summary["classified"] / cpu, 1),
            "summary": summary, "command": " ".join(cmd[1:])}


def fit_peer():
    """The notebook's models, fitted on the labelled training splits (not timed)."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    it = pd.read_csv(LABELS / "customer_intent.csv", dtype=str, keep_default_na=False)
    rk = pd.read_csv(LABELS / "brand_reply_kind.csv", dtype=str, keep_default_na=False)
    comp = pd.read_csv(SHARED / "complaints" / "train.csv", dtype={"tweet_id": str}, keep_default_na=False)
    it, rk = it[it.split == "train"], rk[rk.split == "train"]
    vec = FeatureUnion([
        ("w", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)),
        ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
    ]).fit(pd.concat([it.text, rk.text, comp.text]))
    lr = lambda: LogisticRegression(C=10, class_weight="balanced", max_iter=3000)  # noqa: E731
    heads = {
        "complaint": lr().fit(vec.transform(comp.text), comp.complaint.astype(int)),
        "intent": lr().fit(vec.transform(it.text), it.intent),
        "needs_help": lr().fit(vec.transform(it.text), it.intent.isin(["question", "problem"])),
        "reply_kind": lr().fit(vec.transform(rk.text), rk.reply_kind),
    }
    return vec, heads


def run_peer(src: Path, out: Path, vec, heads) -> dict:
    import pandas as pd
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    t0, c0 = time.perf_counter(), time.process_time()
    df = pd.read_json(src, lines=True, dtype={"id": str})
    an = SentimentIntensityAnalyzer()
    df["sentiment"] = df["text"].apply(lambda t: an.polarity_scores(t)["compound"])
    cust = df["role"] == "customer"
    brand = df["role"] == "brand"
    Xc = vec.transform(df.loc[cust, "text"])
    df.loc[cust, "complaint"] = heads["complaint"].predict_proba(Xc)[:, 1]
    df.loc[cust, "intent"] = heads["intent"].predict(Xc)
    df.loc[cust, "needs_help"] = heads["needs_help"].predict(Xc)
    df.loc[brand, "reply_kind"] = heads["reply_kind"].predict(vec.transform(df.loc[brand, "text"]))
    df.drop(columns=["text", "role"]).to_json(out, orient="records", lines=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": round(seconds, 2), "posts": int(len(df)), "posts_per_s": round(len(df) / seconds, 1),
            "cpu_seconds": round(cpu, 2), "posts_per_cpu_s": round(len(df) / cpu, 1),
            "signals": ["complaint", "intent", "needs_help", "reply_kind", "sentiment"]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the fastest counts")
    ap.add_argument("--jobs", type=int, default=0, help="helpfirst worker processes (0: one per core)")
    ap.add_argument("--no-peer", action="store_true", help="time helpfirst only")
    ap.add_argument("--results", type=Path, default=BENCH / "results",
                    help="folder the results JSON is written to (default bench/results)")
    args = ap.parse_args(argv)
    if args.posts < 1:
        ap.error(f"--posts {args.posts}: expected 1 or more")
    if args.repeat < 1:
        ap.error(f"--repeat {args.repeat}: expected 1 or more")
    src = make_input(args.posts, BENCH / "data" / f"signals-{args.posts}.jsonl")
    src.read_bytes()  # warm the page cache for both
    out_dir = BENCH / "data"
    load_before = os.getloadavg()
    vec_heads = None if args.no_peer else fit_peer()
    runs = {"helpfirst": [], "peer": []}
    for _ in range(args.repeat):
        runs["helpfirst"].append(run_helpfirst(src, out_dir / "signals-out-helpfirst.jsonl", args.jobs))
        h = runs["helpfirst"][-1]
        print(f"helpfirst classify --model fast: {h['posts_per_s']:,.0f} posts/s ({h['seconds']} s; "
              f"{h['cpu_seconds']} CPU s, {h['posts_per_cpu_s']:,.0f} posts per CPU second)", flush=True)
        if vec_heads is not None:
            runs["peer"].append(run_peer(src, out_dir / "signals-out-peer.jsonl", *vec_heads))
            p = runs["peer"][-1]
            print(f"notebook peer: {p['posts_per_s']:,.0f} posts/s ({p['seconds']} s; {p['cpu_seconds']} CPU s, "
                  f"{p['posts_per_cpu_s']:,.0f} posts per CPU second)", flush=True)
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items() if v}
    ratio = round(best["helpfirst"]["posts_per_s"] / best["peer"]["posts_per_s"], 2) if "peer" in best else None
    result = {
        "benchmark": "signals", "posts": args.posts, "input": str(src.relative_to(ROOT)),
        "helpfirst_posts_per_s": best["helpfirst"]["posts_per_s"],
        "peer_posts_per_s": best["peer"]["posts_per_s"] if "peer" in best else None,
        "ratio": ratio,
        "ratio_per_cpu_s": round(best["helpfirst"]["posts_per_cpu_s"] / best["peer"]["posts_per_cpu_s"], 2)
        if "peer" in best else None,
        "runs": runs,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(),
                    "platform": platform.platform()},
        "versions": {p: metadata.version(p) for p in ("pyarrow", "numpy", "vaderSentiment",
                                                       "lingua-language-detector", "scikit-learn", "pandas")},
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"signals-{args.posts}.json"
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nhelpfirst {result['helpfirst_posts_per_s']:,.0f} posts/s"
          + (f", notebook peer {result['peer_posts_per_s']:,.0f} posts/s, ratio {ratio}x" if ratio else "")
          + f"\nwrote {path}")


if __name__ == "__main__":
    main()
