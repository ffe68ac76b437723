"""Records of one id whose URLs are one page (scheme, www., tracking tail, trailing slash) are not reported as different resources."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.models import Resource, merge_by_key


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def test_spellings_of_one_page_are_no_collision():
    merged, folded, lines = merge_by_key([
        Resource("a", "Acme", "article", "https://help.acme.com/a", "Reset"),
        Resource("a", "Acme", "article", "http://www.help.acme.com/a/?utm_source=x", "Reset"),
        Resource("a", "acme", "article", "HTTPS://help.acme.com/a#top"),
    ])
    assert (len(merged), folded, lines) == (1, 2, [])


def test_different_pages_are_still_a_collision_shown_as_written():
    _merged, folded, lines = merge_by_key([
        Resource("a", "Acme", "article", "https://help.acme.com/a"),
        Resource("a", "Acme", "article", "http://www.help.acme.com/a/?utm_source=x"),
        Resource("a", "Acme", "article", "https://help.acme.com/b"),
    ])
    assert folded == 2
    assert len(lines) == 1
    assert "https://help.acme.com/a, https://help.acme.com/b;" in lines[0]
    assert lines[0].startswith("3 different records have the id 'a'")


def test_kb_add_says_nothing_for_one_page_spelled_twice(tmp_path):
    src = tmp_path / "help.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "Reset", "body": "x"},
        {"id": "a", "brand": "Acme", "url": "http://www.help.acme.com/a/?utm_source=x", "title": "Reset", "body": "y"},
    ]))
    done = run("kb", "add", str(src), "--kb", str(tmp_path / "kb"))
    assert done.returncode == 0, done.stderr
    assert "different records" not in done.stdout + done.stderr
