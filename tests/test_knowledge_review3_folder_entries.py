"""A folder given to `kb add` reports what it cannot read instead of skipping it: a dangling symbolic link, a loop of links,
a named pipe (which is not read: it could wait for ever)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

GOOD = '{"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "A"}\n'


def test_dangling_links_loops_and_pipes_are_errors(tmp_path):
    folder = tmp_path / "kf2"
    folder.mkdir()
    (folder / "r.jsonl").write_text(GOOD)
    (folder / "faq.jsonl").symlink_to(tmp_path / "gone" / "faq.jsonl")
    (folder / "l1.md").symlink_to(folder / "l2.md")
    (folder / "l2.md").symlink_to(folder / "l1.md")
    os.mkfifo(folder / "p.csv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(folder), "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["total"]) == (1, 1, 1)
    assert doc["errors"] == [
        f"{folder / 'faq.jsonl'}: a symbolic link to {tmp_path / 'gone' / 'faq.jsonl'}, which does not exist",
        f"{folder / 'l1.md'}: a symbolic link that never reaches a file (a loop of links)",
        f"{folder / 'l2.md'}: a symbolic link that never reaches a file (a loop of links)",
        f"{folder / 'p.csv'}: a named pipe, not a file: a folder's regular files are read (give a pipe on its own to read it)",
    ]
    assert proc.stderr.count("error: ") == 4


def test_a_dangling_link_given_on_its_own_says_so(tmp_path):
    link = tmp_path / "faq.jsonl"
    link.symlink_to(tmp_path / "missing.jsonl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", str(link), "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["errors"] == [f"{link}: a symbolic link to {tmp_path / 'missing.jsonl'}, which does not exist"]
