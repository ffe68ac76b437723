"""Forgetting --brand on x-v2 or Mastodon files: the audit says so on standard error (one warning line),
prints the scorecard as usual and keeps its exit status; files that mark brand posts never get it."""

from __future__ import annotations

import json

from .audit_run import audit_doc, canonical_line, mastodon_line, run_audit_cli, xv2_line


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_x_v2_without_brand_warns_once(tmp_path):
    pages = _write(tmp_path / "x-pages.jsonl", [xv2_line(i) for i in range(1, 4)])
    proc = run_audit_cli(pages)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # the scorecard still prints, as JSON on standard output
    warned = _warnings(proc.stderr)
    assert len(warned) == 1, proc.stderr
    assert "x-v2" in warned[0] and "--brand HANDLE" in warned[0]
    assert "mastodon" not in warned[0]


def test_x_v2_and_mastodon_without_brand_name_both_formats(tmp_path):
    pages = _write(tmp_path / "x-pages.jsonl", [xv2_line(i) for i in range(1, 4)])
    statuses = _write(tmp_path / "statuses.jsonl", [mastodon_line(i) for i in range(4, 7)])
    proc = run_audit_cli(pages, statuses)
    assert proc.returncode == 0, proc.stderr
    warned = _warnings(proc.stderr)
    assert len(warned) == 1, proc.stderr
    assert "x-v2" in warned[0] and "mastodon" in warned[0] and "--brand HANDLE" in warned[0]


def test_terminal_scorecard_still_prints_with_the_warning(tmp_path):
    import os
    import subprocess
    import sys

    statuses = _write(tmp_path / "statuses.jsonl", [mastodon_line(i) for i in range(1, 4)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(statuses), "--no-signals"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Helpfulness scorecard" in proc.stdout
    warned = _warnings(proc.stderr)
    assert len(warned) == 1 and "mastodon" in warned[0] and "--brand HANDLE" in warned[0], proc.stderr


def test_brand_given_gets_no_warning(tmp_path):
    reply = json.dumps({"data": [{"id": "9", "text": "@dana try this", "author_id": "8",
                                  "created_at": "2024-02-01T09:20:00.000Z",
                                  "referenced_tweets": [{"type": "replied_to", "id": "1"}]}],
                        "includes": {"users": [{"id": "8", "username": "Shop"}]}})
    pages = _write(tmp_path / "x-pages.jsonl", [xv2_line(1), reply])
    proc = run_audit_cli(pages, "--brand", "Shop")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["vanity"]["brand_posts"] == 1
    assert _warnings(proc.stderr) == [], proc.stderr


def test_canonical_and_twcs_with_brand_posts_never_warn(tmp_path):
    brand_reply = json.dumps({"id": "9", "author": "Shop", "author_role": "brand", "in_reply_to_id": "1",
                              "created_at": "2024-02-01T09:20:00Z", "text": "@dana try this"})
    canonical = _write(tmp_path / "posts.jsonl", [canonical_line(1), brand_reply])
    twcs = _write(tmp_path / "twcs.csv", [
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id",
        "1,dana,True,Thu Feb 01 09:01:00 +0000 2024,@Shop help,2,",
        "2,Shop,False,Thu Feb 01 09:05:00 +0000 2024,@dana try this,,1",
    ])
    for path in (canonical, twcs):
        proc = run_audit_cli(path)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["totals"]["vanity"]["brand_posts"] == 1
        assert _warnings(proc.stderr) == [], proc.stderr


def test_canonical_without_brand_posts_does_not_warn(tmp_path):
    # a canonical file marks its brand posts itself (author_role): --brand is not what it lacks
    canonical = _write(tmp_path / "posts.jsonl", [canonical_line(1), canonical_line(2)])
    doc = audit_doc(canonical)
    assert doc["totals"]["vanity"]["brand_posts"] == 0
    assert _warnings(run_audit_cli(canonical).stderr) == []


def test_x_v2_beside_a_file_with_brand_posts_does_not_warn(tmp_path):
    brand_reply = json.dumps({"id": "9", "author": "Shop", "author_role": "brand", "in_reply_to_id": "1",
                              "created_at": "2024-02-01T09:20:00Z", "text": "@dana try this"})
    canonical = _write(tmp_path / "posts.jsonl", [canonical_line(1), brand_reply])
    pages = _write(tmp_path / "x-pages.jsonl", [xv2_line(5)])
    proc = run_audit_cli(canonical, pages)
    assert proc.returncode == 0, proc.stderr
    assert _warnings(proc.stderr) == [], proc.stderr


def test_x_v2_with_a_brand_that_wrote_nothing_says_so(tmp_path):
    pages = _write(tmp_path / "x-pages.jsonl", [xv2_line(i) for i in range(1, 4)])
    proc = run_audit_cli(pages, "--brand", "Shopp")
    assert proc.returncode == 0, proc.stderr
    warned = _warnings(proc.stderr)
    assert len(warned) == 1 and "x-v2" in warned[0] and "Shopp" in warned[0], proc.stderr
