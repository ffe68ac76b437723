"""Two adds into one knowledge base at once both land: a save holds an exclusive lock (flock on the folder's .lock file)
while it reads what another add saved meanwhile, puts its own resources on top and writes."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time

from helpfirst.knowledge.models import Resource
from helpfirst.knowledge.store import KnowledgeStore


TOPIC = {"A": "router", "B": "password"}


def batch(prefix: str, n: int) -> list[Resource]:
    return [Resource(f"{prefix}{i}", "Acme", "article", f"https://help.acme.com/{prefix}/{i}", f"{TOPIC[prefix]} guide {i}")
            for i in range(n)]


def test_two_stores_opened_before_either_saves_keep_both_batches(tmp_path):
    kb = tmp_path / "kb"
    first, second = KnowledgeStore.open(kb), KnowledgeStore.open(kb)
    a = first.add(batch("A", 50))
    b = second.add(batch("B", 50) + batch("A", 1))  # A0 also in the first batch: unchanged once that one is saved
    assert first.save() and second.save()
    again = KnowledgeStore.open(kb)
    assert len(again.resources) == 100
    assert (a.added, b.added, b.unchanged) == (50, 50, 1)
    assert len(second.resources) == 100
    assert {r.id[0] for r, _ in again.search("password")} == {"B"}
    assert {r.id[0] for r, _ in second.search("router")} == {"A"}


def test_kb_add_waits_for_the_lock(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in batch("A", 3)))
    fd = os.open(kb / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = subprocess.Popen([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--kb", str(kb), "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(3)
        assert proc.poll() is None, proc.communicate()
        assert not (kb / "resources.jsonl").exists()
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["total"] == 3


def test_concurrent_kb_adds_keep_both_batches(tmp_path):
    files = []
    for prefix in "AB":
        path = tmp_path / f"conc{prefix}.jsonl"
        path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in batch(prefix, 3000)))
        files.append(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    for trial in range(3):
        kb = tmp_path / f"kb{trial}"
        procs = [subprocess.Popen([sys.executable, "-m", "helpfirst", "kb", "add", str(f), "--kb", str(kb), "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for f in files]
        docs = []
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            docs.append(json.loads(out))
        assert [d["added"] for d in docs] == [3000, 3000]
        assert sorted(d["total"] for d in docs)[-1] == 6000
        assert len((kb / "resources.jsonl").read_text().splitlines()) == 6000
