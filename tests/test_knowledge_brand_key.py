"""One brand key for resources: '@Acme', 'acme' and 'Acme' are one brand in the store (as in the suggest index),
and a store written by an older version (brands compared by case only, '@Zeta' sorted before 'Beta') still searches right."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from helpfirst.knowledge.lexical import Bm25Index
from helpfirst.knowledge.models import Resource, brand_key
from helpfirst.knowledge.store import FORMAT_VERSION, KnowledgeStore, resource_tokens
from helpfirst.knowledge.store import brand_key as store_brand_key


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def test_resource_key_is_the_brand_key():
    assert store_brand_key is brand_key
    keys = {Resource("pw", b, "article").key for b in ("@Acme", "Acme", "acme", " @ACME ")}
    assert keys == {("acme", "pw")}


def test_at_and_plain_spellings_are_one_resource_in_an_add(tmp_path):
    store = KnowledgeStore(tmp_path / "kb")
    result = store.add([Resource("pw", "@Acme", "article", "https://help.acme.com/pw", "Reset your password"),
                        Resource("pw", "Acme", "article", "https://help.acme.com/pw", "", "Use the forgot password link.")])
    assert (result.added, result.merged, result.collisions) == (1, 1, [])
    assert len(store.resources) == 1


def _old_store(folder, resources):
    """A store as an older version wrote it: lines (and index rows) sorted by (brand.lower(), id)."""
    items = sorted(resources, key=lambda r: (r.brand.lower(), r.id))
    folder.mkdir()
    text = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in items)
    (folder / "resources.jsonl").write_text(text, encoding="utf-8")
    Bm25Index.build([resource_tokens(r) for r in items]).save(folder / "index", "resources")
    (folder / "index" / "manifest.json").write_text(json.dumps(
        {"version": FORMAT_VERSION, "count": len(items), "resources": hashlib.sha1(text.encode("utf-8")).hexdigest()}))


OLD = [
    Resource("router", "@Zeta", "article", "https://help.zeta.com/router", "Restart your router", "Unplug the router for a minute."),
    Resource("refund", "Beta", "faq", "https://help.beta.com/refunds", "Refunds", "Refunds take five days."),
    Resource("card", "Beta", "faq", "https://help.beta.com/card", "Update your card", "Change the card in billing."),
]


def test_an_older_store_with_at_spelled_brands_searches_right(tmp_path):
    kb = tmp_path / "kb"
    _old_store(kb, OLD)
    for brand in ("Zeta", "@Zeta", "zeta"):
        found = run("kb", "search", "restart router", "--kb", str(kb), "--brand", brand, "--json")
        assert found.returncode == 0, found.stderr
        hits = [json.loads(line) for line in found.stdout.splitlines() if line.strip()]
        assert [h["id"] for h in hits] == ["router"], (brand, found.stdout)
    store = KnowledgeStore.open(kb)
    assert sorted(store.resources) == [("beta", "card"), ("beta", "refund"), ("zeta", "router")]
    # the saved index's rows are in the file's order ('@zeta' first), not the new sort order
    assert [r.id for r, _score in store.search("refunds five days")] == ["refund"]
    assert [r.id for r, _score in store.search("restart router")] == ["router"]
    assert [r.id for r, _score in store.search("card billing", brand="beta")] == ["card"]


def test_an_older_store_holding_one_resource_twice_is_merged(tmp_path):
    kb = tmp_path / "kb"
    _old_store(kb, OLD + [Resource("router", "Zeta", "article", "https://help.zeta.com/router", "", "", ["network"])])
    store = KnowledgeStore.open(kb)
    assert len(store.resources) == 3
    assert store.resources[("zeta", "router")].tags == ["network"]
    assert store.resources[("zeta", "router")].title == "Restart your router"
    assert [r.id for r, _score in store.search("restart router", brand="Zeta")] == ["router"]
    assert store.save()
    lines = (kb / "resources.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    again = KnowledgeStore.open(kb)
    assert [r.id for r, _score in again.search("restart router", brand="@zeta")] == ["router"]
    assert not again.save()
