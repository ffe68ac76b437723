"""A JSON line nested thousands of levels deep is one rejected line (file, line, "nested too deeply"),
not a RecursionError that stops kb add or suggest."""

from __future__ import annotations

import json
import subprocess
import sys

DEEP = '{"id": "deep", "brand": "Acme", "url": "https://help.acme.com/d", "title": "x", "tags": ' + "[" * 5000 + "]" * 5000 + "}"


def helpfirst(*args, cwd):
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_kb_add_rejects_a_deep_line_and_loads_the_rest(tmp_path):
    good = json.dumps({"id": "r1", "brand": "Acme", "url": "https://help.acme.com/reset", "title": "Reset your password"})
    (tmp_path / "r.jsonl").write_text(good + "\n" + DEEP + "\n")
    run = helpfirst("kb", "add", "r.jsonl", "--kb", "kb", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "r.jsonl:2" in run.stderr and "nested too deeply" in run.stderr, run.stderr
    listed = helpfirst("kb", "list", "--kb", "kb", "--json", cwd=tmp_path)
    assert [json.loads(x)["id"] for x in listed.stdout.splitlines()] == ["r1"]


def test_youtube_file_with_a_deep_line(tmp_path):
    video = {"kind": "youtube#videoListResponse", "items": [{"kind": "youtube#video", "id": "abc",
             "snippet": {"title": "How to reset your password", "description": "Steps", "channelTitle": "Acme"}}]}
    (tmp_path / "videos.json").write_text(json.dumps(video) + "\n" + '{"kind": "youtube#videoListResponse", "items": ' + "[" * 5000 + "]" * 5000 + "}\n")
    run = helpfirst("kb", "add", "videos.json", "--kb", "kb", "--brand", "Acme", "--format", "youtube", cwd=tmp_path)
    assert "nested too deeply" in run.stderr and "videos.json:2" in run.stderr, run.stderr
    assert "RecursionError" not in run.stderr
    listed = helpfirst("kb", "list", "--kb", "kb", "--json", cwd=tmp_path)
    assert [json.loads(x)["kind"] for x in listed.stdout.splitlines()] == ["video"], run.stderr


def test_suggest_rejects_a_deep_query_and_answers_the_others(tmp_path):
    (tmp_path / "r.jsonl").write_text(json.dumps({"id": "r1", "brand": "Acme", "url": "https://help.acme.com/reset",
                                                  "title": "Reset your password"}) + "\n")
    q = json.dumps({"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I reset my password"}]})
    (tmp_path / "q.jsonl").write_text(q + "\n" + '{"id": "q2", "posts": ' + "[" * 5000 + "]" * 5000 + "}\n")
    run = helpfirst("suggest", "--kb", "r.jsonl", "--input", "q.jsonl", "--json", "--semantic", "off", "--index", "idx", cwd=tmp_path)
    assert "RecursionError" not in run.stderr, run.stderr
    assert "q.jsonl:2" in run.stderr and "nested too deeply" in run.stderr, run.stderr
    answered = [json.loads(x) for x in run.stdout.splitlines() if "suggestions" in x]
    assert [a["id"] for a in answered] == ["q1"]
