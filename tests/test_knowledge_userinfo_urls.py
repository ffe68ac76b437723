"""A resource URL with text before an '@' in its host part, or a backslash there, does not go where it seems to:
'https://support.brand.com@evil.example/reset' opens evil.example, and so does 'https://evil.example\\@support.brand.com/'
(a browser reads the backslash as '/'). Such URLs end up in public reply drafts: `kb add` rejects them (field url, with
the line), and a brand reply in history that holds one is evidence for no resource and never a reusable answer."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

from helpfirst.ingest import ImportOptions
from helpfirst.knowledge.models import LoadReport
from helpfirst.knowledge.sources import LoadOptions, load_resources
from helpfirst.suggest.history import learn, read_conversations
from helpfirst.suggest.service import kb_lists

BAD = [
    "https://support.brand.com@evil.example/reset",
    "https://user:pw@host.example/x",
    "https://evil.example\\@support.brand.com/reset",
    "https://web.archive.org/web/2020/https://support.brand.com@evil.example/reset",
]


def _env():
    return {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}


def test_kb_add_rejects_urls_with_a_user_name_or_a_backslash_before_the_host(tmp_path):
    path = tmp_path / "r.jsonl"
    lines = [json.dumps({"id": "ok", "url": "https://support.brand.com/reset", "title": "Reset your password"})]
    lines += [json.dumps({"id": f"bad{i}", "url": url, "title": "Reset your password"}) for i, url in enumerate(BAD)]
    lines += [json.dumps({"id": "at-in-path", "url": "https://support.brand.com/@brand/reset?by=a@b", "title": "Profile"})]
    path.write_text("\n".join(lines) + "\n")
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--brand", "Brand",
                           "--kb", str(tmp_path / "kb"), "--json"], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (6, 2, 4)
    rejected = [line for line in proc.stderr.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 4
    for line_no, line in zip((2, 3, 4, 5), rejected):
        assert line.startswith(f"rejected: {path}:{line_no}: field 'url': url "), line
    assert "a browser goes to the host after the '@' ('evil.example')" in rejected[0]
    assert "('host.example')" in rejected[1]
    assert "backslash" in rejected[2] and "'evil.example'" in rejected[2]
    listed = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "list", "--kb", str(tmp_path / "kb"), "--json"],
                            capture_output=True, text=True, env=_env(), timeout=60)
    urls = {json.loads(line)["url"] for line in listed.stdout.splitlines()}
    assert urls == {"https://support.brand.com/reset", "https://support.brand.com/@brand/reset?by=a@b"}


def test_a_pin_link_with_a_user_name_is_rejected(tmp_path):
    path = tmp_path / "board.json"
    path.write_text(json.dumps({"items": [
        {"id": "1", "title": "Good pin", "link": "https://support.brand.com/a"},
        {"id": "2", "title": "Bad pin", "link": "https://support.brand.com@evil.example/a"},
    ], "bookmark": "https://www.pinterest.com/x"}))
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(path), "--brand", "Brand", "--format",
                           "pinterest", "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (2, 1, 1)
    assert f"rejected: {path}[pins 1]: field 'link': link 'https://support.brand.com@evil.example/a'" in proc.stderr


def test_history_links_with_a_user_name_are_no_evidence_and_no_answer(tmp_path):
    kb_file = tmp_path / "r.jsonl"
    kb_file.write_text(json.dumps({"id": "reset", "url": "https://support.brand.com/reset", "title": "Reset"}) + "\n")
    report = LoadReport()
    resources = list(load_resources([kb_file], LoadOptions(brand="Brand"), report))
    assert len(resources) == 1
    history = tmp_path / "history.csv"
    rows = [["id", "author", "author_role", "created_at", "text", "parent_id", "brand"]]
    for n, url in enumerate(BAD):
        rows += [[f"c{n}", f"u{n}", "customer", "2024-01-01T00:00:00Z", "I cannot log in, how do I reset my password?", "", "Brand"],
                 [f"b{n}", "Brand", "brand", "2024-01-01T00:05:00Z", f"Reset it here: {url}", f"c{n}", "Brand"],
                 [f"d{n}", f"u{n}", "customer", "2024-01-01T00:09:00Z", "thanks, that worked!", f"b{n}", "Brand"]]
    rows += [["c9", "u9", "customer", "2024-01-01T00:00:00Z", "how do I reset my password?", "", "Brand"],
             ["b9", "Brand", "brand", "2024-01-01T00:05:00Z", "Here: https://support.brand.com/reset", "c9", "Brand"]]
    with history.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    conversations, imported = read_conversations([history], ImportOptions(brands=frozenset({"Brand"})))
    assert imported.rows_loaded == len(rows) - 1
    for listed in (None, kb_lists(resources)):
        lessons = learn(conversations, listed=listed)
        assert [c.url for c in lessons.cases] == ["https://support.brand.com/reset"]
        assert [c.conversation_id for c in lessons.cases] == ["c9"]
        assert not any("@" in a.text for a in lessons.answers), [a.text for a in lessons.answers]
        assert lessons.brand_replies == 5
