"""Stop 17, known defect (CR-only line ends and detection): the formats were guessed from the head split at LF, so a
file whose lines end in a lone CR (old Mac) was one long "line" to them. Bare X v2 tweets (twarc2's flattened
output) one a CR-ended line were taken for canonical JSON Lines and none loaded. Detection now reads a head with
CRs and no LF by its CR-ended lines, as it reads LF ones.

X v2 and Mastodon JSON arrays with CR-only line ends were already detected, and stay so; a canonical JSON array is
not guessed whatever its line ends (docs/formats.md: `--format jsonl`), and loads with it."""

from __future__ import annotations

import json

import pytest

from .audit_run import audit_doc, canonical_line, mastodon_line, run_audit_cli, xv2_line


def bare_tweet(i: int) -> str:
    """A bare v2 tweet with its author embedded (twarc2 flattened), id i."""
    return json.dumps({"id": str(i), "text": "@Shop help", "author_id": "7", "conversation_id": str(i),
                       "created_at": f"2024-02-01T09:0{i}:00.000Z", "author": {"id": "7", "username": "dana"}})


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_bare_tweets_one_a_line_are_x_v2_whatever_the_line_ends(tmp_path, end):
    path = tmp_path / "tweets.jsonl"
    path.write_bytes((end.join(bare_tweet(i) for i in (1, 2, 3)) + end).encode())
    doc = audit_doc(path)
    assert (doc["files"][0]["format"], doc["rows_loaded"]) == ("x-v2", 3)


@pytest.mark.parametrize(("record", "fmt"), [(xv2_line, "x-v2"), (mastodon_line, "mastodon")])
@pytest.mark.parametrize("pretty", [False, True])
def test_json_arrays_with_cr_line_ends_are_detected(tmp_path, record, fmt, pretty):
    values = [json.loads(record(i)) for i in (1, 2, 3)]
    text = json.dumps(values, indent=2) if pretty else "[" + ",\n".join(map(json.dumps, values)) + "]"
    path = tmp_path / "array.json"
    path.write_bytes(text.replace("\n", "\r").encode() + b"\r")
    doc = audit_doc(path)
    assert (doc["files"][0]["format"], doc["rows_loaded"]) == (fmt, 3)


def test_canonical_array_with_cr_line_ends_is_judged_as_with_lf_ones(tmp_path):
    values = [json.loads(canonical_line(i)) for i in (1, 2, 3)]
    for end in ("\n", "\r"):
        path = tmp_path / f"array{len(end)}{ord(end)}.json"
        path.write_bytes(json.dumps(values, indent=2).replace("\n", end).encode() + end.encode())
        assert "give it with --format" in run_audit_cli(path).stderr
        assert audit_doc(path, "--format", "jsonl")["rows_loaded"] == 3
