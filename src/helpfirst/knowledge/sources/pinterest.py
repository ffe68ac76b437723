"""Curated boards from Pinterest API v5 JSON: a board with its pins, or pages of pins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..models import LoadReport, Resource
from . import Invalid, LoadOptions, Source, SourceFailed, check_url, make_resource, register


def _pin(pin: dict, board_name: str) -> dict:
    pid = pin.get("id")
    if not isinstance(pid, (str, int)) or isinstance(pid, bool) or not str(pid):
        raise Invalid("id", "a pin without an id")
    link = pin.get("link")
    title = pin.get("title") or pin.get("alt_text")
    if not link and not (isinstance(title, str) and title.strip()) and not str(pin.get("description") or "").strip():
        # its Pinterest page alone would be an empty resource: nothing to search, nothing to say in a reply
        raise Invalid(None, "a pin with no title, description or link: nothing to suggest")
    if link:
        # the field is named as the pin writes it: `link`
        if not isinstance(link, str):
            raise Invalid("link", f"link must be text, not {type(link).__name__}")
        check_url(link.strip(), "link")
    link = link or f"https://www.pinterest.com/pin/{pid}/"
    tags = [board_name] if board_name else []
    return {"id": f"pin:{pid}", "kind": "board", "url": link, "title": title,
            "body": pin.get("description"), "tags": tags}


@register
class PinterestSource(Source):
    """Loads pins from Pinterest API v5 JSON (a board with `pins`, or `items` pages)."""

    name = "pinterest"
    description = "Pinterest API v5 JSON: a board object with `pins`, or `items` pages of pins (title, description, link)"

    def sniff(self, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf").lstrip()[:1]
        return start in (b"{", b"[") and (b'"board_id"' in head or b'"pins"' in head or (b"pinterest.com" in head and b'"items"' in head))

    def load(self, path: Path, options: LoadOptions, report: LoadReport) -> Iterator[Resource]:
        try:
            doc = json.loads(path.read_bytes().decode("utf-8-sig"))
        except OSError as exc:
            raise SourceFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except RecursionError:
            raise SourceFailed(f"{path}: not valid JSON (nested too deeply)") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceFailed(f"{path}: not valid JSON ({str(exc).splitlines()[0][:80]})") from None
        boards = doc if isinstance(doc, list) else [doc]
        for board in boards:
            if not isinstance(board, dict):
                report.read += 1
                report.reject(str(path), None, None, "not a JSON object")
                continue
            name = board.get("name") if isinstance(board.get("name"), str) else ""
            pins = board.get("pins", board.get("items"))
            if not isinstance(pins, list):
                report.read += 1
                report.reject(str(path), None, "pins", "no list of pins (`pins` or `items`)")
                continue
            # every pin judged first: a rejected pin (a bad link, no id) gives the board none of its text either
            judged: list[Resource | Invalid] = []
            for pin in pins:
                try:
                    if not isinstance(pin, dict):
                        raise Invalid(None, "a pin that is not an object")
                    judged.append(make_resource(_pin(pin, name), options, default_kind="board"))
                except Invalid as exc:
                    judged.append(exc)
            if board.get("url") or (board.get("id") and name):
                # the board itself: one resource whose text is every pin loaded from it
                report.read += 1
                owner = (board.get("owner") or {}).get("username") if isinstance(board.get("owner"), dict) else None
                slug = name.lower().replace(" ", "-")
                url = board.get("url") or (f"https://www.pinterest.com/{owner}/{slug}/" if owner else "")
                texts = [t for p in judged if isinstance(p, Resource) for t in (p.title, p.body)]
                try:
                    yield make_resource({"id": f"board:{board.get('id') or slug}", "kind": "board", "url": url,
                                         "title": name, "body": "\n".join([board.get("description") or ""] + texts).strip(),
                                         "tags": []}, options, default_kind="board")
                except Invalid as exc:
                    report.reject(str(path), None, exc.field, exc.reason)
            for i, pin in enumerate(judged):
                report.read += 1
                if isinstance(pin, Invalid):
                    report.reject(f"{path}[pins {i}]", None, pin.field, pin.reason)
                else:
                    yield pin
