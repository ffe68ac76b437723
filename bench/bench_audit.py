"""Benchmark `helpfirst audit` against the pandas peer on a synthetic TWCS archive.

    python bench/bench_audit.py [--posts 2800000] [--seed 0] [--repeat 1] [--data-dir DIR] [--results DIR]

1. Generates (once; cached in bench/data/) a TWCS CSV of N posts with
   `helpfirst synth --posts N --out FILE --format twcs --seed S`.
2. Times, end to end as separate processes, `helpfirst audit FILE --json` and
   `python bench/pandas_peer.py FILE`: wall-clock seconds and peak resident memory (the child's own
   ru_maxrss from wait4). Each is run --repeat times, alternating; the fastest run counts.
3. Checks that both scorecards agree (counts exactly, FRT median/p90 and within-target within 1e-6),
   prints a table and writes bench/results/audit-<posts>.json (--results DIR: to DIR instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from pandas_peer import compare  # noqa: E402  (the peer's comparison; it imports nothing from helpfirst)

HELPFIRST = [sys.executable, "-m", "helpfirst"]


def generate(posts: int, seed: int, data_dir: Path) -> tuple[Path, float | None]:
    """The cached synthetic archive, generated when absent; returns (path, seconds spent generating)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"twcs-{posts}-seed{seed}.csv"
    if path.is_file() and path.stat().st_size > 0:
        return path, None
    partial = path.with_name(path.name + ".partial.csv")
    cmd = [*HELPFIRST, "synth", "--posts", str(posts), "--out", str(partial), "--format", "twcs", "--seed", str(seed)]
    print(f"generating {posts:,} posts: {' '.join(cmd[1:])}", file=sys.stderr)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"helpfirst synth failed: {proc.stderr.strip()}")
    partial.replace(path)
    return path, time.perf_counter() - start


def timed(cmd: list[str]) -> dict:
    """Run a command; its wall-clock seconds, peak RSS (MB) and parsed JSON stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return {"seconds": seconds, "peak_rss_mb": peak_mb, "doc": json.loads(stdout)}


def warm_cache(path: Path) -> None:
    """Read the file once so neither tool pays for the first read from disk."""
    with path.open("rb") as fh:
        while fh.read(16 << 20):
            pass


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in ("helpfirst", "pandas", "numpy", "pyarrow", "duckdb"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        out["git_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out["git_commit"] = None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark helpfirst audit against the pandas peer.")
    parser.add_argument("--posts", type=int, default=2_800_000, help="posts in the synthetic archive (default 2,800,000)")
    parser.add_argument("--seed", type=int, default=0, help="synth seed (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool; the fastest counts (default 1)")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data", help="cache of generated archives")
    parser.add_argument("--results", "--results-dir", dest="results_dir", type=Path, default=BENCH / "results",
                        help="folder the results JSON is written to (default bench/results)")
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error(f"--posts {args.posts}: expected 1 or more")
    if args.repeat < 1:
        parser.error(f"--repeat {args.repeat}: expected 1 or more")

    path, synth_seconds = generate(args.posts, args.seed, args.data_dir)
    warm_cache(path)
    tools = {
        "helpfirst": [*HELPFIRST, "audit", str(path), "--json", "--no-signals"],  # the core scorecard (signals: bench_signals_audit.py)
        "pandas": [sys.executable, str(BENCH / "pandas_peer.py"), str(path)],
    }
    runs: dict[str, list[dict]] = {name: [] for name in tools}
    docs: dict[str, dict] = {}
    load_before = os.getloadavg()
    for i in range(max(1, args.repeat)):
        for name, cmd in tools.items():
            result = timed(cmd)
            docs[name] = result.pop("doc")
            runs[name].append(result)
            print(f"run {i + 1}: {name:<9} {result['seconds']:8.2f} s  {result['peak_rss_mb']:8.0f} MB", file=sys.stderr)

    best = {name: min(r, key=lambda x: x["seconds"]) for name, r in runs.items()}
    problems = compare(docs["pandas"], docs["helpfirst"])
    ratio = best["pandas"]["seconds"] / best["helpfirst"]["seconds"]
    rss_ratio = best["pandas"]["peak_rss_mb"] / best["helpfirst"]["peak_rss_mb"]

    print()
    print(f"{args.posts:,} posts, {path.stat().st_size / 1e6:,.0f} MB ({path.name}), best of {max(1, args.repeat)}")
    print(f"{'tool':<10} {'seconds':>9} {'peak RSS MB':>12}")
    for name in tools:
        print(f"{name:<10} {best[name]['seconds']:>9.2f} {best[name]['peak_rss_mb']:>12.0f}")
    print(f"pandas/helpfirst: {ratio:.2f}x time, {rss_ratio:.2f}x memory")
    print(f"load average (1 min) before and after: {load_before[0]:.2f}, {os.getloadavg()[0]:.2f}")
    totals = docs["helpfirst"]["totals"]
    print(
        f"conversations {totals['conversations']:,}, answered {totals['answered']:,}, "
        f"brands {sum(1 for b in docs['helpfirst']['brands'].values() if b['conversations'])}"
    )
    print("scorecards agree" if not problems else f"SCORECARDS DISAGREE ({len(problems)}):\n  " + "\n  ".join(problems[:20]))

    fields = ("conversations", "answered", "frt_median_min", "frt_p90_min", "within_target")
    record = {
        "benchmark": "audit",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "posts": args.posts,
        "seed": args.seed,
        "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "file_bytes": path.stat().st_size,
        "synth_seconds": synth_seconds,
        "repeat": max(1, args.repeat),
        "commands": {name: " ".join(Path(c).name if j == 0 else c for j, c in enumerate(cmd)) for name, cmd in tools.items()},
        "best": best,
        "runs": runs,
        "ratio_pandas_over_helpfirst": {"seconds": ratio, "peak_rss": rss_ratio},
        "agree": not problems,
        "disagreements": problems,
        "totals": {name: {k: docs[name]["totals"][k] for k in fields} for name in tools},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor() or platform.machine()},
        # other work on the machine skews the figures (helpfirst uses both cores, the peer one)
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "versions": versions(),
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"audit-{args.posts}.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"results: {out}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
