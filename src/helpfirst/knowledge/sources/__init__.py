"""Resource sources: one module per format, each turning files into Resource records; found by a registry."""

from __future__ import annotations

import errno
import importlib
import json
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from ...ingest import ImportFailed, SettingFailed, check_readable, spool
from ..models import KINDS, LoadReport, Resource, derived_id
from ..urls import canonical_url, misleading_host


class SourceFailed(Exception):
    """A whole file or folder cannot be read; the message is one line naming it."""


#: why a record without a brand is rejected, as `kb add` (whose --brand sets the brand of resources) says it
NO_BRAND = "no brand (give it in the record or with --brand)"


@dataclass
class LoadOptions:
    """What the user said about the files: the brand they belong to and the kind of resource.

    no_brand is the reason a record without a brand (and no `brand` here) is rejected with: a
    command with no option that sets the brand of resources says how else to give it.
    """

    brand: str | None = None
    kind: str | None = None
    no_brand: str = NO_BRAND


class Source:
    """Base class of a resource format: sniff a path, then yield resources, counting every record in the report."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: True when the format is a folder of files rather than one file
    folder: ClassVar[bool] = False

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the path looks like this format."""
        raise NotImplementedError

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        """Yield resources; every record read is counted, every rejected one reported."""
        raise NotImplementedError

    def pages(self, path: Path) -> list[Path]:
        """Other local files this file reads (a sitemap's pages), so a folder does not read them twice."""
        return []


class FolderSource(Source):
    """A format of files with known suffixes, read one by one from a folder (or given one by one)."""

    folder = True
    suffixes: ClassVar[tuple[str, ...]] = ()

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.is_dir():
            return any(p.suffix.lower() in self.suffixes for p in path.rglob("*"))
        return path.suffix.lower() in self.suffixes

    def files(self, path: Path) -> list[Path]:
        """The files of a folder (recursively, sorted) with one of the suffixes; a file path as it is."""
        if not path.is_dir():
            return [path]
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in self.suffixes and p.is_file())


_REGISTRY: dict[str, Source] = {}
#: format name -> module, in the order formats are guessed
BUILTIN = {"youtube": "youtube", "pinterest": "pinterest", "sitemap": "html", "jsonl": "tabular", "csv": "tabular",
           "markdown": "markdown", "html": "html"}


def register(cls: type[Source]) -> type[Source]:
    """Class decorator: make a resource format available by its name."""
    _REGISTRY[cls.name] = cls()
    return cls


def sources() -> dict[str, Source]:
    """Every registered resource format, by name."""
    for name, module in BUILTIN.items():
        if name not in _REGISTRY:
            importlib.import_module(f"{__name__}.{module}")
    return dict(_REGISTRY)


def detect(path: Path) -> Source:
    """The format of a file or folder, from its name and first bytes; SourceFailed when none fits."""
    registry = sources()
    if not path.exists():
        raise SourceFailed(f"{path}: no such file or folder")
    if path.is_dir():
        raise SourceFailed(f"{path}: a folder holds files of many formats: read it with load_resources")
    try:
        head = check_readable(path)
    except ImportFailed as exc:
        raise SourceFailed(str(exc)) from None
    for name in BUILTIN:
        if registry[name].sniff(path, head):
            return registry[name]
    raise SourceFailed(
        f"{path}: not a resource format helpfirst reads (JSONL, CSV, Markdown, HTML, sitemap, YouTube or Pinterest JSON)"
        + delimiter_hint(head)
    )


_DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def delimiter_hint(head: bytes) -> str:
    """'; its header ... separated by semicolons ...' when the first line is a resource header with another delimiter than ',', else ''."""
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").strip()
    if "," in first:
        return ""
    for delimiter, named in _DELIMITERS.items():
        cols = {c.strip().strip('"').lower() for c in first.split(delimiter)}
        if len(cols) > 1 and cols & {"url", "title", "body"}:
            return (f"; its header line is separated by {named}, not commas: helpfirst reads comma-separated CSV, "
                    "so save or export it with ',' as the delimiter")
    return ""


def get_source(name: str) -> Source:
    """A format by name, or SourceFailed listing the known ones."""
    registry = sources()
    if name not in registry:
        raise SourceFailed(f"unknown resource format {name!r}; known: {', '.join(sorted(registry))}")
    return registry[name]


def folder_files(folder: Path) -> list[Path]:
    """Every entry under a folder that is not a folder, recursively and sorted; hidden files and folders (names starting
    with '.') left out. Entries that are not regular files (a broken link, a pipe) are listed too: see unreadable().
    A symbolic link to a folder is listed too (it is not followed): see outside().

    A knowledge base saved inside is read through its resources.jsonl: its index/ folder is derived from it.
    """
    indexes = [m.parent for m in folder.rglob("index/manifest.json") if (m.parent.parent / "resources.jsonl").is_file()]
    return sorted(
        p for p in folder.rglob("*")
        if (not p.is_dir() or p.is_symlink()) and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not any(p.is_relative_to(index) for index in indexes)
    )


def unreadable(path: Path) -> str | None:
    """Why a path in a folder is not a file to read (a broken symbolic link, a pipe, a socket, a device), else None."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            if exc.errno == errno.ELOOP:
                return f"{path}: a symbolic link that never reaches a file (a loop of links)"
            return f"{path}: a symbolic link to {os.readlink(path)}, which does not exist"
        return f"{path}: cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    what = "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    # reading a pipe found in a folder could wait for ever on a writer that never comes
    return f"{path}: {what}, not a file: a folder's regular files are read (give a pipe on its own to read it)"


@dataclass(frozen=True)
class Refused:
    """An entry of a folder that is counted as read and rejected, for this reason (the entry's path not included)."""

    reason: str


def outside(entry: Path, root: Path) -> str | None:
    """Why an entry of a folder is not read because it leads out of the folder: a symbolic link (to a file or a folder)
    whose target, all links followed, is not inside `root` (the folder, resolved); else None.

    A folder's files can end up in reply drafts: a link inside it must not bring /etc/passwd or a whole
    other tree along. (A dangling link or a loop of links is unreadable(), not this.)
    """
    try:
        target = entry.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links (RuntimeError before Python 3.13)
        return None
    if target.is_relative_to(root):
        return None
    what = "folder" if target.is_dir() else "file"
    return (f"a symbolic link to the {what} {target}, outside the folder {root}: a folder's entries are read only "
            "when they lie inside it (give that path on its own to read it)")


def _plan(path: Path, fmt: str | None) -> list[tuple[Path, Source | SourceFailed | Refused]]:
    """Each file to read with its format (or why it has none): a file as it is, a folder file by file.

    A page that a sitemap in the same folder lists is read once, through the sitemap (which gives its address).
    """
    if not path.is_dir():
        try:
            return [(path, get_source(fmt) if fmt else detect(path))]
        except SourceFailed as exc:
            return [(path, exc)]
    files = folder_files(path)
    if not files:
        return [(path, SourceFailed(f"{path}: an empty folder (no files to read)"))]
    plan: list[tuple[Path, Source | SourceFailed | Refused]] = []
    root = path.resolve()
    for file in files:
        why = unreadable(file)
        if why:
            plan.append((file, SourceFailed(why)))
            continue
        out = outside(file, root)
        if out:
            plan.append((file, Refused(out)))
            continue
        if file.is_dir():
            continue  # a link to a folder inside this one: its files are read where they are
        try:
            plan.append((file, get_source(fmt) if fmt else detect(file)))
        except SourceFailed as exc:
            plan.append((file, exc))
    listed: set[Path] = set()
    for file, source in plan:
        if isinstance(source, Source):
            listed |= {p.resolve() for p in source.pages(file)}
    return [(f, s) for f, s in plan if not isinstance(s, Source) or f.resolve() not in listed]


def load_resources(paths: list[Path], options: LoadOptions, report: LoadReport, fmt: str | None = None) -> Iterator[Resource]:
    """Resources from files and folders of any mix of formats, each file read by its own format.

    A folder is read file by file (recursively); every file gets its counts in report.files, and a
    file (or path) that cannot be read, or whose format is not recognised, goes to report.errors.
    A pipe or device given on its own (`<(cat r.jsonl)`, /dev/stdin) is read once, into a temporary copy.
    """
    for path in paths:
        path = Path(path)
        if not path.exists():
            report.errors.append(unreadable(path) if path.is_symlink() else f"{path}: no such file or folder")
            continue
        if not path.is_dir() and not path.is_file():
            yield from _load_stream(path, options, report, fmt)
            continue
        yield from _load_planned(path, options, report, fmt)


def _load_planned(path: Path, options: LoadOptions, report: LoadReport, fmt: str | None) -> Iterator[Resource]:
    for file, source in _plan(path, fmt):
        if isinstance(source, SourceFailed):
            report.errors.append(str(source))
            continue
        if isinstance(source, Refused):
            report.read += 1
            report.reject(str(file), None, None, source.reason)
            report.files.append({"path": str(file), "format": None, "read": 1, "loaded": 0, "rejected": 1})
            continue
        yield from _load_file(file, source, options, report)


def _load_stream(path: Path, options: LoadOptions, report: LoadReport, fmt: str | None) -> Iterator[Resource]:
    """A pipe read once into a temporary copy of the same name (ingest.spool), then read as that file; messages name
    the pipe. A device is judged by its first bytes (check_readable), with or without a format given."""
    try:
        shown, copy = spool(path)  # guessing the format and loading it each open the file: a pipe is read once
        if copy == path:
            check_readable(path)  # /dev/zero is refused at once, not read for ever
    except ImportFailed as exc:
        if not (isinstance(exc, SettingFailed) and str(exc) in report.errors):  # several pipes: told once
            report.errors.append(str(exc))
        return
    marks = len(report.rejections), len(report.errors), len(report.files)
    try:
        yield from _load_planned(copy, options, report, fmt)
    finally:
        _rename(report, marks, str(copy), str(shown))


def _rename(report: LoadReport, marks: tuple[int, int, int], old: str, new: str) -> None:
    """Name `new` instead of `old` in what the report gained since marks (its rejections, errors and files)."""
    rejections, errors, files = marks
    report.rejections[rejections:] = [
        replace(r, file=new + r.file[len(old):]) if r.file.startswith(old) else r for r in report.rejections[rejections:]]
    report.errors[errors:] = [e.replace(old, new) for e in report.errors[errors:]]
    for entry in report.files[files:]:
        if entry.get("path") == old:
            entry["path"] = new


def _load_file(file: Path, source: Source, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
    before = (report.read, report.loaded, report.rejected)
    try:
        for resource in source.load(file, options, report):
            report.loaded += 1
            yield resource
    except SourceFailed as exc:
        report.errors.append(str(exc))
        return
    report.files.append(
        {"path": str(file), "format": source.name, "read": report.read - before[0],
         "loaded": report.loaded - before[1], "rejected": report.rejected - before[2]}
    )


def json_problem(exc: BaseException) -> str:
    """Why json.loads refused a text, in a few words (a RecursionError is JSON nested too deeply)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc.args[0] if exc.args else exc).split(":")[0]


class Invalid(Exception):
    """One record cannot become a resource: (field, reason)."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


#: the largest whole number a JSON number read as a float holds exactly (2**53)
_EXACT = 2**53


def _id_number(value: int | float) -> str:
    """An id written as a JSON number, as text: an integer (12, or 12.0 as pandas writes an integer column with gaps);
    Invalid for NaN, Infinity, a fraction (1.5) and a float too large to be exact."""
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and value.is_integer() and abs(value) <= _EXACT:
        return str(int(value))
    raise Invalid("id", f"id must be text or an integer, not the number {json.dumps(value)}")


def _text(record: dict, name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "id":
        return _id_number(value)
    if not isinstance(value, str):
        wanted = "text or an integer" if name == "id" else "text"
        raise Invalid(name, f"{name} must be {wanted}, not {type(value).__name__}")
    return _characters(name, value).strip()


# a lone half of a UTF-16 pair: JSON can write one (\ud800), but it is no character and UTF-8 cannot hold it
_SURROGATE = re.compile("[\ud800-\udfff]")


def _characters(name: str, value: str) -> str:
    """The value, or Invalid naming the field when it holds an unpaired surrogate (written nowhere, it would fail the save)."""
    m = _SURROGATE.search(value)
    if m:
        raise Invalid(name, f"{name} holds \\u{ord(m.group()):04x} (character {m.start() + 1}), half of a UTF-16 surrogate pair "
                            "without its other half: not a character (a JSON escape beyond U+FFFF needs both, as \\ud83d\\ude00)")
    return value


def _tags(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [t.strip() for t in _characters("tags", value).replace(";", ",").split(",") if t.strip()]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return [t.strip() for t in value if _characters("tags", t).strip()]
    raise Invalid("tags", "tags must be a list of strings or comma-separated text")


#: Unicode categories never written raw in a URL: control, format (bidi overrides, zero-width), surrogate, separators
_NOT_IN_URLS = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
# a host name (letters of any script, digits, dots, hyphens) or an IP address (IPv6 without its brackets)
_HOST = re.compile(r"^[\w.-]+$|^[0-9a-f:.]+$", re.I)


def check_url(url: str, field: str = "url") -> str:
    """The URL when it is a web address (http or https, with a host, no user name or backslash before it, no spaces or
    control characters); Invalid naming the field otherwise.

    A scheme-less value such as 'help.acme.com/x' is rejected rather than guessed: it could as well
    be a relative path, and a reply must never link to a guess.
    """
    shown = url if len(url) <= 80 else url[:77] + "..."
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise Invalid(field, f"{field} {shown!r} cannot be parsed as a URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        why = f"has the scheme {parts.scheme}:" if parts.scheme else "has no scheme"
        raise Invalid(field, f"{field} {shown!r} is not a web address: it {why}; it must start with http:// or https://")
    misleading = misleading_host(url)
    if misleading:
        # a reply draft posts the link publicly: one that looks like the brand's help centre must go there
        raise Invalid(field, f"{field} {shown!r} {misleading}")
    host = parts.hostname or ""
    if not _HOST.match(host) or not canonical_url(url):
        raise Invalid(field, f"{field} {shown!r} is not a web address: no valid host name after {parts.scheme}://")
    bad = next((i for i, c in enumerate(url) if c.isspace() or unicodedata.category(c) in _NOT_IN_URLS), None)
    if bad is not None:
        # a reply draft pastes the URL as it is: a space or line break would cut the link there (and let text after it pose
        # as part of the reply), a control character would reach the agent's terminal
        c = url[bad]
        named = "a space" if c == " " else f"the character U+{ord(c):04X}"
        raise Invalid(field, f"{field} {shown!r} holds {named} (character {bad + 1}): a URL has no spaces or control "
                             "characters; write a space as %20")
    return url


def make_resource(record: dict, options: LoadOptions, default_kind: str = "article") -> Resource:
    """A checked Resource from a record with the canonical field names; Invalid says which field is wrong.

    --brand fills a missing brand, --kind overrides the kind. A resource needs a brand, a known
    kind, and a URL or some text (title or body); the id is derived from the URL (or text) if absent.
    """
    rid = _text(record, "id")
    brand = _text(record, "brand") or (options.brand or "")
    brand = brand.lstrip("@").strip()
    if not brand:
        raise Invalid("brand", options.no_brand)
    kind = (options.kind or _text(record, "kind") or default_kind).lower()
    if kind not in KINDS:
        raise Invalid("kind", f"unknown kind {kind!r} (expected {', '.join(KINDS)})")
    url = _text(record, "url")
    title = _text(record, "title")
    body = _text(record, "body")
    if url:
        check_url(url, "url")
    if not url and not title and not body:
        raise Invalid("url", "a resource needs a url or some text (title or body); this one has neither")
    tags = _tags(record.get("tags"))
    return Resource(rid or derived_id(url, title, body), brand, kind, url, title, body, tags)
