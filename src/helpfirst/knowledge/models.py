"""The help resource record, and the report that makes every loaded count add up."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field

from ..ingest.base import ImportReport
from .urls import canonical_url

KINDS = ("article", "video", "board", "faq")


def brand_key(brand: str | None) -> str:
    """Brands compare without case, surrounding spaces and a leading @ (@Acme, acme and ' Acme' are one brand), NFC and
    case-folded as the text tokens are (Straße, STRASSE and a decomposed Straße are one brand)."""
    return unicodedata.normalize("NFC", (brand or "").strip().lstrip("@")).casefold()


@dataclass
class Resource:
    """One help resource a brand can give: an article, a tutorial video, a curated board or an FAQ answer."""

    id: str
    brand: str
    kind: str
    url: str = ""
    title: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """Identity in a store and in the suggest index: (brand_key(brand), id)."""
        return (brand_key(self.brand), self.id)

    def to_dict(self) -> dict:
        """JSON-ready form (the JSONL resource format)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Resource":
        """Inverse of to_dict (no checks: for data we wrote ourselves)."""
        return cls(d["id"], d["brand"], d["kind"], d.get("url") or "", d.get("title") or "", d.get("body") or "", list(d.get("tags") or []))


def merge(first: Resource, later: Resource) -> Resource:
    """Two records of one resource (same brand and id) read in one add, as one: every non-empty field kept,
    a later non-empty value winning (a YouTube `videos` entry keeps its tags when a `playlistItems` entry of the
    same video, which has none, comes after it)."""
    return Resource(first.id, later.brand or first.brand, later.kind or first.kind, later.url or first.url,
                    later.title or first.title, later.body or first.body, list(later.tags or first.tags))


def merge_by_key(resources) -> tuple[dict[tuple[str, str], Resource], int, list[str]]:
    """Records read together, one per (brand, id) (the key of the first, in first-seen order), with `merge` applied to the
    records of one key; also how many records were folded into an earlier one, and one line per key whose records
    were different resources (different URLs or titles)."""
    merged: dict[tuple[str, str], Resource] = {}
    repeated: dict[tuple[str, str], list[Resource]] = {}
    folded = 0
    for r in resources:
        earlier = merged.get(r.key)
        if earlier is None:
            merged[r.key] = r
            continue
        folded += 1
        repeated.setdefault(r.key, [earlier]).append(r)
        merged[r.key] = merge(earlier, r)
    lines = [line for line in map(_collision, repeated.values()) if line]
    return merged, folded, lines


def _collision(records: list[Resource]) -> str:
    """A line when records merged under one id were different resources (different URLs or titles), else ''.

    URLs compare canonical (canonical_url: scheme, www., tracking parameters, trailing slash ignored); the first
    spelling of each is shown.
    """
    by_page: dict[str, str] = {}
    for r in records:
        if r.url:
            by_page.setdefault(canonical_url(r.url) or r.url, r.url)
    urls = list(by_page.values())
    titles = list(dict.fromkeys(r.title for r in records if r.title))
    if len(urls) < 2 and len(titles) < 2:
        return ""
    shown = urls if len(urls) >= 2 else [repr(t) for t in titles]
    listed = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")
    return (f"{len(records)} different records have the id {records[0].id!r} (brand {records[0].brand}): "
            f"{listed}; they were merged into one resource (give each its own id to keep them apart)")


def derived_id(url: str, title: str = "", body: str = "") -> str:
    """A stable id for a resource that has none: from its canonical URL, else from its text."""
    basis = canonical_url(url) or (title + "\n" + body)
    return "r" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:12]


@dataclass
class LoadReport(ImportReport):
    """Counts of one resource load: read == loaded + rejected, always; whole-file failures in errors.

    The same bookkeeping as an archive import (ImportReport), named for resources.
    """

    @property
    def read(self) -> int:
        return self.rows_read

    @read.setter
    def read(self, value: int) -> None:
        self.rows_read = value

    @property
    def loaded(self) -> int:
        return self.rows_loaded

    @loaded.setter
    def loaded(self, value: int) -> None:
        self.rows_loaded = value

    @property
    def rejected(self) -> int:
        return self.rows_rejected

    def messages(self) -> list[str]:
        """One line per file error and listed rejection."""
        return list(self.errors) + [str(r) for r in self.rejections]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"read": self.read, "loaded": self.loaded, "rejected": self.rejected,
                "rejections": [r.to_dict() for r in self.rejections], "errors": self.errors, "files": self.files}
