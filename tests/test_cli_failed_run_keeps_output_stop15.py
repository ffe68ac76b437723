"""A failed run (nothing loaded, nothing classified) leaves the previous --report / --out file as it was
(docs/cli.md: "an interrupted or failed run leaves the previous file, or none")."""

from __future__ import annotations

import json
import subprocess
import sys


def helpfirst(*args, cwd):
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_audit_that_loads_nothing_keeps_the_previous_report(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(
        json.dumps({"id": "1", "author": "ann", "author_role": "customer", "text": "@AcmeHelp my order is late",
                    "created_at": "2024-03-01T10:00:00Z"}) + "\n"
        + json.dumps({"id": "2", "author": "AcmeHelp", "author_role": "brand", "text": "@ann sorry, here is the tracking",
                      "created_at": "2024-03-01T10:05:00Z", "parent_id": "1"}) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "1", "author": "ann", "text": "no role and no --brand"}) + "\n")
    first = helpfirst("audit", "good.jsonl", "--report", "r.html", "--no-signals", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "r.html").read_bytes()
    assert b"AcmeHelp" in before
    second = helpfirst("audit", "bad.jsonl", "--report", "r.html", "--no-signals", "--json", cwd=tmp_path)
    assert second.returncode == 1
    assert "r.html was not written" in second.stderr, second.stderr
    assert json.loads(second.stdout)["rows_loaded"] == 0
    assert (tmp_path / "r.html").read_bytes() == before


def test_classify_that_classifies_nothing_keeps_the_previous_output(tmp_path):
    (tmp_path / "good.jsonl").write_text(json.dumps({"id": "a", "text": "where is my refund?", "role": "customer"}) + "\n")
    (tmp_path / "bad.jsonl").write_text("not json\n" + json.dumps({"id": "b", "text": "", "role": "martian"}) + "\n")
    assert helpfirst("classify", "good.jsonl", "-o", "out.jsonl", cwd=tmp_path).returncode == 0
    before = (tmp_path / "out.jsonl").read_text()
    assert json.loads(before)["id"] == "a"
    run = helpfirst("classify", "bad.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert run.returncode == 1
    assert "out.jsonl was not written" in run.stderr and "bad.jsonl:1" in run.stderr, run.stderr
    assert (tmp_path / "out.jsonl").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]



def test_audit_json_that_cannot_start_prints_nothing_on_standard_output(tmp_path):
    """--json: a run that cannot start (no archive opens) prints no document, only the error line and
    status 1; a run that read rows but loaded none prints its document (counts, rejections)."""
    run = helpfirst("audit", "missing.csv", "gone.jsonl", "--json", cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == ""
    assert "missing.csv" in run.stderr and "gone.jsonl" in run.stderr
    (tmp_path / "bad.jsonl").write_text(json.dumps({"id": "1", "author": "ann", "text": "no role"}) + "\n")
    run = helpfirst("audit", "bad.jsonl", "--json", "--no-signals", cwd=tmp_path)
    assert run.returncode == 1
    doc = json.loads(run.stdout)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (1, 0, 1)
