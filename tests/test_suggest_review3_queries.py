"""suggest's queries file after a third review: what a line may hold, and how the file itself is read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RESOURCES = [
    {"id": "wifi", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/wifi-keeps-dropping",
     "title": "Wi-Fi keeps dropping", "body": "Turn band steering off.", "tags": ["wifi"]},
    {"id": "refund", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/refunds",
     "title": "Refunds", "body": "Refunds go back to the card within five days.", "tags": ["billing"]},
]


def run(*args: str, stdin: bytes | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, input=stdin, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONIOENCODING": "utf-8"})
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def kb(tmp_path_factory) -> tuple[Path, Path]:
    """(resource file, index folder): the index is built by the first run and reused by the others."""
    folder = tmp_path_factory.mktemp("kb")
    path = folder / "kb.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RESOURCES), encoding="utf-8")
    return path, folder / "index"


def suggest(kb: tuple[Path, Path], queries: Path | str, *extra: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    path, index = kb
    proc = run("suggest", "--kb", str(path), "--input", str(queries), "--index", str(index), "--semantic", "off",
               "--k", "1", *extra, stdin=stdin)
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    return proc


def raw_lines(path: Path, lines: list[str]) -> Path:
    """Lines written byte for byte as given (JSON escapes such as \\ud800 kept as text)."""
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def wifi(qid: str, **fields) -> str:
    return json.dumps({"id": qid, "brand": "Acme", "posts": [{"text": "my wifi keeps dropping"}], **fields})


def test_a_lone_surrogate_rejects_its_line_only(tmp_path, kb):
    queries = raw_lines(tmp_path / "q.jsonl", [
        '{"id":"s1","brand":"Acme","customer":"bob\\ud800","posts":[{"text":"my wifi keeps dropping"}]}',
        '{"id":"s2\\udc00","brand":"Acme","posts":[{"text":"wifi dropping"}]}',
        '{"id":"s3","brand":"Acme","posts":[{"text":"wifi \\ud83d dropping"}]}',
        '{"id":"s4","brand":"Acme","posts":[{"text":"wifi dropping","author":"\\udfff"}]}',
        '{"id":"s5","brand":"Ac\\ud800me","posts":[{"text":"wifi dropping"}]}',
        wifi("ok", customer="bob"),
        # a pair escaped as JSON does is one character, not a lone half
        '{"id":"pair","brand":"Acme","posts":[{"text":"wifi dropping \\ud83d\\ude00"}]}',
    ])
    for extra in ((), ("--json",)):
        proc = suggest(kb, queries, *extra)
        assert proc.returncode == 0, proc.stderr
        for line, field in [(1, "customer"), (2, "id"), (3, "posts[0].text"), (4, "posts[0].author"), (5, "brand")]:
            assert f"rejected: {queries}:{line}: field {field!r}: " in proc.stderr, proc.stderr
        assert "lone surrogate" in proc.stderr
        assert "7 queries read: 2 answered, 0 matched nothing, 0 without suggestions, 5 rejected" in proc.stderr
    out = [json.loads(line) for line in suggest(kb, queries, "--json").stdout.splitlines()]
    assert [o["id"] for o in out] == ["ok", "pair"]


def test_a_field_of_the_wrong_type_is_named_as_such(tmp_path, kb):
    queries = raw_lines(tmp_path / "q.jsonl", [
        json.dumps({"id": "n1", "brand": 123, "posts": [{"text": "wifi"}]}),
        json.dumps({"id": ["n2"], "brand": "Acme", "posts": [{"text": "wifi"}]}),
        json.dumps({"id": "n3", "posts": [{"text": "wifi"}]}),
        json.dumps({"id": "n4", "brand": "  ", "posts": [{"text": "wifi"}]}),
        wifi("ok"),
    ])
    proc = suggest(kb, queries)
    assert proc.returncode == 0, proc.stderr
    assert f"rejected: {queries}:1: field 'brand': brand must be a string (the brand's name or handle), not a number" in proc.stderr
    assert f"rejected: {queries}:2: field 'id': id must be a string or a whole number, not an array" in proc.stderr
    assert f"rejected: {queries}:3: field 'brand': missing brand" in proc.stderr
    assert f"rejected: {queries}:4: field 'brand': missing brand" in proc.stderr
    assert "5 queries read: 1 answered, 0 matched nothing, 0 without suggestions, 4 rejected" in proc.stderr


def test_a_customer_handle_must_look_like_one(tmp_path, kb):
    evil = "bob please ignore, visit http://evil.example"
    queries = raw_lines(tmp_path / "q.jsonl", [
        wifi("e1", customer=evil),
        wifi("e2", customer=123),
        json.dumps({"id": "e3", "brand": "Acme", "posts": [{"text": "my wifi keeps dropping", "author": "@bob http://evil.example"}]}),
        json.dumps({"id": "e4", "brand": "Acme", "posts": [{"text": "my wifi keeps dropping", "author": 7}]}),
        wifi("e5", customer="bob\u200b"),
        wifi("x", customer="@bob_99"),
        wifi("mastodon", customer="alice@mastodon.social", channel="mastodon"),
        wifi("bluesky", customer="alice.bsky.social", channel="bluesky"),
        wifi("none", customer=None),
        wifi("empty", customer=""),
        # a brand post's author is never mentioned: a display name there is fine
        json.dumps({"id": "agent", "brand": "Acme", "posts": [{"text": "my wifi keeps dropping", "author": "kim"},
                                                               {"role": "brand", "text": "@kim which router?", "author": "Acme Support (Jo)"},
                                                               {"text": "the old one"}]}),
    ])
    proc = suggest(kb, queries, "--json")
    assert proc.returncode == 0, proc.stderr
    handle = "is not a handle (letters, digits and _, with . or - inside, optionally @server: bob_99, alice@mastodon.social, alice.bsky.social)"
    assert f"rejected: {queries}:1: field 'customer': {json.dumps(evil)} {handle}" in proc.stderr
    assert f"rejected: {queries}:2: field 'customer': customer must be a string (the handle to mention), not a number" in proc.stderr
    assert f'rejected: {queries}:3: field \'posts[0].author\': "@bob http://evil.example" {handle}' in proc.stderr
    assert f"rejected: {queries}:4: field 'posts[0].author': author must be a string (a handle), not a number" in proc.stderr
    assert f'rejected: {queries}:5: field \'customer\': "bob\\u200b" {handle}' in proc.stderr
    assert "11 queries read: 6 answered, 0 matched nothing, 0 without suggestions, 5 rejected" in proc.stderr
    drafts = {o["id"]: o["draft"] for o in map(json.loads, proc.stdout.splitlines())}
    assert list(drafts) == ["x", "mastodon", "bluesky", "none", "empty", "agent"]
    assert drafts["x"].startswith("@bob_99 This article should help:")
    assert drafts["mastodon"].startswith("@alice@mastodon.social This article")
    assert drafts["bluesky"].startswith("@alice.bsky.social This article")
    assert drafts["none"].startswith("This article") and drafts["empty"].startswith("This article")
    assert drafts["agent"].startswith("@kim This article")
    assert not any("evil" in d for d in drafts.values())


BOM = b"\xef\xbb\xbf"


def test_a_utf8_bom_is_skipped_in_queries_weights_and_voices(tmp_path, kb):
    queries = tmp_path / "q.jsonl"
    queries.write_bytes(BOM + (wifi("b1") + "\n" + wifi("b2") + "\n").encode())
    weights = tmp_path / "w.json"
    weights.write_bytes(BOM + b'{"lex": 1}')
    voices = tmp_path / "v.json"
    voices.write_bytes(BOM + json.dumps({"default": {"closing": "Cheers!"}}).encode())
    proc = suggest(kb, queries, "--json", "--weights", str(weights), "--voice", str(voices))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b1", "b2"] and out[0]["draft"].endswith("Cheers!")
    assert "2 queries read: 2 answered, 0 matched nothing, 0 without suggestions, 0 rejected" in proc.stderr
    # a BOM is a file's first bytes only: one at the start of a later line is not skipped
    queries.write_bytes((wifi("b1") + "\n").encode() + BOM + (wifi("b2") + "\n").encode())
    proc = suggest(kb, queries)
    assert f"rejected: {queries}:2: not valid JSON" in proc.stderr


def test_queries_from_a_pipe_and_file_level_problems(tmp_path, kb):
    lines = (wifi("p1") + "\n" + wifi("p2") + "\n").encode()
    for name, shown in (("-", "<stdin>"), ("/dev/stdin", "/dev/stdin")):
        proc = suggest(kb, name, "--json", stdin=lines + b"{oops\n")
        assert proc.returncode == 0, proc.stderr
        assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["p1", "p2"]
        assert f"rejected: {shown}:3: not valid JSON" in proc.stderr
        assert "3 queries read: 2 answered, 0 matched nothing, 0 without suggestions, 1 rejected" in proc.stderr
    import gzip

    folder = tmp_path / "queries"
    folder.mkdir()
    packed = tmp_path / "q.jsonl.gz"
    packed.write_bytes(gzip.compress(lines))
    utf16 = tmp_path / "q16.jsonl"
    utf16.write_bytes(lines.decode().encode("utf-16"))
    utf16_no_bom = tmp_path / "q16le.jsonl"
    utf16_no_bom.write_bytes(lines.decode().encode("utf-16-le"))
    for path, message in [(folder, "is a directory, not a file"), (tmp_path / "missing.jsonl", "no such file"),
                          (packed, "is gzip-compressed; decompress it first (gunzip)"),
                          (utf16, "is UTF-16 text, not UTF-8; convert it first (iconv -f UTF-16 -t UTF-8)"),
                          (utf16_no_bom, "holds NUL bytes: binary data or UTF-16/32 text, not UTF-8 text")]:
        proc = suggest(kb, path)
        assert proc.returncode == 1
        assert proc.stderr.strip() == f"error: {path}: {message}", proc.stderr
