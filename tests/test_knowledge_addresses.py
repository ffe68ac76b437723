"""Resource addresses: only http(s) URLs with a host are accepted, in every format; sitemaps of local pages say where the address comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

BAD = ["not a url", "help.acme.com/x", "ftp://files.acme.com/manual.pdf", "https://", "http://exa mple.com/x", "http://[::1"]


def load(paths):
    report = LoadReport()
    items = list(load_resources([Path(p) for p in paths], LoadOptions(brand="Acme"), report))
    assert report.read == report.loaded + report.rejected and report.loaded == len(items)
    return items, report


def test_jsonl_rejects_urls_that_are_not_web_addresses(tmp_path):
    path = tmp_path / "kb.jsonl"
    lines = [{"id": "ok", "url": "https://help.acme.com/ok", "title": "Ok"}, {"id": "ok2", "url": "http://192.168.0.1:8080/a", "title": "Ok"}]
    lines += [{"id": f"b{i}", "url": url, "title": "Bad"} for i, url in enumerate(BAD)]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    items, report = load([path])
    assert [r.id for r in items] == ["ok", "ok2"]
    assert [(r.line, r.field) for r in report.rejections] == [(n, "url") for n in range(3, 3 + len(BAD))]
    by_line = {r.line: r.reason for r in report.rejections}
    assert "no scheme" in by_line[3] and "http:// or https://" in by_line[4]
    assert "scheme ftp" in by_line[5]
    assert "host" in by_line[6] and "host" in by_line[7] and "cannot be parsed" in by_line[8]
    assert str(report.rejections[0]).startswith(f"{path}:3: field 'url'")


def test_csv_and_markdown_reject_them_too(tmp_path):
    (tmp_path / "kb.csv").write_text("id,url,title\nc1,help.acme.com/x,Scheme-less\nc2,https://help.acme.com/c2,Fine\n")
    (tmp_path / "page.md").write_text("---\ntitle: Reset\nlink: not a url\n---\nbody\n")
    items, report = load([tmp_path / "kb.csv", tmp_path / "page.md"])
    assert [r.id for r in items] == ["c2"]
    assert [(Path(r.file).name, r.line, r.field) for r in report.rejections] == [("kb.csv", 2, "url"), ("page.md", 3, "link")]


def test_a_pin_with_a_bad_link_is_rejected_naming_the_pin_and_field(tmp_path):
    board = {"items": [{"id": "p1", "title": "Good", "link": "https://help.acme.com/a"},
                       {"id": "p2", "title": "Bad", "link": "not a url"}, {"id": "p3", "title": "No link"}],
             "bookmark": "https://www.pinterest.com/x"}
    (tmp_path / "pins.json").write_text(json.dumps({"pins": board["items"]}))
    items, report = load([tmp_path / "pins.json"])
    assert [r.id for r in items] == ["pin:p1", "pin:p3"] and items[1].url == "https://www.pinterest.com/pin/p3/"
    (rej,) = report.rejections
    assert (rej.file.endswith("pins.json[pins 1]"), rej.field) == (True, "link") and "not a url" in rej.reason


def test_a_page_whose_canonical_link_is_relative_is_rejected_saying_so(tmp_path):
    (tmp_path / "p.html").write_text('<html><head><link rel="canonical" href="/help/reset"></head><body><p>Text</p></body></html>')
    items, report = load([tmp_path / "p.html"])
    assert items == [] and report.rejections[0].field == "url"
    assert "<link rel=canonical> '/help/reset' is not a web address" in report.rejections[0].reason


def sitemap(folder: Path, *locs: str) -> Path:
    path = folder / "sitemap.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    + "".join(f"<url><loc>{loc}</loc></url>\n" for loc in locs) + "</urlset>\n")
    return path


def test_sitemap_local_entries_take_the_address_the_page_gives(tmp_path):
    (tmp_path / "pages").mkdir()
    page = '<html><head><link rel="canonical" href="https://help.acme.com/{0}"></head><body><main><h1>{0}</h1><p>Steps</p></main></body></html>'
    (tmp_path / "pages" / "rel.html").write_text(page.format("rel"))
    (tmp_path / "abs.html").write_text(page.format("abs"))
    path = sitemap(tmp_path, "pages/rel.html", (tmp_path / "abs.html").as_uri())
    items, report = load([path])
    assert [r.url for r in items] == ["https://help.acme.com/rel", "https://help.acme.com/abs"] and report.rejected == 0


def test_sitemap_local_entries_without_a_public_address_are_rejected_saying_why(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "rel.html").write_text("<html><body><main><h1>Rel</h1><p>Steps</p></main></body></html>")
    (tmp_path / "file.html").write_text("<html><body><main><h1>File</h1><p>Steps</p></main></body></html>")
    path = sitemap(tmp_path, "pages/rel.html", (tmp_path / "file.html").as_uri(), "ftp://help.acme.com/x")
    items, report = load([path])
    assert items == [] and report.read == 3
    assert [(r.file, r.line, r.field) for r in report.rejections] == [(str(path), n, "loc") for n in (3, 4, 5)]
    for r in report.rejections[:2]:
        assert "is a local file, not a web address" in r.reason and "no sitemap entry" not in r.reason
    assert "scheme ftp" in report.rejections[2].reason


@pytest.mark.parametrize("url", ["https://web.archive.org/web/20200401224734/https://support.google.com/youtube/answer/185111",
                                 "http://web.archive.org/web/2019/http://help.acme.com/a?x=1"])
def test_archive_snapshot_urls_stay_valid(tmp_path, url):
    (tmp_path / "kb.jsonl").write_text(json.dumps({"id": "a", "url": url}) + "\n")
    items, report = load([tmp_path / "kb.jsonl"])
    assert [r.url for r in items] == [url] and report.rejected == 0
