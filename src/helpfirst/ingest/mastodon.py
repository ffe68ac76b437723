"""Mastodon API Status entities: a JSON array of statuses, or JSON Lines (one status, or one page
array of statuses, per line). The output of GET /api/v1/statuses/:id/context
(`{"ancestors": [...], "descendants": [...]}`) is read as its statuses too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from . import register
from .common import FieldError, html_to_text, json_preview, to_count, to_id, to_text, to_timestamp
from .social import SocialJsonImporter, SocialPost


@register
class MastodonImporter(SocialJsonImporter):
    """Reads Mastodon API statuses (a JSON array or JSON Lines)."""

    name = "mastodon"
    description = "Mastodon API statuses (id, created_at, in_reply_to_id, account, content), JSON array or JSON Lines"
    default_channel = "mastodon"
    noun = "status"
    not_an_object = "not a JSON object (expected a Mastodon status)"
    mention_key = "acct"  # mentions[].acct

    def sniff(self, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start not in (b"{", b"["):
            return False
        return b'"in_reply_to_id"' in head and b'"account"' in head

    def unpack(self, value: object) -> tuple[None, Iterator[object], None]:
        return None, _statuses(value), None

    def post(self, sid: str, status: dict, context: object) -> SocialPost:
        reblog = status.get("reblog")
        if reblog is not None:
            if not isinstance(reblog, dict):  # the API gives the boosted status, or null for a post of its own
                raise FieldError(f"reblog must be an object (the boosted status) or null, not {json_preview(reblog)}", "reblog")
            raise FieldError(f"a boost{_of(reblog)}: a repost, not a message of its own", "reblog")
        account = status.get("account")
        if not isinstance(account, dict):
            raise FieldError("missing account" if account is None else "account must be an object", "account")
        # a handle of only '@'s and spaces names no one: the next name is tried, as for an empty one
        acct = _handle(to_text(account.get("acct"), "account.acct"))
        if acct is None:
            acct = _handle(to_text(account.get("username"), "account.username"))
        if acct is None:
            raise FieldError("missing account.acct", "account.acct")
        bot = account.get("bot")
        if bot is not None and not isinstance(bot, bool):
            raise FieldError(f"account.bot must be true, false or null, not {json_preview(bot)}", "account.bot")
        created = to_timestamp(status.get("created_at"), numbers=False)  # the API writes ISO strings
        text = html_to_text(to_text(status.get("content"), "content"))
        warning = to_text(status.get("spoiler_text"), "spoiler_text")
        if warning and warning.strip():
            text = f"{warning.strip()}\n{text}" if text else warning.strip()
        url = to_text(status.get("url"), "url") or to_text(status.get("uri"), "uri")
        likes = to_count(status.get("favourites_count"), "favourites_count")
        reposts = to_count(status.get("reblogs_count"), "reblogs_count")
        raw_parent = status.get("in_reply_to_id")
        if isinstance(raw_parent, str) and not raw_parent.strip():
            # the API writes null for a status that replies to none: "" is no id (not a new conversation)
            raise FieldError("in_reply_to_id is empty (null is a status that replies to none)", "in_reply_to_id")
        parent = to_id(raw_parent, "in_reply_to_id")  # 0 is the id '0', as in every format
        return SocialPost(
            author=acct,
            created_at=created,
            text=text,
            parent_id=parent,
            url=url,
            likes=likes,
            reposts=reposts,
            declared_bot=bot is True,
            mentions=status.get("mentions"),
        )


def _statuses(value: object) -> Iterator[object]:
    """The statuses a record holds: itself, the elements of a page array, or a context's lists."""
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict) and "id" not in value and ("ancestors" in value or "descendants" in value):
        for key in ("ancestors", "descendants"):
            listed = value.get(key)
            if isinstance(listed, list):
                yield from listed
            elif listed is not None:
                yield listed
    else:
        yield value


def _of(reblog: object) -> str:
    """' of <id>' for the boosted status, when it has a usable id."""
    try:
        inner = to_id(reblog.get("id")) if isinstance(reblog, dict) else None
    except FieldError:
        inner = None
    return f" of {inner}" if inner else ""


def _handle(acct: str | None) -> str | None:
    """An account's handle without the spaces and leading '@' around it; None when nothing is left."""
    name = acct.strip().lstrip("@").strip() if acct is not None else ""
    return name or None
