"""Stop 17, known defect: a bad HELPFIRST_MAX_PIPE_COPY (say "lots") was told once per piped input, the same line
again and again for `helpfirst audit <(cat a) <(cat b)`. It is now told once a run; the files given beside the pipes
are still read."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

from .audit_run import canonical_line

MESSAGE = "HELPFIRST_MAX_PIPE_COPY 'lots': expected a size such as 500M, 8G or 1.5T"


def _audit_pipes(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """`helpfirst audit ARGS` run by bash (for its <(...) pipes) with HELPFIRST_MAX_PIPE_COPY=lots."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["HELPFIRST_MAX_PIPE_COPY"] = "lots"
    command = f"exec {shlex.quote(sys.executable)} -m helpfirst audit {' '.join(args)}"
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


def _posts(tmp_path) -> str:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(canonical_line(i) for i in (1, 2)) + "\n")
    return shlex.quote(str(path))


def test_bad_limit_is_told_once_for_several_pipes(tmp_path):
    posts = _posts(tmp_path)
    proc = _audit_pipes(tmp_path, f"<(cat {posts})", f"<(cat {posts})", f"<(cat {posts})")
    assert proc.returncode != 0
    assert proc.stderr.count(MESSAGE) == 1, proc.stderr


def test_bad_limit_is_told_once_in_the_json_and_files_are_still_read(tmp_path):
    posts = _posts(tmp_path)
    proc = _audit_pipes(tmp_path, f"<(cat {posts})", posts, f"<(cat {posts})", "--json", "--no-signals")
    doc = json.loads(proc.stdout)
    assert [e for e in doc["errors"] if MESSAGE in e] == [doc["errors"][0]] and len(doc["errors"]) == 1, doc["errors"]
    assert doc["rows_loaded"] == 2 and [f["path"] for f in doc["files"]] == [str(tmp_path / "posts.jsonl")]
    assert proc.stderr.count(MESSAGE) <= 1, proc.stderr


def test_kb_add_tells_a_bad_limit_once_for_several_pipes(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "r1", "brand": "Acme", "kind": "article", "url": "https://help.acme.example/a",
                              "title": "Reset", "body": "How to reset"}) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["HELPFIRST_MAX_PIPE_COPY"] = "lots"
    src = shlex.quote(str(kb))
    command = (f"exec {shlex.quote(sys.executable)} -m helpfirst kb add <(cat {src}) <(cat {src}) {src} "
               f"--brand Acme --kb {shlex.quote(str(tmp_path / 'store'))}")
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.stderr.count(MESSAGE) == 1, proc.stderr
    assert "1 loaded" in proc.stdout + proc.stderr or "loaded 1" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
