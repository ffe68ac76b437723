"""A NUL byte in a TWCS brand reply rejects its row with or without the signals (the core scorecard
reads only the texts of requests, and used to let the NUL through unseen)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from helpfirst.cli import app

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def test_nul_in_a_brand_reply_is_rejected_by_the_core_scorecard_too(tmp_path):
    path = tmp_path / "twcs.csv"
    path.write_text(
        HEADER
        + "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeHelp my order is late,2,\n"
        + "2,AcmeHelp,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry \x00 about that,,1.0\n"
        + "3,115713,True,Tue Oct 31 22:30:47 +0000 2017,@AcmeHelp where is my parcel,,\n",
        encoding="utf-8")
    seen = []
    for flags in (["--no-signals"], []):
        result = CliRunner().invoke(app, ["audit", str(path), "--json", *flags])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        seen.append((doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"],
                     [(r["line"], r["field"]) for r in doc["rejections"]]))
    assert seen[0] == seen[1] == (3, 2, 1, [(3, "text")])
