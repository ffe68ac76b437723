"""Resources from Markdown files with front matter (a folder of .md files, or one file)."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from ..models import LoadReport, Resource
from . import FolderSource, Invalid, LoadOptions, SourceFailed, check_url, make_resource, register

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_TAG = re.compile(r"<[^>]*>")
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


@functools.cache
def _parser():
    from markdown_it import MarkdownIt  # markdown-it-py: a dependency of rich

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _inline(children) -> str:
    """Plain text of an inline token's children: text, code and link/image texts kept, emphasis markers dropped.

    An emphasis opened right after a letter or digit and closed right before one (2*3*4, a*b*c) is
    kept as written: in help text that is arithmetic or a name, hardly ever italics inside a word.
    """
    # after[i]: first character of the first text token after children[i] ('' when none), in one backward pass
    after = [""] * len(children)
    following = ""
    for i in range(len(children) - 1, -1, -1):
        after[i] = following
        if children[i].type in ("text", "text_special", "code_inline"):
            following = children[i].content[:1]
    out: list[str] = []
    last = ""  # the last character of "".join(out)
    # (position of the open marker in out, the last output character before it): tokens nest, so what was
    # written before an open marker is unchanged when it closes (only markers still open, still '', lie there)
    opened: list[tuple[int, str]] = []
    for i, tok in enumerate(children):
        if tok.type in ("text", "text_special", "code_inline"):
            piece = tok.content
        elif tok.type == "image":
            piece = _inline(tok.children or []) or tok.content
        elif tok.type in ("softbreak", "hardbreak"):
            piece = "\n"
        elif tok.type.endswith("_open") and tok.type != "link_open":
            opened.append((len(out), last))
            out.append("")
            continue
        elif tok.type.endswith("_close") and tok.type != "link_close" and opened:
            at, before = opened.pop()
            if before.isalnum() and after[i].isalnum():
                out[at] = tok.markup
                piece = tok.markup
            else:
                continue
        else:  # link_open/close (the text between is kept), html_inline (tags): nothing
            continue
        out.append(piece)
        if piece:
            last = piece[-1]
    return "".join(out)


def markdown_blocks(body: str) -> list[tuple[str, str]]:
    """(block kind, plain text) of each block of a Markdown text: 'h1'..'h6', 'p', 'li', 'code', 'row', 'html'.

    Parsed with markdown-it-py (CommonMark, with tables and strikethrough), so only Markdown syntax goes:
    heading markers, emphasis, code fences and backticks, link syntax (its text kept), list bullets,
    quote markers, table rules. Characters that are text (Settings > Wi-Fi, a_b_c, 5 # 6, 2*3*4) stay.
    """
    blocks: list[tuple[str, str]] = []
    where: list[str] = []
    cells: list[str] | None = None
    for tok in _parser().parse(body):
        if tok.type in ("heading_open", "list_item_open"):
            where.append(tok.tag)
        elif tok.type in ("heading_close", "list_item_close") and where:
            where.pop()
        elif tok.type == "tr_open":
            cells = []
        elif tok.type == "tr_close" and cells is not None:
            blocks.append(("row", " | ".join(cells)))
            cells = None
        elif tok.type == "inline":
            text = _inline(tok.children or [])
            if cells is not None:
                cells.append(text.strip())
            elif text.strip():
                blocks.append((where[-1] if where else "p", text))
        elif tok.type in ("fence", "code_block"):
            blocks.append(("code", tok.content.rstrip("\n")))
        elif tok.type == "html_block":
            text = _TAG.sub(" ", tok.content)
            if text.strip():
                blocks.append(("html", text))
    return blocks


def markdown_text(body: str, blocks: list[tuple[str, str]] | None = None) -> str:
    """Markdown as plain text: one line per block, Markdown syntax gone, the characters of the text kept."""
    if blocks is None:
        blocks = markdown_blocks(body)
    lines = []
    for _kind, text in blocks:
        for line in text.splitlines():
            line = re.sub(r"[ \t]+", " ", line).strip()
            if line:
                lines.append(line)
    return "\n".join(lines)


def file_id(file: Path) -> str:
    """The id of a Markdown page that gives no id and no url: 'md:' + file name + ':' + 10 hex digits of the
    SHA-1 of its resolved absolute path.

    The same file gets the same id whichever folder above it is given to `kb add` (hc, hc/md or the file
    itself), and two files of one name in different folders get different ids. Moving or renaming the
    file gives it a new id: give it an `id:` (or `url:`) in its front matter for an id that survives that.
    """
    digest = hashlib.sha1(file.resolve().as_posix().encode("utf-8")).hexdigest()[:10]
    return f"md:{file.name}:{digest}"


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
                # CRLF (Windows) and lone CR (classic Mac OS) line ends read as \n: the front matter is found either way
                text = file.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
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
                blocks = markdown_blocks(body)
                if not title:
                    # the first top-level heading names the page; it is the title, not also a line of the body
                    first = next((i for i, (kind, _text) in enumerate(blocks) if kind == "h1"), None)
                    if first is not None:
                        title = " ".join(blocks[first][1].split())
                        blocks = blocks[:first] + blocks[first + 1:]
                record["title"] = title
                record["body"] = markdown_text(body, blocks)
                if record["id"] is not None and not isinstance(record["id"], str):
                    record["id"] = str(record["id"])
                if not record["id"] and not record["url"]:
                    record["id"] = file_id(file)
                yield make_resource(record, options)
            except Invalid as exc:
                line = 1 if exc.field == "front matter" else getattr(exc, "line", None)
                report.reject(str(file), line, exc.field, exc.reason)
