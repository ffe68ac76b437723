"""The help resource record, and the report that makes every loaded count add up."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from ..ingest.base import MAX_LISTED_REJECTIONS, Rejection
from .urls import canonical_url

KINDS = ("article", "video", "board", "faq")


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
        """Identity in a store: (brand in lower case, id)."""
        return (self.brand.lower(), self.id)

    def to_dict(self) -> dict:
        """JSON-ready form (the JSONL resource format)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Resource":
        """Inverse of to_dict (no checks: for data we wrote ourselves)."""
        return cls(d["id"], d["brand"], d["kind"], d.get("url") or "", d.get("title") or "", d.get("body") or "", list(d.get("tags") or []))


def derived_id(url: str, title: str = "", body: str = "") -> str:
    """A stable id for a resource that has none: from its canonical URL, else from its text."""
    basis = canonical_url(url) or (title + "\n" + body)
    return "r" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:12]


@dataclass
class LoadReport:
    """Counts of one load: read == loaded + rejected, always; whole-file failures in errors."""

    read: int = 0
    loaded: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)

    def reject(self, file: str, line: int | None, field_name: str | None, reason: str) -> None:
        """Count one rejected record (already counted as read)."""
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED_REJECTIONS:
            self.rejections.append(Rejection(str(file), line, field_name, reason))

    def messages(self) -> list[str]:
        """One line per file error and listed rejection."""
        return list(self.errors) + [str(r) for r in self.rejections]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "read": self.read,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "rejections": [r.to_dict() for r in self.rejections],
            "errors": self.errors,
            "files": self.files,
        }
