"""Tutorial videos from YouTube Data API v3 responses: `videos` and `playlistItems` list pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..models import LoadReport, Resource
from . import Invalid, LoadOptions, Source, SourceFailed, json_problem, make_resource, register

_KINDS = (b"youtube#videoListResponse", b"youtube#playlistItemListResponse", b"youtube#video", b"youtube#playlistItem")


def _pages(path: Path) -> Iterator[tuple[int | None, object]]:
    """One response per file, a JSON array of responses, or one response per line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SourceFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise SourceFailed(f"{path}: bytes are not valid UTF-8") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except (ValueError, RecursionError) as exc:
                    yield number, Invalid(None, f"not valid JSON ({json_problem(exc)})")
        return
    for page in doc if isinstance(doc, list) else [doc]:
        yield None, page


def _video(item: dict) -> dict:
    snippet = item.get("snippet")
    if not isinstance(snippet, dict):
        raise Invalid("snippet", "no snippet object (request part=snippet)")
    if item.get("kind") == "youtube#playlistItem":
        vid = (snippet.get("resourceId") or {}).get("videoId") or (item.get("contentDetails") or {}).get("videoId")
    else:
        vid = item.get("id") if isinstance(item.get("id"), str) else (item.get("id") or {}).get("videoId")
    if not vid or not isinstance(vid, str):
        raise Invalid("id", "no video id")
    tags = snippet.get("tags") or []
    return {"id": f"youtube:{vid}", "kind": "video", "url": f"https://www.youtube.com/watch?v={vid}",
            "title": snippet.get("title"), "body": snippet.get("description"), "tags": tags}


@register
class YoutubeSource(Source):
    """Loads videos from YouTube Data API v3 `videos` or `playlistItems` responses."""

    name = "youtube"
    description = "YouTube Data API v3 `videos` or `playlistItems` responses (JSON; pages as an array or one per line)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return any(k in head for k in _KINDS)

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        for line, page in _pages(path):
            if isinstance(page, Invalid):
                report.read += 1
                report.reject(str(path), line, page.field, page.reason)
                continue
            items = page.get("items") if isinstance(page, dict) and "items" in page else [page]
            if not isinstance(items, list):
                report.read += 1
                report.reject(str(path), line, "items", "items must be a list")
                continue
            for i, item in enumerate(items):
                report.read += 1
                try:
                    if not isinstance(item, dict):
                        raise Invalid("items", "an item that is not an object")
                    record = _video(item)
                    if record["title"] == "Private video" or record["title"] == "Deleted video":
                        raise Invalid("snippet.title", f"the video is {record['title'].split()[0].lower()}")
                    yield make_resource(record, options, default_kind="video")
                except Invalid as exc:
                    report.reject(f"{path}[items {i}]", line, exc.field, exc.reason)
