"""Realistic synthetic social customer-care archives, for demos, tests and benchmarks.

``write_synthetic(out, posts, fmt)`` writes exactly ``posts`` rows either in the Kaggle "Customer
Support on Twitter" CSV layout (``fmt="twcs"``) or as canonical posts in JSON Lines
(``fmt="jsonl"``). The data imitate what real brand care accounts see: about a hundred fictional
brands with Zipf-like volumes, conversations opened by customers, 10-20% of them never answered,
lognormal first-reply delays with long tails (some brands slow, some only replying in business
hours), multi-turn threads with redirects to DM, solutions with help links, clarifying questions
and thanks, brand announcements that customers reply to, replies whose parent is not in the file,
customers addressing two brands, bot auto-acknowledgements (JSONL only: TWCS has no bot column),
and rows grouped by thread but not in chronological order. Output is deterministic for a seed.

Structure (ids, parents, roles, times) is vectorised with numpy; texts are composed from templates
column-wise with Arrow compute; lines are built as one Arrow string array per chunk and its data
buffer written as is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import structure, vocab
from .structure import BOT, BRAND2, CUSTOMER, KIND_NAMES
from .text import TextEngine, tco_links

__all__ = ["write_synthetic", "FORMATS", "TWCS_HEADER", "JSONL_FIELDS"]

FORMATS = ("twcs", "jsonl")
TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
JSONL_FIELDS = (
    "id", "channel", "conversation_id", "parent_id", "author", "author_role", "brand",
    "created_at", "text", "url", "likes", "reposts",
)
CHUNK_ROWS = 200_000
_AGENTS_PER_BRAND = 12
_ROLE_NAMES = pa.array(["customer", "brand", "bot", "brand"])
_CHANNELS = pa.array(["twitter", "mastodon"])
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TWO_DIGITS = pa.array([f"{i:02d}" for i in range(60)])


def write_synthetic(
    out: Path,
    posts: int,
    fmt: str = "twcs",
    seed: int = 0,
    on_rows: Callable[[int], None] | None = None,
) -> dict:
    """Write `posts` synthetic rows to `out` in format `fmt` ("twcs" or "jsonl"); return a summary.

    The summary: ``{"posts", "brands", "conversations", "path", "format"}`` where ``brands`` counts
    the brands present in the file and ``conversations`` the threads opened by a customer's
    top-level post (the scorecard's unit). `on_rows(k)` is called after each chunk of `k` rows.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown synthetic format {fmt!r}; use one of: {', '.join(FORMATS)}")
    posts = int(posts)
    if posts < 0:
        raise ValueError("posts must be zero or more")
    out = Path(out)
    jsonl = fmt == "jsonl"
    brands = vocab.brand_roster()
    topics, topic_of_sector = _topics()
    with out.open("wb") as fh:
        if not jsonl:
            fh.write((TWCS_HEADER + "\n").encode())
        if posts == 0:
            return _summary(0, 0, 0, out, fmt)
        st = structure.build(posts, seed, jsonl, brands, topic_of_sector)
        writer = _Writer(st, brands, topics, seed, jsonl)
        for a in range(0, st.n, CHUNK_ROWS):
            b = min(st.n, a + CHUNK_ROWS)
            lines = writer.chunk(a, b)
            fh.write(_data_bytes(lines))
            if on_rows is not None:
                on_rows(b - a)
    post_brand = np.where(st.role == BRAND2, st.brand2, st.brand)
    n_brands = int(np.count_nonzero(np.bincount(post_brand, minlength=len(brands))))
    return _summary(st.n, n_brands, st.conversations, out, fmt)


def _summary(n: int, brands: int, conversations: int, out: Path, fmt: str) -> dict:
    return {"posts": n, "brands": brands, "conversations": conversations, "path": str(out), "format": fmt}


def _topics() -> tuple[list[vocab.Topic], Callable]:
    topics = list(vocab.GENERIC_TOPICS)
    off, cnt = [], []
    for name in vocab.SECTOR_NAMES:
        off.append(len(topics))
        cnt.append(len(vocab.SECTORS[name]["topics"]))
        topics.extend(vocab.SECTORS[name]["topics"])
    off_a, cnt_a = np.array(off), np.array(cnt)
    n_generic = len(vocab.GENERIC_TOPICS)

    def topic_of_sector(sector, rng: np.random.Generator):
        s = np.asarray(sector)
        m = s.shape
        sector_topic = off_a[s] + (rng.random(m) * cnt_a[s]).astype(np.int64)
        generic = rng.integers(0, n_generic, m)
        return np.where(rng.random(m) < 0.3, generic, sector_topic)

    return topics, topic_of_sector


def _data_bytes(arr: pa.Array) -> pa.Buffer:
    """The concatenated bytes of a string array's values (zero-copy)."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    lo, hi = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    return arr.buffers()[2].slice(lo, hi - lo)


def _signatures(brands: list[vocab.Brand], seed: int) -> pa.Array:
    """Agent sign-offs per brand (``_AGENTS_PER_BRAND`` each), in the brand's house style."""
    r = random.Random(seed * 31 + 7)
    letters = "ABCDEFGHIJKLMNOPRSTVWY"
    sigs: list[str] = []
    for _ in brands:
        style = r.choices(["", " -{name}", " ^{ini}", "\n^{ini3}", " -{ini}", " *{ini}"], [25, 20, 20, 10, 15, 10])[0]
        for _k in range(_AGENTS_PER_BRAND):
            sigs.append(
                style.format(
                    name=r.choice(vocab.AGENT_NAMES),
                    ini="".join(r.choices(letters, k=2)),
                    ini3="".join(r.choices(letters, k=3)),
                )
            )
    return pa.array(sigs, type=pa.string())


class _Writer:
    def __init__(self, st: structure.Structure, brands: list[vocab.Brand], topics: list[vocab.Topic],
                 seed: int, jsonl: bool):
        self.st = st
        self.jsonl = jsonl
        self.rng = np.random.default_rng([seed, 4242])
        self.engine = TextEngine(topics)
        self.n_brands = len(brands)
        self.n_topics = len(topics)
        self.handles = pa.array([b.handle for b in brands])
        self.authors = pa.array([b.handle for b in brands] + [b.bot_handle for b in brands])
        self.mentions = pa.array(["@" + b.handle for b in brands])
        self.names = pa.array([b.name for b in brands])
        self.sigs = _signatures(brands, seed)
        self.links = pa.array(
            [f"https://help.{b.domain}/articles/{t.slug}" for b in brands for t in topics], type=pa.string()
        )
        # time formatting tables
        d0 = int(st.time.min() // 86400)
        d1 = int(st.time.max() // 86400)
        self.day0 = d0
        days = [datetime.fromtimestamp(d * 86400, tz=timezone.utc) for d in range(d0, d1 + 1)]
        if jsonl:
            self.day_prefix = pa.array([d.strftime("%Y-%m-%dT") for d in days])
            self.day_suffix = pa.array(["Z"] * len(days))
        else:  # English names whatever the process locale: "Tue Oct 31 22:10:47 +0000 2017"
            self.day_prefix = pa.array([f"{_WEEKDAYS[d.weekday()]} {_MONTHS[d.month - 1]} {d.day:02d} " for d in days])
            self.day_suffix = pa.array([f" +0000 {d.year}" for d in days])
            self.child_strings = pa.array(st.child_ids).cast(pa.string())

    # -----------------------------------------------------------------------------------------
    def chunk(self, a: int, b: int) -> pa.Array:
        st = self.st
        role = st.role[a:b]
        brand = st.brand[a:b]
        brand2 = st.brand2[a:b]
        author_brand = np.where(role == BRAND2, brand2, brand).astype(np.int64)
        is_cust = role == CUSTOMER
        channel = st.channel[a:b]
        ids = pa.array(st.id[a:b]).cast(pa.string())

        person = pa.array(st.person[a:b]).cast(pa.string())
        if self.jsonl and channel.any():
            person = pc.if_else(pa.array(channel == 1), pc.binary_join_element_wise("u", person, ""), person)
        brand_author = self.authors.take(pa.array(author_brand + np.where(role == BOT, self.n_brands, 0)))
        author = pc.if_else(pa.array(is_cust), person, brand_author)

        t = st.time[a:b]
        day = t // 86400 - self.day0
        sec = t % 86400
        created = pc.binary_join_element_wise(
            self.day_prefix.take(pa.array(day)),
            _TWO_DIGITS.take(pa.array(sec // 3600)), ":",
            _TWO_DIGITS.take(pa.array(sec // 60 % 60)), ":",
            _TWO_DIGITS.take(pa.array(sec % 60)),
            self.day_suffix.take(pa.array(day)),
            "",
        )

        text = self._texts(a, b, person, author_brand)

        parent = st.parent_id[a:b]
        has_parent = parent >= 0
        parent_s = pa.array(parent).cast(pa.string())
        if self.jsonl:
            return self._jsonl_lines(a, b, ids, author, author_brand, role, channel, created, text, parent_s, has_parent)

        quote = pc.match_substring_regex(text, '[,"\n\r]')
        doubled = pc.replace_substring(text, '"', '""') if pc.any(pc.match_substring(text, '"')).as_py() else text
        quoted = pc.binary_join_element_wise('"', doubled, '"', "")
        text_q = pc.if_else(quote, quoted, text)
        offs = st.child_offsets[a : b + 1]
        lo, hi = int(offs[0]), int(offs[-1])
        lists = pa.ListArray.from_arrays(pa.array(offs - offs[0], type=pa.int32()), self.child_strings.slice(lo, hi - lo))
        resp = pc.binary_join(lists, ",")
        resp = pc.if_else(pc.greater(pc.list_value_length(lists), 1), pc.binary_join_element_wise('"', resp, '"', ""), resp)
        parent_f = pc.if_else(pa.array(has_parent), pc.binary_join_element_wise(parent_s, ".0", ""), pa.scalar(""))
        inbound = pc.if_else(pa.array(is_cust), pa.scalar("True"), pa.scalar("False"))
        return pc.binary_join_element_wise(
            ids, ",", author, ",", inbound, ",", created, ",", text_q, ",", resp, ",", parent_f, "\n", ""
        )

    def _texts(self, a: int, b: int, person: pa.Array, author_brand: np.ndarray) -> pa.Array:
        """Texts of rows a..b; `person` is the customer each row is by or addressed to."""
        st = self.st
        rng = self.rng
        brand = st.brand[a:b]
        brand2 = st.brand2[a:b]
        topic = st.topic[a:b]
        cache: dict[str, pa.Array] = {}

        def at_person(rows):
            if "c" not in cache:
                cache["c"] = pc.binary_join_element_wise("@", person, "")
            return cache["c"].take(pa.array(rows))

        def sig(rows):
            k = rng.integers(0, _AGENTS_PER_BRAND, len(rows))
            return self.sigs.take(pa.array(author_brand[rows] * _AGENTS_PER_BRAND + k))

        def link(rows):
            help_link = self.links.take(pa.array(author_brand[rows] * self.n_topics + topic[rows]))
            short = tco_links(rng, len(rows))
            return pc.if_else(pa.array(rng.random(len(rows)) < 0.7), help_link, short)

        context = {
            "b": lambda rows: self.mentions.take(pa.array(brand[rows])),
            "b2": lambda rows: self.mentions.take(pa.array(brand2[rows])),
            "bn": lambda rows: self.names.take(pa.array(brand[rows])),
            "bn2": lambda rows: self.names.take(pa.array(brand2[rows])),
            "c": at_person,
            "sig": sig,
            "link": link,
        }
        return self.engine.render(KIND_NAMES, st.kind[a:b].astype(np.int64), rng, context, topic)

    def _jsonl_lines(self, a, b, ids, author, author_brand, role, channel, created, text, parent_s, has_parent):
        st = self.st
        rng = self.rng
        n = b - a
        esc = pc.replace_substring(text, "\\", "\\\\")
        esc = pc.replace_substring(esc, '"', '\\"')
        esc = pc.replace_substring(esc, "\n", "\\n")
        esc = pc.replace_substring(esc, "\r", "\\r")
        esc = pc.replace_substring(esc, "\t", "\\t")
        null = pa.scalar("null")
        parent_j = pc.if_else(pa.array(has_parent), pc.binary_join_element_wise('"', parent_s, '"', ""), null)
        root = pa.array(st.root_id[a:b]).cast(pa.string())
        conv_j = pc.if_else(pa.array(channel == 0), pc.binary_join_element_wise('"', root, '"', ""), null)
        channel_s = _CHANNELS.take(pa.array(channel))
        role_s = _ROLE_NAMES.take(pa.array(role))
        brand_s = self.handles.take(pa.array(author_brand))
        url = pc.if_else(
            pa.array(channel == 0),
            pc.binary_join_element_wise("https://twitter.com/", author, "/status/", ids, ""),
            pc.binary_join_element_wise("https://mastodon.social/@", author, "/", ids, ""),
        )
        is_cust = role == CUSTOMER
        announce = st.kind[a:b] == structure.K["B_ANNOUNCE"]
        likes = np.where(
            is_cust,
            (rng.random(n) < 0.2) * rng.geometric(0.4, n),
            (rng.random(n) < 0.3) * rng.geometric(0.6, n),
        )
        viral = is_cust & (rng.random(n) < 0.002)
        likes = np.where(viral, rng.lognormal(np.log(300), 1.0, n).astype(np.int64), likes)
        likes = np.where(announce, rng.lognormal(np.log(40), 1.0, n).astype(np.int64), likes)
        likes = np.where(role == BOT, 0, likes).astype(np.int64)
        reposts = rng.binomial(likes, 0.15)
        return pc.binary_join_element_wise(
            '{"id": "', ids,
            '", "channel": "', channel_s,
            '", "conversation_id": ', conv_j,
            ', "parent_id": ', parent_j,
            ', "author": "', author,
            '", "author_role": "', role_s,
            '", "brand": "', brand_s,
            '", "created_at": "', created,
            '", "text": "', esc,
            '", "url": "', url,
            '", "likes": ', pa.array(likes).cast(pa.string()),
            ', "reposts": ', pa.array(reposts).cast(pa.string()),
            "}\n",
            "",
        )
