"""Shared loading for the hand-labelled sets: real posts from ../shared/data, threads, splits.

Only the standard library is used, so the scripts in this folder run anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Where assemble.py writes the label files with their texts: built from ../shared/data, never committed
#: (the project does not copy that data into its tree, and the TWCS texts are CC BY-NC-SA).
BUILD = HERE / "build"
DATA = HERE.parents[2] / "shared" / "data"  # /work/main/data/labels -> /work/shared/data
TWCS_HEAD = DATA / "twcs-head5k" / "twcs-head5k.csv"
TWCS_SAMPLE = DATA / "twcs-sample" / "sample.csv"
IBM_DEV = DATA / "ibm-cdp" / "dev.json"
COMPLAINTS = DATA / "complaints" / "train.csv"


def split_for(root_id: str) -> str:
    """Deterministic train/test split from the conversation root id (~30% test)."""
    h = hashlib.sha1(str(root_id).encode("utf-8")).hexdigest()
    return "test" if int(h[:8], 16) % 10 < 3 else "train"


@dataclass
class Post:
    id: str
    source: str  # twcs-head5k | twcs-sample | ibm-cdp | complaints
    role: str  # customer | brand
    author: str
    created_at: str
    text: str
    parent: str | None
    root: str = ""  # conversation root id (the split key)
    responses: tuple[str, ...] = ()

    @property
    def created_at_sort(self) -> str:
        """created_at as an ISO-8601 UTC string ('' when unknown), for time ordering."""
        if not self.created_at:
            return ""
        if self.source.startswith("twcs"):
            return datetime.strptime(self.created_at, "%a %b %d %H:%M:%S %z %Y").strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.created_at.replace(".000Z", "Z")
    brand: str = ""


def _twcs_parent(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    return str(int(float(value)))


def load_twcs(path: Path, source: str) -> tuple[dict[str, Post], list[str]]:
    """Read a TWCS file with the csv module; malformed rows are skipped and reported."""
    posts: dict[str, Post] = {}
    rejected: list[str] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            line = reader.line_num
            if len(row) != len(header) or row[2] not in ("True", "False") or not row[0].isdigit():
                rejected.append(f"{path.name}:{line}: malformed row {row!r:.80}")
                continue
            tid, author, inbound, created, text, responses, parent = row
            try:
                parent_id = _twcs_parent(parent)
            except ValueError:
                rejected.append(f"{path.name}:{line}: bad in_response_to_tweet_id {parent!r}")
                continue
            role = "customer" if inbound == "True" else "brand"
            post = Post(tid, source, role, author, created, text, parent_id)
            post.responses = tuple(r.strip() for r in responses.split(",") if r.strip())
            posts[tid] = post
    # conversation root: follow parent links while the parent is in the file
    for post in posts.values():
        cur, seen = post, {post.id}
        while cur.parent and cur.parent in posts and cur.parent not in seen:
            seen.add(cur.parent)
            cur = posts[cur.parent]
        post.root = cur.id
    brands: dict[str, str] = {}
    for post in posts.values():
        if post.role == "brand":
            brands.setdefault(post.root, post.author)
    for post in posts.values():
        post.brand = post.author if post.role == "brand" else brands.get(post.root, "")
    return posts, rejected


def load_ibm(path: Path = IBM_DEV) -> dict[str, Post]:
    """IBM CDP dev conversations; the split key is the first tweet id of the conversation."""
    posts: dict[str, Post] = {}
    for conv in json.loads(path.read_text(encoding="utf-8")):
        company = conv["dialogHeader"]["company"]
        turns = conv["dialogContent"]
        root = turns[0]["tweet_ID"]
        prev = None
        for turn in turns:
            role = "brand" if "agent" in turn else "customer"
            author = turn.get("agent") or turn.get("client") or turn.get("client1") or ""
            posts.setdefault(
                turn["tweet_ID"],
                Post(turn["tweet_ID"], "ibm-cdp", role, author, turn["datetime"], turn["message"], prev, root=root, brand=company),
            )
            prev = turn["tweet_ID"]
        final = conv.get("agentURL") or {}
        if final.get("tweet_ID") and final.get("url_utterance"):
            posts.setdefault(
                final["tweet_ID"],
                Post(final["tweet_ID"], "ibm-cdp", "brand", company, "", final["url_utterance"], prev, root=root, brand=company),
            )
    return posts


def load_complaints(path: Path = COMPLAINTS) -> tuple[dict[str, Post], list[str]]:
    """Single tweets of the complaints corpus (customer role; each tweet is its own conversation root).

    Only tweet_id and text are read: the corpus's own `complaint` label and its `domain` are not
    loaded, so nothing built from these posts can see them (intent is labelled from the text alone).
    """
    posts: dict[str, Post] = {}
    rejected: list[str] = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            tid, text = (row.get("tweet_id") or "").strip(), row.get("text")
            if not tid.isdigit():
                rejected.append(f"{where}: bad tweet_id {tid!r}")
            elif text is None or None in row:
                rejected.append(f"{where}: malformed row (wrong number of fields)")
            elif tid in posts:
                rejected.append(f"{where}: duplicate tweet_id {tid}")
            else:
                posts[tid] = Post(tid, "complaints", "customer", "", "", text, None, root=tid)
    return posts, rejected


def load_all(with_complaints: bool = False) -> tuple[dict[tuple[str, str], Post], list[str]]:
    """(source, id) -> Post for the conversation sources; the complaints corpus only when asked for.

    research/signals/distill.py draws unlabelled posts from load_all() and evaluates on a split of
    the complaints corpus, so that corpus stays out of the default.
    """
    head, rej1 = load_twcs(TWCS_HEAD, "twcs-head5k")
    sample, rej2 = load_twcs(TWCS_SAMPLE, "twcs-sample")
    ibm = load_ibm()
    groups, rejected = [head, sample, ibm], rej1 + rej2
    if with_complaints:
        complaints, rej3 = load_complaints()
        groups.append(complaints)
        rejected += rej3
    allposts: dict[tuple[str, str], Post] = {}
    for group in groups:
        for p in group.values():
            allposts[(p.source, p.id)] = p
    return allposts, rejected
