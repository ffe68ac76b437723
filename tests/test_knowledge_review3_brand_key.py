"""One brand key: NFC and case-folded (Straße, STRASSE and a decomposed Straße are one brand), in the store, `kb list` and
`kb search`, as the text tokens fold case."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import Resource, brand_key
from helpfirst.knowledge.store import KnowledgeStore

DECOMPOSED = "Cafe\u0301"  # Café as e + combining acute


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def test_brand_key_folds_case_and_normalises():
    assert brand_key("Straße") == brand_key("STRASSE") == brand_key(" @strasse ")
    assert brand_key(DECOMPOSED) == brand_key("CAFÉ") == brand_key("café")
    assert brand_key("ΣΊΣΥΦΟΣ") == brand_key("σίσυφος")


def test_kb_add_merges_spellings_of_one_brand(tmp_path):
    path = tmp_path / "r.jsonl"
    rows = [{"id": "pw", "brand": "Straße", "url": "https://help.strasse.de/pw", "title": "Passwort zurücksetzen"},
            {"id": "pw", "brand": "STRASSE", "url": "https://help.strasse.de/pw", "body": "Tippen Sie auf Passwort vergessen."},
            {"id": "wifi", "brand": DECOMPOSED, "url": "https://help.cafe.fr/wifi", "title": "Wi-Fi"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    kb = tmp_path / "kb"
    added = run("kb", "add", str(path), "--kb", str(kb), "--json")
    assert added.returncode == 0, added.stderr
    doc = json.loads(added.stdout)
    assert (doc["added"], doc["merged"], doc["total"]) == (2, 1, 2)
    listed = run("kb", "list", "--kb", str(kb), "--brand", "strasse", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines() if line.strip()] == ["pw"]
    found = run("kb", "search", "wifi", "--kb", str(kb), "--brand", "CAFÉ", "--json")
    assert found.returncode == 0, found.stderr
    assert [json.loads(line)["id"] for line in found.stdout.splitlines() if line.strip()] == ["wifi"]


def test_a_store_saved_with_the_old_key_opens_merged(tmp_path):
    kb = tmp_path / "kb"
    old = [Resource("pw", "STRASSE", "article", "https://help.strasse.de/pw", "Passwort"),
           Resource("pw", "Straße", "article", "https://help.strasse.de/pw", "", "Tippen Sie auf Passwort vergessen.")]
    kb.mkdir()
    (kb / "resources.jsonl").write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in old), encoding="utf-8")
    store = KnowledgeStore.open(kb)
    assert list(store.resources) == [("strasse", "pw")]
    assert [r.id for r, _ in store.search("passwort vergessen", brand="Straße")] == ["pw"]
    assert store.save()
    assert len((kb / "resources.jsonl").read_text(encoding="utf-8").splitlines()) == 1
