"""Review 16b, valid JSON nested deeper than the parser goes, inside a JSON array: it stopped the rest of the file
("broken JSON, nothing after this can be read: nested too deeply") while in JSON Lines only that line is rejected.
Now only that element is rejected (its end found by counting brackets, strings skipped) and the rest is read."""

from __future__ import annotations

import json

import pytest

from helpfirst.ingest.common import iter_json_records

from .audit_run import audit_doc


def _deep(levels: int = 5000, inner: str = '"x"') -> str:
    return "[" * levels + inner + "]" * levels


def _canonical(i: int, **extra) -> str:
    row = {"id": str(i), "author": "dana", "author_role": "customer", "created_at": "2024-02-01T09:00:00Z",
           "text": "help @Shop"}
    return json.dumps(row)[:-1] + "".join(f', "{k}": {v}' for k, v in extra.items()) + "}"


def _status(i: int, **extra) -> str:
    row = {"id": str(i), "created_at": "2024-02-01T09:00:00.000Z", "in_reply_to_id": None,
           "account": {"acct": "dana"}, "content": "<p>@Shop help</p>"}
    return json.dumps(row)[:-1] + "".join(f', "{k}": {v}' for k, v in extra.items()) + "}"


@pytest.mark.parametrize(("record", "fmt"), [(_canonical, "jsonl"), (_status, "mastodon")])
def test_a_deep_element_is_one_rejected_row(tmp_path, record, fmt):
    path = tmp_path / "deep.json"
    path.write_text("[\n" + record(1) + ",\n" + record(2, extra=_deep()) + ",\n" + record(3) + "\n]\n",
                    encoding="utf-8")
    doc = audit_doc(path, "--format", fmt)
    assert doc["errors"] == []
    assert (doc["rows_read"], doc["rows_loaded"]) == (3, 2)
    assert [(r["line"], r["reason"]) for r in doc["rejections"]] == [(3, "not valid JSON: nested too deeply")]


def test_brackets_and_quotes_inside_strings_do_not_count(tmp_path):
    inner = json.dumps('he said "]]]}}" \\ and [[{{') + ", " + json.dumps("\\\"]")
    path = tmp_path / "deep.json"
    path.write_text("[" + _deep(5000, inner) + ", " + _deep(3000, '"]"') + ", {\"id\": 1}]", encoding="utf-8")
    records = list(iter_json_records(path))
    assert [r.error for r in records] == ["not valid JSON: nested too deeply"] * 2 + [None]
    assert records[2].value == {"id": 1}


def test_a_deep_element_longer_than_a_read_chunk(tmp_path):
    big = json.dumps("y" * (3 << 20))  # 3 MB: the element spans several reads
    path = tmp_path / "deep.json"
    path.write_text("[" + _deep(5000, big + ', "a\\"b]"') + ",\n{\"id\": 2}]", encoding="utf-8")
    records = list(iter_json_records(path))
    assert [r.error for r in records] == ["not valid JSON: nested too deeply", None]
    assert (records[1].line, records[1].value) == (2, {"id": 2})


def test_a_deep_element_that_never_closes_is_still_a_file_error(tmp_path):
    from helpfirst.ingest.base import ImportFailed

    path = tmp_path / "deep.json"
    path.write_text("[{\"id\": 1}, " + "[" * 5000 + '"x"', encoding="utf-8")
    with pytest.raises(ImportFailed, match="nested too deeply"):
        list(iter_json_records(path))
