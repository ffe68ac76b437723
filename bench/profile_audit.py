"""Where `helpfirst audit --json --no-signals` spends its time: a timeline of its stages, per thread.

    python bench/profile_audit.py FILE [audit options...]

Runs the audit in this process, as `python -m helpfirst` does (the CSV parse starts on its own
thread while the CLI loads, see helpfirst/readahead.py), with timers around its stages (reading,
parsing, threading, the scorecard's queries), and prints each span's start, end and length in seconds from
the start of the process, the thread it ran on, then the process's CPU time (user and system: page
faults show up as system time) and its peak memory. Run it under the machine's CPU lock like a
benchmark (see bench/README.md).
"""

from __future__ import annotations

import time

START = time.perf_counter()

import contextlib  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

SPANS: list[tuple[float, float, str, str]] = []


def _timed(label: str, function):
    @functools.wraps(function)
    def run(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPANS.append((begin - START, time.perf_counter() - START, threading.current_thread().name, label))

    return run


def main(argv: list[str]) -> int:
    import helpfirst.readahead as readahead

    # as `python -m helpfirst` does: the parse starts on its own thread while the CLI loads
    readahead.parse = _timed("read: DuckDB parses the CSV", readahead.parse)
    sys.argv = ["helpfirst", "audit", *argv, "--json", "--no-signals"]
    readahead.start(sys.argv[1:], interactive=False)
    import helpfirst.cli as cli

    SPANS.append((0.0, time.perf_counter() - START, "MainThread", "import CLI (typer, rich)"))
    begin = time.perf_counter()
    import helpfirst.audit as audit
    import helpfirst.ingest.twcs as twcs
    import helpfirst.measure.scorecard as scorecard
    import helpfirst.threads as threads

    SPANS.append((begin - START, time.perf_counter() - START, "MainThread", "import audit (numpy, pyarrow, duckdb)"))
    audit.load_posts = _timed("read: parse + check (load_posts)", audit.load_posts)
    audit.build_threads = _timed("threads (build_threads)", threads.build_threads)
    audit.prepare_scorecard = _timed("scorecard before threads (prepare_scorecard)", scorecard.prepare_scorecard)
    audit.compute_scorecard = _timed("scorecard (compute_scorecard)", scorecard.compute_scorecard)
    parse = twcs.TwcsImporter._parse
    twcs.TwcsImporter._parse = staticmethod(_timed("read: the importer's parse (or its wait for the read-ahead)", parse))
    arrow = scorecard._arrow

    def query(relation):
        begin = time.perf_counter()
        out = arrow(relation)
        SPANS.append((begin - START, time.perf_counter() - START, threading.current_thread().name,
                      f"SQL query ({out.num_rows:,} rows out)"))
        return out

    scorecard._arrow = query
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.app()
        except SystemExit:
            pass
    SPANS.append((0.0, time.perf_counter() - START, "MainThread", "whole run (JSON written)"))
    for begin, end, thread, label in sorted(SPANS):
        print(f"{begin:7.2f} {end:7.2f} {end - begin:7.2f}  {thread[:12]:<12} {label}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU: user {usage.ru_utime:.2f} s, system {usage.ru_stime:.2f} s; "
          f"peak RSS {usage.ru_maxrss / 1024:,.0f} MB; JSON {len(out.getvalue()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
