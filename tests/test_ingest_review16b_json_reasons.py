"""Review 16b, JSON rejection reasons in our words and in line order: "Unterminated string starting at at column 8"
said 'at' twice; a 5,001-digit number gave Python's advice to call sys.set_int_max_str_digits(); a canonical JSONL
file listed the rows rejected while parsing before the rows its checks rejected (3...34, then 11 and 28)."""

from __future__ import annotations

import json

from .audit_run import audit_doc, run_audit_cli


def _row(i: int, **changes) -> str:
    row = {"id": str(i), "author": "dana", "author_role": "customer", "created_at": "2024-02-01T09:00:00Z",
           "text": "help @Shop"}
    row.update(changes)
    return json.dumps(row)


def test_reasons_say_it_once_and_in_our_words(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([
        _row(1),
        '{"id": "2", "text": "abc',
        '{"id": "3", "likes": ' + "9" * 5001 + "}",
    ]) + "\n", encoding="utf-8")
    doc = audit_doc(path)
    reasons = {r["line"]: r["reason"] for r in doc["rejections"]}
    assert reasons[2] == "not valid JSON: Unterminated string starting at column 21"
    assert reasons[3] == "not valid JSON: a number too long (over 4300 digits)"
    assert not any("sys." in r or "at at" in r for r in reasons.values())


def test_a_broken_json_array_says_it_once(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("[" + _row(1) + ',\n{"id": "2", "text": "abc\n', encoding="utf-8")
    proc = run_audit_cli(path, "--format", "jsonl")
    assert "Traceback" not in proc.stderr
    assert "starting at at" not in proc.stderr + proc.stdout
    assert "broken JSON, nothing after this can be read: Unterminated string\"" in proc.stdout


def test_canonical_jsonl_rejections_are_listed_in_line_order(tmp_path):
    path = tmp_path / "o.jsonl"
    lines = [_row(1), "{bad", _row(3, created_at="1969-12-31T23:59:59Z"), _row(4, text=5), _row(5),
             _row(6, id=None), "[]", _row(8)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = audit_doc(path)
    assert [r["line"] for r in doc["rejections"]] == [2, 3, 4, 6, 7]
    assert (doc["rows_read"], doc["rows_loaded"]) == (8, 3)


def test_line_order_across_batches_and_files_of_mostly_bad_rows(tmp_path):
    from helpfirst.ingest import ImportOptions, ImportReport, read_posts

    path = tmp_path / "bad.jsonl"
    lines = ["{bad"] * 50 + [_row(51, id=None), _row(52), _row(53), _row(54, text=[])] + ["[1]"] * 20 + [_row(75)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for batch_rows in (1, 2, 3, 7, 1000):
        report = ImportReport()
        loaded = sum(b.num_rows for b in read_posts([path], ImportOptions(batch_rows=batch_rows), report, "jsonl"))
        found = [r.line for r in report.rejections]
        assert found == sorted(found) and len(found) == 72, (batch_rows, found)
        assert loaded == 3 and report.rows_read == 75 == loaded + report.rows_rejected
