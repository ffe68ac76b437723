"""Suggestions end to end: resources + history -> a cached index -> ranked suggestions with reasons and a draft."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


from ..ingest import ImportOptions, ImportReport
from ..knowledge.models import LoadReport, Resource
from ..knowledge.sources import LoadOptions, load_resources
from ..knowledge.store import KnowledgeStore, brand_key
from ..knowledge.text import tokenize
from ..knowledge.urls import strip_archive
from .draft import HANDLE, HANDLE_RULE, LIMITS, Voice, channel_limit, draft_reply, post_length
from .history import learn, read_conversations, read_expansions
from .index import INDEX_VERSION, SuggestIndex
from .rank import Candidate, Query, QueryTurn, Ranker, Weights, shared_words

#: a query post's role -> customer or brand; a post without a role (absent or null) is the customer's
ROLES = {"customer": "customer", "client": "customer", "user": "customer",
         "brand": "brand", "agent": "brand", "support": "brand", "assistant": "brand"}


class QueryError(Exception):
    """A query that cannot be answered: field and one-line reason."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def load_kb(paths: list[Path], report: LoadReport, brand: str | None = None, kind: str | None = None) -> list[Resource]:
    """Resources from store folders and/or resource files of any format."""
    out: list[Resource] = []
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir() and KnowledgeStore.is_store(p):
            store = KnowledgeStore.open(p)
            items = store.sorted()
            report.read += len(items)
            report.loaded += len(items)
            report.files.append({"path": str(p), "format": "store", "read": len(items), "loaded": len(items), "rejected": 0})
            out.extend(items)
        else:
            files.append(p)
    # suggest and eval suggest have no option that sets a resource's brand (their --brand names handles in the history)
    options = LoadOptions(brand=brand, kind=kind) if brand is not None else LoadOptions(kind=kind, no_brand=NO_BRAND)
    out.extend(load_resources(files, options, report))
    return out


#: why a resource without a brand is rejected, as suggest and eval suggest say it
NO_BRAND = ("no brand: give it in the record, or add the files with `helpfirst kb add PATH --brand B` and pass that "
            "knowledge-base folder to --kb (the --brand of suggest and eval suggest names brand handles in the history, "
            "not the brand of resources)")


def kb_lists(resources: list[Resource]):
    """(brand, url) -> whether the knowledge base lists that page for that brand (as the index resolves links)."""
    from .index import UrlResolver

    resolver = UrlResolver(resources)
    return lambda brand, url: resolver.resolve(brand, url) is not None


def _fingerprint(paths: list[Path], streams: dict[str, str] | None = None, unreadable: list[str] | None = None) -> list:
    """[name, size, modification time] of each input file (a folder's files); a pipe's or standard input's temporary
    copy (`streams`: copy -> the name it was given by) is named by that name, its size and a digest of its content,
    as its copy's path and time change on every run while its name stays the same whatever is piped in.

    `unreadable` gets each file that is there but cannot be opened for reading (mode 000): a chmod back changes
    neither its size nor its time, so an index built without it must not be saved under this key."""
    streams = streams or {}
    items = []
    for p in paths:
        p = Path(p)
        if str(p) in streams:
            try:
                with p.open("rb") as fh:
                    digest = hashlib.file_digest(fh, "blake2b").hexdigest()
                items.append([streams[str(p)], p.stat().st_size, f"blake2b:{digest}"])
            except OSError:
                items.append([streams[str(p)], None, None])
            continue
        found = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
        for f in found:
            try:
                st = f.stat()
                items.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
            except OSError:
                items.append([str(f), None, None])
                continue
            if unreadable is not None and not _opens(f):
                unreadable.append(str(f))
    return items


def _opens(path: Path) -> bool:
    """Whether the file at `path` opens for reading (not read: a device or a FIFO is not waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    os.close(fd)
    return True


def cache_key(kb: list[Path], history: list[Path], semantic: bool, extra: dict | None = None,
              streams: dict[str, str] | None = None, unreadable: list[str] | None = None) -> str:
    """Names an index by its inputs (paths, sizes, modification times; a pipe's copy by its content) and options;
    `unreadable` gets the input files that are there but cannot be opened for reading."""
    return _digest({"v": INDEX_VERSION, "kb": _fingerprint(kb, streams, unreadable),
                    "history": _fingerprint(history, streams, unreadable), "semantic": semantic, **(extra or {})})


def folder_key(kb: list[Path], history: list[Path], options: dict) -> str:
    """Names an index folder by its input paths and options, not their contents: a changed input rebuilds the same folder.

    A pipe or standard input is named as given ('-', /dev/stdin): resolved, /dev/stdin would name the pipe of this
    run (a new folder on every run)."""
    return _digest({"kb": [_input_name(p) for p in kb], "history": [_input_name(p) for p in history], **options})


def _input_name(path: Path) -> str:
    from ..ingest import is_stream

    return str(path) if is_stream(path) else str(Path(path).resolve())


def _spool_streams(paths: list[Path], report: ImportReport, streams: dict[str, str]) -> tuple[list[Path], bool]:
    """`paths` with each pipe or standard input replaced by its temporary copy (ingest.spool: read once, whole), so
    the cache key can be of its content; `streams` gets copy -> name shown. A stream that cannot be copied (a full
    temporary folder, the copy limit, binary data) is left out with its error in `report`; the bool says one was."""
    from ..ingest import ImportFailed, is_stream, spool

    out: list[Path] = []
    copies: dict[str, Path] = {}   # a pipe given twice is read once
    failed = False
    for p in paths:
        p = Path(p)
        if not is_stream(p):
            out.append(p)
            continue
        if str(p) not in copies:
            try:
                shown, copy = spool(p)
            except ImportFailed as exc:
                report.errors.append(str(exc))
                failed = True
                continue
            copies[str(p)] = copy
            streams[str(copy)] = str(shown)
        out.append(copies[str(p)])
    return out, failed


def _rename_copies(report: ImportReport, streams: dict[str, str], since: tuple[int, int, int] = (0, 0, 0)) -> None:
    """Name each stream as given instead of its temporary copy in what `report` got since `since`
    (rejections, errors, files)."""
    from dataclasses import replace

    for old, new in streams.items():
        for i in range(since[0], len(report.rejections)):
            r = report.rejections[i]
            if r.file.startswith(old) or old in r.reason:
                file = new + r.file[len(old):] if r.file.startswith(old) else r.file
                report.rejections[i] = replace(r, file=file, reason=r.reason.replace(old, new))
        report.errors[since[1]:] = [e.replace(old, new) for e in report.errors[since[1]:]]
        for entry in report.files[since[2]:]:
            if isinstance(entry.get("path"), str) and entry["path"].startswith(old):
                entry["path"] = new + entry["path"][len(old):]


def _digest(doc: dict) -> str:
    return hashlib.sha1(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def default_cache_dir() -> Path:
    """<cache root>/suggest: HELPFIRST_CACHE (environment, then .env), else $XDG_CACHE_HOME/helpfirst, else ~/.cache/helpfirst."""
    from ..config import cache_dir, load_settings

    return cache_dir(load_settings()) / "suggest"


def default_index_dir(kb: list[Path], history: list[Path], semantic: bool, options: dict) -> Path:
    """The cached index folder of these inputs and options: one per set, rebuilt in place when a file changes."""
    return default_cache_dir() / folder_key(kb, history, {"semantic": semantic, **options})


@dataclass
class BuildResult:
    """An index with how it came about."""

    index: SuggestIndex
    kb_report: LoadReport
    history_report: ImportReport
    cached: bool
    path: Path | None
    messages: list[str] = field(default_factory=list)


def build_or_load(kb: list[Path], history: list[Path], index_dir: Path | None = None, semantic: bool = False,
                  history_format: str | None = None, brands: list[str] = (), encoder=None,
                  cache: bool = True, column_map: dict[str, str] | None = None) -> BuildResult:
    """Load the index of these inputs if one was saved, else read everything, build it and save it.

    column_map: canonical field (or `outcome`/`reply_kind`) -> column of the history files, as `audit --map`.
    """
    options = {"format": history_format, "brands": sorted(brands), "map": column_map or {}}
    folder = Path(index_dir) if index_dir else (default_index_dir(kb, history, semantic, options) if cache else None)
    # a pipe or standard input is copied first: its name says nothing of what came through it, so the key is of its
    # content; one that could not be copied whole, or a file that cannot be read, leaves an index that is used but
    # neither loaded nor saved
    kb_report = LoadReport()
    history_report = ImportReport()
    streams: dict[str, str] = {}
    kb, kb_failed = _spool_streams(list(kb), kb_report, streams)
    history, history_failed = _spool_streams(list(history), history_report, streams)
    unreadable: list[str] = []   # files there but not readable (mode 000): a chmod back leaves the key as it was
    key = cache_key(kb, history, semantic, options, streams, unreadable)
    incomplete = kb_failed or history_failed or bool(unreadable)
    messages: list[str] = []
    if folder is not None and incomplete:
        messages.append(f"{folder}: the index is not saved (nor a saved one used): an input could not be read whole")
        folder = None
    if folder is not None:
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            meta = {}   # none yet, unreadable or damaged: built (again), not an error
        if isinstance(meta, dict) and meta.get("key") == key:
            try:
                loaded = SuggestIndex.load(folder)
                # another build may have replaced the folder between reading its key and loading it
                if isinstance(loaded.stats, dict) and loaded.stats.get("key") == key:
                    # the reports of the build that made it: a cached run names the same missing files,
                    # rejections and counts as the run that built the index (the key covers every input path)
                    kb_saved, history_saved = _saved_reports(loaded.stats)
                    return BuildResult(loaded, kb_saved, history_saved, True, folder)
            except Exception as exc:  # noqa: BLE001 - whatever the damage (an empty .npy is an EOFError), the cure is a rebuild
                # a damaged file (deleted, truncated, a meta.json edited by hand) under a matching key:
                # rebuild rather than fail on every run
                messages.append(f"{folder}: the saved index could not be read ({exc}); it is rebuilt")
    kb_marks = len(kb_report.rejections), len(kb_report.errors), len(kb_report.files)
    resources = load_kb(kb, kb_report)
    _rename_copies(kb_report, streams, kb_marks)
    handles = frozenset(list(brands) + sorted({r.brand for r in resources}))
    conversations = []
    if history:
        post_map, signal_map = split_map(column_map)
        history_marks = len(history_report.rejections), len(history_report.errors), len(history_report.files)
        conversations, history_report = read_conversations(list(history), ImportOptions(brands=handles, column_map=post_map),
                                                           history_format, history_report, signal_map)
        _rename_copies(history_report, streams, history_marks)
    lessons = learn(conversations, expansions=read_expansions(list(history)), listed=kb_lists(resources))
    if semantic and encoder is None:
        from .semantic import Encoder

        encoder = Encoder()
    index = SuggestIndex.build(resources, lessons, encoder=encoder if semantic else None)
    index.stats["key"] = key
    index.stats["short_link_replies"] = lessons.short_link_replies
    index.stats["brand_replies"] = lessons.brand_replies
    index.stats["replies_by_brand"] = lessons.replies_by_brand
    index.stats["reports"] = {"kb": _report_doc(kb_report), "history": _report_doc(history_report)}
    saved = None
    if folder is not None:
        try:
            index.save(folder, key=key)
            saved = folder
        except OSError as exc:
            kb_report.errors.append(f"{folder}: the index could not be saved ({exc.strerror or exc}); it is used from memory")
    return BuildResult(index, kb_report, history_report, False, saved, messages)


def _report_doc(report: ImportReport) -> dict:
    """What a cached run must repeat of a build's report: counts, file errors, listed rejections, files read."""
    return {"rows_read": report.rows_read, "rows_loaded": report.rows_loaded, "rows_rejected": report.rows_rejected,
            "errors": list(report.errors), "files": list(report.files),
            "rejections": [r.to_dict() for r in report.rejections]}


#: the build's figures a cached run shows (suggest's summary and notes, an unknown brand's reason): whole counts
_SAVED_COUNTS = ("cases", "answers", "learned_resources", "short_link_replies", "brand_replies")


def _saved_reports(stats: dict) -> tuple[LoadReport, ImportReport]:
    """The knowledge and history reports a cached index saved, its figures checked; ValueError saying what is damaged."""
    for name in _SAVED_COUNTS:
        if not _is_count(stats.get(name)):
            raise ValueError(f"its {name} is missing or not a count")
    by_brand = stats.get("replies_by_brand")
    if not isinstance(by_brand, dict) or not all(isinstance(k, str) and _is_count(v) for k, v in by_brand.items()):
        raise ValueError("its replies_by_brand is missing or not counts by brand")
    reports = stats.get("reports")
    if not isinstance(reports, dict):
        raise ValueError("its saved reports are missing or not an object")
    return _report_from(LoadReport(), reports.get("kb"), "kb"), _report_from(ImportReport(), reports.get("history"), "history")


def _report_from(report: ImportReport, doc: object, name: str) -> ImportReport:
    """`report` filled from a _report_doc; ValueError naming the part of it that is missing or of the wrong type."""
    from ..ingest.base import Rejection

    if not isinstance(doc, dict):
        raise ValueError(f"its saved {name} report is missing or not an object")
    for count in ("rows_read", "rows_loaded", "rows_rejected"):
        if not _is_count(doc.get(count)):
            raise ValueError(f"its saved {name} report has no count {count}")
    errors, files, rejections = doc.get("errors"), doc.get("files"), doc.get("rejections")
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise ValueError(f"its saved {name} report's errors are missing or not a list of text")
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in files):
        raise ValueError(f"its saved {name} report's files are missing or not a list of files")
    if not isinstance(rejections, list) or not all(_is_rejection(r) for r in rejections):
        raise ValueError(f"its saved {name} report's rejections are missing or not a list of rejections")
    report.rows_read, report.rows_loaded, report.rows_rejected = doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]
    report.errors = list(errors)
    report.files = list(files)
    report.rejections = [Rejection(r["file"], r["line"], r["field"], r["reason"]) for r in rejections]
    return report


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_rejection(doc: object) -> bool:
    """A Rejection.to_dict: file and reason text, line a line number or null, field text or null."""
    return (isinstance(doc, dict) and isinstance(doc.get("file"), str) and isinstance(doc.get("reason"), str)
            and "line" in doc and (doc["line"] is None or _is_count(doc["line"]))
            and "field" in doc and (doc["field"] is None or isinstance(doc["field"], str)))


def split_map(column_map: dict[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    """(post field mappings for the importer, `outcome`/`reply_kind` mappings for the learner)."""
    from ..ingest.canonical import SIGNAL_FIELDS

    column_map = column_map or {}
    return ({k: v for k, v in column_map.items() if k not in SIGNAL_FIELDS},
            {k: v for k, v in column_map.items() if k in SIGNAL_FIELDS})


def parse_query(obj: object) -> Query:
    """A QUERIES line as a Query; QueryError names the field that is wrong."""
    if not isinstance(obj, dict):
        raise QueryError(None, "not a JSON object")
    qid = obj.get("id")
    if qid is not None and (isinstance(qid, bool) or not isinstance(qid, (str, int))):
        raise QueryError("id", f"id must be a string or a whole number, not {_json_type(qid)}")
    if qid is None or str(qid).strip() == "":
        raise QueryError("id", "missing id")
    _no_surrogate(qid, "id")
    brand = obj.get("brand")
    if brand is not None and not isinstance(brand, str):
        raise QueryError("brand", f"brand must be a string (the brand's name or handle), not {_json_type(brand)}")
    if brand is None or not brand.strip():
        raise QueryError("brand", "missing brand")
    _no_surrogate(brand, "brand")
    posts = obj.get("posts")
    if not isinstance(posts, list):
        raise QueryError("posts", "posts must be a list of {role, text, created_at}")
    turns = []
    for i, p in enumerate(posts):
        if not isinstance(p, dict):
            raise QueryError(f"posts[{i}]", "not an object")
        given = p.get("role")
        role = "customer" if given is None else ROLES.get(given.strip().lower()) if isinstance(given, str) else None
        if role is None:
            raise QueryError(f"posts[{i}].role", f"unknown role {json.dumps(given)[:40]} (expected customer or brand; "
                             "user and client mean customer, agent, support and assistant mean brand; no role means customer)")
        text = p.get("text")
        if text is not None and not isinstance(text, str):
            raise QueryError(f"posts[{i}].text", "text must be a string")
        _no_surrogate(text, f"posts[{i}].text")
        author = p.get("author")
        _no_surrogate(author, f"posts[{i}].author")
        if author is not None and not isinstance(author, str):
            raise QueryError(f"posts[{i}].author", f"author must be a string (a handle), not {_json_type(author)}")
        if role == "customer":  # mentioned in the draft when the query names no customer
            author = _handle(author, f"posts[{i}].author")
        turns.append(QueryTurn(role, text or "", _created_at(p.get("created_at"), f"posts[{i}].created_at"), author))
    channel = _channel(obj.get("channel"))
    customer = obj.get("customer")
    if customer is not None and not isinstance(customer, str):
        raise QueryError("customer", f"customer must be a string (the handle to mention), not {_json_type(customer)}")
    _no_surrogate(customer, "customer")
    return Query(str(qid), brand.strip(), turns, channel, _handle(customer, "customer"))


def _handle(value: str | None, name: str) -> str | None:
    """A handle to mention, None when absent or empty; QueryError when it does not look like one."""
    value = (value or "").strip()
    if not value:
        return None
    if not HANDLE.fullmatch(value):
        raise QueryError(name, f"{json.dumps(value)[:80]} is not a handle ({HANDLE_RULE})")
    return value


#: half of a UTF-16 pair without its other half: JSON lets "\ud800" through, but it is no text and cannot be written out
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_type(value: object) -> str:
    """What a JSON value is, as an error message names it."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, int):
        return "a number"
    return {dict: "an object", list: "an array", str: "a string"}.get(type(value), type(value).__name__)


def _no_surrogate(value: object, name: str) -> None:
    """QueryError naming the field when a string holds a lone surrogate."""
    if isinstance(value, str) and (m := _SURROGATE.search(value)):
        raise QueryError(name, f"holds a lone surrogate ({ascii(m.group())[1:-1]}, half of a UTF-16 pair): not text")


def _created_at(value: object, name: str) -> str | None:
    """An ISO 8601 date-time string as given, None when absent; QueryError otherwise."""
    from ..ingest.common import parse_iso

    if value is None or value == "":
        return None
    if not isinstance(value, str) or parse_iso(value) is None:
        raise QueryError(name, f"not an ISO 8601 date-time: {json.dumps(value)[:60]}")
    return value


def _channel(value: object) -> str | None:
    """A channel the drafts know (x, twitter, mastodon, bluesky), None when absent; QueryError otherwise."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in LIMITS:
        raise QueryError("channel", f"unknown channel {json.dumps(value)[:60]} (expected one of {', '.join(LIMITS)})")
    return value.strip().lower()


class QueriesFailed(Exception):
    """A queries file that cannot be read at all: one line naming it."""


@dataclass
class QueriesFile:
    """An open queries file (or standard input) and the first bytes already read from it."""

    name: str
    handle: BinaryIO
    head: bytes

    def lines(self) -> Iterator[bytes]:
        """The file's lines, the first bytes included."""
        buf = self.head
        while (end := buf.find(b"\n")) >= 0:
            yield buf[:end + 1]
            buf = buf[end + 1:]
        if buf:
            yield buf + self.handle.readline()
        yield from self.handle

    def close(self) -> None:
        """Close the file (standard input stays open)."""
        if self.handle is not sys.stdin.buffer:
            self.handle.close()


def open_queries(path: Path) -> QueriesFile:
    """The queries file `path` (`-`: standard input; pipes and /dev/stdin too), checked for what is not UTF-8 text.

    QueriesFailed for a missing path, a folder, an unreadable file, and a compressed, UTF-16 or binary
    file (judged by its first bytes as audit judges its files).
    """
    from ..ingest import ImportFailed, check_text

    path = Path(path)
    if str(path) == "-":
        name, handle = "<stdin>", sys.stdin.buffer
    else:
        name = str(path)
        if not path.exists():
            raise QueriesFailed(f"{name}: no such file")
        if path.is_dir():
            raise QueriesFailed(f"{name}: is a directory, not a file")
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise QueriesFailed(f"{name}: cannot be read ({exc.strerror or exc})") from None
    queries = QueriesFile(name, handle, b"")
    try:
        # read1: a pipe gives what was written so far, without waiting for more
        while len(queries.head) < 8 and b"\n" not in queries.head and (chunk := handle.read1(4096)):
            queries.head += chunk
        check_text(name, queries.head)
    except ImportFailed as exc:
        queries.close()
        raise QueriesFailed(str(exc)) from None
    except OSError as exc:
        queries.close()
        raise QueriesFailed(f"{name}: cannot be read ({exc.strerror or exc})") from None
    return queries


def read_queries(source: Path | QueriesFile) -> Iterator[tuple[int, Query | QueryError]]:
    """(line number, Query or the error) for each non-empty line of a QUERIES JSONL file."""
    queries = source if isinstance(source, QueriesFile) else open_queries(source)
    try:
        for number, raw in enumerate(queries.lines(), 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]   # a UTF-8 byte order mark, as Windows editors write
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield number, QueryError(None, "bytes are not valid UTF-8")
                continue
            except (ValueError, RecursionError) as exc:
                why = "nested too deeply" if isinstance(exc, RecursionError) else exc.args[0].split(":")[0]
                yield number, QueryError(None, f"not valid JSON ({why})")
                continue
            try:
                yield number, parse_query(obj)
            except QueryError as exc:
                exc.qid = obj.get("id") if isinstance(obj, dict) else None
                yield number, exc
    finally:
        queries.close()


class Suggester:
    """Ranks, explains and drafts for queries against one index."""

    def __init__(self, index: SuggestIndex, weights: Weights | None = None, encoder=None,
                 voices: dict[str, Voice] | None = None) -> None:
        self.index = index
        self.ranker = Ranker(index, weights, encoder)
        self.voices = voices or {"default": Voice.from_dict({})}
        self._res_cols = {name: index.resources.column(name) for name in ("id", "url", "title", "kind", "brand")}
        self._answers = index.resources.column("answer") if "answer" in index.resources.column_names else None

    def check(self, query: Query) -> None:
        """QueryError for an unknown brand or a conversation with no words."""
        if brand_key(query.brand) not in self.index.brands:
            known = ", ".join(sorted(b.name for b in self.index.brands.values())[:8])
            known = f"(brands with suggestions: {known}{', …' if len(self.index.brands) > 8 else ''})" if known else "(no brand has any)"
            replies = int((self.index.stats.get("replies_by_brand") or {}).get(brand_key(query.brand), 0))
            if replies:
                why = (f"nothing to suggest for brand {query.brand!r}: the knowledge base has no resource of it, and none of its "
                       f"{replies:,} replies in the history linked a resource or was a reusable answer")
            else:
                why = f"unknown brand {query.brand!r}: no resource of it in the knowledge base and no reply of it in the history"
            raise QueryError("brand", f"{why} {known}")
        if not any(p.text.strip() for p in query.posts):
            raise QueryError("posts", "empty conversation: no post has any text")

    def suggest(self, query: Query, k: int = 10) -> dict:
        """{"id", "suggestions": [{resource_id, url, score, reason}], "draft"} for a checked query."""
        candidates = self.ranker.rank(query, k)
        suggestions = [self._describe(query, c) for c in candidates]
        draft = self._draft(query, candidates[0]) if candidates else None
        return {"id": query.id, "suggestions": suggestions, "draft": draft, "draft_warning": draft_warning(draft, query.channel)}

    def _row(self, kind: str, row: int) -> dict:
        if kind == "resource":
            info = {name: col[row].as_py() for name, col in self._res_cols.items()}
            info["text"] = self._answers[row].as_py() if self._answers is not None else ""
            return info
        a = self.index.answers.slice(row, 1).to_pylist()[0]
        return {"id": f"reply:{a['post_id']}", "url": a["url"] or "", "title": "", "kind": "answer", "brand": a["brand"],
                "text": a["text"], "context": a["context"]}

    def _describe(self, query: Query, c: Candidate) -> dict:
        info = self._row(c.kind, c.row)
        return {"resource_id": info["id"], "url": info["url"], "score": round(c.score, 4), "reason": self._reason(query, c, info)}

    def _reason(self, query: Query, c: Candidate, info: dict) -> str:
        ix = self.index
        bits = []
        if c.kind == "answer":
            uses = int(c.parts.get("uses", 1))
            sent = f"; sent {uses}× before" if uses > 1 else ""
            problem = _short(info["context"], 70)
            if c.parts.get("answer", 0) >= SIMILAR_REPLY:
                return f"a past reply that solved a similar problem (“{problem}”){sent}"
            words = self._query_words(query, set(c.matched))
            shared = ", ".join(words[:4]) if words else "a few words"
            return f"a past reply to another problem (“{problem}”) that shares {shared} with this one{sent}"
        links = int(ix.links[c.row])
        if links:
            bits.append(f"linked {links}× before" if links > 1 else "linked once before")
        case = int(c.parts.get("best_case", -1))
        if case >= 0 and (c.parts.get("knn", 0) > 0.3 or c.parts.get("evidence", 0) > 0.5):
            snippet = ix.cases.column("snippet")[case].as_py()
            if snippet:
                bits.append(f"for a similar problem (“{_short(snippet, 60)}”)")
        words = self._matched(query, c.row)
        if words and c.parts.get("lex", 0) > 0:
            bits.append("matches " + ", ".join(words[:4]))
        if c.parts.get("sem", 0) > 0.5 and not words:
            bits.append("close in meaning to the request")
        if not bits:
            bits.append("often used by this brand" if c.parts.get("prior", 0) > 0 else "best available match")
        return "; ".join(bits)

    @staticmethod
    def _query_words(query: Query, stems: set[str]) -> list[str]:
        """The query's words whose stems are among `stems` (as the customer wrote them, once each)."""
        return [word for word, stem in _query_stems(query) if stem in stems]

    def _matched(self, query: Query, row: int) -> list[str]:
        """Query words that the resource's own text contains."""
        pairs = _query_stems(query)
        found = set(shared_words(self.index.res_index, [stem for _, stem in pairs], [row])[0])
        return [word for word, stem in pairs if stem in found]

    def _draft(self, query: Query, c: Candidate) -> str:
        info = self._row(c.kind, c.row)
        voice = self.voices.get(brand_key(query.brand)) or self.voices["default"]
        title = info.get("title") or ""
        # the customer gets the live page, not an archive.org snapshot of it
        url = strip_archive(info["url"]) if info["url"] else ""
        return draft_reply(voice, query.channel, _mention(query), info["kind"], title, url, info.get("text", ""))


#: a past reply's match (rank._overlap, 0..1) from which its reason says it solved "a similar problem"
SIMILAR_REPLY = 0.3


def draft_warning(draft: str | None, channel: str | None) -> str | None:
    """Why a draft is over its channel's limit (the mention and the link alone do not fit), or None."""
    if not draft:
        return None
    channel, limit = channel_limit(channel)
    length = post_length(draft, channel)
    if length <= limit:
        return None
    return (f"the draft is {length} characters, over {channel}'s limit of {limit}: the mention and the link alone "
            "do not fit, and neither is ever cut; shorten the link before posting")


def _query_stems(query: Query) -> list[tuple[str, str]]:
    """(word as the customer wrote it, lower-cased; its stem) for the first word of each stem in the query."""
    pairs, seen = [], set()
    for p in query.posts:
        for word in _words(p.text):
            stem = tokenize(word)
            if stem and stem[0] not in seen:
                seen.add(stem[0])
                pairs.append((word.lower(), stem[0]))
    return pairs


def _words(text: str) -> list[str]:
    """A query's words as a reason shows them: as written for plain text; for text beyond ASCII the
    tokeniser's own words (character pairs of Chinese or Japanese, folded accents), one stem each."""
    from ..knowledge.text import clean_post, split_words

    text = clean_post(text)
    if text.isascii():
        return [w for w in text.replace("’", "'").split() if w.isalpha() and len(w) > 2]
    return [w for w in split_words(text) if not w.isascii() or (w.isalpha() and len(w) > 2)]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _mention(query: Query) -> str | None:
    """The customer's handle: given, else an author of a customer post, else whom the brand's last reply addressed."""
    if query.customer:
        return query.customer
    for p in query.posts:
        if p.role == "customer" and p.author:
            return p.author
    import re

    for p in reversed(query.posts):
        if p.role == "brand":
            m = re.match(r"\s*@(\w{1,30})", p.text)
            if m:
                return m.group(1)
    return None
