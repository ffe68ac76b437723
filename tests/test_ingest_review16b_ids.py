"""Review 16b, ids written as floats: one rule in every format. JSON made '12.00' the id '12' while CSV (and the
duplicate locator) stripped a single '.0' only and kept '12.00': a CSV reply to a JSON post was an orphan."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from helpfirst.ingest.common import normalise_ids, to_id
from helpfirst.ingest.duplicates import _plain_id

from .audit_run import audit_doc


def _dana_post(path: Path, id_json: str) -> Path:
    path.write_text('{"id":' + id_json + ',"author":"dana","author_role":"customer",'
                    '"created_at":"2024-02-01T09:00:00Z","text":"help @Shop"}\n', encoding="utf-8")
    return path


def test_a_csv_reply_finds_its_json_parent_written_12_00(tmp_path):
    a = _dana_post(tmp_path / "a.jsonl", '"12.00"')
    b = tmp_path / "b.csv"
    b.write_text("id,author,author_role,created_at,text,parent_id\n"
                 "r1,Shop,brand,2024-02-01T09:10:00Z,sure,12.00\n", encoding="utf-8")
    out = audit_doc(a, b)
    assert out["totals"]["answered"] == 1
    assert out["threads"]["orphan_threads"] == 0


def test_twcs_parent_written_with_two_zeros(tmp_path):
    path = tmp_path / "twcs.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "5.00,115,True,Thu Dec 28 00:53:09 +0000 2017,@Shop help,,\n"
        "6,Shop,False,Thu Dec 28 00:56:05 +0000 2017,@115 sure,,5.000\n",
        encoding="utf-8",
    )
    out = audit_doc(path)
    assert out["totals"]["answered"] == 1


def test_a_duplicate_12_00_in_csv_of_a_json_12_is_located(tmp_path):
    a = _dana_post(tmp_path / "a.jsonl", "12")
    b = tmp_path / "b.csv"
    b.write_text("id,author,author_role,created_at,text\n"
                 "r1,Shop,brand,2024-02-01T09:10:00Z,sure\n"
                 "12.00,erin,customer,2024-02-01T09:20:00Z,again @Shop\n", encoding="utf-8")
    out = audit_doc(a, b)
    assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"] == 3
    [rejection] = out["rejections"]
    assert rejection["file"] == str(b) and rejection["line"] == 3, rejection
    assert f"{a}:1" in rejection["reason"], rejection


VALUES = ["12", "12.0", "12.00", " 12.000 ", "0.0", "0", "007.00", "v1.0", "1.5", "1.05", "-3.0", "3.", ".0",
          "1.0.0", "12.0x", "١٢.0", "abc", "x.00"]


def test_csv_json_and_the_duplicate_locator_agree_on_every_id():
    column = normalise_ids(pa.array(VALUES, pa.string())).to_pylist()
    json_ids = [to_id(v) for v in VALUES]
    located = [_plain_id(v) for v in VALUES]
    assert column == json_ids == located
    assert column[:8] == ["12", "12", "12", "12", "0", "0", "007", "v1.0"]
    assert column[8:] == ["1.5", "1.05", "-3.0", "3.", ".0", "1.0.0", "12.0x", "١٢.0", "abc", "x.00"]
    # the fast path (all digits + '.0') still gives the same
    assert normalise_ids(pa.array(["1.0", "22.0"])).to_pylist() == ["1", "22"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.0 v-١", max_size=7), max_size=20))
def test_csv_and_json_ids_agree_on_any_text(values):
    assert normalise_ids(pa.array(values, pa.string())).to_pylist() == [to_id(v) for v in values]


def test_a_duplicate_in_a_json_file_that_breaks_later_is_located_and_the_audit_goes_on(tmp_path):
    # the duplicate locator read the broken array again and its file error ended the whole audit
    a = _dana_post(tmp_path / "a.jsonl", '"1"')
    b = tmp_path / "b.json"
    b.write_text('[{"id":"1","author":"erin","author_role":"customer","created_at":"2024-02-01T09:05:00Z",'
                 '"text":"x"},\n{"id": "2", "text": "abc\n', encoding="utf-8")
    out = audit_doc(a, b, "--format", "jsonl")
    assert out["rows_read"] == out["rows_loaded"] + out["rows_rejected"] == 2
    [rejection] = out["rejections"]
    assert (rejection["file"], rejection["line"]) == (str(b), 1) and f"{a}:1" in rejection["reason"], rejection
    assert len(out["errors"]) == 1 and out["errors"][0].startswith(f"{b}:2: broken JSON")
