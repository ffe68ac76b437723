"""The importer contract: options, rejections, the report that makes every count add up."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

#: Posts dated outside these years are rejected: they are typing errors, and Python's datetime
#: (used to show them) cannot hold a UTC year beyond 9999.
EARLIEST_YEAR = 1970
LATEST_YEAR = 2199

#: How many rejections are listed one by one; all of them are always counted.
MAX_LISTED_REJECTIONS = 1000


def nfc(text: str) -> str:
    """`text` in Unicode NFC: a handle typed with decomposed accents ('S' + caron) is the composed one ('Š')."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


class ImportFailed(Exception):
    """Nothing could be read from a source; the message is one line naming file and cause."""


@dataclass(frozen=True)
class Rejection:
    """One input row that was not loaded, with where it was and why."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f" field {self.field!r}:" if self.field else ""
        return f"{where}:{what} {self.reason}"

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class DuplicateId:
    """A listed rejection of a post whose id was already loaded (threads.build_threads), kept as data
    so that its line can be found later (ingest.duplicates) without reading the reason text back."""

    rejection: int  # index in ImportReport.rejections
    id: str
    file: int | None  # index in ImportReport.files of the rejected row's file
    kept_file: int | None  # index in ImportReport.files of the file the kept post came from


@dataclass
class ImportReport:
    """Counts for one audit run: rows_read == rows_loaded + rows_rejected, always."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: the listed rejections that are duplicate ids, one entry each
    duplicates: list[DuplicateId] = field(default_factory=list)

    def reject(self, file: str, line: int | None, field_name: str | None, reason: str) -> int | None:
        """Count one rejected row (it was already counted as read); its index in `rejections`, or
        None when the list is full."""
        self.rows_rejected += 1
        if len(self.rejections) >= MAX_LISTED_REJECTIONS:
            return None
        self.rejections.append(Rejection(file, line, field_name, reason))
        return len(self.rejections) - 1

    def given_twice(self, duplicate: DuplicateId) -> bool:
        """Whether a duplicate comes from a second reading of a file that was given twice."""
        if duplicate.file is None or duplicate.kept_file is None or duplicate.file == duplicate.kept_file:
            return False
        return self.files[duplicate.file]["path"] == self.files[duplicate.kept_file]["path"]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "rejections": [r.to_dict() for r in self.rejections],
            "rejections_listed": len(self.rejections),
            "files": self.files,
            "errors": self.errors,
        }


@dataclass
class ImportOptions:
    """What the user told us about the sources."""

    brands: frozenset[str] = frozenset()
    #: bot/automation handles: their posts never count as a brand response
    bots: frozenset[str] = frozenset()
    channel: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    batch_rows: int = 65_536
    #: "all", or "requests": an importer may then leave the text of posts that cannot open a
    #: conversation (brand posts, replies) null. The core scorecard reads no other text; the
    #: report and the signals need "all".
    texts: str = "all"
    #: called with the number of bytes consumed since the last call (progress bars)
    on_bytes: Callable[[int], None] | None = None
    #: the command-line option that names a file's format, as messages tell the user to give it
    #: (audit's --format; suggest and eval suggest have --history-format)
    format_option: str = "--format"

    def __post_init__(self) -> None:
        # handles are compared NFC-normalised (ingest.common.handle_lookup); the scorecard names
        # brands by these spellings, so they are normalised once, here
        self.brands = frozenset(nfc(str(h)) for h in self.brands)
        self.bots = frozenset(nfc(str(h)) for h in self.bots)

    def check_handles(self) -> None:
        """ImportFailed for a --brand or --bot handle that is empty once spaces and '@' are taken off."""
        for option, what, handles in (("--brand", "brand", self.brands), ("--bot", "bot", self.bots)):
            for handle in sorted(handles):
                if not handle.strip().lstrip("@").strip():
                    raise ImportFailed(f"{option} {handle!r}: a {what} handle cannot be empty (give it as e.g. {option} AcmeHelp)")



class Importer:
    """Base class of a source format: sniff a file, then stream it as Arrow batches of posts."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: whether the format reads ImportOptions.column_map (the canonical ones); others have fixed fields
    takes_column_map: ClassVar[bool] = False

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the first bytes of a file look like this format."""
        raise NotImplementedError

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        """Yield record batches in POST_SCHEMA; count every row in `report`."""
        raise NotImplementedError
