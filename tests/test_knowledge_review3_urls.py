"""A resource URL with a space, a line break or a control character is rejected (field `url`, or the field as the file names
it): it would be pasted as it is into reply drafts and listings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

BAD = [
    ("https://help.acme.com/reset now please", "a space"),
    ("https://help.acme.com/reset\nEVIL text https://evil.example", "U+000A"),
    ("https://help.acme.com/r\u001b[2Jx", "U+001B"),
    ("https://help.acme.com/r\u0000x", "U+0000"),
    ("https://help.acme.com/r\tx", "U+0009"),
    ("https://help.acme.com/\u202egnp.exe", "U+202E"),
    ("https://help.acme.com/a\u00a0b", "U+00A0"),
    ("\u001bhttps://help.acme.com/a", "U+001B"),
]
GOOD = ["https://help.acme.com/reset%20now", "https://help.acme.com/réinitialiser", "https://help.acme.com/a?q=x+y#/route"]


def load(path):
    report = LoadReport()
    items = list(load_resources([path], LoadOptions(brand="Acme"), report))
    assert report.read == report.loaded + report.rejected
    return items, report


def test_jsonl(tmp_path):
    path = tmp_path / "rurl.jsonl"
    rows = [{"id": f"b{i}", "url": url, "title": "Bad"} for i, (url, _) in enumerate(BAD)]
    rows += [{"id": f"g{i}", "url": url, "title": "Good"} for i, url in enumerate(GOOD)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    items, report = load(path)
    assert [r.url for r in items] == GOOD
    assert [(r.line, r.field) for r in report.rejections] == [(n, "url") for n in range(1, len(BAD) + 1)]
    for rejection, (_url, named) in zip(report.rejections, BAD):
        assert named in rejection.reason
        # the URL is shown escaped: no raw line break or escape sequence reaches a terminal
        assert "\n" not in rejection.reason and "\x1b" not in rejection.reason and "\x00" not in rejection.reason


def test_csv_and_a_pinterest_link(tmp_path):
    (tmp_path / "r.csv").write_text('id,url,title\nc1,"https://help.acme.com/a b",Space\nc2,https://help.acme.com/c2,Fine\n')
    (tmp_path / "board.json").write_text(json.dumps(
        {"id": "b1", "name": "Tips", "pins": [{"id": "p1", "title": "Move it", "link": "https://help.acme.com/x\ny"}]}))
    items, report = load(tmp_path)
    assert sorted(r.id for r in items) == ["board:b1", "c2"]
    assert sorted((os.path.basename(r.file), r.line, r.field) for r in report.rejections) == [
        ("board.json[pins 0]", None, "link"), ("r.csv", 2, "url")]


@pytest.mark.parametrize("url", [BAD[0][0], BAD[1][0]])
def test_kb_add_names_file_line_and_field(tmp_path, url):
    path = tmp_path / "rurl.jsonl"
    path.write_text(json.dumps({"id": "s", "brand": "Acme", "url": url, "title": "Reset"}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["total"] == 0
    assert f"{path}:1: field 'url':" in proc.stderr and "EVIL" not in proc.stderr.split("holds")[-1]
