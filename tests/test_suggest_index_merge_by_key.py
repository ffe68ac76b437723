"""The suggest index merges records of one resource with knowledge.models.merge_by_key (as `kb add` does) and keeps its report."""

from __future__ import annotations

from helpfirst.knowledge.models import Resource
from helpfirst.suggest.history import Lessons
from helpfirst.suggest.index import SuggestIndex


def test_index_merges_by_key_and_keeps_collision_lines(tmp_path):
    resources = [
        Resource("pw", "@Acme", "article", "https://help.acme.com/pw", "Reset your password"),
        Resource("pw", "Acme", "article", "http://www.help.acme.com/pw/?utm_source=x", "", "Use the forgot password link."),
        Resource("dup", "Acme", "article", "https://help.acme.com/a", "Billing"),
        Resource("dup", "Acme", "article", "https://help.acme.com/b", "Shipping"),
    ]
    ix = SuggestIndex.build(resources, Lessons())
    assert ix.stats["resources"] == 2
    assert ix.stats["merged"] == 2
    assert len(ix.stats["collisions"]) == 1
    assert "'dup'" in ix.stats["collisions"][0] and "https://help.acme.com/b" in ix.stats["collisions"][0]
    assert list(ix.brands) == ["acme"]


def test_suggest_names_different_resources_read_under_one_id(tmp_path):
    from .test_suggest_cli import run, write_jsonl

    kb = write_jsonl(tmp_path / "kb.jsonl", [
        {"id": "dup", "brand": "Acme", "url": "https://help.acme.com/a", "title": "Billing"},
        {"id": "dup", "brand": "Acme", "url": "https://help.acme.com/b", "title": "Shipping"},
    ])
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "shipping"}]}])
    for _ in range(2):  # built, then reused from the cache: the same line both times
        proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / "ix"))
        assert proc.returncode == 0, proc.stderr
        assert any(line.startswith("merged: ") and "https://help.acme.com/b" in line for line in proc.stderr.splitlines()), proc.stderr

