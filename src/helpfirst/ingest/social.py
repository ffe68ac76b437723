"""What the JSON exports of social networks (x-v2, mastodon) share: the read loop, the id check,
and the decision who is the brand.

A post of these formats names its author but not whether the author is the brand: that follows
from the --brand and --bot handles (docs/formats.md, "Handles, brands and mentions"). A format
module says only what is its own: how its records hold posts (`unpack`) and which fields of a post
hold what (`post`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pyarrow as pa

from .base import ImportFailed, ImportOptions, ImportReport, Importer
from .common import (
    FieldError,
    json_kind,
    PostRows,
    bot_handles,
    first_brand_mention,
    handle_lookup,
    iter_json_records,
    match_handle,
    to_id,
)


@dataclass
class SocialPost:
    """The fields of one post as its format reads them, before its role and brand are decided."""

    author: str
    created_at: datetime
    text: str | None
    parent_id: str | None = None
    conversation_id: str | None = None
    url: str | None = None
    likes: int | None = None
    reposts: int | None = None
    #: another name of the author that a --brand handle may give (X's numeric author_id)
    author_alias: str | None = None
    #: the network marks the account as automated (Mastodon's account.bot)
    declared_bot: bool = False
    #: the post's structured mentions: a JSON array of objects naming the account under `mention_key`
    mentions: object = None


class SocialJsonImporter(Importer):
    """Base class of a JSON format whose posts say who wrote them but not who is the brand."""

    #: the channel of every post, unless --channel gives one
    default_channel: ClassVar[str] = ""
    #: what a post is called in rejection reasons: "tweet 123: missing author_id"
    noun: ClassVar[str] = ""
    #: the rejection reason for a post that is not a JSON object
    not_an_object: ClassVar[str] = ""
    #: the key that names the account in each object of `SocialPost.mentions`
    mention_key: ClassVar[str] = ""
    #: the field that holds `SocialPost.mentions`, as rejections name it ("" : see _MENTIONS_FIELD)
    mentions_field: ClassVar[str] = ""

    def unpack(self, value: object) -> tuple[str | None, Iterable[object], object] | None:
        """The posts one JSON record holds, as (where, posts, context); None when it holds none.

        `where` is the key that holds the posts, named in rejections as `where[index]` (None: the
        posts are not named); `context` is handed to `post` with each of them (e.g. the users of an
        X page). Raises FieldError when the record as a whole is one bad row.
        """
        raise NotImplementedError

    def post(self, pid: str, item: dict, context: object) -> SocialPost:
        """The fields of the post with id `pid`, or FieldError naming the field that makes it unusable."""
        raise NotImplementedError

    def read(self, path: Path, options: ImportOptions, report: ImportReport) -> Iterator[pa.RecordBatch]:
        file = str(path)
        rows = PostRows(options.batch_rows)
        channel = options.channel or self.default_channel
        brands = handle_lookup(options.brands)
        bots = bot_handles(options)

        def add(item: dict, context: object) -> None:
            pid = to_id(item.get("id"))
            if pid is None:
                raise FieldError("missing id", "id")
            try:
                post = self.post(pid, item, context)
                _check_mentions(post.mentions, self.mentions_field or _MENTIONS_FIELD.get(self.name, "mentions"),
                                self.mention_key)
            except FieldError as exc:
                raise FieldError(f"{self.noun} {pid}: {exc.reason}", exc.field) from None
            brand = match_handle(post.author, brands) or match_handle(post.author_alias, brands)
            if bots and match_handle(post.author, bots) is not None:
                role, brand = "bot", None
            elif brand is not None:
                role = "brand"
            elif post.declared_bot:
                role = "bot"
            else:
                role = "customer"
            if role != "brand" and brands:
                # a post that is not the brand's own is about the first brand it mentions
                brand = first_brand_mention(post.text, brands) or _mentioned_brand(post.mentions, self.mention_key, brands)
            rows.add(
                id=pid,
                channel=channel,
                conversation_id=post.conversation_id,
                parent_id=post.parent_id,
                author=post.author,
                author_role=role,
                brand=brand,
                created_at=post.created_at,
                text=post.text,
                url=post.url,
                likes=post.likes,
                reposts=post.reposts,
            )

        failure: ImportFailed | None = None
        try:
            for record in iter_json_records(path, options.on_bytes):
                line = record.line
                if record.error is not None:
                    report.rows_read += 1
                    report.reject(file, line, record.field, record.error)
                    continue
                try:
                    found = self.unpack(record.value)
                except FieldError as exc:
                    report.rows_read += 1
                    report.reject(file, line, exc.field, exc.reason)
                    continue
                if found is None:
                    continue
                where, items, context = found
                for index, item in enumerate(items):
                    report.rows_read += 1
                    label = f"{where}[{index}]: " if where else ""
                    if not isinstance(item, dict):
                        report.reject(file, line, where, f"{label}{self.not_an_object}")
                        continue
                    try:
                        add(item, context)
                    except FieldError as exc:
                        report.reject(file, line, exc.field, f"{label}{exc.reason}")
                    if rows.full():
                        yield rows.flush()
        except ImportFailed as exc:
            failure = exc
        if len(rows):
            yield rows.flush()
        if failure is not None:
            raise failure


def _mentioned_brand(mentions: object, key: str, brands: dict[str, str]) -> str | None:
    """The first brand among structured mentions (`[{key: handle}, ...]`), as given with --brand."""
    if not isinstance(mentions, list):
        return None
    for mention in mentions:
        name = mention.get(key) if isinstance(mention, dict) else None
        if isinstance(name, str):
            found = match_handle(name, brands)
            if found is not None:
                return found
    return None


#: where each format holds its structured mentions, for a format that does not say (mentions_field)
_MENTIONS_FIELD = {"x-v2": "entities.mentions", "mastodon": "mentions"}


def _check_mentions(mentions: object, field: str, key: str) -> None:
    """FieldError unless `mentions` is absent/null or an array of objects whose `key` is a string (or absent/null).

    Checked with or without --brand: a malformed field is rejected, never silently passed over.
    """
    if mentions is None:
        return
    if not isinstance(mentions, list):
        raise FieldError(f"{field} must be an array of objects, not {json_kind(mentions)}", field)
    for i, mention in enumerate(mentions):
        if not isinstance(mention, dict):
            raise FieldError(f"{field}[{i}] must be an object, not {json_kind(mention)}", field)
        name = mention.get(key)
        if name is not None and not isinstance(name, str):
            raise FieldError(f"{field}[{i}].{key} must be a string, not {json_kind(name)}", f"{field}.{key}")
