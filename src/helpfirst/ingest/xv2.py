"""X (Twitter) API v2 responses: pages of `{"data": [tweets], "includes": {"users": [...]}, "meta": {...}}`.

A file holds one page per line (JSON Lines, what most collectors write), a JSON array of pages, a
single page, or bare tweet objects (one per line, e.g. twarc2's flattened output, where the
author is embedded as `author`). Each tweet in `data` is one row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import register
from .common import FieldError, json_preview, to_count, to_id, to_text, to_timestamp
from .social import SocialJsonImporter, SocialPost

#: keys that make a JSON object an API response page (possibly with no tweets)
_PAGE_KEYS = ("data", "includes", "meta", "errors")
_TWEET_KEYS = (b'"author_id"', b'"conversation_id"', b'"referenced_tweets"')
# X escapes these three in v2 `text`; nothing else is HTML-escaped
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
#: the kinds of `referenced_tweets` entries the API gives
_REF_TYPES = ("replied_to", "quoted", "retweeted")


def unescape_tweet_text(text: str | None) -> str | None:
    """Undo the &amp; &lt; &gt; escaping of X API text."""
    if not text or "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


@register
class XV2Importer(SocialJsonImporter):
    """Reads X/Twitter API v2 JSON responses (tweets in `data`, authors in `includes.users`)."""

    name = "x-v2"
    description = "X/Twitter API v2 JSON responses (data + includes.users), JSON Lines or JSON array of pages"
    default_channel = "x"
    noun = "tweet"
    not_an_object = "a tweet must be a JSON object"
    mention_key = "username"  # entities.mentions[].username

    def sniff(self, path: Path, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start not in (b"{", b"["):
            return False
        if b'"data"' in head and any(key in head for key in _TWEET_KEYS):
            return True
        return start == b"{" and _bare_tweet(head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0])

    def unpack(self, page: object) -> tuple[str | None, list, dict[str, str]] | None:
        """The tweets of one page (`data`, with the page's users), or one bare tweet."""
        if not isinstance(page, dict):
            raise FieldError("not a JSON object (expected an X API v2 response page)")
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
            return None, [page], users
        if not any(key in page for key in _PAGE_KEYS):
            raise FieldError("neither an X API v2 response page (data) nor a tweet (id)")
        data = page.get("data")
        if data is None:
            return None  # a page without tweets (e.g. the last page of a search): nothing to read
        if isinstance(data, dict):
            data = [data]  # GET /2/tweets/:id returns one tweet object
        if not isinstance(data, list):
            raise FieldError("data must be an array of tweets", "data")
        return "data", data, _users(page.get("includes"))

    def post(self, tid: str, tweet: dict, users: dict[str, str]) -> SocialPost:
        author_id = to_id(tweet.get("author_id"), "author_id")
        if author_id is None:
            raise FieldError("missing author_id", "author_id")
        created = to_timestamp(tweet.get("created_at"), numbers=False)  # the API writes ISO strings
        text = to_text(tweet.get("text"))
        note = tweet.get("note_tweet")
        if note is not None:  # the full text of a long post (`text` holds its first 280 characters)
            if not isinstance(note, dict):
                raise FieldError("note_tweet must be an object (with the full text of a long post)", "note_tweet")
            text = to_text(note.get("text"), "note_tweet.text")
            if text is None:
                raise FieldError("missing note_tweet.text (the full text of a long post)", "note_tweet.text")
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
        username = users.get(author_id)
        entities = tweet.get("entities")
        return SocialPost(
            author=username or author_id,
            author_alias=author_id,
            created_at=created,
            text=text,
            parent_id=parent,
            conversation_id=conversation,
            url=f"https://x.com/{username}/status/{tid}" if username else f"https://x.com/i/web/status/{tid}",
            likes=likes,
            reposts=reposts,
            mentions=entities.get("mentions") if isinstance(entities, dict) else None,
        )


def _bare_tweet(line: bytes) -> bool:
    """Whether a JSON line is a bare v2 tweet (twarc2's flattened output): an id, an author_id and
    the author embedded as an object, or one of the keys only tweets have."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return False
    if not isinstance(obj, dict) or "id" not in obj or "author_id" not in obj or "data" in obj:
        return False
    return isinstance(obj.get("author"), dict) or any(k in obj for k in ("conversation_id", "referenced_tweets", "edit_history_tweet_ids"))


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
        if kind not in _REF_TYPES:
            shown = "missing" if kind is None else json_preview(kind)
            raise FieldError(
                f"referenced_tweets.type must be one of {', '.join(_REF_TYPES)}, not {shown}", "referenced_tweets.type"
            )
        ref_id = to_id(ref.get("id"), "referenced_tweets.id")
        if ref_id is None:  # a reply to no tweet would open a conversation of its own
            given = ref.get("id")
            shown = "missing" if "id" not in ref else "null" if given is None else "empty"
            raise FieldError(f"referenced_tweets.id must be a string or an integer, not {shown}", "referenced_tweets.id")
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
