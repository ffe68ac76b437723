"""A whole-file JSON page written one element per line is one document, not JSON Lines (review 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpfirst.ingest import ImportOptions, ImportReport, read_posts

X_PAGE = (
    '{"data":[\n'
    '{"id":"1","author_id":"u1","created_at":"2024-02-01T09:00:00.000Z","text":"@Acme help"},\n'
    '{"id":"2","author_id":"u2","created_at":"2024-02-01T09:05:00.000Z","text":"ok",'
    '"referenced_tweets":[{"type":"replied_to","id":"1"}]}\n'
    '],\n'
    '"includes":{"users":[{"id":"u1","username":"sam"},{"id":"u2","username":"Acme"}]}}\n'
)

MASTODON_CONTEXT = (
    '{"ancestors":[\n'
    '{"id":"1","created_at":"2024-02-01T09:00:00.000Z","in_reply_to_id":null,"account":{"acct":"sam"},'
    '"content":"<p>@Acme help</p>"}\n'
    '],"descendants":[\n'
    '{"id":"2","created_at":"2024-02-01T09:05:00.000Z","in_reply_to_id":"1","account":{"acct":"Acme"},'
    '"content":"<p>ok</p>"}\n'
    ']}\n'
)


def audit(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "helpfirst", "audit", str(path), "--brand", "acme", "--json", "--no-signals"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_x_page_one_tweet_a_line_is_one_document(tmp_path):
    path = tmp_path / "x4.json"
    path.write_text(X_PAGE, encoding="utf-8")
    json.loads(X_PAGE)  # the input is valid JSON
    doc = audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (2, 2, 0)
    assert doc["rejections"] == []
    assert doc["totals"]["conversations"] == 1 and doc["totals"]["answered"] == 1


def test_mastodon_context_one_status_a_line_is_one_document(tmp_path):
    path = tmp_path / "mctx.json"
    path.write_text(MASTODON_CONTEXT, encoding="utf-8")
    json.loads(MASTODON_CONTEXT)
    doc = audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (2, 2, 0)
    assert doc["totals"]["answered"] == 1


def test_x_page_larger_than_the_sniffed_head_is_one_document(tmp_path):
    # the first 64 KiB end inside the document: it cannot be parsed whole there, and is still no JSON Lines
    tweets = [
        json.dumps({"id": str(i), "author_id": "u1", "created_at": "2024-02-01T09:00:00.000Z",
                    "text": f"@Acme help {i} " + "x" * 200})
        for i in range(1, 601)
    ]
    text = '{"data":[\n' + ",\n".join(tweets) + '\n],\n"includes":{"users":[{"id":"u1","username":"sam"}]}}\n'
    assert len(text) > 100_000
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    report = ImportReport()
    rows = sum(b.num_rows for b in read_posts([path], ImportOptions(brands=frozenset({"acme"})), report))
    assert (rows, report.rows_read, report.rows_rejected, report.errors) == (600, 600, 0, [])


def test_json_lines_with_a_broken_first_line_are_still_json_lines(tmp_path):
    path = tmp_path / "posts.jsonl"
    good = [json.dumps({"id": str(i), "author": "kim", "author_role": "customer",
                        "created_at": "2024-01-01T00:00:00Z", "text": "hi"}) for i in (2, 3)]
    path.write_text('{"id": "1", "author": kim}\n' + "\n".join(good) + "\n", encoding="utf-8")
    report = ImportReport()
    rows = sum(b.num_rows for b in read_posts([path], ImportOptions(), report, fmt="jsonl"))
    assert rows == 2 and report.rows_rejected == 1 and report.rejections[0].line == 1
    assert report.errors == []
