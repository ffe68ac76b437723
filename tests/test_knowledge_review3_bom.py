"""A UTF-8 byte-order mark at the start of a JSON Lines (or JSON array) resources file is skipped, as audit and classify
skip it: it rejected the first resource ('Unexpected UTF-8 BOM')."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

BOM = b"\xef\xbb\xbf"
A = {"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "A"}
B = {"id": "b", "brand": "Acme", "url": "https://help.acme.com/b", "title": "B"}


def test_kb_add_jsonl_with_a_bom(tmp_path):
    path = tmp_path / "rbom.jsonl"
    path.write_bytes(BOM + (json.dumps(A) + "\n" + json.dumps(B) + "\n").encode())
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (2, 2, 0)


def test_a_json_array_with_a_bom_and_a_bom_only_at_the_start(tmp_path):
    array = tmp_path / "arr.json"
    array.write_bytes(BOM + json.dumps([A, B]).encode())
    later = tmp_path / "later.jsonl"
    later.write_bytes((json.dumps(A) + "\n").encode() + BOM + (json.dumps(B) + "\n").encode())
    report = LoadReport()
    items = list(load_resources([array, later], LoadOptions(), report))
    assert [r.id for r in items] == ["a", "b", "a"]
    # a mark inside the file is not a byte-order mark: that line is still rejected
    assert [(r.file, r.line) for r in report.rejections] == [(str(later), 2)]
