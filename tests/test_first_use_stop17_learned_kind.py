"""A resource known only from a link in history gets its kind from the link: a YouTube video is a video,
a Pinterest board or pin a board, anything else an article; the reply draft says so. A resource file's
resources keep the kind they declare."""

from __future__ import annotations

import json
import os
import subprocess
import sys

#: query id -> (what the customer asked, the link the brand answered with, the draft's opening)
LINKS = {
    "watch": ("how do I set up the router", "https://www.youtube.com/watch?v=AbC123xyz",
              "This short video walks you through it:"),
    "youtu_be": ("printer will not pair over bluetooth", "https://youtu.be/QwE987rty",
                 "This short video walks you through it:"),
    "shorts": ("how to clean the filter", "https://www.youtube.com/shorts/ZxC555vbn",
               "This short video walks you through it:"),
    "mobile": ("how to fold the stroller", "https://m.youtube.com/watch?v=MnB444lkj",
               "This short video walks you through it:"),
    "board": ("ideas for decorating the kitchen", "https://www.pinterest.com/acmehelp/kitchen-ideas/",
              "We collected tips for this here:"),
    "country_board": ("garden furniture styling", "https://uk.pinterest.com/acmehelp/garden-styling/",
                      "We collected tips for this here:"),
    "pin_it": ("recipes for the slow cooker", "https://pin.it/4abcDEF", "We collected tips for this here:"),
    "article": ("refund for a damaged parcel", "https://help.acme.com/refunds", "This article should help:"),
    "profile": ("where are your pinterest boards", "https://www.pinterest.com/acmehelp/", "This article should help:"),
}


def _history(tmp_path):
    rows = []
    for i, (question, url, _) in enumerate(LINKS.values()):
        rows.append({"id": f"c{i}", "conversation_id": f"c{i}", "author": f"user{i}", "author_role": "customer",
                     "created_at": f"2024-02-01T09:{i:02d}:00Z", "text": f"@AcmeHelp {question}?"})
        rows.append({"id": f"b{i}", "conversation_id": f"c{i}", "parent_id": f"c{i}", "author": "AcmeHelp",
                     "author_role": "brand", "created_at": f"2024-02-01T09:{i:02d}:30Z",
                     "text": f"@user{i} have a look: {url}"})
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _queries(tmp_path, ids):
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(json.dumps({"id": q, "brand": "AcmeHelp", "posts": [
        {"role": "customer", "text": LINKS[q][0], "created_at": "2024-03-01T10:00:00Z"}]}) + "\n" for q in ids),
        encoding="utf-8")
    return path


def _suggest(tmp_path, kb, history, queries):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    run = subprocess.run(
        [sys.executable, "-m", "helpfirst", "suggest", "--kb", str(kb), "--history", str(history), "--input",
         str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / "idx")],
        capture_output=True, text=True, env=env, timeout=300)
    assert run.stdout, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    return {line["id"]: line for line in map(json.loads, run.stdout.splitlines())}


def test_history_learned_links_draft_by_their_kind(tmp_path):
    lines = _suggest(tmp_path, tmp_path / "nokb", _history(tmp_path), _queries(tmp_path, list(LINKS)))
    for qid, (_, url, opening) in LINKS.items():
        top = lines[qid]["suggestions"][0]
        assert top["url"] == url, (qid, lines[qid])
        assert lines[qid]["draft"].startswith(f"{opening} {url}"), (qid, lines[qid]["draft"])


def test_a_kb_resource_keeps_its_declared_kind(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "router-setup", "brand": "AcmeHelp", "kind": "article",
                              "url": "https://www.youtube.com/watch?v=AbC123xyz", "title": "Setting up the router",
                              "body": "", "tags": []}) + "\n", encoding="utf-8")
    lines = _suggest(tmp_path, kb, _history(tmp_path), _queries(tmp_path, ["watch"]))
    top = lines["watch"]["suggestions"][0]
    assert top["resource_id"] == "router-setup", lines["watch"]
    assert lines["watch"]["draft"].startswith("This article should help: Setting up the router"), lines["watch"]["draft"]
