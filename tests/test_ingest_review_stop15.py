"""Review of stop 15, ingest: JSON ids written as floats beyond 2^53 are rejected (they were rounded into false
duplicates and wrong parents); a TWCS record of 16 MiB or more is rejected with its line (DuckDB skipped it unnoted);
TWCS time-zone offsets beyond +2359 are rejected, and a date out of range only in UTC is rejected with its line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def _audit(path: Path) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--json", "--no-signals"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.stdout, proc.stderr
    return json.loads(proc.stdout), proc.stderr


def _rejections(doc: dict) -> list[tuple]:
    return [(r["line"], r["field"], r["reason"]) for r in doc["rejections"]]


def test_float_ids_beyond_2_53_are_rejected_not_rounded(tmp_path):
    path = tmp_path / "floatid.jsonl"
    rows = [
        {"id": 1052912345678901234.0, "author": "u1", "author_role": "customer", "brand": "Acme",
         "created_at": "2024-02-01T09:00:00Z", "text": "my order is late, help"},
        {"id": 1052912345678901235.0, "author": "u2", "author_role": "customer", "brand": "Acme",
         "created_at": "2024-02-01T09:01:00Z", "text": "my card was charged twice"},
        {"id": "r1", "author": "Acme", "author_role": "brand", "brand": "Acme", "parent_id": 1052912345678901235.0,
         "created_at": "2024-02-01T09:05:00Z", "text": "@u2 sorry, refunds in 3 days"},
        # JSON integers of any size, and floats up to 2^53, stay exact
        {"id": 1052912345678901236, "author": "u3", "author_role": "customer", "brand": "Acme",
         "created_at": "2024-02-01T09:02:00Z", "text": "where is my parcel"},
        {"id": "r2", "author": "Acme", "author_role": "brand", "brand": "Acme", "parent_id": 1052912345678901236,
         "created_at": "2024-02-01T09:06:00Z", "text": "@u3 on its way"},
        {"id": 9007199254740992.0, "author": "u4", "author_role": "customer", "brand": "Acme",
         "created_at": "2024-02-01T09:03:00Z", "text": "help with my account"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    doc, _err = _audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (6, 3, 3)
    got = _rejections(doc)
    assert [(line, field) for line, field, _ in got] == [(1, "id"), (2, "id"), (3, "parent_id")]
    for _line, field, reason in got:
        assert reason.startswith(f"{field} must be text or an integer, not the number 1.0529123456789012e+18")
        assert "too large to be exact" in reason and "write ids as strings" in reason
    assert not any("duplicate" in r for _l, _f, r in got)


def test_twcs_record_of_17_mib_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w") as fh:
        fh.write(HEADER)
        fh.write("1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare my order is late,,\n")
        fh.write("2,115713,True,Tue Oct 31 22:11:47 +0000 2017,@AcmeCare " + "x" * (17 << 20) + ",,\n")
        fh.write('3,115714,True,Tue Oct 31 22:12:47 +0000 2017,"@AcmeCare card\ncharged twice",,\n')
        fh.write("4,115715,True\n")  # malformed: DuckDB numbered it one row too low after the skipped one
        fh.write("5,115716,True,Tue Oct 31 22:14:47 +0000 2017,@AcmeCare hello,,\n")
    doc, _err = _audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (5, 3, 2)
    assert _rejections(doc) == [(3, None, "the record is longer than 8 MB"), (6, None, "expected 7 fields, found 3")]


def test_twcs_offsets_out_of_range_and_utc_range_carry_the_line(tmp_path):
    path = tmp_path / "tz.csv"
    path.write_text(HEADER + "".join([
        "1,115712,True,Tue Oct 31 22:10:47 +9900 2017,@AcmeCare help me,,\n",
        "2,115713,True,Tue Oct 31 22:10:47 +0099 2017,@AcmeCare help me,,\n",
        "3,115714,True,Tue Oct 31 22:10:47 +2359 2017,@AcmeCare fine,,\n",
        "4,115715,True,Tue Oct 31 22:10:47 -2359 2017,@AcmeCare fine,,\n",
        "5,115716,True,Thu Jan 01 00:00:00 +0100 1970,@AcmeCare 1969 in UTC,,\n",
        "6,115717,True,Tue Dec 31 23:30:00 -0100 2199,@AcmeCare 2200 in UTC,,\n",
        "7,115718,True,Thu Jan 01 00:00:00 +0000 1970,@AcmeCare fine,,\n",
    ]))
    doc, _err = _audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (7, 3, 4)
    not_a_date = "created_at is not a date like 'Tue Oct 31 22:10:47 +0000 2017'"
    outside = "created_at is dated outside 1970-2199"
    assert _rejections(doc) == [(2, "created_at", not_a_date), (3, "created_at", not_a_date),
                                (6, "created_at", outside), (7, "created_at", outside)]


def test_quoted_twcs_record_of_17_mib_counts_once_and_keeps_later_lines(tmp_path):
    """DuckDB notes a long *quoted* record as a quote error (not as too long): it is one rejection, said to be
    too long, and the lines after it keep their numbers (a second, made-up rejection shifted them)."""
    path = tmp_path / "q17.csv"
    with open(path, "w") as f:
        f.write(HEADER)
        f.write('1,115712,True,Tue Oct 31 22:10:47 +0000 2017,"@AcmeCare hi, help",,\n')
        f.write('2,115713,True,Tue Oct 31 22:11:47 +0000 2017,"@AcmeCare long, ' + "x" * (17 << 20) + '",,\n')
        f.write("3,115714,True,Tue Oct 31 22:12:47 +0000 2017,@AcmeCare fine,,\n")
        f.write("4,115715,True,Tue Oct 31 22:13:47 +0000 1960,@AcmeCare old,,\n")
        f.write("5,115716,True,Tue Oct 31 22:14:47 +0000 2017,@AcmeCare hello,,\n")
    doc, _ = _audit(path)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (5, 3, 2)
    got = _rejections(doc)
    assert [line for line, _f, _r in got] == [3, 5]
    assert "longer than 8 MB" in got[0][2] and got[1][1] == "created_at"


def test_twcs_dates_in_range_in_utc_load_whatever_their_local_year(tmp_path):
    """'Wed Dec 31 23:30:00 -0100 1969' is 1970 in UTC and loads; one hour earlier it is 1969 and is rejected
    as out of range (not as 'not a date')."""
    path = tmp_path / "utc.csv"
    path.write_text(HEADER
                    + "1,115712,True,Wed Dec 31 23:30:00 -0100 1969,@AcmeCare in range in UTC,,\n"
                    + "2,115713,True,Wed Jan 01 00:30:00 +0100 2200,@AcmeCare in range in UTC too,,\n"
                    + "3,115714,True,Wed Dec 31 22:30:00 -0100 1969,@AcmeCare 1969 in UTC,,\n")
    doc, _ = _audit(path)
    assert (doc["rows_read"], doc["rows_loaded"]) == (3, 2)
    assert _rejections(doc) == [(4, "created_at", "created_at is dated outside 1970-2199")]
