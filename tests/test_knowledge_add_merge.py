"""One `kb add` merges the records of one id (non-empty fields kept, a later non-empty value winning) and its counts are true:
an identical re-add changes nothing and says so, a duplicate in one add is counted as merged, different resources under one id are named."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import Resource
from helpfirst.knowledge.store import KnowledgeStore

VIDEOS = {"kind": "youtube#videoListResponse", "items": [
    {"kind": "youtube#video", "id": "dQw4w9WgXcQ",
     "snippet": {"title": "How to pair your headphones", "description": "Step by step Bluetooth pairing.", "tags": ["bluetooth", "pairing"]}},
    {"kind": "youtube#video", "id": "abcdefghijk", "snippet": {"title": "Reset the router", "description": "Hold reset.", "tags": ["router"]}},
]}
PLAYLIST = {"kind": "youtube#playlistItemListResponse", "items": [
    {"kind": "youtube#playlistItem", "snippet": {"title": "How to pair your headphones", "description": "Step by step Bluetooth pairing.",
                                                 "resourceId": {"kind": "youtube#video", "videoId": "dQw4w9WgXcQ"}}},
    {"kind": "youtube#playlistItem", "snippet": {"title": "Reset the router", "description": "",
                                                 "resourceId": {"kind": "youtube#video", "videoId": "abcdefghijk"}}},
]}


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def counts(proc: subprocess.CompletedProcess) -> tuple[int, int, int, int]:
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    return doc["added"], doc["updated"], doc["unchanged"], doc["total"]


def test_videos_and_playlist_items_of_one_video_merge_and_an_identical_re_add_is_unchanged(tmp_path):
    (tmp_path / "videos.json").write_text(json.dumps(VIDEOS))
    (tmp_path / "playlist.json").write_text(json.dumps(PLAYLIST))
    kb = tmp_path / "kb"
    args = ["kb", "add", str(tmp_path / "videos.json"), str(tmp_path / "playlist.json"), "--brand", "Acme", "--kb", str(kb), "--json"]
    assert counts(run(*args)) == (2, 0, 0, 2)
    stored = {r["id"]: r for r in map(json.loads, (kb / "resources.jsonl").read_text().splitlines())}
    # the playlist item (no tags, an empty description) came later: it did not wipe what videos.list gave
    assert stored["youtube:dQw4w9WgXcQ"]["tags"] == ["bluetooth", "pairing"]
    assert stored["youtube:abcdefghijk"]["body"] == "Hold reset." and stored["youtube:abcdefghijk"]["tags"] == ["router"]
    before = (kb / "resources.jsonl").read_bytes()
    assert counts(run(*args)) == (0, 0, 2, 2)
    assert (kb / "resources.jsonl").read_bytes() == before


def test_a_page_given_twice_in_one_add_is_added_once_not_unchanged(tmp_path):
    page = {"brand": "Acme", "url": "https://help.acme.com/refunds", "title": "Refunds"}
    src = tmp_path / "twice.jsonl"
    src.write_text(json.dumps(page) + "\n" + json.dumps(page) + "\n")
    assert counts(run("kb", "add", str(src), "--kb", str(tmp_path / "kb"), "--json")) == (1, 0, 0, 1)


def test_store_counts_merges_and_names_different_resources_under_one_id(tmp_path):
    store = KnowledgeStore(tmp_path / "kb")
    a = Resource("faq1", "Acme", "faq", "https://help.acme.com/a", "Returns", "Send it back.", ["returns"])
    a_again = Resource("faq1", "Acme", "faq", "https://help.acme.com/a", "Returns", "", [])
    b = Resource("faq1", "acme", "faq", "https://help.acme.com/b", "Warranty", "Two years.", [])
    result = store.add([a, a_again])
    assert (result.added, result.updated, result.unchanged, result.merged, result.collisions) == (1, 0, 0, 1, [])
    assert store.resources[a.key] == a  # empty fields of the later record kept the earlier values
    result = store.add([a, b])
    assert (result.added, result.updated, result.unchanged, result.merged) == (0, 1, 0, 1)
    assert len(result.collisions) == 1
    line = result.collisions[0]
    assert "'faq1'" in line and "https://help.acme.com/a" in line and "https://help.acme.com/b" in line and "merged" in line
    assert store.resources[a.key] == Resource("faq1", "acme", "faq", "https://help.acme.com/b", "Warranty", "Two years.", ["returns"])


def test_merge_by_key_keeps_first_seen_order_and_counts_what_it_folded():
    from helpfirst.knowledge.models import merge_by_key

    v = Resource("youtube:A", "Acme", "video", "https://www.youtube.com/watch?v=A", "Pair", "Step by step.", ["bluetooth"])
    p = Resource("youtube:A", "Acme", "video", "https://www.youtube.com/watch?v=A", "Pair", "", [])
    other = Resource("x", "Acme", "faq", "", "Hours", "9 to 5", [])
    merged, folded, lines = merge_by_key([v, other, p])
    assert list(merged) == [v.key, other.key] and folded == 1 and lines == []
    assert merged[v.key] == v


def test_kb_add_reports_merges_and_collisions(tmp_path):
    same = {"id": "faq-1", "brand": "Acme", "url": "https://help.acme.com/a", "title": "A"}
    other = {"id": "faq-1", "brand": "Acme", "url": "https://help.acme.com/b", "title": "B"}
    src = tmp_path / "r.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in (same, same, other)) + "\n")
    proc = run("kb", "add", str(src), "--kb", str(tmp_path / "kb"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["loaded"], doc["added"], doc["merged"]) == (3, 1, 2)
    assert doc["loaded"] == doc["added"] + doc["updated"] + doc["unchanged"] + doc["merged"]
    assert len(doc["collisions"]) == 1 and "https://help.acme.com/b" in doc["collisions"][0]
    text = run("kb", "add", str(src), "--kb", str(tmp_path / "kb2"))
    assert "2 merged into a record of the same id" in text.stderr
    assert "merged: " in text.stderr and "faq-1" in text.stderr


def test_suggest_on_raw_files_merges_records_of_one_video(tmp_path):
    """suggest --kb FILES builds its index from the files: a playlist item does not wipe the video's tags there either."""
    from helpfirst.suggest.history import Lessons
    from helpfirst.suggest.index import SuggestIndex

    video = Resource("youtube:v1", "Acme", "video", "https://www.youtube.com/watch?v=v1", "Pairing", "Steps.", ["bluetooth"])
    item = Resource("youtube:v1", "Acme", "video", "https://www.youtube.com/watch?v=v1", "Pairing", "", [])
    index = SuggestIndex.build([video, item], Lessons())
    rows = index.resources.to_pylist()
    assert len(rows) == 1 and rows[0]["tags"] == "bluetooth"  # tags kept (stored as text)
