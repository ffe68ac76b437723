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
    knows_brands = False

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
            except _Reject as exc:
                report.reject(self.file, line, exc.field, f"{label}{exc.reason}")
            yield None

    def tweet(self, tweet: dict, users: dict[str, str], rows: PostRows) -> None:
        tid = _field(to_id, tweet, "id")
        if tid is None:
            raise _Reject("id", "missing id")
        author_id = _field(to_id, tweet, "author_id")
        if author_id is None:
            raise _Reject("author_id", f"tweet {tid}: missing author_id")
        try:
            created = to_timestamp(tweet.get("created_at"))
        except FieldError as exc:
            raise _Reject("created_at", f"tweet {tid}: {exc}") from None
        text = _field(to_text, tweet, "text")
        note = tweet.get("note_tweet")
        if isinstance(note, dict) and isinstance(note.get("text"), str):
            text = _field(to_text, note, "text", "note_tweet.text")  # the full text of a long post
        text = unescape_tweet_text(text)
        parent = None
        refs = tweet.get("referenced_tweets")
        if refs is not None:
            if not isinstance(refs, list):
                raise _Reject("referenced_tweets", f"tweet {tid}: referenced_tweets must be an array")
            for ref in refs:
                if not isinstance(ref, dict):
                    raise _Reject("referenced_tweets", f"tweet {tid}: a referenced tweet must be an object")
                kind = ref.get("type")
                ref_id = _field(to_id, ref, "id", "referenced_tweets.id")
                if kind == "retweeted":
                    raise _Reject(
                        "referenced_tweets",
                        f"tweet {tid} is a retweet of {ref_id}: a repost, not a message of its own",
                    )
                if kind == "replied_to" and parent is None:
                    parent = ref_id
        metrics = tweet.get("public_metrics")
        likes = reposts = None
        if metrics is not None:
            if not isinstance(metrics, dict):
                raise _Reject("public_metrics", f"tweet {tid}: public_metrics must be an object")
            likes = _field(to_count, metrics, "like_count", "public_metrics.like_count")
            reposts = _field(to_count, metrics, "retweet_count", "public_metrics.retweet_count")
        username = users.get(author_id)
        handle = username or author_id
        brand = match_handle(handle, self.brands) or match_handle(author_id, self.brands)
        if match_handle(handle, self.bots) is not None:
            role = "bot"
            brand = None
        elif brand is not None:
            role = "brand"
        else:
            role = "customer"
        if role != "brand":
            brand = first_brand_mention(text, self.brands) or _mentioned_brand(tweet, self.brands)
        rows.add(
            id=tid,
            channel=self.channel,
            conversation_id=_field(to_id, tweet, "conversation_id"),
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


class _Reject(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _field(convert, obj: dict, key: str, name: str | None = None):
    name = name or key
    try:
        return convert(obj.get(key), name)
    except FieldError as exc:
        raise _Reject(name, str(exc)) from None


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
