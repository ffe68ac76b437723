"""Saving and loading one index folder from several builds at once: every load sees one whole build, and the key says which."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from helpfirst.knowledge.models import Resource
from helpfirst.suggest.history import learn
from helpfirst.suggest.index import IndexBusy, SuggestIndex
from helpfirst.suggest.service import build_or_load


def resource(rid: str, title: str) -> dict:
    return {"id": rid, "brand": "Acme", "kind": "article", "url": f"https://help.acme.com/{rid}", "title": title,
            "body": "body", "tags": []}


def index_of(*resources: dict) -> SuggestIndex:
    return SuggestIndex.build([Resource.from_dict(r) for r in resources], learn([]))


def write_kb(path, title: str, mtime_s: int) -> None:
    path.write_text(json.dumps(resource("a", title)) + "\n")
    os.utime(path, (mtime_s, mtime_s))   # a different modification time, whatever the clock's resolution


def titles(index: SuggestIndex) -> list[str]:
    return index.resources.column("title").to_pylist()


def test_overlapping_rebuilds_never_leave_one_builds_key_on_anothers_files(tmp_path, monkeypatch):
    """Build A read the old file, build B the edited one; B saves first, then A: the folder then holds A's
    old index, so its key must be A's (a later run rebuilds), never B's (the old index served as current forever)."""
    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "kb.jsonl"
    write_kb(src, "OLD title", 1_000_000)
    a_saving, b_saved, a_done = threading.Event(), threading.Event(), threading.Event()
    save = SuggestIndex.save

    def ordered_save(self, folder, *args, **kwargs):
        who = threading.current_thread().name
        if who == "A":
            a_saving.set()
            b_saved.wait(30)
        try:
            save(self, folder, *args, **kwargs)
        finally:
            if who == "B":
                b_saved.set()
                a_done.wait(30)   # whatever B does after its save happens after all of A

    monkeypatch.setattr(SuggestIndex, "save", ordered_save)
    results: dict = {}

    def build(name: str) -> None:
        try:
            results[name] = build_or_load([src], [])
        finally:
            if name == "A":
                a_done.set()

    a = threading.Thread(target=build, args=("A",), name="A")
    a.start()
    assert a_saving.wait(30)           # A has read the old file and built from it
    write_kb(src, "NEW title", 2_000_000)
    b = threading.Thread(target=build, args=("B",), name="B")
    b.start()
    a.join(60)
    b.join(60)
    monkeypatch.setattr(SuggestIndex, "save", save)
    assert titles(results["A"].index) == ["OLD title"] and titles(results["B"].index) == ["NEW title"]

    again = build_or_load([src], [])
    assert titles(again.index) == ["NEW title"] and not again.cached
    last = build_or_load([src], [])
    assert last.cached and titles(last.index) == ["NEW title"]


def test_threads_saving_one_folder_at_once_do_not_collide_and_readers_see_whole_builds(tmp_path):
    folder = tmp_path / "ix"
    small, large = index_of(resource("a", "A")), index_of(resource("a", "A"), resource("b", "B"), resource("c", "C"))
    small.save(folder)
    errors: list[str] = []
    stop = threading.Event()

    def saver(index: SuggestIndex) -> None:
        for _ in range(25):
            try:
                index.save(folder)
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"save: {type(exc).__name__}: {exc}")

    def reader() -> None:
        while not stop.is_set():
            try:
                got = SuggestIndex.load(folder)
            except IndexBusy:
                continue
            except Exception as exc:  # noqa: BLE001
                errors.append(f"load: {type(exc).__name__}: {exc}")
                continue
            n = got.resources.num_rows
            # every part from one build: the table, an array and meta.json agree
            if not (n == len(got.prior) == got.stats["resources"] == got.brands["acme"].res[1]):
                errors.append(f"load mixed two builds: {n} rows, {len(got.prior)} priors, stats {got.stats['resources']}")

    savers = [threading.Thread(target=saver, args=(ix,)) for ix in (small, large)]
    readers = [threading.Thread(target=reader)]
    for t in savers + readers:
        t.start()
    for t in savers:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(30)
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]
    assert SuggestIndex.load(folder).resources.num_rows in (1, 3)


def test_load_reads_again_until_no_rebuild_replaced_the_folder_meanwhile(tmp_path, monkeypatch):
    """A rebuild that lands while load reads (forced after each read here) makes load read again; it returns
    the index on disk, and when rebuilds never stop it says so instead of returning files of mixed builds."""
    folder = tmp_path / "ix"
    builds = [index_of(resource("a", f"build {i}")) for i in range(40)]
    builds[0].save(folder)
    read = SuggestIndex._load.__func__
    replaced = []

    def read_then_rebuild(cls, path, limit):
        got = read(cls, path)
        if len(replaced) < limit:
            replaced.append(1)
            builds[len(replaced)].save(folder)   # another process published a new build meanwhile
        return got

    monkeypatch.setattr(SuggestIndex, "_load", classmethod(lambda cls, path: read_then_rebuild(cls, path, 3)))
    assert titles(SuggestIndex.load(folder)) == ["build 3"]        # the three rebuilds, then a quiet read

    replaced.clear()
    monkeypatch.setattr(SuggestIndex, "_load", classmethod(lambda cls, path: read_then_rebuild(cls, path, 39)))
    with pytest.raises(IndexBusy, match="replaced by a rebuild"):
        SuggestIndex.load(folder)


@pytest.mark.parametrize("damage", ["delete", "truncate"])
def test_a_damaged_data_file_under_a_matching_key_is_rebuilt(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "kb.jsonl"
    write_kb(src, "T", 1_000_000)
    first = build_or_load([src], [])
    if damage == "delete":   # a half-copied cache
        (first.path / "resources.arrow").unlink()
    else:                    # a full disk
        path = first.path / "prior.npy"
        path.write_bytes(path.read_bytes()[:20])
    again = build_or_load([src], [])
    assert not again.cached and titles(again.index) == ["T"] and again.path == first.path
    assert any("could not be read" in m and str(first.path) in m for m in again.messages)
    assert build_or_load([src], []).cached


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_dead_builds_are_removed_only_once_untouched_for_an_hour(tmp_path):
    """In containers sharing a cache volume a PID dead here may be a live build elsewhere: age decides too."""
    folder = tmp_path / "ix"
    pid = dead_pid()
    fresh = tmp_path / f"ix.tmp{pid}-fresh"
    stale_tmp = tmp_path / f"ix.tmp{pid}-x1"
    stale_old = tmp_path / f"ix.old{pid}-x2"
    stale_plain = tmp_path / f"ix.tmp{pid}"   # named by the previous version
    for path in (fresh, stale_tmp, stale_old, stale_plain):
        (path / "sub").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    for path in (stale_tmp, stale_old, stale_plain):
        os.utime(path, (two_hours_ago, two_hours_ago))
    index_of(resource("a", "A")).save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["ix", fresh.name])


def test_a_save_that_fails_half_way_leaves_no_temporary_folder(tmp_path):
    folder = tmp_path / "ix"
    index_of(resource("a", "A")).save(folder)
    broken = index_of(resource("a", "B"))
    broken.ans_index = None   # its tables are written, then writing this part fails
    with pytest.raises(AttributeError):
        broken.save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ix"]
    assert titles(SuggestIndex.load(folder)) == ["A"]


def test_a_build_published_between_the_key_check_and_the_load_is_not_served_as_current(tmp_path, monkeypatch):
    """The key in meta.json matched, then a build of older inputs (a slow run started before the edit) was
    renamed in before the files were loaded: what was loaded is not this run's index, so it is rebuilt."""
    monkeypatch.setenv("HELPFIRST_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "kb.jsonl"
    write_kb(src, "OLD title", 1_000_000)
    stale = build_or_load([src], [])          # the slow run's index and key, kept aside
    write_kb(src, "NEW title", 2_000_000)
    assert titles(build_or_load([src], []).index) == ["NEW title"]
    load = SuggestIndex.load.__func__

    def late_rename_then_load(cls, folder):
        stale.index.save(folder, key=stale.index.stats["key"])
        return load(cls, folder)

    monkeypatch.setattr(SuggestIndex, "load", classmethod(late_rename_then_load))
    now = build_or_load([src], [])
    monkeypatch.setattr(SuggestIndex, "load", classmethod(load))
    assert titles(now.index) == ["NEW title"] and not now.cached
