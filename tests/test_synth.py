"""The synthetic archive generator: exact sizes, valid files, consistent links, realistic shape."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from helpfirst.synth import JSONL_FIELDS, TWCS_HEADER, write_synthetic

N = 20_000
TWCS_TIME = "%a %b %d %H:%M:%S %z %Y"


@pytest.fixture(scope="module")
def twcs(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    path = tmp_path_factory.mktemp("synth") / "twcs.csv"
    summary = write_synthetic(path, N, "twcs", seed=7)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:  # parsed once here: every test below checks the format through this
        r["_time"] = datetime.strptime(r["created_at"], TWCS_TIME)
    return path, summary, rows


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    path = tmp_path_factory.mktemp("synth") / "posts.jsonl"
    summary = write_synthetic(path, N, "jsonl", seed=7)
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return path, summary, rows


def _parent_check(ids: set[str], parents: list[tuple[str, str]]) -> list[str]:
    """Children whose parent is not in the file."""
    return [child for child, parent in parents if parent and parent not in ids]


# ---- determinism and sizes ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["twcs", "jsonl"])
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, fmt: str):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_synthetic(a, 3000, fmt, seed=11)
    write_synthetic(b, 3000, fmt, seed=11)
    write_synthetic(c, 3000, fmt, seed=12)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


@pytest.mark.parametrize("fmt", ["twcs", "jsonl"])
@pytest.mark.parametrize("posts", [0, 1, 2, 7, 333, 4001])
def test_exact_row_count_and_summary(tmp_path: Path, fmt: str, posts: int):
    out = tmp_path / f"out.{fmt}"
    calls: list[int] = []
    summary = write_synthetic(out, posts, fmt, seed=posts, on_rows=calls.append)
    if fmt == "twcs":
        with out.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == posts
    assert summary["posts"] == posts
    assert summary["path"] == str(out)
    assert summary["format"] == fmt
    assert sum(calls) == posts
    assert 0 <= summary["conversations"] <= posts
    assert 0 <= summary["brands"] <= 100
    if posts:
        assert summary["brands"] >= 1
    # truncating the last thread keeps every parent link valid (only the deliberate orphans dangle)
    if fmt == "twcs":
        ids = {r["tweet_id"] for r in rows}
        parents = [(r["tweet_id"], r["in_response_to_tweet_id"].removesuffix(".0")) for r in rows]
        listed = {c for r in rows if r["response_tweet_id"] for c in r["response_tweet_id"].split(",")}
    else:
        ids = {r["id"] for r in rows}
        parents = [(r["id"], r["parent_id"] or "") for r in rows]
        listed = set()
    dangling = _parent_check(ids, parents)
    assert len(dangling) <= max(1, posts // 20)
    assert listed <= ids


def test_unknown_format_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown synthetic format"):
        write_synthetic(tmp_path / "x", 10, "xml")


def test_progress_is_reported_in_chunks(tmp_path: Path, monkeypatch):
    import helpfirst.synth as synth

    monkeypatch.setattr(synth, "CHUNK_ROWS", 1000)
    calls: list[int] = []
    write_synthetic(tmp_path / "p.csv", 4500, on_rows=calls.append)
    assert calls == [1000, 1000, 1000, 1000, 500]


# ---- TWCS --------------------------------------------------------------------------------


def test_twcs_header_and_field_formats(twcs):
    path, summary, rows = twcs
    assert path.read_bytes().split(b"\n", 1)[0].decode() == TWCS_HEADER
    assert len(rows) == N == summary["posts"]
    float_id = re.compile(r"^\d+\.0$")
    for r in rows:
        assert r["tweet_id"].isdigit()
        assert r["inbound"] in ("True", "False")
        assert r["in_response_to_tweet_id"] == "" or float_id.match(r["in_response_to_tweet_id"])
        assert re.fullmatch(r"\d+(,\d+)*", r["response_tweet_id"]) or r["response_tweet_id"] == ""
        assert r["_time"].year in (2017, 2018)
        assert r["text"].strip() == r["text"] and r["text"]
        if r["inbound"] == "True":
            assert r["author_id"].isdigit()  # customers are anonymised numbers
        else:
            assert not r["author_id"].isdigit()  # brands by handle
    assert len({r["tweet_id"] for r in rows}) == N
    # texts: customers address the brand with @Handle, brand replies start with @<customer id>
    handles = {r["author_id"] for r in rows if r["inbound"] == "False"}
    for r in rows:
        if r["inbound"] == "True":
            assert re.search(r"@[A-Za-z_]+", r["text"])
        elif r["in_response_to_tweet_id"]:
            assert re.match(r"@\d+ ", r["text"]), r["text"]
    openers = [r for r in rows if r["inbound"] == "True" and not r["in_response_to_tweet_id"]]
    starts = sum(r["text"].split(" ", 1)[0][1:] in handles for r in openers)
    assert starts / len(openers) > 0.75
    # some embedded newlines, some two-brand openers
    assert any("\n" in r["text"] for r in rows)
    assert any(len(re.findall(r"@[A-Za-z_]+", r["text"])) >= 2 for r in openers)


def test_twcs_links_are_consistent(twcs):
    _, _, rows = twcs
    ids = {r["tweet_id"] for r in rows}
    by_id = {r["tweet_id"]: r for r in rows}
    parent_of = {r["tweet_id"]: r["in_response_to_tweet_id"].removesuffix(".0") for r in rows}
    missing = [c for c, p in parent_of.items() if p and p not in ids]
    # ~1% of posts reply to a parent that is not in the file: always a customer post
    assert 0.003 * N < len(missing) < 0.03 * N
    assert all(by_id[c]["inbound"] == "True" for c in missing)
    # response_tweet_id lists exactly the rows that name it as their parent
    children: dict[str, set[str]] = defaultdict(set)
    for c, p in parent_of.items():
        if p in ids:
            children[p].add(c)
    for r in rows:
        listed = set(r["response_tweet_id"].split(",")) if r["response_tweet_id"] else set()
        assert listed == children.get(r["tweet_id"], set()), r["tweet_id"]
    # children come after their parents in time
    for c, p in parent_of.items():
        if p in ids:
            assert by_id[c]["_time"] >= by_id[p]["_time"]


def test_twcs_rows_are_grouped_by_thread_but_not_chronological(twcs):
    _, _, rows = twcs
    times = [r["_time"] for r in rows]
    assert times != sorted(times) and times != sorted(times, reverse=True)
    ids = [int(r["tweet_id"]) for r in rows]
    assert ids == sorted(ids)  # ids grow down the file, like the real one
    span = max(times) - min(times)
    assert 60 <= span.days <= 110


# ---- JSONL -------------------------------------------------------------------------------


def test_jsonl_canonical_fields(jsonl):
    _, summary, rows = jsonl
    assert len(rows) == N == summary["posts"]
    roles = Counter()
    channels = Counter()
    for p in rows:
        assert tuple(p) == JSONL_FIELDS
        assert isinstance(p["id"], str) and p["id"]
        assert p["author_role"] in ("customer", "brand", "bot")
        assert isinstance(p["brand"], str) and p["brand"]
        assert p["parent_id"] is None or isinstance(p["parent_id"], str)
        assert p["conversation_id"] is None or isinstance(p["conversation_id"], str)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", p["created_at"])
        datetime.fromisoformat(p["created_at"].replace("Z", "+00:00"))
        assert isinstance(p["likes"], int) and isinstance(p["reposts"], int)
        assert 0 <= p["reposts"] <= max(p["likes"], 0) or p["reposts"] == 0
        assert p["url"].startswith("https://") and p["url"].endswith("/" + p["id"])
        if p["author_role"] == "brand":
            assert p["author"] == p["brand"]
        roles[p["author_role"]] += 1
        channels[p["channel"]] += 1
    assert roles["bot"] > 0 and roles["brand"] > 0 and roles["customer"] > roles["bot"]
    assert set(channels) == {"twitter", "mastodon"} and channels["twitter"] > channels["mastodon"]
    ids = {p["id"] for p in rows}
    missing = [p for p in rows if p["parent_id"] and p["parent_id"] not in ids]
    assert 0 < len(missing) < 0.03 * N
    assert all(p["author_role"] == "customer" for p in missing)
    # bots acknowledge, they never open a thread
    assert all(p["parent_id"] for p in rows if p["author_role"] == "bot")


def test_texts_are_almost_all_unique(twcs, jsonl):
    for _, _, rows in (twcs, jsonl):
        texts = [r["text"] for r in rows]
        assert len(set(texts)) / len(texts) > 0.95


def test_brand_volumes_are_skewed(jsonl):
    _, summary, rows = jsonl
    opened = Counter(p["brand"] for p in rows if p["author_role"] == "customer" and p["parent_id"] is None)
    volumes = sorted(opened.values(), reverse=True)
    assert summary["brands"] >= 90
    assert volumes[0] >= 5 * statistics.median(volumes)
    assert sum(opened.values()) == summary["conversations"]


def test_conversations_look_like_customer_care(jsonl):
    """Coverage, first-response delays and thread shapes in realistic ranges."""
    _, _, rows = jsonl
    by_id = {p["id"]: p for p in rows}
    kids: dict[str, list[dict]] = defaultdict(list)
    for p in rows:
        if p["parent_id"] in by_id:
            kids[p["parent_id"]].append(p)

    def when(p):
        return datetime.fromisoformat(p["created_at"].replace("Z", "+00:00"))

    requests = [p for p in rows if p["author_role"] == "customer" and p["parent_id"] is None]
    delays, answered, sizes = [], 0, []
    for req in requests:
        stack, thread = [req], []
        while stack:
            node = stack.pop()
            thread.append(node)
            stack.extend(kids[node["id"]])
        sizes.append(len(thread))
        replies = [p for p in thread if p["author_role"] == "brand" and p["brand"] == req["brand"]]
        if replies:
            answered += 1
            delays.append((min(when(p) for p in replies) - when(req)).total_seconds() / 60)
    coverage = answered / len(requests)
    assert 0.75 < coverage < 0.92
    delays.sort()
    median = statistics.median(delays)
    p90 = delays[int(0.9 * len(delays))]
    assert 5 < median < 60
    assert p90 > 120  # long tails: hours
    assert max(sizes) >= 8 and statistics.mean(sizes) > 2
    # redirects to DM, solutions with links, clarifying questions and thanks all occur
    brand_texts = " ".join(p["text"] for p in rows if p["author_role"] == "brand")
    assert "DM" in brand_texts and "https://help." in brand_texts and "?" in brand_texts
    assert any("thank" in p["text"].lower() for p in rows if p["author_role"] == "customer" and p["parent_id"])
    # threads opened by a brand (announcements) that customers reply to
    ann = [p for p in rows if p["author_role"] == "brand" and p["parent_id"] is None]
    assert ann and any(kids[a["id"]] for a in ann)
