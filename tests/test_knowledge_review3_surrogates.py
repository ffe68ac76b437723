"""A lone surrogate escape (\\ud800) in a resource rejects that record, naming file, line and field; the rest loads, and a
save that fails leaves no temporary file behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpfirst.knowledge.models import LoadReport, Resource
from helpfirst.knowledge.sources import LoadOptions, load_resources
from helpfirst.knowledge.store import KnowledgeStore

GOOD = '{"id": "ok", "brand": "Acme", "url": "https://help.acme.com/ok", "title": "Fine"}\n'
# written as JSON writes it: the escape, not the (unencodable) character
LONE = '{"id": "z", "brand": "Acme", "url": "https://help.acme.com/j", "title": "Reset \\ud800"}\n'


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300, cwd=cwd)


def test_kb_add_rejects_the_record_and_keeps_the_rest(tmp_path):
    path = tmp_path / "rsur.jsonl"
    path.write_text(GOOD + LONE, encoding="ascii")
    kb = tmp_path / "kbs"
    proc = run("kb", "add", str(path), "--kb", str(kb), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"], doc["total"]) == (2, 1, 1, 1)
    assert f"{path}:2: field 'title':" in proc.stderr and "\\ud800" in proc.stderr
    assert not [p.name for p in kb.iterdir() if p.name.endswith((".tmp", ".part"))]
    assert [json.loads(line)["id"] for line in (kb / "resources.jsonl").read_text(encoding="utf-8").splitlines()] == ["ok"]


@pytest.mark.parametrize("field, record", [
    ("id", {"id": "\ud800x", "url": "https://help.acme.com/a"}),
    ("brand", {"brand": "Ac\udfffme", "url": "https://help.acme.com/a"}),
    ("url", {"url": "https://help.acme.com/\ud800"}),
    ("body", {"title": "Reset", "body": "step \udc00 two"}),
    ("tags", {"title": "Reset", "tags": ["ok", "bad\ud83d"]}),
    ("tags", {"title": "Reset", "tags": "ok, bad\ud83d"}),
])
def test_every_text_field_is_checked(tmp_path, field, record):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps({"title": "Pair \ud83d\ude00 is fine"}) + "\n", encoding="ascii")
    report = LoadReport()
    items = list(load_resources([path], LoadOptions(brand="Acme"), report))
    assert [r.title for r in items] == ["Pair \U0001f600 is fine"]
    assert [(r.line, r.field) for r in report.rejections] == [(1, field)]
    assert "surrogate" in report.rejections[0].reason


def test_suggest_with_the_file_as_kb_does_not_crash(tmp_path):
    path = tmp_path / "rsur.jsonl"
    path.write_text(GOOD + LONE, encoding="ascii")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "1", "brand": "Acme", "posts": [{"role": "customer", "text": "reset fine"}]}) + "\n")
    proc = run("suggest", "--kb", str(path), "--input", str(queries), "--semantic", "off", "--index", str(tmp_path / "ix"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "knowledge: 2 read, 1 loaded, 1 rejected" in proc.stderr
    assert f"{path}:2: field 'title':" in proc.stderr


def test_a_save_that_fails_leaves_no_temporary_file(tmp_path):
    kb = tmp_path / "kb"
    store = KnowledgeStore.open(kb)
    store.add([Resource("z", "Acme", "article", "https://help.acme.com/z", "Reset \ud800")])
    with pytest.raises(UnicodeEncodeError):
        store.save()
    assert not [p.name for p in kb.iterdir() if p.name.endswith((".tmp", ".part"))]
