"""`kb add` writes only what changed: an unchanged re-add leaves the files alone, an empty folder creates nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpfirst.knowledge.models import Resource
from helpfirst.knowledge.store import KnowledgeStore

RESOURCES = [
    {"id": "pw", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/password", "title": "Reset your password",
     "body": "Use the forgot password link.", "tags": ["account"]},
    {"id": "refund", "brand": "Acme", "kind": "faq", "url": "https://help.acme.com/refunds", "title": "Refunds",
     "body": "Refunds take five days.", "tags": []},
]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file of the folder: bytes, modification time (ns) and inode."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_re_adding_unchanged_resources_leaves_every_file_untouched(tmp_path):
    src = tmp_path / "help.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    kb = tmp_path / "kb"
    first = run("kb", "add", str(src), "--kb", str(kb), "--json")
    assert first.returncode == 0, first.stderr
    before = snapshot(kb)
    assert {"resources.jsonl", "index/manifest.json"} <= set(before)
    os.utime(kb / "resources.jsonl", ns=(1_000_000_000, 1_000_000_000))  # an old file: any rewrite would show
    before = snapshot(kb)
    again = run("kb", "add", str(src), "--kb", str(kb), "--json")
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["unchanged"], json.loads(again.stdout)["added"]) == (2, 0)
    assert snapshot(kb) == before
    # a changed resource is written (and only then)
    src.write_text(json.dumps({**RESOURCES[0], "title": "Reset or change your password"}) + "\n")
    changed = run("kb", "add", str(src), "--kb", str(kb), "--json")
    assert json.loads(changed.stdout)["updated"] == 1
    after = snapshot(kb)
    assert after["resources.jsonl"][0] != before["resources.jsonl"][0]
    assert b"Reset or change your password" in after["resources.jsonl"][0]


def test_kb_add_of_an_empty_folder_creates_no_knowledge_base(tmp_path):
    (tmp_path / "empty").mkdir()
    kb = tmp_path / "kb3"
    proc = run("kb", "add", str(tmp_path / "empty"), "--brand", "X", "--kb", str(kb))
    assert proc.returncode == 1
    assert "empty folder" in proc.stderr
    assert not kb.exists()
    # nor is an existing one touched when nothing could be loaded
    src = tmp_path / "help.jsonl"
    src.write_text(json.dumps(RESOURCES[0]) + "\n")
    assert run("kb", "add", str(src), "--kb", str(kb)).returncode == 0
    before = snapshot(kb)
    assert run("kb", "add", str(tmp_path / "empty"), "--brand", "X", "--kb", str(kb)).returncode == 1
    assert snapshot(kb) == before


def test_store_save_reports_whether_it_wrote(tmp_path):
    store = KnowledgeStore.open(tmp_path / "kb")
    assert store.save() is False and not (tmp_path / "kb").exists()
    store.add([Resource.from_dict(RESOURCES[0])])
    assert store.save() is True and KnowledgeStore.is_store(tmp_path / "kb")
    reopened = KnowledgeStore.open(tmp_path / "kb")
    assert reopened.add([Resource.from_dict(RESOURCES[0])]).unchanged == 1
    assert reopened.save() is False
    assert reopened.add([Resource.from_dict(RESOURCES[1])]).added == 1
    assert reopened.save() is True
    assert [r.id for r in KnowledgeStore.open(tmp_path / "kb").sorted()] == ["pw", "refund"]
    assert [r.id for r, _ in reopened.search("refund money")] == ["refund"]


def test_re_adding_repairs_a_missing_search_index(tmp_path):
    """Unchanged resources but no (or a stale) search index: the re-add writes the index again."""
    import shutil

    src = tmp_path / "help.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    kb = tmp_path / "kb"
    assert run("kb", "add", str(src), "--kb", str(kb)).returncode == 0
    shutil.rmtree(kb / "index")
    again = run("kb", "add", str(src), "--kb", str(kb))
    assert again.returncode == 0, again.stderr
    assert json.loads((kb / "index" / "manifest.json").read_text())["count"] == len(RESOURCES)
    found = run("kb", "search", "password", "--kb", str(kb), "--json")
    assert found.returncode == 0 and json.loads(found.stdout.splitlines()[0])["id"] == "pw", found.stderr


def test_re_adding_repairs_an_index_left_behind_by_an_interrupted_save(tmp_path):
    """A save stopped between the resources file and its index (same count, older content): the
    next re-add rebuilds the index, so a search finds the new words."""
    import shutil

    src = tmp_path / "help.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    kb = tmp_path / "kb"
    assert run("kb", "add", str(src), "--kb", str(kb)).returncode == 0
    shutil.copytree(kb / "index", tmp_path / "index.before")
    edited = [dict(RESOURCES[0]), dict(RESOURCES[1], body="Refunds come as a voucher.")]
    src.write_text("".join(json.dumps(r) + "\n" for r in edited))
    assert run("kb", "add", str(src), "--kb", str(kb)).returncode == 0
    shutil.rmtree(kb / "index")
    shutil.copytree(tmp_path / "index.before", kb / "index")   # as an interrupted save leaves it
    assert run("kb", "add", str(src), "--kb", str(kb)).returncode == 0
    found = run("kb", "search", "voucher", "--kb", str(kb), "--json")
    assert found.returncode == 0 and json.loads(found.stdout.splitlines()[0])["id"] == "refund", found.stdout + found.stderr
