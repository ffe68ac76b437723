"""The knowledge base on disk: resources (JSONL, the truth) plus a BM25 index for `kb search`.

Adding is idempotent: a resource is known by (brand, id); adding the same one again changes
nothing, adding a changed one replaces it. Records of one id read in the same add are merged first
(non-empty fields kept, a later non-empty value winning) and counted as merged; when they were
different resources (different addresses or titles) a line says so. Files are written to a temporary name and renamed, so a
crash never leaves half a store. A save holds an exclusive lock on the folder's .lock file while it reads what another add
may have saved since this store was opened, applies this store's adds to it and writes, so two adds at once both land.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .lexical import Bm25Index
from .models import Resource, brand_key, merge_by_key  # brand_key: re-exported for its importers
from .text import tokenize
from .urls import url_words

RESOURCES = "resources.jsonl"
INDEX = "index"
#: the file a save locks (flock), so that two adds to one folder write one after the other
LOCK = ".lock"
FORMAT_VERSION = 3  # 2: tokens of text beyond ASCII (accents folded, CJK pairs); 3: marks kept in words, Thai pairs


def resource_text(r: Resource) -> str:
    """The searchable text of a resource: title (twice: it names the topic), URL words, tags, body."""
    body = r.body if len(r.body) < 20_000 else r.body[:20_000]
    return " ".join([r.title, r.title, url_words(r.url), " ".join(r.tags), body])


def resource_tokens(r: Resource) -> list[str]:
    """The tokens of resource_text(r) (the title tokenised once, counted twice)."""
    title = tokenize(r.title)
    body = r.body if len(r.body) < 20_000 else r.body[:20_000]
    return title + title + tokenize(" ".join([url_words(r.url), " ".join(r.tags), body]))


def _atomic_write(path: Path, text: str) -> None:
    from ..fileio import write_text_atomic

    # resources.jsonl is the only copy of the knowledge base: an error rather than a rewrite in place
    write_text_atomic(path, text, fallback_in_place=False)


@contextmanager
def _locked(folder: Path, shared: bool = False) -> Iterator[None]:
    """An exclusive lock on the folder (created if absent) for as long as the block runs; `shared`: a
    reader's lock, which waits for a save to end (none is taken where the lock file cannot be made)."""
    if not shared:
        folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        if not shared:
            raise
        yield  # a read-only knowledge base: nobody saves into it
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha1(data).hexdigest()


@dataclass
class AddResult:
    """What one `kb add` changed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    #: records folded into an earlier record of the same (brand, id) read in the same add
    merged: int = 0
    #: one line per id whose merged records were different resources (different URLs or titles)
    collisions: list[str] = field(default_factory=list)


class KnowledgeStore:
    """A folder holding a brand's (or many brands') help resources."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.resources: dict[tuple[str, str], Resource] = {}
        self._index: Bm25Index | None = None
        self._order: list[tuple[str, str]] = []
        self._saved_order: list[tuple[str, str]] = []  # keys in the order of the resources file: the saved index's rows
        self._changed = False  # resources added or replaced since opened or saved
        self._read_stamp: str | None = None  # SHA-1 of the resources file as read (None: there was none)
        self._adds: list[tuple[dict[tuple[str, str], Resource], AddResult]] = []  # adds since opened or saved, to replay

    @classmethod
    def open(cls, folder: Path) -> "KnowledgeStore":
        """Open a store (an absent folder is an empty store)."""
        store = cls(folder)
        store._read()
        return store

    def _read(self) -> None:
        """Load the resources file as it is now (none: no resources)."""
        path = self.folder / RESOURCES
        data = path.read_bytes() if path.is_file() else None
        # lines end at b"\n" only: str.splitlines() also splits at U+2028, U+0085 and \x1c, which a title may hold
        records = [Resource.from_dict(json.loads(line)) for line in (data or b"").split(b"\n") if line.strip()]
        self.resources, folded, _lines = merge_by_key(records)
        self._saved_order = [r.key for r in records]
        self._read_stamp = _digest(data)
        self._index = None
        # a store written when brands compared by case only can hold one resource twice (@Acme and Acme):
        # merged as `add` merges them, and written once at the next save
        self._changed = folded > 0

    @staticmethod
    def is_store(folder: Path) -> bool:
        """True when the folder holds a saved store."""
        return (Path(folder) / RESOURCES).is_file()

    def add(self, resources) -> AddResult:
        """Add or replace resources by (brand, id); records of one id in `resources` are merged first.

        added + updated + unchanged is the number of distinct resources given, merged the number of
        records folded into another; an identical re-add counts every resource unchanged.
        """
        result = AddResult()
        incoming, result.merged, result.collisions = merge_by_key(resources)
        self._apply(incoming, result)
        self._adds.append((incoming, result))
        return result

    def _apply(self, incoming: dict[tuple[str, str], Resource], result: AddResult) -> None:
        """Put one add's resources in the store, counting each added, updated or unchanged in result."""
        result.added = result.updated = result.unchanged = 0
        for key, r in incoming.items():
            old = self.resources.get(key)
            if old is None:
                result.added += 1
            elif old == r:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            self.resources[key] = r
            self._index = None
            self._changed = True

    def save(self) -> bool:
        """Write the resources and rebuild the search index; False (nothing written) when there is nothing new to write.

        An unchanged store keeps its files as they are (bytes and modification times), so what
        watches them (the suggest index) sees no change; an empty store that was never saved is not created.
        """
        if not self._changed and ((self.is_store(self.folder) and self._index_current()) or not self.resources):
            return False
        with _locked(self.folder):
            if self._stamp() != self._read_stamp:
                # another add saved since this store was read: its resources are kept, this store's adds go on top
                # (and their counts are made against what is there now)
                self._read()
                for incoming, result in self._adds:
                    self._apply(incoming, result)
                if not self._changed and ((self.is_store(self.folder) and self._index_current()) or not self.resources):
                    self._adds = []
                    return False
            self._write()
        self._adds = []
        return True

    def _write(self) -> None:
        items = self.sorted()
        text = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in items)
        _atomic_write(self.folder / RESOURCES, text)
        stamp = _digest(text.encode("utf-8"))
        index = Bm25Index.build([resource_tokens(r) for r in items])
        index.save(self.folder / INDEX, "resources")
        _atomic_write(self.folder / INDEX / "manifest.json",
                      json.dumps({"version": FORMAT_VERSION, "count": len(items), "resources": stamp}))
        self._index, self._order = index, [r.key for r in items]
        self._saved_order = list(self._order)
        self._read_stamp = stamp
        self._changed = False

    def _stamp(self) -> str | None:
        """SHA-1 of the saved resources file: what the search index was built from (by content, so a
        copy or a touch that keeps the bytes keeps the index)."""
        try:
            return hashlib.sha1((self.folder / RESOURCES).read_bytes()).hexdigest()
        except OSError:
            return None

    def _index_current(self) -> bool:
        """True when the saved search index is of this format and was built from the resources file as it is now
        (a save interrupted between the two leaves them apart; the next save or search repairs it)."""
        try:
            manifest = json.loads((self.folder / INDEX / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (isinstance(manifest, dict) and manifest.get("version") == FORMAT_VERSION
                and manifest.get("count") == len(self.resources) and manifest.get("resources") == self._stamp())

    def sorted(self) -> list[Resource]:
        """Resources in store order: by brand, then id."""
        return [self.resources[k] for k in sorted(self.resources)]

    def brands(self) -> dict[str, int]:
        """Resource count per brand (as spelled in the resources)."""
        counts: dict[str, int] = {}
        for r in self.resources.values():
            counts[r.brand] = counts.get(r.brand, 0) + 1
        return dict(sorted(counts.items()))

    def search(self, text: str, brand: str | None = None, k: int = 10) -> list[tuple[Resource, float]]:
        """The k best resources for a text (optionally of one brand), by BM25."""
        index, order = self._load_index()
        if not order:
            return []
        scores = index.scores(tokenize(text))
        if brand:
            want = brand_key(brand)
            mask = np.array([key[0] == want for key in order])
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.resources[order[i]], float(scores[i])) for i in top if scores[i] > 0]

    def _load_index(self) -> tuple[Bm25Index, list[tuple[str, str]]]:
        if self._index is None:
            loaded = None
            if not self._changed and self.is_store(self.folder):
                with _locked(self.folder, shared=True):  # not while an add writes the index
                    if (self._index_current() and self._stamp() == self._read_stamp
                            and len(self._saved_order) == len(self.resources)):
                        # the index rows are in the order the resources file was written (sorted when saved, but an
                        # older version sorted brands by case only: '@Zeta' before 'Beta')
                        loaded = Bm25Index.load(self.folder / INDEX, "resources")
            if loaded is not None:
                self._index = loaded
                self._order = list(self._saved_order)
            else:
                items = self.sorted()
                self._index = Bm25Index.build([resource_tokens(r) for r in items])
                self._order = [r.key for r in items]
        return self._index, self._order
