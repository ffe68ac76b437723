"""The audit service: archive files -> posts -> threads -> scorecard, with every count accounted for."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ingest import ImportFailed, ImportOptions, ImportReport, locate_duplicate_ids, read_posts
from .measure.business_hours import BusinessHours
from .measure.scorecard import Scorecard, compute_scorecard, prepare_scorecard
from .posts import POST_SCHEMA
from .threads import Threads, build_threads


@dataclass
class AuditResult:
    """What one audit run read, threaded and measured."""

    report: ImportReport
    threads: Threads
    scorecard: Scorecard
    #: the signals part (measure.signals_scorecard.SignalsResult); None when signals are off
    signals: Any = None
    #: mask e-mail addresses, phone and card numbers in every post text shown or written
    mask_pii: bool = False
    #: what the run warned about (each also told through run_audit's on_warning): figures that are
    #: probably not what was meant, such as x-v2 or Mastodon files read without --brand
    warnings: list[str] = field(default_factory=list)

    def post_texts(self, rows: list[int | None]) -> list[str | None]:
        """The texts of these threaded posts (None for a None row), masked when `mask_pii` is set:
        every post text the audit shows or writes comes from here."""
        texts = self.threads.posts.column("text")
        found = [r for r in rows if r is not None]
        picked = texts.take(pa.array(found, pa.int64())) if found else pa.array([], pa.string())
        if self.mask_pii and len(picked):
            from .signals.pii import mask_pii

            picked = mask_pii(picked)
        values = iter(picked.to_pylist())
        return [None if r is None else next(values) for r in rows]

    def to_dict(self) -> dict:
        """The JSON document of `helpfirst audit --json`."""
        doc = self.report.to_dict()
        if self.mask_pii and doc["rejections"]:
            doc["rejections"] = _masked_rejections(doc["rejections"])
        doc.update(
            {
                "brands": self.scorecard.brands,
                "totals": self.scorecard.totals,
                "threads": {
                    "posts": self.threads.posts.num_rows,
                    "orphan_threads": self.threads.orphan_threads,
                    "reply_loops_cut": self.threads.loops_cut,
                },
                "settings": self.scorecard.settings,
                "hour_of_week": self.scorecard.hour_of_week,
                "daily": self.scorecard.daily,
            }
        )
        if self.signals is None:
            doc["signals"] = None
            return doc
        from .measure.signals_scorecard import merge_into

        return merge_into(doc, self.signals)


def _masked_rejections(rejections: list[dict]) -> list[dict]:
    """Rejections with personal data masked in their reasons (a reason can quote a post's field)."""
    from .signals.pii import mask_pii

    reasons = mask_pii(pa.array([r["reason"] for r in rejections], pa.string())).to_pylist()
    return [{**r, "reason": reason} for r, reason in zip(rejections, reasons, strict=True)]


def mark_bots(posts: pa.Table, bots: frozenset[str]) -> pa.Table:
    """Posts by the given handles (case-insensitive) get the role `bot`: they never count as a response."""
    handles = pa.array(sorted({b.lower().lstrip("@") for b in bots}))
    is_bot = pc.is_in(pc.utf8_lower(posts.column("author")), value_set=handles)
    roles = pc.if_else(is_bot, "bot", posts.column("author_role"))
    return posts.set_column(posts.schema.get_field_index("author_role"), "author_role", roles)


def load_posts(
    paths: list[Path], options: ImportOptions, fmt: str | None = None, report: ImportReport | None = None
) -> tuple[pa.Table, ImportReport]:
    """Read every file into one table of posts; `_source` is each row's index in report.files."""
    report = report or ImportReport()
    batches: list[pa.RecordBatch] = []
    source_ids: list[np.ndarray] = []
    for batch in read_posts([Path(p) for p in paths], options, report, fmt=fmt):
        batches.append(batch)
        # report.files gets a file's entry when it ends, so the one being read has the next index
        source_ids.append(np.full(batch.num_rows, len(report.files), dtype=np.int32))
    table = pa.Table.from_batches(batches, schema=POST_SCHEMA) if batches else POST_SCHEMA.empty_table()
    source = np.concatenate(source_ids) if source_ids else np.empty(0, dtype=np.int32)
    return table.append_column("_source", pa.array(source)), report


class _NoPandas:
    """A finder that refuses to import pandas (see `pandas_left_out`)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not needed by the audit", name=name)
        return None


@contextmanager
def pandas_left_out() -> Iterator[None]:
    """While this runs, keep pyarrow from importing pandas when pandas is installed but not loaded.

    pyarrow imports pandas (a third of a second) on its first conversion of Python values, only to
    recognise pandas' missing-value markers; with pandas not loaded no such marker can exist. The
    audit itself never uses pandas. Nothing changes when pandas is already loaded. Any import of
    pandas in the process fails meanwhile: the CLI wraps its audit in it; a program that imports
    pandas on other threads should not.
    """
    if "pandas" in sys.modules:
        yield
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)


def brand_warning(posts: pa.Table, report: ImportReport, options: ImportOptions) -> str | None:
    """A warning when the posts hold no brand post and some were read from formats that do not mark
    brand posts themselves (x-v2, Mastodon: a post is a brand's only by a --brand handle), else None.

    Canonical and TWCS files mark their brand posts (author_role, inbound); none there is not this."""
    from .ingest import get_importer
    from .ingest.social import SocialJsonImporter

    if not posts.num_rows or pc.any(pc.equal(posts.column("author_role"), "brand")).as_py():
        return None
    needing: list[str] = []
    for entry in report.files:
        if not entry["rows_loaded"] or entry["format"] in needing:
            continue
        try:
            importer = get_importer(entry["format"])
        except ImportFailed:
            continue
        if isinstance(importer, SocialJsonImporter):
            needing.append(entry["format"])
    if not needing:
        return None
    formats = " and ".join(needing)
    if not options.brands:
        return (f"no brand posts: {formats} files do not mark the brand's own posts; pass --brand HANDLE "
                "(the brand's account, repeatable) to measure its replies")
    handles = ", ".join(sorted(options.brands))
    return (f"no brand posts: no post in the {formats} files is by a --brand handle ({handles}); check that "
            "--brand HANDLE names the brand's own account")


def format_hints(report: ImportReport, fmt: str) -> list[str]:
    """For each file read as `fmt` (--format) that loaded no post, the format it is guessed to be when
    that is another one: `FILE: this looks like twcs — drop --format or use --format twcs`."""
    from .ingest import detect_format, source_file

    hints: list[str] = []
    seen: set[str] = set()
    for entry in report.files:
        path = entry["path"]
        if entry["rows_loaded"] or entry["format"] != fmt or path in seen:
            continue
        seen.add(path)
        try:
            detected = detect_format(source_file(path))
        except (ImportFailed, OSError):  # not recognised (or gone): nothing better to suggest
            continue
        if detected != fmt:
            hints.append(f"{path}: this looks like {detected} — drop --format or use --format {detected}")
    return hints


def _warn_on_stderr(message: str) -> None:
    from .measure.display import visible  # file names and handles come from the archive

    sys.stderr.write(f"warning: {visible(message)}\n")
    sys.stderr.flush()


def run_audit(
    paths: list[Path],
    fmt: str | None = None,
    brands: frozenset[str] = frozenset(),
    target_min: float = 30.0,
    business_hours: BusinessHours | None = None,
    options: ImportOptions | None = None,
    bots: frozenset[str] = frozenset(),
    on_stage: Callable[[str], None] | None = None,
    signals: str | None = None,
    mask_pii: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> AuditResult:
    """Import, thread and measure; raises ImportFailed only when nothing at all could be read.

    `on_stage` hears "threading", "measuring" (and "signals") as the run moves on (reading reports
    bytes itself). `signals` names the signals model ("fast", "accurate") for the signal figures
    (help requests, substance, outcomes...; it needs every text: ImportOptions.texts "all"); None
    keeps the core scorecard only. `mask_pii` masks e-mail addresses, phone and card numbers in
    every post text the result shows (AuditResult.post_texts, rejection reasons); the figures are
    measured on the texts as written. `on_warning` hears each warning (AuditResult.warnings: a
    format that needs --brand read without a brand post, see brand_warning); None writes each
    as one `warning: ...` line on standard error.
    """
    options = options or ImportOptions(brands=frozenset(brands), bots=frozenset(bots))
    if signals and options.texts != "all":
        options = replace(options, texts="all")  # the signals read every post's text
    stage = on_stage or (lambda _name: None)
    posts, report = load_posts(paths, options, fmt)
    if fmt is not None:
        report.errors.extend(format_hints(report, fmt))
    if options.bots:
        # formats without a notion of bots (TWCS, canonical files) get the role from the handle list
        posts = mark_bots(posts, options.bots)
    if report.rows_read == 0 and report.errors:
        raise ImportFailed("; ".join(report.errors))
    warnings = [w for w in (brand_warning(posts, report, options),) if w]
    for warning in warnings:
        (on_warning or _warn_on_stderr)(warning)
    stage("threading")
    with ThreadPoolExecutor(max_workers=1) as beside:
        # what the scorecard needs of each post alone (brands, mentions) is found on the other core
        # while the reply graph is resolved
        prepared = beside.submit(prepare_scorecard, posts, options.brands)
        threads = build_threads(posts, report, [f["path"] for f in report.files])
        prepared = prepared.result()
    locate_duplicate_ids(report, options)   # reads the files again only when ids were duplicated
    stage("measuring")
    scorecard = compute_scorecard(threads.posts, prepared, target_min=target_min, business_hours=business_hours)
    result = AuditResult(report=report, threads=threads, scorecard=scorecard, mask_pii=mask_pii, warnings=warnings)
    if signals:
        from .measure.signals_scorecard import measure_signals

        result.signals = measure_signals(threads.posts, scorecard, prepared, model=signals, target_min=target_min,
                                         business_hours=business_hours, on_stage=stage)
    return result
