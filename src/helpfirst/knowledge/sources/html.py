"""Resources from HTML pages: a folder of pages, one page, or a sitemap listing local pages.

Main text is extracted with trafilatura when the `[html]` extra is installed; otherwise with a
small built-in extractor that keeps <main>/<article> (or the whole <body>) and drops navigation,
headers, footers, asides, forms, scripts and styles.
"""

from __future__ import annotations

import re
from xml.parsers import expat
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..models import LoadReport, Resource
from . import FolderSource, Invalid, LoadOptions, Source, SourceFailed, check_url, make_resource, register

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_DROP = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "template", "iframe", "button", "select"}
_BLOCK = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "main", "pre", "blockquote", "dd", "dt"}
_VOID = {"br", "img", "meta", "link", "input", "hr", "source", "area", "base", "col", "embed", "param", "track", "wbr"}


class _Extract(HTMLParser):
    """One pass over a page: title, canonical URL, description, and main text outside boilerplate."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self.canonical = ""
        self.og_url = ""
        self.description = ""
        self.keywords = ""
        self._stack: list[str] = []
        self._drop = 0
        self._main = 0
        self._in_title = False
        self._in_h1 = False
        self.all_text: list[str] = []
        self.main_text: list[str] = []
        self.saw_main = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        role = a.get("role", "").lower()
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.canonical = a.get("href", "")
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key in ("og:url",):
                self.og_url = a.get("content", "")
            elif key in ("description", "og:description") and not self.description:
                self.description = a.get("content", "")
            elif key == "keywords":
                self.keywords = a.get("content", "")
            elif key == "og:title" and not self.title:
                self.title = a.get("content", "")
        if tag in _VOID:
            if tag == "br":
                self._emit("\n")
            return
        self._stack.append(tag)
        if tag in _DROP or role in ("navigation", "banner", "contentinfo", "complementary", "search"):
            self._drop += 1
            self._stack[-1] = tag + "#drop"
        elif tag in ("main", "article") or role == "main":
            self._main += 1
            self.saw_main = True
            self._stack[-1] = tag + "#main"
        if tag == "title":
            self._in_title = True
        if tag == "h1":
            self._in_h1 = True
        if tag in _BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        # pop to the matching open tag: browsers forgive unclosed tags, so do we
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i].split("#")[0] == tag:
                for closed in self._stack[i:]:
                    if closed.endswith("#drop"):
                        self._drop -= 1
                    elif closed.endswith("#main"):
                        self._main -= 1
                del self._stack[i:]
                break
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK:
            self._emit("\n")

    def handle_data(self, data):
        if self._in_title and not self._drop:
            self.title += data
            return
        if self._in_h1 and not self._drop:
            self.h1 += data
        if "head" in self._stack and "body" not in self._stack:
            return
        self._emit(data)

    def _emit(self, data: str) -> None:
        if self._drop:
            return
        self.all_text.append(data)
        if self._main:
            self.main_text.append(data)

    def text(self) -> str:
        parts = self.main_text if self.saw_main else self.all_text
        lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(parts).split("\n"))
        return "\n".join(line for line in lines if line)


def extract_page(markup: str) -> dict:
    """{url, title, body, tags} of an HTML page: main text only, boilerplate dropped."""
    parser = _Extract()
    parser.feed(markup)
    parser.close()
    body = parser.text()
    try:  # the [html] extra: a well-kept extractor does better on real-world pages
        import trafilatura
    except ImportError:  # not installed, or installed without a dependency (lxml-html-clean)
        trafilatura = None
    if trafilatura is not None:
        extracted = trafilatura.extract(markup, include_comments=False, include_tables=True, favor_precision=True)
        if extracted and extracted.strip():
            body = extracted.strip()
    title = re.sub(r"\s+", " ", parser.h1 or parser.title).strip()
    tags = [t.strip() for t in parser.keywords.split(",") if t.strip()]
    return {"url": parser.canonical or parser.og_url, "title": title, "body": body, "tags": tags,
            "canonical": parser.canonical.strip(), "og_url": parser.og_url.strip()}


def _read_page(file: Path) -> str:
    data = file.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
        try:
            return data.decode(m.group(1).decode() if m else "cp1252")
        except (LookupError, UnicodeDecodeError):
            raise Invalid(None, "bytes are not valid UTF-8 and no usable charset is declared") from None


_NO_ADDRESS = "the page has no address: no <link rel=canonical> or og:url, and no sitemap entry"


def _own_address(record: dict) -> str:
    """The page's own public address: <link rel=canonical>, else og:url; Invalid when one is written but unusable."""
    for name, value in (("<link rel=canonical>", record["canonical"]), ("og:url", record["og_url"])):
        if value:
            try:
                return check_url(value, "url")
            except Invalid as exc:
                raise Invalid("url", f"the page's {name} {exc.reason.split(' ', 1)[1]}") from None
    return ""


def _page_resource(file: Path, url: str, options: LoadOptions, report: LoadReport,
                   where: tuple[str, int | None] | None = None, no_address: str = _NO_ADDRESS) -> Resource | None:
    """One page as a resource; url (a sitemap's <loc>) wins over the page's own address; where names rejections."""
    report.read += 1
    place, line = where or (str(file), None)
    try:
        record = extract_page(_read_page(file))
        record["url"] = url or _own_address(record)
        if not record["url"]:
            raise Invalid("loc" if where else "url", no_address)
        return make_resource({k: record[k] for k in ("url", "title", "body", "tags")}, options)
    except OSError as exc:
        report.reject(str(file), None, None, f"cannot be read ({exc.strerror or exc})")
    except Invalid as exc:
        report.reject(place, line, exc.field, exc.reason)
    return None


@register
class HtmlSource(FolderSource):
    """Loads saved HTML pages (a folder or one page), keeping the main text."""

    name = "html"
    description = "HTML pages (a folder or one page): main text extracted, boilerplate dropped; URL from <link rel=canonical>"
    suffixes = HTML_SUFFIXES

    def sniff(self, path: Path, head: bytes) -> bool:
        return super().sniff(path, head) or head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        files = self.files(path)
        for file in files:
            resource = _page_resource(file, "", options, report)
            if resource is not None:
                yield resource


def _local_page(sitemap: Path, loc: str) -> Path | None:
    """The local file of a sitemap entry: a file:// URL, a relative path, or the URL's path under the sitemap's folder.

    Only files inside the sitemap's folder are pages: a <loc> whose path leads out of it ('..', '%2e%2e', an
    absolute path, a file:// URL elsewhere, a symbolic link pointing out) is Invalid (field loc), so a sitemap
    cannot load any local file into the knowledge base (and from there into reply drafts).
    """
    base = sitemap.parent
    parts = urlsplit(loc)
    if parts.scheme == "file":
        candidates = [Path(unquote(parts.path))]
    elif not parts.scheme:
        candidates = [base / unquote(loc.split("#", 1)[0])]
    else:
        rel = unquote(parts.path).lstrip("/")
        candidates = [base / rel, base / (rel.rstrip("/") + ".html"), base / rel / "index.html"]
        if parts.hostname:
            candidates += [base / parts.hostname / rel, base / parts.hostname / (rel.rstrip("/") + ".html"),
                           base / parts.hostname / rel / "index.html"]
    root = base.resolve()
    for c in candidates:
        try:
            inside = c.resolve().is_relative_to(root)
        except (OSError, RuntimeError):  # a loop of symbolic links
            raise Invalid("loc", f"<loc> {loc[:80]!r}: its page cannot be looked up (a loop of symbolic links)") from None
        if not inside:
            raise Invalid("loc", f"<loc> {loc[:80]!r} leads out of the sitemap's folder {base}: a sitemap's pages are "
                                 "files inside its folder (no '..', absolute path or link pointing elsewhere)")
        if c.is_file():
            return c
    return None


def _entries(path: Path) -> list[tuple[int, str]]:
    """(line of <url>, <loc> text) of every <url> of a sitemap; SourceFailed when it is not readable XML."""
    # expat rather than ElementTree: it knows the line each <url> starts on, for rejections
    parser = expat.ParserCreate(namespace_separator="}")
    entries: list[tuple[int, str]] = []
    state: dict = {"loc": None, "ns": None}

    def start(tag: str, attrs: dict) -> None:
        ns, _, local = tag.rpartition("}")
        if local == "url":
            entries.append((parser.CurrentLineNumber, ""))
            state["ns"] = ns
        elif local == "loc" and entries and ns == state["ns"]:  # not an <image:loc> inside the <url>
            state["loc"] = []

    def end(tag: str) -> None:
        if tag.rsplit("}", 1)[-1] == "loc" and state["loc"] is not None:
            line, loc = entries[-1]
            entries[-1] = (line, loc or "".join(state["loc"]).strip())
            state["loc"] = None

    def text(data: str) -> None:
        if state["loc"] is not None:
            state["loc"].append(data)

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        with path.open("rb") as fh:
            parser.ParseFile(fh)
    except (expat.ExpatError, OSError) as exc:
        raise SourceFailed(f"{path}: not a readable sitemap ({exc})") from None
    return entries


def _is_local(loc: str) -> bool:
    scheme = urlsplit(loc).scheme.lower()
    return scheme in ("", "file")


@register
class SitemapSource(Source):
    """Loads the pages a sitemap.xml lists from copies saved beside it."""

    name = "sitemap"
    description = "A sitemap.xml whose <loc> entries are pages saved beside it (the <loc> is the resource URL)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return b"<urlset" in head[:4096]

    def pages(self, path: Path) -> list[Path]:
        try:
            entries = _entries(path)
        except SourceFailed:
            return []
        found = []
        for _, loc in entries:
            try:
                page = _local_page(path, loc) if loc else None
            except (Invalid, ValueError, OSError):
                continue  # rejected when the sitemap is loaded
            if page is not None and page.is_file():
                found.append(page)
        return found

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        for line, loc in _entries(path):
            if not loc:
                report.read += 1
                report.reject(str(path), line, "loc", "a <url> without <loc>")
                continue
            looking_up = False
            try:
                local = _is_local(loc)
                url = "" if local else check_url(loc, "loc")
                looking_up = True
                page = _local_page(path, loc)
            except (Invalid, ValueError) as exc:
                report.read += 1
                reason = exc.reason if isinstance(exc, Invalid) else f"<loc> {loc[:80]!r} cannot be parsed as a URL"
                if not (looking_up and isinstance(exc, Invalid)):  # not a page outside the sitemap's folder
                    reason += " (a <loc> is an http(s) address, a relative path or a file:// URL)"
                report.reject(str(path), line, "loc", reason)
                continue
            if page is None or not page.is_file():
                report.read += 1
                report.reject(str(path), line, "loc", f"no local page for {loc[:80]} beside the sitemap")
                continue
            no_address = (f"<loc> {loc[:80]!r} is a local file, not a web address, and the page has no "
                          "<link rel=canonical> or og:url to give its public address: write the page's https:// "
                          "address in <loc> (the page is still looked up beside the sitemap) or give the page a canonical link")
            resource = _page_resource(page, url, options, report, (str(path), line), no_address)
            if resource is not None:
                yield resource
