"""A row rejected for bytes that are not UTF-8 names the field that holds them, in the JSON formats too."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpfirst.audit import load_posts
from helpfirst.ingest import ImportOptions

GOOD = b'{"id":"1","author":"a","author_role":"customer","created_at":"2024-01-01T00:00:00Z","text":"ok"}'
BAD = b'{"id":"2","author":"a","author_role":"customer","created_at":"2024-01-01T00:00:00Z","text":"bad \xff here"}'
BAD_KEY = b'{"id":"3","author":"a","author_role":"customer","created_at":"2024-01-01T00:00:00Z","text":"x","n\xffte":1}'


def rejections(path: Path, fmt: str | None = None, **options) -> list[tuple]:
    _posts, report = load_posts([path], ImportOptions(**options), fmt)
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    return [(r.line, r.field, r.reason) for r in report.rejections]


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_canonical_jsonl_names_the_field(tmp_path, layout):
    path = tmp_path / "p.jsonl"
    if layout == "lines":
        path.write_bytes(b"\n".join([GOOD, BAD, BAD_KEY]) + b"\n")
    else:
        path.write_bytes(b"[\n" + b",\n".join([GOOD, BAD, BAD_KEY]) + b"\n]\n")
    first = 1 if layout == "lines" else 2
    assert rejections(path, "jsonl") == [
        (first + 1, "text", "bytes are not valid UTF-8"),
        (first + 2, "n\\xffte", "bytes are not valid UTF-8"),  # the key's bad byte, shown escaped
    ]


def test_mastodon_and_x_v2_name_the_field(tmp_path):
    mastodon = tmp_path / "m.json"
    mastodon.write_bytes(
        b'[{"id":"1","created_at":"2024-01-01T00:00:00Z","content":"<p>ok \xff</p>","account":{"acct":"bob"}}]\n'
    )
    assert rejections(mastodon, "mastodon", brands=frozenset({"acme"})) == [(1, "content", "bytes are not valid UTF-8")]
    x = tmp_path / "x.json"
    x.write_bytes(
        b'{"data":[{"id":"1","text":"fine","author_id":"9","created_at":"2024-01-01T00:00:00.000Z"},'
        b'{"id":"2","text":"hi \xff","author_id":"9","created_at":"2024-01-01T00:00:00.000Z"}],\n'
        b' "includes":{"users":[{"id":"9","username":"bob"}]}}\n'
    )
    assert rejections(x, "x-v2", brands=frozenset({"acme"})) == [(1, "data.1.text", "bytes are not valid UTF-8")]


def test_broken_json_with_bad_bytes_names_no_field(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(GOOD + b"\n" + b'{"id":"2","text":"bad \xff' + b"\n")
    assert rejections(path, "jsonl") == [(2, None, "bytes are not valid UTF-8")]
