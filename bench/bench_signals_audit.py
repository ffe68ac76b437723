"""Benchmark `helpfirst audit` with every signal on against the notebook approach, on a synthetic TWCS archive.

    flock /tmp/helpfirst-cpu.lock python bench/bench_signals_audit.py [--posts 2800000] [--seed 0] [--model fast]
        [--skip-peer] [--data-dir DIR] [--results DIR]

1. The archive: the cached file of bench_audit.py (`helpfirst synth --posts N --format twcs --seed S`,
   in bench/data/), generated when absent.
2. helpfirst: `python -m helpfirst audit FILE --json --model fast` as its own process (every post
   classified: intent, needs_help, complaint, reply kind, sentiment, language, urgency; outcomes and
   the complete scorecard). Wall-clock seconds and peak RSS (ru_maxrss from wait4). Targets:
   <= 120 s and < 4 GB on 2 cores, for 2,800,000 posts: other sizes are not judged against them.
3. The notebook peer (bench/notebook_peer.py): pandas read_csv, vaderSentiment applied row by row,
   scikit-learn TF-IDF + logistic regression predict, a groupby. Its time is the sum of those
   stages (fitting its models on the labelled data is not counted). A calibration run on the first
   50,000 rows projects the full time; when the projection exceeds 20 minutes the peer runs on a
   10% sample and its time is extrapolated linearly (the output says so).
4. Checks that the audit's figures add up (help requests <= conversations, outcome shares sum to 1,
   first reply kinds sum to answered help requests), prints both times and the ratio, and writes
   bench/results/signals-audit-<posts>.json (--results DIR: to DIR instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_audit import HELPFIRST, generate, timed, versions, warm_cache  # noqa: E402

#: The peer runs in full only when its projected time is at most this many seconds.
PEER_FULL_LIMIT_S = 20 * 60
CALIBRATION_ROWS = 50_000
PEER_STAGES = ("read_csv", "vader", "classify", "aggregate")
#: The targets (seconds, peak RSS MB) hold for an archive of this many posts.
TARGET_POSTS = 2_800_000
TARGET_SECONDS = 120
TARGET_RSS_MB = 4096


def check(doc: dict) -> list[str]:
    """The signal figures must add up, per brand and in total."""
    problems = []
    for name, b in [*doc["brands"].items(), ("(totals)", doc["totals"])]:
        if b["help_requests"] > b["conversations"]:
            problems.append(f"{name}: help_requests {b['help_requests']} > conversations {b['conversations']}")
        if b["help_answered"] > b["help_requests"]:
            problems.append(f"{name}: help_answered > help_requests")
        if sum(b["outcome_counts"].values()) != b["help_requests"]:
            problems.append(f"{name}: outcome counts do not add up to help_requests")
        if b["help_requests"] and abs(sum(b["outcomes"].values()) - 1) > 1e-9:
            problems.append(f"{name}: outcome shares sum to {sum(b['outcomes'].values())}")
        if sum(b["first_reply_kinds"].values()) != b["help_answered"]:
            problems.append(f"{name}: first reply kinds do not add up to help_answered")
        if b["outcome_counts"]["unanswered"] != b["help_requests"] - b["help_answered"]:
            problems.append(f"{name}: unanswered != help_requests - help_answered")
    return problems


def peer(path: Path, rows: int | None) -> dict:
    """One notebook-peer run: its counted seconds (the stages), peak RSS and document."""
    cmd = [sys.executable, str(BENCH / "notebook_peer.py"), str(path)] + ([] if rows is None else ["--rows", str(rows)])
    run = timed(cmd)
    doc = run.pop("doc")
    run["counted_seconds"] = sum(doc["seconds"][s] for s in PEER_STAGES)
    run["rows"] = doc["rows"]
    run["stages"] = doc["seconds"]
    return run


def target_met(posts: int, seconds: float, peak_rss_mb: float) -> bool | None:
    """Whether a run meets the targets; None when its size is not the one they are set for."""
    if posts != TARGET_POSTS:
        return None
    return seconds <= TARGET_SECONDS and peak_rss_mb < TARGET_RSS_MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark helpfirst audit with all signals against the notebook approach.")
    parser.add_argument("--posts", type=int, default=2_800_000, help="posts in the synthetic archive (default 2,800,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="fast", help="signals model of the audit (default fast)")
    parser.add_argument("--skip-peer", action="store_true", help="time helpfirst only")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--results", "--results-dir", dest="results_dir", type=Path, default=BENCH / "results",
                        help="folder the results JSON is written to (default bench/results)")
    args = parser.parse_args(argv)

    path, synth_seconds = generate(args.posts, args.seed, args.data_dir)
    warm_cache(path)
    load_before = os.getloadavg()
    cmd = [*HELPFIRST, "audit", str(path), "--json", "--model", args.model]
    hf = timed(cmd)
    doc = hf.pop("doc")
    print(f"helpfirst audit (signals: {args.model}): {hf['seconds']:.1f} s, {hf['peak_rss_mb']:.0f} MB", file=sys.stderr)
    problems = check(doc)

    peer_record: dict | None = None
    if not args.skip_peer:
        calibration = peer(path, CALIBRATION_ROWS)
        per_row = calibration["counted_seconds"] / max(calibration["rows"], 1)
        projected = per_row * doc["rows_loaded"]
        if calibration["rows"] < CALIBRATION_ROWS:  # the whole file was the calibration
            full, extrapolated, sample_rows = calibration, False, None
        elif projected <= PEER_FULL_LIMIT_S:
            full, extrapolated, sample_rows = peer(path, None), False, None
        else:
            sample_rows = max(CALIBRATION_ROWS, doc["rows_read"] // 10)
            full, extrapolated = peer(path, sample_rows), True
        seconds = full["counted_seconds"]
        if extrapolated:
            seconds = seconds / full["rows"] * doc["rows_read"]
        peer_record = {
            "command": f"python bench/notebook_peer.py {path.name}" + (f" --rows {sample_rows}" if sample_rows else ""),
            "seconds": seconds,
            "extrapolated_from_rows": full["rows"] if extrapolated else None,
            "projected_from_calibration_s": projected,
            "peak_rss_mb": full["peak_rss_mb"],
            "process_seconds_incl_model_fit": full["seconds"],
            "stages": full["stages"],
            "calibration": calibration,
        }
        print(f"notebook peer: {seconds:.1f} s" + (f" (extrapolated from {full['rows']:,} rows)" if extrapolated else ""),
              file=sys.stderr)

    totals = doc["totals"]
    print()
    print(f"{args.posts:,} posts, {path.stat().st_size / 1e6:,.0f} MB ({path.name})")
    print(f"{'tool':<34} {'seconds':>9} {'peak RSS MB':>12}")
    print(f"{'helpfirst audit, all signals':<34} {hf['seconds']:>9.1f} {hf['peak_rss_mb']:>12.0f}")
    ratio = None
    if peer_record:
        label = "notebook (pandas+VADER+sklearn)" + ("*" if peer_record["extrapolated_from_rows"] else "")
        print(f"{label:<34} {peer_record['seconds']:>9.1f} {peer_record['peak_rss_mb']:>12.0f}")
        if peer_record["extrapolated_from_rows"]:
            print(f"* run on the first {peer_record['extrapolated_from_rows']:,} rows and extrapolated linearly "
                  f"(projected {peer_record['projected_from_calibration_s'] / 60:.0f} min > 20 min); its RSS is the sample's")
        ratio = peer_record["seconds"] / hf["seconds"]
        print(f"notebook/helpfirst: {ratio:.1f}x time (the notebook does less: no threads, outcomes or FRT)")
    target_ok = target_met(args.posts, hf["seconds"], hf["peak_rss_mb"])
    if target_ok is None:
        print(f"target <= {TARGET_SECONDS} s and < 4 GB: not judged (this run: {args.posts:,} posts; "
              f"the target applies to {TARGET_POSTS:,} posts)")
    else:
        print(f"target <= {TARGET_SECONDS} s and < 4 GB for {TARGET_POSTS:,} posts: {'met' if target_ok else 'NOT met'}")
    print(f"load average (1 min) before and after: {load_before[0]:.2f}, {os.getloadavg()[0]:.2f}")
    print(f"conversations {totals['conversations']:,}, help requests {totals['help_requests']:,}, "
          f"substance {totals['substance']:.3f}, resolved {totals['outcomes']['resolved']:.3f}, "
          f"signals stages {doc['signals']['seconds']}")
    print("figures add up" if not problems else f"FIGURES DO NOT ADD UP ({len(problems)}):\n  " + "\n  ".join(problems[:20]))

    record = {
        "benchmark": "signals-audit",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "posts": args.posts,
        "seed": args.seed,
        "model": args.model,
        "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "file_bytes": path.stat().st_size,
        "synth_seconds": synth_seconds,
        "helpfirst": {"command": " ".join(["helpfirst", *cmd[3:]]), **hf, "signals": doc["signals"]},
        "notebook": peer_record,
        "ratio_notebook_over_helpfirst": ratio,
        "target_met": target_ok,
        "target": {"posts": TARGET_POSTS, "seconds": TARGET_SECONDS, "peak_rss_mb_below": TARGET_RSS_MB},
        "figures_add_up": not problems,
        "problems": problems,
        "totals": {k: totals[k] for k in ("conversations", "answered", "help_requests", "help_answered", "substance",
                                          "time_to_solution_median_min", "outcomes", "sentiment_shift_mean")},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "versions": versions(),
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"signals-audit-{args.posts}.json"
    out.write_text(json.dumps(record, indent=1, default=str) + "\n")
    print(f"results: {out}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
