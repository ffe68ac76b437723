"""The signal figures of the scorecard: help requests, substance, time to solution, outcomes, sentiment.

`measure_signals` classifies the posts (helpfirst.signals), judges every conversation
(signals.outcome) and aggregates per brand and in total in DuckDB. The core scorecard
(measure.scorecard) is left as it is; these figures are added beside it. Definitions and JSON
keys: docs/metrics.md ("Signals scorecard").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..signals.base import REPLY_KINDS
from ..signals.outcome import OUTCOMES, RULES, OutcomeRules, conversation_signals
from .business_hours import BusinessHours
from .scorecard import BrandIndex, Prepared, Scorecard, index_brands, minutes
from .signals_worker import from_ipc, read_frame, to_ipc, write_frame

#: The per-post signals the scorecard reads (all others are computed only when asked for).
SCORECARD_SIGNALS = ("intent", "needs_help", "reply_kind", "sentiment")

#: Per brand and in total (brand NULL), over the conversation table `c` joined with its signals.
SIGNALS_SQL = """
SELECT brand,
       count(*) FILTER (WHERE help_request) AS help_requests,
       count(first_response_at) FILTER (WHERE help_request) AS help_answered,
       quantile_cont(frt_min, 0.5) FILTER (WHERE help_request) AS help_frt_median_min,
       quantile_cont(frt_min, 0.9) FILTER (WHERE help_request) AS help_frt_p90_min,
       count(*) FILTER (WHERE help_request AND frt_min <= $target) AS help_within_target_n,
       quantile_cont(frt_business_min, 0.5) FILTER (WHERE help_request) AS help_frt_business_median_min,
       quantile_cont(frt_business_min, 0.9) FILTER (WHERE help_request) AS help_frt_business_p90_min,
       count(*) FILTER (WHERE help_request AND frt_business_min <= $target) AS help_within_target_business_n,
       $kind_counts,
       count(time_to_solution_min) FILTER (WHERE help_request) AS solved,
       quantile_cont(time_to_solution_min, 0.5) FILTER (WHERE help_request) AS time_to_solution_median_min,
       quantile_cont(time_to_solution_min, 0.9) FILTER (WHERE help_request) AS time_to_solution_p90_min,
       $outcome_counts,
       avg(sentiment_shift) FILTER (WHERE help_request) AS sentiment_shift_mean,
       count(sentiment_shift) FILTER (WHERE help_request) AS sentiment_shift_n
FROM c
GROUP BY GROUPING SETS ((brand), ())
"""


@dataclass
class SignalsResult:
    """The signals part of an audit: per-post signals, per-conversation judgements, figures."""

    model: str
    posts: pa.Table  # per post, aligned with the threaded posts: the SIGNALS columns
    conversations: pa.Table  # per conversation, aligned with scorecard.conversations (OUTCOME_SCHEMA)
    brands: dict[str, dict]
    totals: dict
    seconds: dict[str, float] = field(default_factory=dict)
    rules: OutcomeRules = RULES

    def to_dict(self) -> dict:
        """The run's description under the JSON document's `signals` key."""
        return {
            "model": self.model,
            "posts_classified": self.posts.num_rows,
            "conversations_judged": self.conversations.num_rows,
            "outcomes": list(OUTCOMES),
            "reply_kinds": list(REPLY_KINDS),
            "rules": self.rules.describe(),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


#: Archives with fewer posts are classified in this process (starting workers costs about a second).
PARALLEL_MIN_POSTS = 100_000


def classify_threaded(posts: pa.Table, model: str = "fast", signals: tuple[str, ...] | None = None,
                      jobs: int | None = None) -> pa.Table:
    """Every signal of every post (helpfirst.signals.classify_posts), aligned with `posts`.

    Large archives are classified by `jobs` worker processes (default: one per CPU), each taking
    contiguous slices in turn. The workers are fresh interpreters (measure.signals_worker), not
    forks: a fork would inherit the audit's DuckDB and Arrow threads and lingua's thread pool
    without their threads, and can hang in them. A model that runs its own thread pool
    (`single_process`, the accurate tier's torch) is always run in this process.
    """
    from ..signals import classify_posts, get_model

    wanted = None if signals is None else list(signals)
    texts, roles = posts.column("text"), posts.column("author_role")
    jobs = jobs or os.cpu_count() or 1
    n = posts.num_rows
    if jobs >= 2 and n >= PARALLEL_MIN_POSTS and get_model(model).single_process:
        jobs = 1   # one torch per worker would fight over the cores, each with its own model copy
    if jobs < 2 or n < PARALLEL_MIN_POSTS:
        return classify_posts(texts, roles, model=model, signals=wanted)
    table = pa.table({"text": texts, "role": roles})
    step = -(-n // (4 * jobs))  # a few slices per worker; each worker takes every jobs-th slice
    starts = list(range(0, n, step))
    command = [sys.executable, "-m", "helpfirst.measure.signals_worker", model, ",".join(wanted or [])]
    parts: list[pa.Table | None] = [None] * len(starts)
    procs: list[subprocess.Popen] = []

    def serve(worker: int) -> None:
        errors = tempfile.TemporaryFile()  # a file, not a pipe: a chatty worker can never block on it
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        procs.append(proc)
        try:
            for i in range(worker, len(starts), jobs):
                write_frame(proc.stdin, to_ipc(table.slice(starts[i], step)))
                data = read_frame(proc.stdout)
                if data is None:
                    break
                parts[i] = from_ipc(data)
            proc.stdin.write(b"\0" * 8)
            proc.stdin.close()
        except (BrokenPipeError, EOFError):
            pass
        finally:
            failed = proc.wait() != 0 or any(parts[i] is None for i in range(worker, len(starts), jobs))
            errors.seek(0)
            error = errors.read().decode("utf-8", "replace")
            errors.close()
            if failed:  # the worker's last words (its exception) make the message
                last = next((line for line in reversed(error.splitlines()) if line.strip()), "no message")
                raise RuntimeError(f"signals worker {worker} failed (exit status {proc.returncode}): {last.strip()}")

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        for future in [pool.submit(serve, w) for w in range(jobs)]:
            future.result()
    except BaseException:
        # Ctrl-C or a failed worker: end the others now; leaving the pool would wait for their slices
        for proc in list(procs):
            proc.kill()
        raise
    finally:
        pool.shutdown(wait=True)
    return pa.concat_tables(parts).combine_chunks()


def measure_signals(
    posts: pa.Table,
    scorecard: Scorecard,
    brands: Prepared | BrandIndex | list[str] | frozenset[str],
    model: str = "fast",
    target_min: float = 30.0,
    business_hours: BusinessHours | None = None,
    post_signals: pa.Table | None = None,
    rules: OutcomeRules = RULES,
    on_stage: Callable[[str], None] | None = None,
) -> SignalsResult:
    """Classify the threaded posts (unless `post_signals` are given), judge every conversation and
    aggregate the signal figures per brand and in total."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    if post_signals is None:
        if on_stage:
            on_stage("signals")
        post_signals = classify_threaded(posts, model)
        seconds["classify"] = time.perf_counter() - start
    if post_signals.num_rows != posts.num_rows:
        raise ValueError(f"signals for {post_signals.num_rows} posts, but {posts.num_rows} posts")
    start = time.perf_counter()
    index = _brand_index(posts, brands)
    conv = scorecard.conversations
    brand_id = pc.index_in(conv.column("brand"), value_set=pa.array(index.names, pa.string()))
    judged = conversation_signals(posts, conv.append_column("brand_id", brand_id), post_signals, index.ids, rules)
    seconds["outcome"] = time.perf_counter() - start
    start = time.perf_counter()
    rows = _aggregate(conv, judged, target_min)
    business = business_hours is not None
    brands_out: dict[str, dict] = {}
    totals: dict = _figures({}, business)
    for r in rows:
        if r["brand"] is None:
            totals = _figures(r, business)
        else:
            brands_out[r["brand"]] = _figures(r, business)
    for name in scorecard.brands:  # brands without conversations get zeros, like the core scorecard
        brands_out.setdefault(name, _figures({}, business))
    seconds["aggregate"] = time.perf_counter() - start
    return SignalsResult(model=model, posts=post_signals, conversations=judged, brands=brands_out,
                         totals=totals, seconds=seconds, rules=rules)


def merge_into(doc: dict, result: SignalsResult | None) -> dict:
    """Add the signal figures to an audit JSON document (per brand, totals, `signals`); the core
    figures are copied, not changed."""
    if result is None:
        doc["signals"] = None
        return doc
    business = doc.get("settings", {}).get("business_hours") is not None
    doc["brands"] = {name: {**figures, **(result.brands.get(name) or _figures({}, business))}
                     for name, figures in doc["brands"].items()}
    doc["totals"] = {**doc["totals"], **result.totals}
    doc["signals"] = result.to_dict()
    return doc


def _brand_index(posts: pa.Table, brands: Prepared | BrandIndex | list[str] | frozenset[str]) -> BrandIndex:
    """The brand ids compute_scorecard used for these posts (the same function on the same posts)."""
    if isinstance(brands, Prepared):
        if brands.rows == posts.num_rows:
            return brands.index
        return index_brands(posts, brands.index.known)
    if isinstance(brands, BrandIndex):
        return brands
    return index_brands(posts, brands)  # a list: the known brands; a set: the --brand handles


def _aggregate(conv: pa.Table, judged: pa.Table, target_min: float) -> list[dict]:
    view = pa.table({
        "brand": conv.column("brand"),
        "first_response_at": conv.column("first_response_at"),
        "frt_min": conv.column("frt_min"),
        "frt_business_min": conv.column("frt_business_min"),
        "help_request": judged.column("help_request"),
        "first_reply_kind": judged.column("first_reply_kind"),
        "outcome": judged.column("outcome"),
        "time_to_solution_min": judged.column("time_to_solution_min"),
        "sentiment_shift": judged.column("sentiment_shift"),
    })
    kinds = ",\n       ".join(
        f"count(*) FILTER (WHERE help_request AND first_reply_kind = '{k}') AS first_{k}" for k in REPLY_KINDS)
    outcomes = ",\n       ".join(
        f"count(*) FILTER (WHERE help_request AND outcome = '{o}') AS outcome_{o}" for o in OUTCOMES)
    sql = (SIGNALS_SQL.replace("$kind_counts", kinds).replace("$outcome_counts", outcomes)
           .replace("$target", repr(float(target_min))))
    con = duckdb.connect()
    try:
        con.register("c", view)
        rel = con.sql(sql)
        table = (getattr(rel, "to_arrow_table", None) or rel.arrow)()
    finally:
        con.close()
    return table.to_pylist()


def _figures(r: dict, business: bool) -> dict:
    """One brand's (or the totals') signal figures, JSON-ready; zeros and nulls when empty."""
    requests = int(r.get("help_requests") or 0)
    answered = int(r.get("help_answered") or 0)
    kinds = {k: int(r.get(f"first_{k}") or 0) for k in REPLY_KINDS}
    counts = {o: int(r.get(f"outcome_{o}") or 0) for o in OUTCOMES}
    out = {
        "help_requests": requests,
        "help_answered": answered,
        "help_coverage": answered / requests if requests else 0.0,
        "help_frt_median_min": minutes(r.get("help_frt_median_min")),
        "help_frt_p90_min": minutes(r.get("help_frt_p90_min")),
        "help_within_target": int(r.get("help_within_target_n") or 0) / requests if requests else 0.0,
    }
    if business:
        out["help_frt_business_median_min"] = minutes(r.get("help_frt_business_median_min"))
        out["help_frt_business_p90_min"] = minutes(r.get("help_frt_business_p90_min"))
        out["help_within_target_business"] = (
            int(r.get("help_within_target_business_n") or 0) / requests if requests else 0.0)
    out.update({
        "substance": kinds["solution"] / answered if answered else None,
        "first_reply_kinds": kinds,
        "solved": int(r.get("solved") or 0),
        "time_to_solution_median_min": minutes(r.get("time_to_solution_median_min")),
        "time_to_solution_p90_min": minutes(r.get("time_to_solution_p90_min")),
        "outcome_counts": counts,
        "outcomes": {o: (c / requests if requests else 0.0) for o, c in counts.items()},
        # rounded like the minute figures: the per-post sentiments carry 4 decimals, the mean no float noise
        "sentiment_shift_mean": None if (shift := _num(r.get("sentiment_shift_mean"))) is None else round(shift, 6),
        "sentiment_shift_n": int(r.get("sentiment_shift_n") or 0),
    })
    return out


def _num(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else value
