"""Resources from Markdown files with front matter (a folder of .md files, or one file)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..models import LoadReport, Resource
from . import FolderSource, Invalid, LoadOptions, SourceFailed, check_url, make_resource, register

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#|~]+")
MD_SUFFIXES = (".md", ".markdown")


def _front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    raw = m.group(1)
    try:
        import yaml

        meta = yaml.safe_load(raw)
    except ImportError:  # pragma: no cover - PyYAML is a default dependency
        meta = dict(line.split(":", 1) for line in raw.splitlines() if ":" in line)
    except Exception as exc:  # yaml.YAMLError and friends
        raise Invalid("front matter", f"front matter is not valid YAML ({str(exc).splitlines()[0][:80]})") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Invalid("front matter", "front matter must be key: value pairs")
    return meta, text[m.end():]


def _key_line(text: str, key: str) -> int | None:
    """The line of a front-matter key (the first `key:` line of the file), for rejections."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lower().startswith(key + ":"):
            return number
    return None


def markdown_text(body: str) -> str:
    """Markdown as plain text: link texts kept, markup characters dropped."""
    return re.sub(r"[ \t]+", " ", _MARKUP.sub(" ", _LINK.sub(r"\1", body))).strip()


@register
class MarkdownSource(FolderSource):
    """Loads Markdown files with front matter (a folder or one file), one resource per file."""

    name = "markdown"
    description = "Markdown files with front matter (url, title, id, kind, tags, brand); a folder or one file"
    suffixes = MD_SUFFIXES

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        files = self.files(path)
        if not files:
            raise SourceFailed(f"{path}: no Markdown files")
        for file in files:
            report.read += 1
            try:
                text = file.read_bytes().decode("utf-8-sig")
            except OSError as exc:
                report.reject(str(file), None, None, f"cannot be read ({exc.strerror or exc})")
                continue
            except UnicodeDecodeError:
                report.reject(str(file), None, None, "bytes are not valid UTF-8")
                continue
            try:
                meta, body = _front_matter(text)
                meta = {str(k).lower(): v for k, v in meta.items()}
                record = {k: meta.get(k) for k in ("id", "brand", "kind", "tags")}
                key = next((k for k in ("url", "link", "permalink") if meta.get(k)), "url")
                record["url"] = meta.get(key)
                if isinstance(record["url"], str) and record["url"].strip():
                    try:
                        check_url(record["url"].strip(), key)
                    except Invalid as exc:
                        exc.line = _key_line(text, key)
                        raise
                title = meta.get("title")
                if not title:
                    heading = _HEADING.search(body)
                    title = heading.group(1) if heading else None
                record["title"] = title
                record["body"] = markdown_text(body)
                if record["id"] is not None and not isinstance(record["id"], str):
                    record["id"] = str(record["id"])
                if not record["id"] and not record["url"]:
                    # no id and no address: the file's place in the folder names it
                    root = options.root or (path if path.is_dir() else None)
                    record["id"] = file.relative_to(root).as_posix() if root else file.name
                yield make_resource(record, options)
            except Invalid as exc:
                line = 1 if exc.field == "front matter" else getattr(exc, "line", None)
                report.reject(str(file), line, exc.field, exc.reason)
