"""A resource id is text or an integer: NaN, Infinity, fractions and floats too large to be exact are rejected naming the
field `id` (they became ids 'nan', 'inf', '1.5'); a whole number written as a float (12.0, as pandas writes an integer
column with gaps) is the integer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources

LINES = [
    '{"id": NaN, "url": "https://help.acme.com/a", "title": "A"}',
    '{"id": Infinity, "url": "https://help.acme.com/b", "title": "B"}',
    '{"id": -Infinity, "url": "https://help.acme.com/c", "title": "C"}',
    '{"id": 1.5, "url": "https://help.acme.com/d", "title": "D"}',
    '{"id": 1e300, "url": "https://help.acme.com/e", "title": "E"}',
    '{"id": true, "url": "https://help.acme.com/f", "title": "F"}',
    '{"id": 12, "url": "https://help.acme.com/g", "title": "G"}',
    '{"id": 13.0, "url": "https://help.acme.com/h", "title": "H"}',
    '{"id": -7, "url": "https://help.acme.com/i", "title": "I"}',
    '{"id": " x1 ", "url": "https://help.acme.com/j", "title": "J"}',
]


def test_ids_are_text_or_integers(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join(LINES) + "\n")
    report = LoadReport()
    items = list(load_resources([path], LoadOptions(brand="Acme"), report))
    assert [r.id for r in items] == ["12", "13", "-7", "x1"]
    assert [(r.line, r.field) for r in report.rejections] == [(n, "id") for n in range(1, 7)]
    reasons = [r.reason for r in report.rejections]
    assert all("text or an integer" in r for r in reasons)
    assert [r.rsplit(" ", 1)[-1] for r in reasons[:5]] == ["NaN", "Infinity", "-Infinity", "1.5", "1e+300"]


def test_kb_add_stores_no_nan_id(tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_text("\n".join(LINES[:4]) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--brand", "Acme", "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr  # nothing loaded
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"], doc["total"]) == (4, 0, 4, 0)
    assert f"{path}:1: field 'id': id must be text or an integer, not the number NaN" in proc.stderr
