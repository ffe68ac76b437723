"""The JSONL classify service behind ``helpfirst classify``: posts in, one signals line per post out.

Input: one JSON object per line with at least ``id`` (string or integer), ``text`` (non-empty
string) and ``role`` (``customer``, ``brand`` or ``bot``, any case); optional ``waited_minutes``
(number >= 0) and ``turn_index`` (integer >= 0, or a whole float such as 4.0) feed urgency. Output: for every input line, in input order, one
JSON line ``{"id", "intent", "needs_help", "complaint", "reply_kind", "sentiment", "language",
"urgency"}`` (fields that do not apply to the role are null; with ``mask_pii`` also the masked
``text``, the signals still being those of the original text). A line that cannot be classified still gets its output line, ``{"id": <id or null>,
"line": N, "error": "<reason>"}``, and a ``FILE:LINE: reason`` message on the error stream, so
lines read = classified + rejected. The input is read line by line and classified in batches,
optionally by several worker processes.
"""
from __future__ import annotations

import itertools
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpfirst.signals import DEFAULT_BATCH, SIGNALS, PostClassifier, classify_posts, get_model

ROLES = ("customer", "brand", "bot")
_encode_str = json.encoder.encode_basestring  # json.dumps of a str with ensure_ascii=False, in C
FLOAT_DIGITS = {"complaint": 4, "sentiment": 4, "urgency": 4}
#: A line whose arrays and objects nest deeper than this is rejected before any JSON parser sees it:
#: Arrow's reader overflows the stack (a segfault) past about 10,000 levels, and json.loads raises
#: RecursionError past Python's recursion limit (1,000).
MAX_DEPTH = 500
#: A JSON string, or one never closed, which then runs to the end of the line (as a JSON parser
#: reads it: its error comes there, before any bracket after the quote). The quantifiers are
#: possessive and a match never fails once the quote is seen, so the scan never backtracks: it is
#: linear in the line (the earlier pattern rescanned to the end of the line from every escaped
#: quote of an unclosed string, minutes on a 1 MB line).
_STRINGS = re.compile(r'"(?:[^"\\]++|\\[\s\S]?)*+"?')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__


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


def parse_line(raw: str, *, mask_pii: bool = False, too_deep: bool | None = None) -> dict:
    """The validated post of one JSONL line: id, text, role and the optional urgency context.

    A bad line raises LineError; a value it quotes is shortened (ending in an ellipsis) and, with
    ``mask_pii``, has e-mail addresses, phone and card numbers masked. ``too_deep`` is the answer of
    ``_too_deep(raw)`` when the caller already has it (None: checked here)."""
    if not raw.strip():
        raise LineError("empty line (expected a JSON object)")
    if _too_deep(raw) if too_deep is None else too_deep:
        raise LineError(f"arrays and objects nested more than {MAX_DEPTH} levels deep")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        # json's message for a control character in a string already ends in " at"
        raise LineError(f"not JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})") from None
    except RecursionError:  # below MAX_DEPTH, but called deep in a stack
        raise LineError("arrays and objects nested too deeply") from None
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {type(obj).__name__}")
    if "id" not in obj:
        raise LineError("field 'id' is missing")
    pid = obj["id"]
    if pid is None:
        raise LineError("field 'id' is null (it must be a non-empty string or an integer)")
    if isinstance(pid, bool) or not isinstance(pid, (str, int)) or pid == "":
        raise LineError("field 'id' must be a non-empty string or an integer")
    text = obj.get("text")
    if "text" not in obj:
        raise LineError("field 'text' is missing")
    if text is None:
        raise LineError("field 'text' is null (it must be a non-empty string)")
    if not isinstance(text, str):
        raise LineError(f"field 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise LineError("field 'text' is empty")
    for name, value in (("text", text), ("id", pid)):
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise LineError(f"field {name!r} has an unpaired surrogate escape (not valid Unicode)") from None
    role = obj.get("role")
    if isinstance(role, str):  # any case, as audit reads author_role
        role = role.strip().lower()
    if role not in ROLES:
        raise LineError(f"field 'role' must be one of {', '.join(ROLES)}, got {_shown(obj.get('role'), mask_pii)}")
    waited = _number(obj.get("waited_minutes"))
    if waited is not None and (waited is False or not math.isfinite(waited) or waited < 0):
        raise LineError("field 'waited_minutes' must be a number >= 0")
    turn = obj.get("turn_index")
    if isinstance(turn, float) and turn.is_integer():  # pandas writes an integer column with nulls as floats
        turn = int(turn)
    if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int) or not 0 <= turn <= _INT64_MAX):
        raise LineError("field 'turn_index' must be an integer >= 0")
    return {"id": pid, "text": text, "role": role, "waited_minutes": waited, "turn_index": turn}


_INT64_MAX = 2**63 - 1
_SHOWN_CHARS = 40


def _shown(value, mask_pii: bool) -> str:
    """A value quoted in an error message: its JSON, masked first when asked (a cut e-mail address
    would no longer look like one), then cut to _SHOWN_CHARS characters ending in an ellipsis (and
    the closing quote, for a string)."""
    text = json.dumps(value, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # an unpaired surrogate: escaped, so Arrow and the terminal take it
            text = json.dumps(value)
    if mask_pii:
        from helpfirst.signals.pii import mask_pii as mask

        text = mask(pa.array([text], pa.string()))[0].as_py()
    if len(text) <= _SHOWN_CHARS:
        return text
    return text[:_SHOWN_CHARS - 2] + '\u2026"' if isinstance(value, str) else text[:_SHOWN_CHARS - 1] + "\u2026"


def _number(value):
    """A JSON number as a float (None stays None); False for anything else, including an integer
    too large for a float."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return float(value)
    except OverflowError:
        return False


def _too_deep(raw: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH in this line (brackets inside strings
    do not count). Counting brackets is a bound on the depth that costs two C scans, so only lines
    with more than MAX_DEPTH brackets are scanned for their real depth."""
    if raw.count("[") + raw.count("{") <= MAX_DEPTH:
        return False
    return _depth(raw) > MAX_DEPTH


def _depth(raw: str) -> int:
    """How deep arrays and objects nest in this line: json's nesting depth for valid JSON (0 for a
    scalar), brackets inside strings not counted. Linear: two regex passes that never backtrack
    (strings, then everything but brackets, removed) and a running sum in C."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", raw))
    return max(0, max(itertools.accumulate(map(_STEP, brackets)), default=0))


def classify_lines(lines: Iterable[str], *, source: str = "-", model: str | PostClassifier = "fast",
                   mask_pii: bool = False, batch_size: int = DEFAULT_BATCH, languages=None,
                   jobs: int = 1, on_error: Callable[[str], None] | None = None,
                   stats: ClassifyStats | None = None) -> Iterator[str]:
    """Output JSON lines (no newline) for input lines, in order, one per input line.

    Lines are read ``batch_size`` at a time; with ``jobs`` > 1 (and a model given by name) that many
    worker processes classify batches side by side, with at most ``jobs + 1`` batches in memory at
    once (forked, or spawned when this process has already run lingua, whose threads a fork breaks).
    A model that runs its own thread pool (``single_process``, the accurate tier's torch) always
    runs in this one process, whatever ``jobs`` says.
    """
    stats = stats if stats is not None else ClassifyStats()
    t0 = time.perf_counter()
    clf = model if isinstance(model, PostClassifier) else get_model(model)  # fails early, shared by forks
    if clf.single_process:
        # torch already uses every core; forked copies would fight over them (and torch's thread
        # pool is not fork-safe once used), each holding its own copy of the model
        jobs = 1
    batch_size = max(1, int(batch_size))
    chunks = _chunks(_without_bom(lines), batch_size)
    first = next(chunks, None)
    if first is None:
        return
    chunks = itertools.chain([first], chunks)
    if jobs > 1 and not isinstance(model, PostClassifier) and len(first[1]) == batch_size:
        results = _parallel(chunks, jobs, source, model, mask_pii, languages)
    else:
        results = (_work(start, chunk, source, clf, mask_pii, languages) for start, chunk in chunks)
    try:
        for out, messages, counts in results:
            stats.lines_read += len(out)
            stats.classified += counts["classified"]
            stats.rejected += counts["rejected"]
            for role, n in counts["by_role"].items():
                stats.by_role[role] = stats.by_role.get(role, 0) + n
            if on_error is not None:
                for m in messages:
                    on_error(m)
            yield from out
            stats.seconds = time.perf_counter() - t0
    finally:
        if hasattr(results, "close"):
            results.close()  # the worker pool is terminated now, not when the generator is collected


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines, less a UTF-8 byte-order mark at the start of the first (editors on Windows write one)."""
    it = iter(lines)
    first = next(it, None)
    if first is None:
        return
    yield first[1:] if first.startswith("\ufeff") else first
    yield from it


def _chunks(lines: Iterable[str], size: int) -> Iterator[tuple[int, list[str]]]:
    chunk: list[str] = []
    start = 1
    for raw in lines:
        chunk.append(raw)
        if len(chunk) >= size:
            yield start, chunk
            start += len(chunk)
            chunk = []
    if chunk:
        yield start, chunk


def _parallel(chunks, jobs: int, source: str, model: str, mask_pii: bool, languages):
    """Ordered results of _work over forked workers, keeping at most jobs + 1 chunks in flight."""
    import multiprocessing as mp
    from collections import deque

    from helpfirst.signals import language

    # lingua's thread pool does not survive a fork: a forked child that detects languages hangs.
    # Fork (cheap, shares the loaded model) only while this process has not used lingua yet.
    ctx = mp.get_context("spawn" if language.detector.cache_info().currsize else "fork")
    with ctx.Pool(jobs, initializer=_ignore_interrupts, initargs=(os.getpid(),)) as pool:
        window: deque = deque()
        for start, chunk in chunks:
            window.append(pool.apply_async(_work, (start, chunk, source, model, mask_pii, languages)))
            if len(window) > jobs:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def _ignore_interrupts(parent: int | None = None) -> None:
    """A worker leaves Ctrl-C to the parent, which ends the pool (a terminal sends it to both), and
    ends at once, without a word, when the parent dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # `kill PID`, systemd's KillMode=mixed or a container stop signal only the parent: a worker left
    # behind would go on classifying and then print a BrokenPipeError traceback into the job's log
    # when it hands its result to the dead parent. Linux ends it with the parent instead.
    _die_with_parent()
    if parent is not None and os.getppid() != parent:  # the parent died before that took effect
        os._exit(0)


def _die_with_parent() -> None:
    """Ask Linux to send this process SIGKILL when its parent ends (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _work(start: int, chunk: list[str], source: str, model, mask_pii: bool, languages):
    """Parse, classify and serialise one chunk of input lines: (output lines, messages, counts)."""
    clf = model if isinstance(model, PostClassifier) else get_model(model)
    # a too deeply nested line would crash Arrow's reader: such a chunk goes line by line
    deep = [_too_deep(raw) for raw in chunk]  # once a line: parse_line and _id_of are told
    fast = None if any(deep) else _parse_chunk(chunk)
    if fast is not None:  # every line is a valid post: no per-line Python
        ids, texts, roles = fast
        table = classify_posts(texts, roles, model=clf, mask_pii=mask_pii, languages=languages,
                               batch_size=len(ids))
        counts = pc.value_counts(roles).to_pylist()
        by_role = {c["values"]: c["counts"] for c in counts}
        return _json_rows(table, ids), [], {"classified": len(ids), "rejected": 0, "by_role": by_role}
    slots: list = []
    messages: list[str] = []
    posts: list[dict] = []
    for lineno, (raw, too_deep) in enumerate(zip(chunk, deep), start=start):
        try:
            post = parse_line(raw, mask_pii=mask_pii, too_deep=too_deep)
        except LineError as exc:
            messages.append(f"{source}:{lineno}: {exc}")
            slots.append(json.dumps({"id": _id_of(raw, too_deep), "line": lineno, "error": str(exc)}))
            continue
        slots.append(None)
        posts.append(post)
    by_role: dict[str, int] = {}
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
        for p in posts:
            by_role[p["role"]] = by_role.get(p["role"], 0) + 1
    it = iter(rows)
    out = [next(it) if s is None else s for s in slots]
    return out, messages, {"classified": len(posts), "rejected": len(chunk) - len(posts), "by_role": by_role}


def _parse_chunk(chunk: list[str]):
    """(ids, texts, roles) of a chunk read by Arrow's JSON reader when every line is a valid post
    without urgency context; None otherwise, and the chunk goes through parse_line line by line
    (which names each bad line). Same acceptance rules as parse_line."""
    import io

    import pyarrow.json as pj

    try:
        data = "".join(chunk).encode("utf-8")
        table = pj.read_json(io.BytesIO(data), read_options=pj.ReadOptions(use_threads=False,
                                                                            block_size=len(data) + 1))
    except (pa.ArrowException, UnicodeEncodeError, ValueError):
        return None
    names = set(table.column_names)
    if table.num_rows != len(chunk) or not {"id", "text", "role"} <= names or names & {"waited_minutes", "turn_index"}:
        return None  # blank lines (which Arrow skips), missing fields, or context for urgency
    ids, texts, roles = (table.column(n).combine_chunks() for n in ("id", "text", "role"))
    if not (pa.types.is_string(texts.type) and pa.types.is_string(roles.type)
            and (pa.types.is_string(ids.type) or pa.types.is_int64(ids.type))):
        return None
    ok = pc.and_(pc.is_valid(ids), pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(texts)), 0))
    if not pc.all(pc.is_in(roles, value_set=pa.array(ROLES))).as_py():
        roles = pc.utf8_lower(pc.utf8_trim_whitespace(roles))  # any case, as parse_line reads them
    ok = pc.and_(ok, pc.is_in(roles, value_set=pa.array(ROLES)))
    if pa.types.is_string(ids.type):
        ok = pc.and_(ok, pc.greater(pc.utf8_length(ids), 0))
    if not pc.all(pc.fill_null(ok, False)).as_py():
        return None
    return ids.to_pylist(), texts, roles


def _json_rows(table: pa.Table, ids: list) -> list[str]:
    """One JSON object per row (id first), assembled from per-column JSON fragments (3x json.dumps)."""
    names = (["text"] if "text" in table.column_names else []) + [s for s in SIGNALS if s in table.column_names]
    cols = [[_encode_str(i) if isinstance(i, str) else str(i) for i in ids]]
    for name in names:
        digits = FLOAT_DIGITS.get(name)
        if digits is not None:
            cols.append(_json_floats(table.column(name), digits))
            continue
        values = table.column(name).to_pylist()
        if name == "text":
            cols.append([_encode_str(v) for v in values])
        else:  # few distinct values (classes, language codes, booleans): encode each once
            cache: dict = {}
            cols.append([cache[v] if v in cache else cache.setdefault(v, json.dumps(v)) for v in values])
    template = "{" + ", ".join(f'"{k}": %s' for k in ["id"] + names) + "}"
    return [template % row for row in zip(*cols)]


def _json_floats(col, digits: int) -> list[str]:
    """JSON numbers rounded to ``digits`` places, formatted by Arrow (shortest round trip), with a
    ".0" on whole numbers so every value reads back as a float; null stays null."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    x = np.round(col.to_numpy(zero_copy_only=False).astype(np.float64), digits) + 0.0  # no "-0"
    text = pc.cast(pa.array(x, pa.float64()), pa.string())
    whole = pc.invert(pc.match_substring_regex(text, r"[.en]"))  # no point, exponent, nan/inf
    text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    return pc.if_else(col.is_null(), "null", text).to_pylist()


def _id_of(raw: str, too_deep: bool):
    """The id of a rejected line when it can still be read, else None (always for a line too deep)."""
    if too_deep:
        return None
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return None
    pid = obj.get("id") if isinstance(obj, dict) else None
    return pid if isinstance(pid, (str, int)) and not isinstance(pid, bool) else None


class InputError(Exception):
    """The input stream could not be read (the message is the system's reason)."""


class OutputError(Exception):
    """The output stream could not be written (the message is the system's reason)."""


def classify_file(src: IO[str], dst: IO[str], **kwargs) -> ClassifyStats:
    """Classify every line of ``src`` into ``dst`` (JSONL, flushed); returns the counts.

    An error reading ``src`` raises InputError and one writing ``dst`` OutputError (a closed pipe
    stays BrokenPipeError: the reader has stopped, which is no error of the output)."""
    stats = ClassifyStats()
    write = dst.write
    lines = classify_lines(_read(src), stats=stats, **kwargs)
    try:
        for line in lines:
            try:
                write(line)
                write("\n")
            except BrokenPipeError:
                raise
            except OSError as exc:
                raise OutputError(exc.strerror or str(exc)) from exc
        try:
            dst.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc
    finally:
        lines.close()  # now, not when collected: worker processes end with it (Ctrl-C, a failed write)
    return stats


def _read(src: Iterable[str]) -> Iterator[str]:
    try:
        yield from src
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from exc
