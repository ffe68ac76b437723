"""The suggestion index: a brand's resources, the cases that linked them, reusable answers; built once, saved, memory-mapped.

Rows of every table are grouped by brand (lower-cased), so one brand is one row range in each.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from ..knowledge.lexical import Bm25Index
from ..knowledge.models import Resource, merge_by_key
from ..knowledge.store import brand_key, resource_tokens
from ..knowledge.text import strip_leading_mentions, tokenize_post
from ..knowledge.urls import _TRAILING, canonical_url, path_key, strip_archive
from .history import Lessons
from .semantic import DIM

INDEX_VERSION = 13  # 13: a resource learned from history has its kind from its link (learned_kind); 12: brand keys NFC + casefold
_SNIPPET = 160
_LOAD_ATTEMPTS = 20
_LEFTOVER_AGE = 3600  # seconds: PIDs of other containers sharing a cache volume collide, so a dead PID alone is not proof


class IndexBusy(OSError):
    """An index folder replaced by rebuilds on every attempt to read it."""


@dataclass
class BrandRows:
    """Row ranges of one brand in each table."""

    name: str
    res: tuple[int, int]
    case: tuple[int, int]
    ans: tuple[int, int]


class UrlResolver:
    """Which resource of a brand a link names: the URL exactly as listed, else the canonical URL, else host+path when that is unambiguous."""

    def __init__(self, resources: list[Resource]) -> None:
        self.written: dict[tuple[str, str], int] = {}
        self.exact: dict[tuple[str, str], int] = {}
        loose: dict[tuple[str, str], list[int]] = {}
        for row, r in enumerate(resources):
            b = brand_key(r.brand)
            key = canonical_url(r.url)
            if key:
                # two resources of one page (two snapshots of it, say): a link written as one of them is that one
                self.written.setdefault((b, _as_written(r.url)), row)
                self.exact.setdefault((b, key), row)
                loose.setdefault((b, path_key(r.url)), []).append(row)
        self.loose = {k: v[0] for k, v in loose.items() if len(v) == 1}

    def resolve(self, brand: str, url: str) -> int | None:
        """The row of the resource, or None."""
        b = brand_key(brand)
        row = self.written.get((b, _as_written(url)))
        if row is None:
            row = self.exact.get((b, canonical_url(url)))
        return row if row is not None else self.loose.get((b, path_key(url)))


#: a Pinterest site, with or without a country subdomain: pinterest.com, uk.pinterest.com, pinterest.co.uk, pinterest.de
_PINTEREST = re.compile(r"^(?:[a-z]{2}\.)?pinterest\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")
#: first path parts of Pinterest pages that are no one's board: search, topics, the site's own pages
_PINTEREST_PAGES = frozenset({"search", "ideas", "today", "categories", "explore", "topics", "business", "_", "settings",
                              "login", "signup", "about", "news_hub", "videos", "shopping", "resource", "password"})


def learned_kind(url: str) -> str:
    """The kind of a resource known only from a link in history: `video` for a YouTube video (watch?v=,
    youtu.be/, /shorts/, /embed/, /live/, m.youtube.com), `board` for a Pinterest board or pin
    (pinterest.<tld>/<user>/<board>/, /pin/<id>/, pin.it/<code>), else `article`. A resource file's
    resources keep the kind they declare."""
    key = canonical_url(url)
    if key.startswith("youtube.com/watch?v="):
        return "video"
    host, _, path = key.partition("?")[0].partition("/")
    parts = [p for p in path.split("/") if p]
    if host == "pin.it" and parts:
        return "board"
    if _PINTEREST.match(host) and len(parts) >= 2 and parts[0] not in _PINTEREST_PAGES:
        return "board"  # /<user>/<board>/ (a board section has a third part), and /pin/<id>/
    return "article"


def _as_written(url: str) -> str:
    return url.strip().rstrip(_TRAILING)


def _group(keys: list[str]) -> dict[str, tuple[int, int]]:
    """Row ranges of each key in a list sorted by key."""
    ranges: dict[str, tuple[int, int]] = {}
    for i, k in enumerate(keys):
        lo, _ = ranges.get(k, (i, i))
        ranges[k] = (lo, i + 1)
    return ranges


class SuggestIndex:
    """Everything the ranking reads, for every brand."""

    def __init__(self) -> None:
        self.resources: pa.Table | None = None  # id, brand, kind, url, title, body, tags, learned
        self.cases: pa.Table | None = None  # resource row, weight, created_at, snippet
        self.answers: pa.Table | None = None  # brand, text, context, post_id, url, weight
        self.res_index: Bm25Index | None = None
        self.ev_index: Bm25Index | None = None
        self.desc_index: Bm25Index | None = None
        self.case_index: Bm25Index | None = None
        self.ans_index: Bm25Index | None = None
        self.case_res = np.zeros(0, np.int32)
        self.case_weight = np.zeros(0, np.float32)
        self.case_time = np.zeros(0, np.float64)
        self.ans_weight = np.zeros(0, np.float32)
        self.ans_group = np.zeros(0, np.int32)  # per past reply: its group of same-text replies of its brand
        self.ans_uses = np.zeros(0, np.int32)  # per past reply: how many replies its group has
        self.ans_norm = np.zeros(0, np.float32)  # per past reply: the idf mass of its distinct words
        self.prior = np.zeros(0, np.float32)
        self.links = np.zeros(0, np.float32)
        self.brands: dict[str, BrandRows] = {}
        self.res_emb: np.ndarray | None = None
        self.case_emb: np.ndarray | None = None
        self.desc_emb: np.ndarray | None = None
        self.stats: dict = {}

    # --- building -------------------------------------------------------------------------------

    @classmethod
    def build(cls, resources: list[Resource], lessons: Lessons, encoder=None, agent_in_evidence: bool = True) -> "SuggestIndex":
        """Index resources and what history taught; `encoder` (semantic.Encoder) adds embeddings."""
        t0 = time.perf_counter()
        self = cls()
        # records of one resource read together are merged as `kb add` merges them, keyed (brand_key(brand), id)
        unique, merged, collisions = merge_by_key(resources)
        kb = list(unique.values())
        resolver = UrlResolver(kb)
        learned: dict[tuple[str, str], Resource] = {}
        for case in lessons.cases:
            if resolver.resolve(case.brand, case.url) is None:
                key = (brand_key(case.brand), canonical_url(case.url))
                if key[1] and key not in learned:
                    # a link no resource file lists: it becomes a resource learned from history
                    learned[key] = Resource(key[1], case.brand, learned_kind(case.url), strip_archive(case.url))
        learned_keys = {(brand_key(r.brand), r.id) for r in learned.values()}
        everything = sorted(kb + list(learned.values()), key=lambda r: (brand_key(r.brand), r.id))
        resolver = UrlResolver(everything)
        n = len(everything)

        # cases: resolved, grouped by brand
        rows, weights, times, snippets, case_tokens, reply_tokens = [], [], [], [], [], []
        for case in lessons.cases:
            row = resolver.resolve(case.brand, case.url)
            if row is None:
                continue
            rows.append(row)
            weights.append(case.weight)
            times.append(case.created_at or 0.0)
            snippets.append(" ".join(case.customer_text.split())[:_SNIPPET])
            tokens = tokenize_post(case.customer_text)
            if agent_in_evidence:
                tokens = tokens + tokenize_post(case.agent_text)
            case_tokens.append(tokens)
            reply_tokens.append(tokenize_post(case.reply_text))
        order = sorted(range(len(rows)), key=lambda i: (rows[i], times[i]))  # resource rows are brand-sorted already
        self.case_res = np.array([rows[i] for i in order], dtype=np.int32)
        self.case_weight = np.array([weights[i] for i in order], dtype=np.float32)
        self.case_time = np.array([times[i] for i in order], dtype=np.float64)
        case_tokens = [case_tokens[i] for i in order]
        case_keys = [brand_key(everything[r].brand) for r in self.case_res.tolist()]
        self.cases = pa.table({
            "resource": self.case_res,
            "weight": self.case_weight,
            "created_at": pa.array([times[i] for i in order], pa.float64()),
            "snippet": pa.array([snippets[i] for i in order], pa.string()),
        })
        self.case_texts = None

        # evidence: one document per resource, all its cases together
        evidence: list[list[str]] = [[] for _ in range(n)]
        described: list[list[str]] = [[] for _ in range(n)]  # what agents wrote around their links to it
        for row, tokens, i in zip(self.case_res.tolist(), case_tokens, order):
            evidence[row].extend(tokens)
            described[row].extend(reply_tokens[i])
        self.links = np.bincount(self.case_res, minlength=n).astype(np.float32)
        self.prior = np.bincount(self.case_res, weights=self.case_weight, minlength=n).astype(np.float32)

        # answers
        answers = sorted(lessons.answers, key=lambda a: (brand_key(a.brand), a.created_at or 0.0))
        ans_keys = [brand_key(a.brand) for a in answers]
        self.ans_weight = np.array([a.weight for a in answers], dtype=np.float32)
        self.ans_group, self.ans_uses = _reply_groups(ans_keys, [a.text for a in answers])
        self.answers = pa.table({
            "brand": pa.array([a.brand for a in answers], pa.string()),
            "text": pa.array([a.text for a in answers], pa.string()),
            "context": pa.array([" ".join(a.context.split())[:_SNIPPET] for a in answers], pa.string()),
            "post_id": pa.array([a.post_id for a in answers], pa.string()),
            "url": pa.array([a.url for a in answers], pa.string()),
        })

        res_keys = [brand_key(r.brand) for r in everything]
        self.resources = pa.table({
            "id": [r.id for r in everything],
            "brand": [r.brand for r in everything],
            "kind": [r.kind for r in everything],
            "url": [r.url for r in everything],
            "title": [r.title for r in everything],
            # an FAQ's answer goes into its draft, and so does the body of a resource without a link (the
            # draft has nothing to link to); other kinds are linked, so their bodies stay out
            "answer": [r.body if r.kind == "faq" or not r.url else "" for r in everything],
            "tags": [", ".join(r.tags) for r in everything],
            "learned": [(brand_key(r.brand), r.id) in learned_keys for r in everything],
        })
        self.res_index = Bm25Index.build([resource_tokens(r) for r in everything])
        self.ev_index = Bm25Index.build(evidence)
        self.desc_index = Bm25Index.build(described)
        self.case_index = Bm25Index.build(case_tokens)
        self.ans_index = Bm25Index.build([tokenize_post(a.context) + tokenize_post(a.text) for a in answers])
        self.ans_norm = self.ans_index.idf_mass().astype(np.float32)  # the reply side of rank._overlap
        self._set_brands(res_keys, case_keys, ans_keys, {brand_key(r.brand): r.brand for r in everything} | {k: a.brand for k, a in zip(ans_keys, answers)})
        if encoder is not None:
            # float32 on disk: a query then multiplies the memory-mapped rows directly, with no conversion
            self.res_emb = encoder.encode([_resource_sentence(r) for r in everything])
            self.case_emb = encoder.encode(_case_sentences(lessons, resolver, order, agent_in_evidence))
            self.desc_emb = _described(encoder, lessons, resolver, order, self.case_res, n)
        self.stats = {"resources": n, "learned_resources": len(learned), "cases": len(self.case_res),
                      "answers": len(answers), "brands": len(self.brands), "semantic": encoder is not None,
                      "merged": merged, "collisions": collisions,
                      "build_seconds": round(time.perf_counter() - t0, 3)}
        return self

    def _set_brands(self, res_keys, case_keys, ans_keys, names) -> None:
        res, case, ans = _group(res_keys), _group(case_keys), _group(ans_keys)
        self.brands = {
            k: BrandRows(names.get(k, k), res.get(k, (0, 0)), case.get(k, (0, 0)), ans.get(k, (0, 0)))
            for k in sorted(set(res) | set(ans))
        }

    # --- persistence ----------------------------------------------------------------------------

    def save(self, folder: Path, key: str | None = None) -> None:
        """Write the index to a folder (arrays as .npy, tables as Arrow IPC) with `key` in its meta.json; readers see it whole or not at all."""
        folder = Path(folder)
        _remove_leftovers(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        # one name per save, not per process: two threads may save the same folder at once
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{folder.name}.tmp{os.getpid()}-"))
        # mkdtemp makes the folder private (0700); the published index is read by whoever shares the cache
        os.chmod(tmp, 0o777 & ~_umask())
        try:
            self._write(tmp, key)
            _publish(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)   # a failed save (full disk, say) leaves nothing behind
            raise

    def _write(self, tmp: Path, key: str | None) -> None:
        for name in ("resources", "cases", "answers"):
            feather.write_feather(getattr(self, name), tmp / f"{name}.arrow", compression="uncompressed")
        for name in ("res_index", "ev_index", "desc_index", "case_index", "ans_index"):
            getattr(self, name).save(tmp, name)
        for name in ("case_res", "case_weight", "case_time", "ans_weight", "ans_group", "ans_uses", "ans_norm", "prior",
                     "links"):
            np.save(tmp / f"{name}.npy", getattr(self, name))
        for name in ("res_emb", "case_emb", "desc_emb"):
            if getattr(self, name) is not None:
                np.save(tmp / f"{name}.npy", getattr(self, name))
        meta = {"version": INDEX_VERSION, "stats": self.stats,
                "brands": {k: [b.name, b.res, b.case, b.ans] for k, b in self.brands.items()}}
        if key is not None:
            # written before the rename: the key published is always the key of these very files
            meta["key"] = key
        (tmp / "meta.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> "SuggestIndex":
        """Open a saved index whole (all its files from one build), memory-mapped, so this is quick at any size.

        IndexBusy when rebuilds kept replacing the folder while it was read.
        """
        folder = Path(folder)
        for attempt in range(_LOAD_ATTEMPTS):
            try:
                # the open folder cannot be freed, so its inode number cannot be reused by a newer build
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except FileNotFoundError:  # between the two renames of a rebuild, or no index at all
                if attempt == _LOAD_ATTEMPTS - 1 or not _being_replaced(folder):
                    raise
                time.sleep(0.05)
                continue
            try:
                before = os.fstat(fd).st_ino
                try:
                    self = cls._load(folder)
                except Exception:  # noqa: BLE001 - a file gone, or one of another build (np.load reopens by path)
                    if _inode(folder) == before:   # the folder read is still the current one: it is broken
                        raise
                else:
                    if _inode(folder) == before:
                        return self
            finally:
                os.close(fd)
            # a rebuild replaced the folder while it was read, so the files read may mix two builds
            time.sleep(0.05)
        raise IndexBusy(f"{folder}: the index was replaced by a rebuild {_LOAD_ATTEMPTS} times while it was read; try again")

    @classmethod
    def _load(cls, folder: Path) -> "SuggestIndex":
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("version") != INDEX_VERSION:
            raise ValueError(f"{folder}: index version {meta.get('version')} (this helpfirst reads {INDEX_VERSION}); rebuild it")
        self = cls()
        for name in ("resources", "cases", "answers"):
            setattr(self, name, feather.read_table(folder / f"{name}.arrow", memory_map=True))
        for name in ("res_index", "ev_index", "desc_index", "case_index", "ans_index"):
            setattr(self, name, Bm25Index.load(folder, name))
        for name in ("case_res", "case_weight", "case_time", "ans_weight", "ans_group", "ans_uses", "ans_norm", "prior",
                     "links"):
            setattr(self, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        for name in ("res_emb", "case_emb", "desc_emb"):
            path = folder / f"{name}.npy"
            setattr(self, name, np.load(path, mmap_mode="r") if path.exists() else None)
        self.brands = {k: BrandRows(v[0], tuple(v[1]), tuple(v[2]), tuple(v[3])) for k, v in meta["brands"].items()}
        self.stats = meta["stats"]
        return self

    @property
    def semantic(self) -> bool:
        """True when the index carries embeddings."""
        return self.res_emb is not None


@functools.cache
def _umask() -> int:
    """The process's umask (read once: setting it to read it is not thread-safe, so not on every save)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publish(tmp: Path, folder: Path) -> None:
    """Rename a finished build over `folder`: a folder cannot be renamed over a non-empty one, so the current one is moved aside first."""
    olds = []
    try:
        for _ in range(100):
            try:
                os.replace(tmp, folder)
                break
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{folder.name}.old{os.getpid()}-"))
            olds.append(old)
            try:
                os.replace(folder, old)
            except FileNotFoundError:  # another save moved it aside first; its build goes in next, or ours
                pass
        else:
            raise OSError(errno.EBUSY, f"{folder}: other saves kept replacing the index; this one gave up")
    finally:
        # published or not, the folders moved aside go (a process that has one memory-mapped keeps
        # reading it until it ends); the caller removes an unpublished build
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)


def _being_replaced(folder: Path) -> bool:
    """True when a save is between moving `folder` aside and renaming its build in (or has just done so)."""
    return folder.exists() or any(folder.parent.glob(glob_escape(folder.name + ".old") + "*"))


def _remove_leftovers(folder: Path) -> None:
    """Delete the .tmpPID-*/.oldPID-* folders of builds whose process is gone (killed mid-build) and untouched for an hour."""
    if not folder.parent.is_dir():
        return
    for kind in (".tmp", ".old"):
        for path in folder.parent.glob(glob_escape(folder.name + kind) + "*"):
            pid = path.name[len(folder.name + kind):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)) and _idle(path):
                shutil.rmtree(path, ignore_errors=True)


def _idle(path: Path) -> bool:
    """True when a folder was last written more than _LEFTOVER_AGE ago."""
    try:
        return path.is_dir() and time.time() - path.stat().st_mtime > _LEFTOVER_AGE
    except OSError:
        return False


def _inode(folder: Path) -> int | None:
    try:
        return os.stat(folder).st_ino
    except FileNotFoundError:  # between the two renames of a rebuild
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _resource_sentence(r: Resource) -> str:
    from ..knowledge.urls import url_words

    text = " ".join(x for x in (r.title, url_words(r.url), " ".join(r.tags), r.body[:600]) if x)
    return text


def _case_sentences(lessons: Lessons, resolver: UrlResolver, order: list[int], agent: bool) -> list[str]:
    from ..knowledge.text import clean_post

    kept = [c for c in lessons.cases if resolver.resolve(c.brand, c.url) is not None]
    texts = []
    for i in order:
        c = kept[i]
        text = clean_post(c.customer_text)
        if agent and c.agent_text:
            text += " " + clean_post(c.agent_text)
        texts.append(" ".join(text.split())[:1000])
    return texts


def _described(encoder, lessons: Lessons, resolver: UrlResolver, order: list[int], case_res: np.ndarray, n: int) -> np.ndarray:
    """Per resource, the normalised mean embedding of the replies that linked it (zeros for resources never linked)."""
    from ..knowledge.text import clean_post

    kept = [c for c in lessons.cases if resolver.resolve(c.brand, c.url) is not None]
    texts = [" ".join(clean_post(kept[i].reply_text).split())[:1000] for i in order]
    out = np.zeros((n, DIM), np.float32)
    if texts:
        np.add.at(out, np.asarray(case_res, np.int64), encoder.encode(texts))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
    return out


def reply_key(text: str | None) -> str:
    """A reply's text as compared for sameness: without the leading mentions, case and spacing."""
    return " ".join(strip_leading_mentions(text or "").lower().split())


def _reply_groups(brands: list[str], texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per reply, a group number shared by the replies of one brand with the same text (reply_key), and the
    size of its group: made once at build, so a query never reads reply texts to merge copies."""
    ids: dict[tuple[str, str], int] = {}
    group = np.fromiter((ids.setdefault((b, reply_key(t)), len(ids)) for b, t in zip(brands, texts, strict=True)),
                        dtype=np.int32, count=len(texts))
    return group, np.bincount(group, minlength=len(ids)).astype(np.int32)[group] if len(group) else group.copy()
