"""Review, stop 15: a sitemap cannot load files outside its folder; links in history replies end at control and
format characters; Markdown with lone-CR line ends has its front matter read. Real files, real loaders, the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from helpfirst.cli import app
from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

SECRET = "TOP-SECRET-LINE"


def load(paths):
    report = LoadReport()
    items = list(load_resources([Path(p) for p in paths], LoadOptions(brand="Acme"), report))
    assert report.read == report.loaded + report.rejected and report.loaded == len(items)
    return items, report


def page(url: str, text: str) -> str:
    return f'<html><head><link rel="canonical" href="{url}"></head><body><main><h1>{text}</h1><p>{text} steps</p></main></body></html>'


def traversal_site(tmp_path: Path, links: bool = True) -> tuple[Path, Path]:
    """A sitemap in site/ with one good entry and entries that lead out of site/ to a page in secret/ (links: also by symlinks)."""
    site, secret = tmp_path / "site", tmp_path / "secret"
    (site / "help").mkdir(parents=True)
    secret.mkdir()
    (site / "help" / "ok.html").write_text(page("https://help.acme.com/help/ok", "Fine page"))
    (secret / "x.html").write_text(page("https://help.acme.com/x", SECRET))
    if links:
        (site / "out").symlink_to(secret, target_is_directory=True)  # a link inside the folder pointing out of it
        (site / "leak.html").symlink_to(secret / "x.html")
    depth = "/".join([".."] * len(site.parts))
    locs = ["https://help.acme.com/help/ok",
            "https://help.acme.com/../secret/x.html",  # line 4
            f"https://help.acme.com/{depth}{secret}/x.html",
            "https://help.acme.com/%2e%2e/secret/x",
            "../secret/x.html",
            str(secret / "x.html"),
            (secret / "x.html").as_uri(),
            "https://help.acme.com/out/x",
            "leak.html"][:None if links else 7]
    sitemap = site / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                       + "".join(f"<url><loc>{loc}</loc></url>\n" for loc in locs) + "</urlset>\n")
    return sitemap, secret


def test_sitemap_entries_leading_out_of_its_folder_are_rejected_and_the_rest_loads(tmp_path):
    sitemap, _ = traversal_site(tmp_path)
    items, report = load([sitemap])
    assert [r.url for r in items] == ["https://help.acme.com/help/ok"]
    assert all(SECRET not in (r.body + r.title) for r in items)
    assert (report.read, report.loaded, report.rejected) == (9, 1, 8)
    assert [(r.file, r.line, r.field) for r in report.rejections] == [(str(sitemap), n, "loc") for n in range(4, 12)]
    for r in report.rejections:
        assert "leads out of the sitemap's folder" in r.reason, r.reason


def test_kb_add_of_a_traversing_sitemap_loads_nothing_from_outside(tmp_path):
    sitemap, _ = traversal_site(tmp_path)
    store = tmp_path / "kb"
    result = CliRunner().invoke(app, ["kb", "add", str(sitemap), "--brand", "Acme", "--kb", str(store), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.strip().splitlines()[-1])
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (9, 1, 8)
    assert SECRET not in (store / "resources.jsonl").read_text()
    assert f"{sitemap}:5: field 'loc'" in result.stderr


def test_a_folder_holding_a_traversing_sitemap_still_reads_its_own_pages_once(tmp_path):
    # (symbolic links left out: a folder is walked following them, which is the folder reader's business)
    sitemap, _ = traversal_site(tmp_path, links=False)
    items, report = load([sitemap.parent])
    assert [r.url for r in items] == ["https://help.acme.com/help/ok"]  # read once, through the sitemap
    assert [f["format"] for f in report.files] == ["sitemap"] and report.rejected == 6


def test_links_in_history_replies_end_at_control_and_format_characters(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "reset", "brand": "Acme", "url": "https://help.acme.com/reset", "title": "Reset your password",
                              "body": "Tap Forgot password."}) + "\n")
    rows = []
    for i in range(4):
        tail = ["\x1b]8;;https://evil.example\x07\u202eclick", "\u202eevil", "\x00x", "\u200b"][i]
        rows += [{"id": f"c{i}", "author": f"cu{i}", "author_role": "customer", "brand": "Acme",
                  "created_at": f"2024-02-0{i + 1}T09:00:00Z", "text": "how do I reset my password", "outcome": "resolved"},
                 {"id": f"b{i}", "author": "Acme", "author_role": "brand", "brand": "Acme", "parent_id": f"c{i}",
                  "created_at": f"2024-02-0{i + 1}T09:10:00Z", "text": f"@cu{i} See https://help.acme.com/reset{tail} thanks"}]
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(r) + "\n" for r in rows))
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "reset my password how"}],
                                   "customer": "bob"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "suggest", "--kb", str(kb), "--history", str(history),
                           "--input", str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / "ix")],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == 0, proc.stderr
    (out,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [s["url"] for s in out["suggestions"]] == ["https://help.acme.com/reset"]
    assert "https://help.acme.com/reset" in out["draft"]
    for text in [out["draft"]] + [s["url"] for s in out["suggestions"]]:
        assert not any(c in text for c in "\x1b\x07\x00\u202e\u200b"), repr(text)
    assert "evil" not in proc.stdout


def test_markdown_with_lone_cr_or_crlf_line_ends_has_its_front_matter_read(tmp_path):
    text = "---\ntitle: Reset your password\nurl: https://help.acme.com/reset\ntags: [login]\n---\nTap Forgot password.\n"
    (tmp_path / "cr.md").write_bytes(text.replace("\n", "\r").encode())
    (tmp_path / "crlf.md").write_bytes(text.replace("\n", "\r\n").replace("/reset", "/reset2").encode())
    items, report = load([tmp_path / "cr.md", tmp_path / "crlf.md"])
    assert report.rejected == 0
    assert [(r.url, r.title, r.tags) for r in items] == [("https://help.acme.com/reset", "Reset your password", ["login"]),
                                                         ("https://help.acme.com/reset2", "Reset your password", ["login"])]
    assert all(r.body.strip() == "Tap Forgot password." for r in items)


def test_a_bad_url_in_lone_cr_front_matter_names_its_line(tmp_path):
    (tmp_path / "bad.md").write_bytes(b"---\rtitle: Reset\rlink: not a url\r---\rbody\r")
    items, report = load([tmp_path / "bad.md"])
    assert items == [] and [(r.line, r.field) for r in report.rejections] == [(3, "link")]
