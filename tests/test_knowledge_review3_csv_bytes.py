"""A CSV row holding bytes that are not UTF-8 is rejected on its own, naming file, line and column, as JSON Lines does;
the other rows load (one bad byte dropped the whole file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

ROWS = (b"id,brand,url,title\n"
        b"a,Acme,https://help.acme.com/a,Alpha\n"
        b"z,Acme,https://help.acme.com/j,Reset \xff\n"
        b'm,Acme,https://help.acme.com/m,"two\nlines \xc3\xa9t\xc3\xa9"\n'
        b"n,Acme,https://help.acme.com/n\xe9,Latin-1 address\n"
        b"b,Acme,https://help.acme.com/b,Beta\n")


def test_kb_add_rejects_the_row_only(tmp_path):
    path = tmp_path / "rbad.csv"
    path.write_bytes(ROWS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"], doc["errors"]) == (5, 3, 2, [])
    assert f"{path}:3: field 'title': bytes are not valid UTF-8" in proc.stderr
    assert f"{path}:6: field 'url': bytes are not valid UTF-8" in proc.stderr


def test_rows_keep_their_text_and_a_bom_is_skipped(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ROWS)
    report = LoadReport()
    items = list(load_resources([path], LoadOptions(), report))
    assert [(r.id, r.title) for r in items] == [("a", "Alpha"), ("m", "two\nlines été"), ("b", "Beta")]
    assert [(r.line, r.field) for r in report.rejections] == [(3, "title"), (6, "url")]


def test_a_header_that_is_not_utf8_is_a_file_error(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,url,t\xefitle\nx,https://help.acme.com/x,X\n")
    report = LoadReport()
    assert list(load_resources([path], LoadOptions(brand="Acme"), report)) == []
    assert report.errors == [f"{path}:1: the header line's bytes are not valid UTF-8 (save the file as UTF-8)"]
