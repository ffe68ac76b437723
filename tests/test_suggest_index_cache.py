"""The default suggest cache holds one index per set of inputs and options, rebuilt in place when an input changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from helpfirst.knowledge.models import Resource
from helpfirst.suggest.history import learn
from helpfirst.suggest.index import SuggestIndex

RESOURCES = [
    {"id": "pw", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/password", "title": "Reset your password",
     "body": "Use the forgot password link.", "tags": []},
    {"id": "refund", "brand": "Acme", "kind": "faq", "url": "https://help.acme.com/refunds", "title": "Refunds and double charges",
     "body": "Refunds take five days.", "tags": ["billing"]},
]
QUERY = {"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "I was charged twice, I want a refund"}]}


def run(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300,
                          env={**env, "HELPFIRST_CACHE": str(cache), "HF_HUB_OFFLINE": "1"})


def suggest(kb: Path, queries: Path, cache: Path, *extra: str) -> tuple[list[str], bool]:
    """(suggested resource ids, whether the index was built rather than loaded)."""
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", *extra, cache=cache)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return [s["resource_id"] for s in json.loads(proc.stdout)["suggestions"]], "index: reused" not in proc.stderr


def folders(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "suggest").iterdir())


def test_a_changed_knowledge_base_rebuilds_the_same_cache_folder(tmp_path):
    cache = tmp_path / "cache"
    src = tmp_path / "help.jsonl"
    src.write_text(json.dumps(RESOURCES[0]) + "\n")
    kb = tmp_path / "kb"
    assert run("kb", "add", str(src), "--kb", str(kb), cache=cache).returncode == 0
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERY) + "\n")

    assert suggest(kb, queries, cache) == ([], True)
    first = folders(cache)
    assert len(first) == 1
    assert suggest(kb, queries, cache) == ([], False)   # loaded
    # the nightly re-add of unchanged files keeps the index
    assert run("kb", "add", str(src), "--kb", str(kb), cache=cache).returncode == 0
    assert suggest(kb, queries, cache) == ([], False)
    # a new resource: the same folder is rebuilt, no second index is left behind
    src.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    assert run("kb", "add", str(src), "--kb", str(kb), cache=cache).returncode == 0
    ids, built = suggest(kb, queries, cache)
    assert ids[0] == "refund" and built
    assert folders(cache) == first
    assert suggest(kb, queries, cache) == (ids, False)


def test_other_inputs_or_options_get_their_own_folder(tmp_path):
    cache = tmp_path / "cache"
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(RESOURCES[1]) + "\n")
    b.write_text(json.dumps(RESOURCES[1]) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERY) + "\n")
    suggest(a, queries, cache)
    suggest(b, queries, cache)
    suggest(a, queries, cache, "--brand", "AcmeHelp")
    assert len(folders(cache)) == 3
    assert suggest(a, queries, cache)[1] is False


def index_of(*resources: dict) -> SuggestIndex:
    return SuggestIndex.build([Resource.from_dict(r) for r in resources], learn([]))


def test_saving_over_an_index_replaces_it_whole_and_clears_dead_builds(tmp_path):
    folder = tmp_path / "ix"
    index_of(RESOURCES[0]).save(folder)
    old = SuggestIndex.load(folder)
    # a build killed half-way leaves its temporary folder; the next save removes it
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f"ix.tmp{dead.pid}-k1"
    (leftover / "sub").mkdir(parents=True)
    two_hours_ago = time.time() - 7200   # and untouched for over an hour
    os.utime(leftover, (two_hours_ago, two_hours_ago))
    mine = tmp_path / f"ix.tmp{os.getppid()}"  # a live process's build in progress is left alone
    mine.mkdir()
    index_of(*RESOURCES).save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ix", mine.name])
    assert SuggestIndex.load(folder).resources.column("id").to_pylist() == ["pw", "refund"]
    # an index loaded before the rebuild still reads its own (memory-mapped) files
    assert old.resources.column("id").to_pylist() == ["pw"]


def test_the_library_keeps_one_folder_per_inputs_and_rebuilds_a_damaged_index(tmp_path, monkeypatch):
    """build_or_load without index_dir names its folder as the command line does, and a meta.json
    that is not JSON is rebuilt rather than an error."""
    from helpfirst.suggest.service import build_or_load

    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps(RESOURCES[0]) + "\n")
    first = build_or_load([kb], [])
    assert not first.cached and len(folders(tmp_path / "cache")) == 1
    kb.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    os.utime(kb, (1, 1))   # a different modification time, whatever the clock's resolution
    second = build_or_load([kb], [])
    assert not second.cached and second.path == first.path and len(folders(tmp_path / "cache")) == 1
    assert build_or_load([kb], []).cached
    (second.path / "meta.json").write_text("{not json")
    third = build_or_load([kb], [])
    assert not third.cached and build_or_load([kb], []).cached


def test_the_command_line_says_why_a_damaged_index_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERY) + "\n")
    assert suggest(kb, queries, cache)[1]
    (folder,) = (cache / "suggest").iterdir()
    (folder / "resources.arrow").unlink()
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", cache=cache)
    assert proc.returncode == 0 and json.loads(proc.stdout)["suggestions"][0]["resource_id"] == "refund", proc.stderr
    assert "the saved index could not be read" in proc.stderr and "it is rebuilt" in proc.stderr


def test_an_empty_data_file_is_rebuilt_not_a_crash(tmp_path, monkeypatch):
    """A zero-byte .npy (a power cut after the rename, a full disk) is rebuilt like any other damage."""
    from helpfirst.suggest.service import build_or_load

    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    first = build_or_load([kb], [])
    (first.path / "prior.npy").write_bytes(b"")
    again = build_or_load([kb], [])
    assert not again.cached and any("could not be read" in m for m in again.messages)
    assert build_or_load([kb], []).cached


def test_a_published_index_is_readable_by_others_and_a_failed_save_leaves_nothing(tmp_path, monkeypatch):
    """The index folder gets the umask's mode (mkdtemp alone makes it 0700, which breaks a shared
    cache), and a save that cannot be published removes its temporary build."""
    import stat

    from helpfirst.suggest.service import build_or_load

    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES))
    old = os.umask(0o022)
    try:
        built = build_or_load([kb], [])
    finally:
        os.umask(old)
    assert stat.S_IMODE(built.path.stat().st_mode) == 0o755
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index should go")
    for _ in range(2):
        result = build_or_load([kb], [], index_dir=blocker)
        assert any("could not be saved" in e for e in result.kb_report.errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "kb.jsonl", "not-a-folder"]
