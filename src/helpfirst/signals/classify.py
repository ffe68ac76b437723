"""The JSONL classify service behind ``helpfirst classify``: posts in, one signals line per post out.

Input: one JSON object per line with at least ``id`` (string or integer), ``text`` (non-empty
string) and ``role`` (``customer``, ``brand`` or ``bot``); optional ``waited_minutes`` (number >= 0)
and ``turn_index`` (integer >= 0) feed urgency. Output: for every input line, in input order, one
JSON line ``{"id", "intent", "needs_help", "complaint", "reply_kind", "sentiment", "language",
"urgency"}`` (fields that do not apply to the role are null; with ``mask_pii`` also the masked
``text``). A line that cannot be classified still gets its output line, ``{"id": <id or null>,
"line": N, "error": "<reason>"}``, and a ``FILE:LINE: reason`` message on the error stream, so
lines read = classified + rejected. The input is read line by line and classified in batches.
"""
from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

import pyarrow as pa

from helpfirst.signals import DEFAULT_BATCH, SIGNALS, PostClassifier, classify_posts, get_model

ROLES = ("customer", "brand", "bot")
FLOAT_DIGITS = {"complaint": 4, "sentiment": 4, "urgency": 4}


@dataclass
class ClassifyStats:
    """Counts of one run: lines_read == classified + rejected."""

    lines_read: int = 0
    classified: int = 0
    rejected: int = 0
    seconds: float = 0.0
    by_role: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The counts as a JSON-ready dict (with posts per second)."""
        rate = self.classified / self.seconds if self.seconds > 0 else 0.0
        return {"lines_read": self.lines_read, "classified": self.classified, "rejected": self.rejected,
                "by_role": dict(sorted(self.by_role.items())), "seconds": round(self.seconds, 3),
                "posts_per_s": round(rate, 1)}


class LineError(ValueError):
    """One input line cannot be classified (the message names the field)."""


def parse_line(raw: str) -> dict:
    """The validated post of one JSONL line: id, text, role and the optional urgency context."""
    if not raw.strip():
        raise LineError("empty line (expected a JSON object)")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj or obj["id"] is None:
        raise LineError("field 'id' is missing")
    pid = obj["id"]
    if isinstance(pid, bool) or not isinstance(pid, (str, int)) or pid == "":
        raise LineError("field 'id' must be a non-empty string or an integer")
    text = obj.get("text")
    if "text" not in obj or text is None:
        raise LineError("field 'text' is missing")
    if not isinstance(text, str):
        raise LineError(f"field 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise LineError("field 'text' is empty")
    role = obj.get("role")
    if role not in ROLES:
        raise LineError(f"field 'role' must be one of {', '.join(ROLES)}, got {json.dumps(role)[:40]}")
    waited = obj.get("waited_minutes")
    if waited is not None and (isinstance(waited, bool) or not isinstance(waited, (int, float))
                               or not math.isfinite(waited) or waited < 0):
        raise LineError("field 'waited_minutes' must be a number >= 0")
    turn = obj.get("turn_index")
    if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int) or turn < 0):
        raise LineError("field 'turn_index' must be an integer >= 0")
    return {"id": pid, "text": text, "role": role, "waited_minutes": waited, "turn_index": turn}


def classify_lines(lines: Iterable[str], *, source: str = "-", model: str | PostClassifier = "fast",
                   mask_pii: bool = False, batch_size: int = DEFAULT_BATCH, languages=None,
                   on_error: Callable[[str], None] | None = None,
                   stats: ClassifyStats | None = None) -> Iterator[str]:
    """Output JSON lines (no newline) for input lines, in order, one per input line."""
    stats = stats if stats is not None else ClassifyStats()
    clf = model if isinstance(model, PostClassifier) else get_model(model)
    batch_size = max(1, int(batch_size))
    t0 = time.perf_counter()
    pending: list = []  # per input line: a parsed post (dict) or an error line (str)
    n_posts = 0
    for lineno, raw in enumerate(lines, start=1):
        stats.lines_read += 1
        try:
            post = parse_line(raw)
        except LineError as exc:
            stats.rejected += 1
            if on_error is not None:
                on_error(f"{source}:{lineno}: {exc}")
            pending.append(json.dumps({"id": _id_of(raw), "line": lineno, "error": str(exc)}))
            continue
        pending.append(post)
        n_posts += 1
        if n_posts >= batch_size:
            yield from _flush(pending, clf, mask_pii, languages, stats)
            pending, n_posts = [], 0
    yield from _flush(pending, clf, mask_pii, languages, stats)
    stats.seconds = time.perf_counter() - t0


def _flush(pending: list, clf, mask_pii: bool, languages, stats: ClassifyStats) -> Iterator[str]:
    posts = [p for p in pending if isinstance(p, dict)]
    rows: list[str] = []
    if posts:
        waited = [p["waited_minutes"] for p in posts]
        turns = [p["turn_index"] for p in posts]
        table = classify_posts(
            pa.array([p["text"] for p in posts], pa.string()), pa.array([p["role"] for p in posts], pa.string()),
            model=clf, mask_pii=mask_pii, languages=languages, batch_size=len(posts),
            waited_minutes=None if all(w is None for w in waited) else pa.array(waited, pa.float64()),
            turn_index=None if all(t is None for t in turns) else pa.array(turns, pa.int64()))
        rows = _json_rows(table, [p["id"] for p in posts])
        stats.classified += len(posts)
        for p in posts:
            stats.by_role[p["role"]] = stats.by_role.get(p["role"], 0) + 1
    it = iter(rows)
    for p in pending:
        yield next(it) if isinstance(p, dict) else p


def _json_rows(table: pa.Table, ids: list) -> list[str]:
    names = (["text"] if "text" in table.column_names else []) + [s for s in SIGNALS if s in table.column_names]
    cols = []
    for name in names:
        values = table.column(name).to_pylist()
        digits = FLOAT_DIGITS.get(name)
        if digits is not None:
            values = [None if v is None else round(v, digits) for v in values]
        cols.append(values)
    keys = ["id"] + names
    return [json.dumps(dict(zip(keys, row)), ensure_ascii=False) for row in zip(ids, *cols)]


def _id_of(raw: str):
    """The id of a rejected line when it can still be read, else None."""
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None
    pid = obj.get("id") if isinstance(obj, dict) else None
    return pid if isinstance(pid, (str, int)) and not isinstance(pid, bool) else None


def classify_file(src: IO[str], dst: IO[str], **kwargs) -> ClassifyStats:
    """Classify every line of ``src`` into ``dst`` (JSONL); returns the counts."""
    stats = ClassifyStats()
    write = dst.write
    for line in classify_lines(src, stats=stats, **kwargs):
        write(line)
        write("\n")
    return stats
