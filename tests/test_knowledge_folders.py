"""A folder of help resources is read file by file, each file by its own format; nothing in it is skipped silently."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from helpfirst.cli import app
from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources.markdown import file_id
from helpfirst.knowledge.sources import LoadOptions, load_resources

PAGE = ('<!doctype html><html><head><title>Wi-Fi</title><link rel="canonical" href="https://help.acme.com/wifi"></head>'
        "<body><main><h1>Wi-Fi keeps dropping</h1><p>Turn band steering off.</p></main></body></html>")
VIDEOS = {"kind": "youtube#videoListResponse", "items": [
    {"kind": "youtube#video", "id": "Vid1AbC", "snippet": {"title": "Set up your router", "description": "Step by step"}}]}
BOARD = {"id": "b1", "name": "Router tips", "owner": {"username": "acme"},
         "pins": [{"id": "p1", "title": "Move the router up", "link": "https://help.acme.com/router-height"}]}


def mixed_folder(root: Path) -> Path:
    folder = root / "help-centre"
    (folder / "guides").mkdir(parents=True)
    (folder / "reset.md").write_text("---\ntitle: Reset your password\nurl: https://help.acme.com/reset\n---\nTap Forgot password.\n")
    (folder / "guides" / "wifi.md").write_text("# Wi-Fi\nNo address, named by its place in the folder.\n")
    (folder / "page.html").write_text(PAGE)
    (folder / "res.jsonl").write_text(
        '{"id": "j1", "url": "https://help.acme.com/j1", "title": "One"}\n'
        '{"id": "j2", "kind": "podcast", "url": "https://help.acme.com/j2"}\n')
    (folder / "yt_videos.json").write_text(json.dumps(VIDEOS))
    (folder / "board.json").write_text(json.dumps(BOARD))
    (folder / "res.csv").write_text("id,url,title\nc1,https://help.acme.com/c1,CSV one\nc2,,\n")
    (folder / "notes.txt").write_text("just some notes\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return folder


def load(paths, fmt=None):
    report = LoadReport()
    items = list(load_resources([Path(p) for p in paths], LoadOptions(brand="Acme"), report, fmt=fmt))
    assert report.read == report.loaded + report.rejected
    assert report.loaded == len(items)
    return items, report


def test_a_mixed_folder_reads_every_file_by_its_own_format(tmp_path):
    folder = mixed_folder(tmp_path)
    items, report = load([folder])
    formats = {Path(f["path"]).relative_to(folder).as_posix(): f["format"] for f in report.files}
    assert formats == {"board.json": "pinterest", "guides/wifi.md": "markdown", "page.html": "html",
                       "res.csv": "csv", "res.jsonl": "jsonl", "reset.md": "markdown", "yt_videos.json": "youtube"}
    for f in report.files:
        assert f["read"] == f["loaded"] + f["rejected"]
    assert sum(f["read"] for f in report.files) == report.read == 10
    assert report.rejected == 2
    assert {r.id for r in items} >= {"j1", "c1", "youtube:Vid1AbC", "pin:p1", file_id(folder / "guides" / "wifi.md")}
    # the one file no format fits is named; the hidden file is not read
    assert len(report.errors) == 1 and "notes.txt" in report.errors[0] and "not a resource format" in report.errors[0]


def test_a_folder_without_markdown_or_html_is_read(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "res.jsonl").write_text('{"id": "j1", "url": "https://help.acme.com/j1"}\n')
    (folder / "videos.json").write_text(json.dumps(VIDEOS))
    items, report = load([folder])
    assert sorted(r.id for r in items) == ["j1", "youtube:Vid1AbC"] and report.errors == []


def test_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    items, report = load([tmp_path / "empty"])
    assert items == [] and len(report.errors) == 1 and "empty folder" in report.errors[0]


def test_pages_a_sitemap_lists_are_read_once_through_it(tmp_path):
    folder = tmp_path / "site"
    (folder / "help").mkdir(parents=True)
    (folder / "help" / "reset.html").write_text("<html><body><main><h1>Reset</h1><p>Tap Forgot password.</p></main></body></html>")
    (folder / "other.html").write_text(PAGE)
    (folder / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://help.acme.com/help/reset</loc></url></urlset>')
    items, report = load([folder])
    assert sorted(r.url for r in items) == ["https://help.acme.com/help/reset", "https://help.acme.com/wifi"]
    assert report.rejected == 0 and report.read == 2
    assert sorted(f["format"] for f in report.files) == ["html", "sitemap"]


def test_format_option_applies_to_every_file_of_a_folder(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ntitle: A\nurl: https://help.acme.com/a\n---\nText\n")
    items, report = load([folder], fmt="markdown")
    assert [r.url for r in items] == ["https://help.acme.com/a"] and report.errors == []


def test_kb_add_of_a_mixed_folder_counts_every_file(tmp_path):
    folder = mixed_folder(tmp_path)
    result = CliRunner().invoke(app, ["kb", "add", str(folder), "--brand", "Acme", "--kb", str(tmp_path / "kb"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.strip().splitlines()[-1])
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (10, 8, 2)
    assert len(doc["files"]) == 7 and any("notes.txt" in e for e in doc["errors"])


def test_a_saved_knowledge_base_is_read_through_its_resources_file(tmp_path):
    source = tmp_path / "res.jsonl"
    source.write_text('{"id": "j1", "url": "https://help.acme.com/j1", "title": "One"}\n')
    runner = CliRunner()
    assert runner.invoke(app, ["kb", "add", str(source), "--brand", "Acme", "--kb", str(tmp_path / "kb")]).exit_code == 0
    items, report = load([tmp_path / "kb"])
    assert [r.id for r in items] == ["j1"] and report.errors == []
    assert [Path(f["path"]).name for f in report.files] == ["resources.jsonl"]
