"""X (Twitter) API v2 responses: pages of `{"data": [tweets], "includes": {"users": [...]}, "meta": {...}}`.

A file holds one page per line (JSON Lines, what most collectors write), a JSON array of pages, a
single page, or bare tweet objects (one per line, e.g. twarc2's flattened output, where the
author is embedded as `author`). Each tweet in `data` is one row.
"""

from __future__ import annotations

import re
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
    iter_json_records,
    match_handle,
    to_count,
    to_id,
    to_text,
    to_timestamp,
)

#: keys that make a JSON object an API response page (possibly with no tweets)
_PAGE_KEYS = ("data", "includes", "meta", "errors")
_TWEET_KEYS = (b'"author_id"', b'"conversation_id"', b'"referenced_tweets"')
# X escapes these three in v2 `text`; nothing else is HTML-escaped
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}


def unescape_tweet_text(text: str | None) -> str | None:
    """Undo the &amp; &lt; &gt; escaping of X API text."""
    if not text or "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


@register
class XV2Importer(Importer):
    name = "x-v2"
    description = "X/Twitter API v2 JSON responses (data + includes.users), JSON Lines or JSON array of pages"

    def sniff(self, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start not in (b"{", b"["):
            return False
        return b'"data"' in head and any(key in head for key in _TWEET_KEYS)

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
                for _ in context.page(record.line, record.value, rows):
                    if rows.full():
                        yield rows.flush()
        except ImportFailed as exc:
            failure = exc
        if len(rows):
            yield rows.flush()
        if failure is not None:
            raise failure


class _Context:
    """What stays the same for every page of one file."""

    def __init__(self, path: Path, options: ImportOptions, report: ImportReport) -> None:
        self.file = str(path)
        self.report = report
        self.channel = options.channel or "x"
        self.brands = handle_lookup(options.brands)
        self.bots = bot_handles(options)

    def page(self, line: int, page: object, rows: PostRows) -> Iterator[None]:
        """Add the tweets of one page to `rows`; yields after each one so the caller can flush."""
        report = self.report
        if not isinstance(page, dict):
            report.rows_read += 1
            report.reject(self.file, line, None, "not a JSON object (expected an X API v2 response page)")
            return
        if "data" not in page and "id" in page:
            # a bare tweet, e.g. twarc2 flattened output with the author embedded
            author = page.get("author")
            users = {}
            if isinstance(author, dict):
                try:
                    uid, name = to_id(author.get("id")), to_text(author.get("username"))
                except FieldError:
                    uid = name = None
                if uid and name:
                    users[uid] = name
            tweets: list = [page]
            where = ""
        elif any(key in page for key in _PAGE_KEYS):
            data = page.get("data")
            if data is None:
                return  # a page without tweets (e.g. the last page of a search): nothing to read
            if isinstance(data, dict):
                data = [data]  # GET /2/tweets/:id returns one tweet object
            if not isinstance(data, list):
                report.rows_read += 1
                report.reject(self.file, line, "data", "data must be an array of tweets")
                return
            users = _users(page.get("includes"))
            tweets = data
            where = "data"
        else:
            report.rows_read += 1
            report.reject(self.file, line, None, "neither an X API v2 response page (data) nor a tweet (id)")
            return
        for index, tweet in enumerate(tweets):
            report.rows_read += 1
            label = f"{where}[{index}]: " if where else ""
            if not isinstance(tweet, dict):
                report.reject(self.file, line, where or None, f"{label}a tweet must be a JSON object")
                continue
            try:
                self.tweet(tweet, users, rows)
            except FieldError as exc:
                report.reject(self.file, line, exc.field, f"{label}{exc.reason}")
            yield None

    def tweet(self, tweet: dict, users: dict[str, str], rows: PostRows) -> None:
        """Add one tweet to `rows`, or raise FieldError naming the field that makes it unusable."""
        tid = to_id(tweet.get("id"))
        if tid is None:
            raise FieldError("missing id", "id")
        try:
            author_id = to_id(tweet.get("author_id"), "author_id")
            if author_id is None:
                raise FieldError("missing author_id", "author_id")
            created = to_timestamp(tweet.get("created_at"))
            text = to_text(tweet.get("text"))
            note = tweet.get("note_tweet")
            if isinstance(note, dict) and isinstance(note.get("text"), str):
                text = to_text(note["text"], "note_tweet.text")  # the full text of a long post
            text = unescape_tweet_text(text)
            parent = _parent(tweet.get("referenced_tweets"))
            likes = reposts = None
            metrics = tweet.get("public_metrics")
            if metrics is not None:
                if not isinstance(metrics, dict):
                    raise FieldError("public_metrics must be an object", "public_metrics")
                likes = to_count(metrics.get("like_count"), "public_metrics.like_count")
                reposts = to_count(metrics.get("retweet_count"), "public_metrics.retweet_count")
            conversation = to_id(tweet.get("conversation_id"), "conversation_id")
        except FieldError as exc:
            raise FieldError(f"tweet {tid}: {exc.reason}", exc.field) from None
        username = users.get(author_id)
        handle = username or author_id
        brand = match_handle(handle, self.brands) or match_handle(author_id, self.brands)
        if self.bots and match_handle(handle, self.bots) is not None:
            role = "bot"
            brand = None
        elif brand is not None:
            role = "brand"
        else:
            role = "customer"
        if role != "brand" and self.brands:
            brand = first_brand_mention(text, self.brands) or _mentioned_brand(tweet, self.brands)
        rows.add(
            id=tid,
            channel=self.channel,
            conversation_id=conversation,
            parent_id=parent,
            author=handle,
            author_role=role,
            brand=brand,
            created_at=created,
            text=text,
            url=f"https://x.com/{username}/status/{tid}" if username else f"https://x.com/i/web/status/{tid}",
            likes=likes,
            reposts=reposts,
        )


def _parent(refs: object) -> str | None:
    """The replied_to id of `referenced_tweets`; a retweet is refused (a repost, not a message)."""
    if refs is None:
        return None
    if not isinstance(refs, list):
        raise FieldError("referenced_tweets must be an array", "referenced_tweets")
    parent = None
    for ref in refs:
        if not isinstance(ref, dict):
            raise FieldError("a referenced tweet must be an object", "referenced_tweets")
        kind = ref.get("type")
        ref_id = to_id(ref.get("id"), "referenced_tweets.id")
        if kind == "retweeted":
            raise FieldError(f"a retweet of {ref_id}: a repost, not a message of its own", "referenced_tweets")
        if kind == "replied_to" and parent is None:
            parent = ref_id
    return parent


def _users(includes: object) -> dict[str, str]:
    """author_id -> username from `includes.users`; malformed entries are skipped."""
    users: dict[str, str] = {}
    if not isinstance(includes, dict):
        return users
    listed = includes.get("users")
    if not isinstance(listed, list):
        return users
    for user in listed:
        if not isinstance(user, dict):
            continue
        try:
            uid, name = to_id(user.get("id")), to_text(user.get("username"))
        except FieldError:
            continue
        if uid and name and name.strip():
            users[uid] = name.strip()
    return users


def _mentioned_brand(tweet: dict, brands: dict[str, str]) -> str | None:
    """A brand in `entities.mentions[].username` (when the text alone did not name one)."""
    if not brands:
        return None
    entities = tweet.get("entities")
    mentions = entities.get("mentions") if isinstance(entities, dict) else None
    if not isinstance(mentions, list):
        return None
    for mention in mentions:
        name = mention.get("username") if isinstance(mention, dict) else None
        if isinstance(name, str):
            found = match_handle(name, brands)
            if found is not None:
                return found
    return None
