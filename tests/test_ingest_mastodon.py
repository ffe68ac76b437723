"""mastodon importer: Mastodon API Status entities from real JSON / JSON Lines files."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpfirst.ingest import ImportOptions, ImportReport, detect_format, read_posts
from helpfirst.posts import POST_SCHEMA


def account(acct: str, *, bot: bool = False) -> dict:
    username = acct.split("@")[0]
    host = acct.split("@")[1] if "@" in acct else "mastodon.social"
    return {
        "id": str(abs(hash(acct)) % 10**8),
        "username": username,
        "acct": acct,
        "display_name": username.title(),
        "url": f"https://{host}/@{username}",
        "bot": bot,
        "followers_count": 12,
    }


REQUEST = {
    "id": "111222333444555001",
    "created_at": "2024-05-02T08:00:01.123Z",
    "in_reply_to_id": None,
    "in_reply_to_account_id": None,
    "visibility": "public",
    "url": "https://fosstodon.org/@mira/111222333444555001",
    "uri": "https://fosstodon.org/users/mira/statuses/111222333444555001",
    "content": (
        '<p><span class="h-card"><a href="https://mastodon.social/@acme" class="u-url mention">'
        "@<span>acme</span></a></span> the sync client crashes on start since 4.2 &amp; I lost my notes "
        '<a href="https://fosstodon.org/tags/bug" class="mention hashtag" rel="tag">#<span>bug</span></a></p>'
        "<p>logs: <a href=\"https://paste.example/x1\" rel=\"nofollow noopener\"><span class=\"invisible\">https://</span>"
        '<span class="">paste.example/x1</span><span class="invisible"></span></a></p>'
    ),
    "spoiler_text": "",
    "favourites_count": 3,
    "reblogs_count": 1,
    "replies_count": 1,
    "account": account("mira@fosstodon.org"),
    "mentions": [{"id": "1", "username": "acme", "acct": "acme", "url": "https://mastodon.social/@acme"}],
    "reblog": None,
}
ANSWER = {
    "id": "111222333444555002",
    "created_at": "2024-05-02T08:20:00.000Z",
    "in_reply_to_id": "111222333444555001",
    "visibility": "public",
    "url": "https://mastodon.social/@acme/111222333444555002",
    "content": (
        '<p><span class="h-card"><a href="https://fosstodon.org/@mira" class="u-url mention">@<span>mira</span></a>'
        "</span> sorry! 4.2.1 fixes it.<br>Your notes are kept in ~/.acme/backup</p>"
    ),
    "spoiler_text": "",
    "favourites_count": 0,
    "reblogs_count": 0,
    "account": account("Acme"),
    "mentions": [{"acct": "mira@fosstodon.org"}],
    "reblog": None,
}
BOT_REPLY = {
    "id": "111222333444555003",
    "created_at": "2024-05-02T08:00:05Z",
    "in_reply_to_id": "111222333444555001",
    "visibility": "unlisted",
    "url": "https://bots.example/@statusbot/111222333444555003",
    "content": "<p>Current status: all systems operational</p>",
    "favourites_count": 0,
    "reblogs_count": 0,
    "account": account("statusbot@bots.example", bot=True),
    "reblog": None,
}
CW_POST = {
    "id": "111222333444555004",
    "created_at": "2024-05-02T09:00:00+02:00",
    "in_reply_to_id": None,
    "visibility": "public",
    "url": None,
    "uri": "https://example.net/users/jo/statuses/4",
    "content": "<p>can&#39;t log in to my account, <a href=\"https://example.net/@acme\">@acme@mastodon.social</a> pls</p>",
    "spoiler_text": "account trouble",
    "favourites_count": 0,
    "reblogs_count": 0,
    "account": account("jo@example.net"),
    "reblog": None,
}
BOOST = {
    "id": "111222333444555005",
    "created_at": "2024-05-02T09:10:00Z",
    "in_reply_to_id": None,
    "content": "",
    "account": account("jo@example.net"),
    "reblog": ANSWER,
}
STATUSES = [REQUEST, ANSWER, BOT_REPLY, CW_POST, BOOST]


def load(path: Path, **options) -> tuple[list[dict], ImportReport]:
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(**options), report, fmt="mastodon"))
    assert all(batch.schema == POST_SCHEMA for batch in batches)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    return [row for batch in batches for row in batch.to_pylist()], report


@pytest.fixture
def statuses_json(tmp_path) -> Path:
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(STATUSES, indent=2), encoding="utf-8")
    return path


def test_reads_statuses_field_by_field(statuses_json):
    rows, report = load(statuses_json, brands=frozenset({"acme@mastodon.social"}))
    by_id = {r["id"]: r for r in rows}
    assert report.rows_read == 5 and report.rows_loaded == 4
    [boost] = report.rejections
    assert boost.field == "reblog" and "boost of 111222333444555002" in boost.reason
    assert statuses_json.read_text().splitlines()[boost.line - 1] == "  {"

    assert by_id["111222333444555001"] == {
        "id": "111222333444555001",
        "channel": "mastodon",
        "conversation_id": None,
        "parent_id": None,
        "author": "mira@fosstodon.org",
        "author_role": "customer",
        "brand": "acme@mastodon.social",
        "created_at": datetime(2024, 5, 2, 8, 0, 1, 123000, tzinfo=timezone.utc),
        "text": "@acme the sync client crashes on start since 4.2 & I lost my notes #bug\nlogs: https://paste.example/x1",
        "url": "https://fosstodon.org/@mira/111222333444555001",
        "likes": 3,
        "reposts": 1,
    }
    answer = by_id["111222333444555002"]
    assert answer["author"] == "Acme"
    assert answer["author_role"] == "brand"  # local acct 'Acme' matches acme@mastodon.social
    assert answer["brand"] == "acme@mastodon.social"
    assert answer["parent_id"] == "111222333444555001"
    assert answer["text"] == "@mira sorry! 4.2.1 fixes it.\nYour notes are kept in ~/.acme/backup"
    bot = by_id["111222333444555003"]
    assert bot["author_role"] == "bot"
    assert bot["author"] == "statusbot@bots.example"
    cw = by_id["111222333444555004"]
    assert cw["text"] == "account trouble\ncan't log in to my account, @acme@mastodon.social pls"
    assert cw["url"] == "https://example.net/users/jo/statuses/4"  # no url: the uri
    assert cw["brand"] == "acme@mastodon.social"
    assert cw["created_at"] == datetime(2024, 5, 2, 7, 0, tzinfo=timezone.utc)


def test_brand_given_as_local_handle_and_channel(statuses_json):
    rows, _ = load(statuses_json, brands=frozenset({"ACME"}), channel="fediverse")
    roles = {r["id"]: (r["author_role"], r["brand"]) for r in rows}
    assert roles["111222333444555002"] == ("brand", "ACME")
    assert roles["111222333444555001"] == ("customer", "ACME")
    # '@acme@mastodon.social' could be anyone's 'acme' elsewhere: a bare --brand does not claim it
    assert roles["111222333444555004"] == ("customer", None)
    assert {r["channel"] for r in rows} == {"fediverse"}


def test_brand_given_with_its_home_instance(statuses_json):
    rows, _ = load(statuses_json, brands=frozenset({"acme@mastodon.social"}))
    roles = {r["id"]: (r["author_role"], r["brand"]) for r in rows}
    assert roles["111222333444555002"] == ("brand", "acme@mastodon.social")  # the local account 'acme'
    assert roles["111222333444555004"] == ("customer", "acme@mastodon.social")


def test_brand_bot_account_counts_as_brand(statuses_json):
    rows, _ = load(statuses_json, brands=frozenset({"statusbot@bots.example"}))
    bot = next(r for r in rows if r["id"] == "111222333444555003")
    assert (bot["author_role"], bot["brand"]) == ("brand", "statusbot@bots.example")


def test_jsonl_pages_and_context(tmp_path):
    path = tmp_path / "timeline.jsonl"
    path.write_text(
        json.dumps(REQUEST) + "\n"
        + json.dumps([ANSWER, BOT_REPLY]) + "\n"  # one page of statuses per line
        + json.dumps({"ancestors": [CW_POST], "descendants": []}) + "\n",
        encoding="utf-8",
    )
    rows, report = load(path)
    assert [r["id"] for r in rows] == [s["id"] for s in (REQUEST, ANSWER, BOT_REPLY, CW_POST)]
    assert report.rows_rejected == 0


def test_bad_input_is_rejected_with_line_and_field(tmp_path):
    lines = [
        json.dumps(REQUEST),
        json.dumps({**REQUEST, "id": "2", "created_at": "2024-13-45T00:00:00Z"}),
        json.dumps({**REQUEST, "id": ""}),
        '{"id": "4", "created_at": ',
        json.dumps({**REQUEST, "id": "5", "account": None}),
        json.dumps({**REQUEST, "id": "6", "account": {"acct": ["x"]}}),
        json.dumps({**REQUEST, "id": "7", "favourites_count": -1}),
        json.dumps({**REQUEST, "id": "8", "content": {"html": "<p>x</p>"}}),
        json.dumps("just a string"),
    ]
    data = "\n".join(lines).encode() + b"\n" + json.dumps({**REQUEST, "id": "10"}).encode().replace(b"sync", b"s\xffnc")
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    rows, report = load(path)
    assert [r["id"] for r in rows] == [REQUEST["id"]]
    assert [(r.line, r.field) for r in report.rejections] == [
        (2, "created_at"),
        (3, "id"),
        (4, None),
        (5, "account"),
        (6, "account.acct"),
        (7, "favourites_count"),
        (8, "content"),
        (9, None),
        (10, "content"),  # the field holding the bytes that are not UTF-8
    ]
    assert report.rejections[-1].reason == "bytes are not valid UTF-8"
    assert report.rejections[2].reason.startswith("not valid JSON")


def test_non_utf8_inside_an_array_rejects_only_that_status(tmp_path):
    text = json.dumps([REQUEST, ANSWER], indent=2).encode()
    text = text.replace(b"sorry!", b"sorr\xe9!")
    path = tmp_path / "latin.json"
    path.write_bytes(text)
    rows, report = load(path)
    assert [r["id"] for r in rows] == [REQUEST["id"]]
    [bad] = report.rejections
    assert bad.reason == "bytes are not valid UTF-8"
    assert text.splitlines()[bad.line - 1] == b"  {"


def test_truncated_array_keeps_what_came_before(tmp_path):
    text = json.dumps(STATUSES, indent=2)
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"111222333444555003"') + 10])
    rows, report = load(path)
    assert [r["id"] for r in rows] == [REQUEST["id"], ANSWER["id"]]
    [error] = report.errors
    assert str(path) in error and "broken JSON" in error


def test_detects_format(statuses_json, tmp_path):
    assert detect_format(statuses_json) == "mastodon"
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(REQUEST) + "\n")
    assert detect_format(path) == "mastodon"
