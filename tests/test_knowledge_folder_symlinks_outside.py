"""`kb add FOLDER` reads only what lies inside the folder: a symbolic link in it that leads out (to /etc/passwd, to /,
to a Markdown file elsewhere) is a counted rejection naming the link and its target, never a loaded resource (a
resource's text and address end up in public reply drafts). Links that stay inside keep working; loops do not crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

GOOD = '{"id": "a", "brand": "Acme", "url": "https://help.acme.com/a", "title": "A"}\n'


def _kb_add(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "add", *map(str, args), "--kb", str(tmp_path / "kb"),
                           "--json"], capture_output=True, text=True, env=env, timeout=120)
    return proc, (json.loads(proc.stdout) if proc.stdout.strip() else None)


def _listed(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "kb", "list", "--kb", str(tmp_path / "kb"), "--json"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_links_out_of_the_folder_are_counted_rejections(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret plan\n\nThe launch codes are 0000.\n")
    (outside / "more.jsonl").write_text('{"id": "x", "brand": "Acme", "url": "https://evil.example/x", "title": "X"}\n')
    folder = tmp_path / "kf"
    folder.mkdir()
    (folder / "r.jsonl").write_text(GOOD)
    (folder / "guide.md").write_text("# Inner guide\n\nHow to reset a password.\n")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "secret.md").symlink_to(outside / "secret.md")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "root").symlink_to("/", target_is_directory=True)
    (folder / "up").symlink_to(tmp_path, target_is_directory=True)  # holds the folder itself
    (folder / "alias.md").symlink_to("guide.md")  # inside: still read
    (folder / "same").symlink_to(folder, target_is_directory=True)  # inside (a loop through a folder): nothing twice
    (folder / "l1.md").symlink_to(folder / "l2.md")  # a loop of links
    (folder / "l2.md").symlink_to(folder / "l1.md")

    proc, doc = _kb_add(tmp_path, folder, "--brand", "Acme")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert doc["read"] == doc["loaded"] + doc["rejected"]
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (8, 3, 5)
    assert sum(f["read"] for f in doc["files"]) == doc["read"]
    assert sum(f["rejected"] for f in doc["files"]) == doc["rejected"]
    refused = {f["path"] for f in doc["files"] if f["rejected"]}
    assert refused == {str(folder / n) for n in ("passwd.csv", "secret.md", "elsewhere", "root", "up")}
    loaded = {f["path"] for f in doc["files"] if f["loaded"]}
    assert loaded == {str(folder / n) for n in ("r.jsonl", "guide.md", "alias.md")}
    # each rejection names the link and where it leads
    lines = [line for line in proc.stderr.splitlines() if line.startswith("rejected: ")]
    assert len(lines) == 5
    assert any(str(folder / "passwd.csv") in line and "/etc/passwd" in line and "outside the folder" in line for line in lines)
    assert any(str(folder / "root") in line and "the folder /," in line for line in lines)
    assert any(str(folder / "secret.md") in line and str(outside / "secret.md") in line for line in lines)
    # loops are errors as before, not a crash
    assert doc["errors"] == [f"{folder / 'l1.md'}: a symbolic link that never reaches a file (a loop of links)",
                             f"{folder / 'l2.md'}: a symbolic link that never reaches a file (a loop of links)"]
    text = json.dumps(_listed(tmp_path))
    assert "launch codes" not in text and "Secret plan" not in text and "root:" not in text and "evil.example" not in text
    assert "Inner guide" in text


def test_a_folder_of_only_outside_links_loads_nothing(tmp_path):
    folder = tmp_path / "kf"
    folder.mkdir()
    (folder / "passwd.md").symlink_to("/etc/passwd")
    proc, doc = _kb_add(tmp_path, folder, "--brand", "Acme")
    assert proc.returncode == 1
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (1, 0, 1)
    assert doc["total"] == 0


def test_a_folder_given_through_a_link_reads_its_own_files(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "r.jsonl").write_text(GOOD)
    (real / "alias.jsonl").symlink_to(real / "r.jsonl")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    proc, doc = _kb_add(tmp_path, link)
    assert proc.returncode == 0, proc.stderr
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (2, 2, 0)
