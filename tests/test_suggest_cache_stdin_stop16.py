"""Stop 16: `suggest --history -` (or `--kb -`, `/dev/stdin`) reused a stale cached index whatever was piped in: the
cache key named standard input by `Path('-').stat()`, which fails, so its entry never changed. A stream's key is now
its content (its temporary copy's size and digest), a run whose pipe could not be copied saves no index, and
/dev/stdin names one cache folder (resolved, it named this run's pipe: a new folder on every run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .test_spool_review3_stdin_history import page as x_page


def page(n: int) -> str:
    """An X API v2 page, one line: n customer questions, each answered by Acme with a link to the help page (2n posts)."""
    return json.dumps(x_page(n, short_links=False)) + "\n"


KB_LINE = {"id": "c1", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/cancel",
           "title": "Cancel your subscription", "body": "Open Account, then Cancel."}


def files(tmp_path: Path) -> tuple[Path, Path]:
    kb, queries = tmp_path / "kb.jsonl", tmp_path / "q.jsonl"
    if kb.exists():   # written once: a new modification time would rebuild the index
        return kb, queries
    kb.write_text(json.dumps(KB_LINE) + "\n")
    queries.write_text(json.dumps({"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I cancel"}]}) + "\n")
    return kb, queries


def suggest(tmp_path: Path, kb: str, history: str, stdin: str, index: Path | None = None,
            env_extra: dict | None = None) -> subprocess.CompletedProcess:
    _, queries = files(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    env["HELPFIRST_CACHE"] = str(tmp_path / "cache")
    env.update(env_extra or {})
    args = [sys.executable, "-m", "helpfirst", "suggest", "--kb", kb, "--history", history, "--brand", "Acme",
            "--input", str(queries), "--json", "--semantic", "off"]
    if index is not None:
        args += ["--index", str(index)]
    return subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)


def posts_read(proc: subprocess.CompletedProcess) -> int:
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stderr.splitlines() if "posts read" in line)
    return int(line.split("history: ")[1].split(" posts read")[0])


def reused(proc: subprocess.CompletedProcess) -> bool:
    return any(line.startswith("index: reused") for line in proc.stderr.splitlines())


def test_a_different_history_on_standard_input_is_learned_not_the_cached_one(tmp_path):
    kb, _ = files(tmp_path)
    for index in (None, tmp_path / "ix"):       # the cache folder of the command line, and a fixed --index DIR
        first = suggest(tmp_path, str(kb), "-", page(3), index)
        assert not reused(first) and posts_read(first) == 6, first.stderr
        other = suggest(tmp_path, str(kb), "-", page(5), index)
        assert not reused(other), other.stderr           # was "index: reused ... (its inputs are unchanged)"
        assert posts_read(other) == 10, other.stderr      # was 6: the second history was never read
        same = suggest(tmp_path, str(kb), "-", page(5), index)
        assert reused(same) and posts_read(same) == 10, same.stderr
    # one folder for the command line in the cache, rebuilt in place
    assert len(list((tmp_path / "cache" / "suggest").iterdir())) == 1


def test_dev_stdin_reuses_one_folder_and_follows_its_content(tmp_path):
    kb, _ = files(tmp_path)
    first = suggest(tmp_path, str(kb), "/dev/stdin", page(3))
    again = suggest(tmp_path, str(kb), "/dev/stdin", page(3))
    assert posts_read(first) == 6 and not reused(first)
    assert reused(again) and posts_read(again) == 6, again.stderr
    other = suggest(tmp_path, str(kb), "/dev/stdin", page(4))
    assert not reused(other) and posts_read(other) == 8, other.stderr
    assert len(list((tmp_path / "cache" / "suggest").iterdir())) == 1   # was one folder per run (the pipe's name)


def test_knowledge_on_standard_input_is_keyed_by_its_content(tmp_path):
    history = tmp_path / "hist.jsonl"
    history.write_text(page(2))
    first = suggest(tmp_path, "-", str(history), json.dumps(KB_LINE) + "\n")
    assert first.returncode == 0 and not reused(first), first.stderr
    changed = dict(KB_LINE, title="How to cancel your plan")
    second = suggest(tmp_path, "-", str(history), json.dumps(changed) + "\n")
    assert second.returncode == 0 and not reused(second), second.stderr
    assert "How to cancel your plan" in json.loads(second.stdout.splitlines()[0])["draft"], second.stdout   # was the first title
    third = suggest(tmp_path, "-", str(history), json.dumps(changed) + "\n")
    assert third.returncode == 0 and reused(third), third.stderr


def test_a_pipe_that_could_not_be_copied_leaves_no_index_to_reuse(tmp_path):
    kb, _ = files(tmp_path)
    index = tmp_path / "ix"
    failed = suggest(tmp_path, str(kb), "-", page(5), index, {"HELPFIRST_MAX_PIPE_COPY": "100"})
    assert "came through the pipe" in failed.stderr, failed.stderr
    assert not (index / "meta.json").exists()    # was saved: an index of an empty history
    assert "not saved" in failed.stderr, failed.stderr
    good = suggest(tmp_path, str(kb), "-", page(5), index)
    assert not reused(good), good.stderr          # was "index: reused" with 0 posts: the empty history of the failed run
    assert posts_read(good) == 10, good.stderr
    # a failed copy does not take the place of a good index either: the next good run of the same input reuses it
    suggest(tmp_path, str(kb), "-", page(5), index, {"HELPFIRST_MAX_PIPE_COPY": "100"})
    assert reused(suggest(tmp_path, str(kb), "-", page(5), index))
