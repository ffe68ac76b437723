"""Resource formats, read from real files: every record counted, bad ones named by file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources.markdown import file_id
from helpfirst.knowledge.sources import LoadOptions, SourceFailed, detect, load_resources
import pytest


def load(paths, brand="Acme", kind=None, fmt=None):
    report = LoadReport()
    items = list(load_resources([Path(p) for p in paths], LoadOptions(brand=brand, kind=kind), report, fmt=fmt))
    assert report.read == report.loaded + report.rejected
    assert report.loaded == len(items)
    return items, report


def test_jsonl_with_bad_lines(tmp_path):
    path = tmp_path / "kb.jsonl"
    path.write_bytes(
        b'{"id": "a1", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/a", "title": "Reset", "body": "Steps", "tags": ["login"]}\n'
        b'{"id": "a2", "url": "https://help.acme.com/b", "title": "", "body": ""}\n'
        b'not json\n'
        b'{"id": "a3", "title": "", "body": ""}\n'
        b'{"id": "a4", "kind": "poster", "url": "https://x.example"}\n'
        b'{"id": "a5", "url": "https://x.example/\xff"}\n'
        b'{"id": 6, "url": "https://x.example/6", "tags": "a, b"}\n'
        b'[1, 2]\n'
    )
    items, report = load([path])
    assert [r.id for r in items] == ["a1", "a2", "6"]
    assert items[1].brand == "Acme" and items[1].kind == "article"  # --brand fills the gap; a URL alone is enough
    assert items[2].tags == ["a", "b"]
    reasons = {(r.line, r.field): r.reason for r in report.rejections}
    assert (3, None) in reasons and "JSON" in reasons[(3, None)]
    assert "neither" in reasons[(4, "url")]
    assert "poster" in reasons[(5, "kind")]
    assert "UTF-8" in reasons[(6, None)]
    assert (8, None) in reasons
    assert report.read == 8


def test_csv(tmp_path):
    path = tmp_path / "kb.csv"
    path.write_text('id,url,title,body,tags\n1,https://help.acme.com/a,"Reset, password","Line one\nline two","x,y"\n2,,,,\n3,https://help.acme.com/c\n', encoding="utf-8")
    items, report = load([path])
    assert [(r.id, r.title, r.tags) for r in items] == [("1", "Reset, password", ["x", "y"])]
    assert {(r.line, r.field) for r in report.rejections} == {(4, "url"), (5, None)}


def test_markdown_folder(tmp_path):
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "reset.md").write_text("---\ntitle: Reset your password\nurl: https://help.acme.com/reset\ntags: [login, password]\nkind: faq\n---\n# Ignored heading\nClick **Forgot password** and follow [the link](https://x).\n")
    (tmp_path / "md" / "wifi.md").write_text("# Wi-Fi keeps dropping\nTurn band steering off.\n")
    (tmp_path / "md" / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    items, report = load([tmp_path / "md"])
    by_title = {r.title: r for r in items}
    reset = by_title["Reset your password"]
    assert (reset.kind, reset.url, reset.tags) == ("faq", "https://help.acme.com/reset", ["login", "password"])
    assert "Forgot password" in reset.body and "**" not in reset.body and "the link" in reset.body
    assert by_title["Wi-Fi keeps dropping"].id == file_id(tmp_path / "md" / "wifi.md")
    assert report.rejections[0].field == "front matter" and report.rejections[0].file.endswith("bad.md")


PAGE = """<!doctype html><html><head><title>Acme Help | Reset</title>
<link rel="canonical" href="https://help.acme.com/reset-password">
<meta name="keywords" content="login, password"></head>
<body><nav><a href="/">Home</a> <a href="/shop">Shop the sale now</a></nav>
<header>Acme Help Centre banner</header>
<main><h1>Reset your password</h1><p>Open the app and tap <b>Forgot password</b>.</p>
<script>var tracking = "nope";</script><p>We email you a link that works for one hour.</p></main>
<aside>Related: gift cards</aside><footer>© Acme 2024 cookie settings</footer></body></html>"""


@pytest.mark.parametrize("extractor", ["built-in", "trafilatura"])
def test_html_page_main_text_only(tmp_path, monkeypatch, extractor):
    if extractor == "built-in":
        monkeypatch.setitem(__import__("sys").modules, "trafilatura", None)  # the default install has no html extra
    else:
        pytest.importorskip("trafilatura", reason="the html extra is not installed")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "reset.html").write_text(PAGE)
    (tmp_path / "site" / "nourl.html").write_text("<html><body><p>No address here</p></body></html>")
    items, report = load([tmp_path / "site"])
    (page,) = items
    assert page.url == "https://help.acme.com/reset-password" and page.title == "Reset your password"
    assert "Forgot password" in page.body and "one hour" in page.body
    for boiler in ("Shop the sale", "banner", "gift cards", "cookie", "tracking"):
        assert boiler not in page.body
    assert page.tags == ["login", "password"]
    assert report.rejections[0].field == "url" and report.rejections[0].file.endswith("nourl.html")


def test_sitemap_of_local_pages(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "reset-password.html").write_text(PAGE.replace('<link rel="canonical" href="https://help.acme.com/reset-password">', ""))
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://help.acme.com/pages/reset-password</loc></url>"
        "<url><loc>https://help.acme.com/pages/missing</loc></url></urlset>"
    )
    items, report = load([tmp_path / "sitemap.xml"])
    assert [r.url for r in items] == ["https://help.acme.com/pages/reset-password"]
    assert report.rejected == 1 and "missing" in report.rejections[0].reason


def test_youtube_videos_and_playlist_items(tmp_path):
    videos = {"kind": "youtube#videoListResponse", "items": [
        {"kind": "youtube#video", "id": "vid1", "snippet": {"title": "Set up your router", "description": "Step by step", "tags": ["router"]}},
        {"kind": "youtube#video", "id": "vid2"}]}
    playlist = {"kind": "youtube#playlistItemListResponse", "items": [
        {"kind": "youtube#playlistItem", "snippet": {"title": "Pair your earbuds", "description": "", "resourceId": {"kind": "youtube#video", "videoId": "vid3"}}},
        {"kind": "youtube#playlistItem", "snippet": {"title": "Private video", "description": "", "resourceId": {"videoId": "vid4"}}}]}
    (tmp_path / "videos.json").write_text(json.dumps(videos))
    (tmp_path / "playlist.json").write_text(json.dumps(playlist))
    items, report = load([tmp_path / "videos.json", tmp_path / "playlist.json"])
    assert [(r.id, r.kind, r.url) for r in items] == [
        ("youtube:vid1", "video", "https://www.youtube.com/watch?v=vid1"), ("youtube:vid3", "video", "https://www.youtube.com/watch?v=vid3")]
    assert items[0].tags == ["router"]
    assert [r.field for r in report.rejections] == ["snippet", "snippet.title"]


def test_pinterest_board(tmp_path):
    board = {"id": "b1", "name": "Router tips", "description": "Wi-Fi help", "owner": {"username": "acme"},
             "pins": [{"id": "p1", "title": "Move the router up", "description": "Height helps", "link": "https://help.acme.com/router-height"},
                      {"title": "no id"}]}
    (tmp_path / "board.json").write_text(json.dumps(board))
    items, report = load([tmp_path / "board.json"])
    assert [(r.id, r.kind) for r in items] == [("board:b1", "board"), ("pin:p1", "board")]
    assert items[0].url == "https://www.pinterest.com/acme/router-tips/" and "Move the router up" in items[0].body
    assert items[1].url == "https://help.acme.com/router-height" and items[1].tags == ["Router tips"]
    assert report.rejections[0].field == "id"


def test_unreadable_paths_are_errors_and_the_rest_loads(tmp_path):
    good = tmp_path / "kb.jsonl"
    good.write_text('{"id": "a", "url": "https://help.acme.com/a"}\n')
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("hello")
    items, report = load([tmp_path / "missing.jsonl", tmp_path / "empty.jsonl", tmp_path / "notes.txt", good])
    assert [r.id for r in items] == ["a"]
    assert len(report.errors) == 3
    assert "no such file" in report.errors[0] and "empty" in report.errors[1] and "not a resource format" in report.errors[2]


def test_detect_names_the_format(tmp_path):
    with pytest.raises(SourceFailed):
        detect(tmp_path / "nope")
    (tmp_path / "x.md").write_text("# t\n")
    assert detect(tmp_path / "x.md").name == "markdown"
