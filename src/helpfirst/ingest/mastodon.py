"""Mastodon API Status entities: a JSON array of statuses, or JSON Lines (one status, or one page
array of statuses, per line). The output of GET /api/v1/statuses/:id/context
(`{"ancestors": [...], "descendants": [...]}`) is read as its statuses too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from . import register
from .base import ImportFailed, ImportOptions, ImportReport, Importer
from .common import (
    FieldError,
    PostRows,
    bot_handles,
    first_brand_mention,
    handle_lookup,
    html_to_text,
    iter_json_records,
    match_handle,
    to_count,
    to_id,
    to_text,
    to_timestamp,
)


@register
class MastodonImporter(Importer):
    name = "mastodon"
    description = "Mastodon API statuses (id, created_at, in_reply_to_id, account, content), JSON array or JSON Lines"

    def sniff(self, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start not in (b"{", b"["):
            return False
        return b'"in_reply_to_id"' in head and b'"account"' in head

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        rows = PostRows(options.batch_rows)
        context = _Context(path, options, report)
        failure: ImportFailed | None = None
        try:
            for record in iter_json_records(path, options.on_bytes):
                if record.error is not None:
                    report.rows_read += 1
                    report.reject(str(path), record.line, record.field, record.error)
                    continue
                for status in _statuses(record.value):
                    context.status(record.line, status, rows)
                    if rows.full():
                        yield rows.flush()
        except ImportFailed as exc:
            failure = exc
        if len(rows):
            yield rows.flush()
        if failure is not None:
            raise failure


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


class _Context:
    def __init__(self, path: Path, options: ImportOptions, report: ImportReport) -> None:
        self.file = str(path)
        self.report = report
        self.channel = options.channel or "mastodon"
        self.brands = handle_lookup(options.brands)
        self.bots = bot_handles(options)

    def status(self, line: int, status: object, rows: PostRows) -> None:
        self.report.rows_read += 1
        if not isinstance(status, dict):
            self.report.reject(self.file, line, None, "not a JSON object (expected a Mastodon status)")
            return
        try:
            self._convert(status, rows)
        except FieldError as exc:
            self.report.reject(self.file, line, exc.field, exc.reason)

    def _convert(self, status: dict, rows: PostRows) -> None:
        sid = to_id(status.get("id"))
        if sid is None:
            raise FieldError("missing id", "id")
        try:
            if status.get("reblog") is not None:
                raise FieldError(f"a boost{_of(status['reblog'])}: a repost, not a message of its own", "reblog")
            account = status.get("account")
            if not isinstance(account, dict):
                raise FieldError("missing account" if account is None else "account must be an object", "account")
            acct = to_text(account.get("acct"), "account.acct")
            if acct is None or not acct.strip():
                acct = to_text(account.get("username"), "account.username")
            if acct is None or not acct.strip():
                raise FieldError("missing account.acct", "account.acct")
            acct = acct.strip().lstrip("@")
            created = to_timestamp(status.get("created_at"))
            text = html_to_text(to_text(status.get("content"), "content"))
            warning = to_text(status.get("spoiler_text"), "spoiler_text")
            if warning and warning.strip():
                text = f"{warning.strip()}\n{text}" if text else warning.strip()
            url = to_text(status.get("url"), "url") or to_text(status.get("uri"), "uri")
            likes = to_count(status.get("favourites_count"), "favourites_count")
            reposts = to_count(status.get("reblogs_count"), "reblogs_count")
            parent = to_id(status.get("in_reply_to_id"), "in_reply_to_id")
        except FieldError as exc:
            raise FieldError(f"status {sid}: {exc.reason}", exc.field) from None

        brand = match_handle(acct, self.brands)
        if self.bots and match_handle(acct, self.bots) is not None:
            role, brand = "bot", None
        elif brand is not None:
            role = "brand"
        elif account.get("bot") is True:
            role = "bot"
        else:
            role = "customer"
        if role != "brand" and self.brands:
            brand = first_brand_mention(text, self.brands) or _mentioned_brand(status, self.brands)
        rows.add(
            id=sid,
            channel=self.channel,
            conversation_id=None,
            parent_id=parent,
            author=acct,
            author_role=role,
            brand=brand,
            created_at=created,
            text=text,
            url=url,
            likes=likes,
            reposts=reposts,
        )


def _of(reblog: object) -> str:
    """' of <id>' for the boosted status, when it has a usable id."""
    try:
        inner = to_id(reblog.get("id")) if isinstance(reblog, dict) else None
    except FieldError:
        inner = None
    return f" of {inner}" if inner else ""


def _mentioned_brand(status: dict, brands: dict[str, str]) -> str | None:
    """A brand among `mentions[].acct` (when the text alone did not name one)."""
    if not brands:
        return None
    mentions = status.get("mentions")
    if not isinstance(mentions, list):
        return None
    for mention in mentions:
        acct = mention.get("acct") if isinstance(mention, dict) else None
        if isinstance(acct, str):
            found = match_handle(acct, brands)
            if found is not None:
                return found
    return None
