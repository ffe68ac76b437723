"""helpfirst's core scorecard agrees with an independent pandas implementation (bench/pandas_peer.py).

Both read the same TWCS file; per brand and in total, conversations and answered must be equal and
FRT median, FRT p90 and within-target equal within 1e-6. Files: synthetic archives from
`helpfirst synth`, the real TWCS head (shared data), and a hand-made file of edge cases.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

PEER_PATH = Path(__file__).resolve().parents[1] / "bench" / "pandas_peer.py"


def _load_peer():
    spec = importlib.util.spec_from_file_location("pandas_peer", PEER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


peer = _load_peer()


def helpfirst(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=600)


def audit_json(path: Path) -> dict:
    proc = helpfirst("audit", str(path), "--json")
    assert proc.returncode == 0, f"helpfirst audit failed: {proc.stderr.strip()}"
    return json.loads(proc.stdout)


def assert_agree(path: Path) -> dict:
    mine = peer.scorecard(path)
    theirs = audit_json(path)
    problems = peer.compare(mine, theirs)
    assert not problems, f"{path.name}: pandas peer and helpfirst disagree:\n" + "\n".join(problems[:40])
    return mine


@pytest.mark.parametrize("seed", [0, 7])
def test_synthetic_archive(tmp_path, seed):
    path = tmp_path / f"synth-{seed}.csv"
    proc = helpfirst("synth", "--posts", "20000", "--out", str(path), "--format", "twcs", "--seed", str(seed))
    assert proc.returncode == 0, f"helpfirst synth failed: {proc.stderr.strip()}"
    card = assert_agree(path)
    # a meaningful comparison: many brands, answered and unanswered conversations
    assert card["totals"]["conversations"] > 1000
    assert 0 < card["totals"]["answered"] < card["totals"]["conversations"]
    assert sum(1 for b in card["brands"].values() if b["conversations"]) >= 5


def test_real_twcs_head(shared_data):
    card = assert_agree(shared_data / "twcs-head5k" / "twcs-head5k.csv")
    assert card["totals"]["conversations"] > 1000


def test_real_twcs_sample(shared_data):
    assert_agree(shared_data / "twcs-sample" / "sample.csv")


EDGE_CASES = """\
tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
1,c1,True,Mon Oct 30 10:00:00 +0000 2017,@BrandA my order is late (BrandB's reply does not count),"2,3",
2,BrandB,False,Mon Oct 30 10:05:00 +0000 2017,@c1 not us,,1.0
3,BrandA,False,Mon Oct 30 10:40:00 +0000 2017,@c1 sorry!,,1.0
10,c2,True,Mon Oct 30 11:00:00 +0000 2017,no mention: earliest brand reply; a tie goes to file order,,
11,BrandB,False,Mon Oct 30 11:10:00 +0000 2017,@c2 hi,,10
12,BrandA,False,Mon Oct 30 11:10:00 +0000 2017,@c2 hi,,10
20,c3,True,Mon Oct 30 12:00:00 +0000 2017,@someone @brandc first known mention; answered at depth 2,,
21,c3,True,Mon Oct 30 12:01:00 +0000 2017,@BrandC hello?,,20
22,BrandC,False,Mon Oct 30 12:30:00 +0000 2017,@c3 on it,,21
30,c4,True,Mon Oct 30 13:00:00 +0000 2017,@BrandA reply stamped before the request counts as 0,,
31,BrandA,False,Mon Oct 30 12:58:00 +0000 2017,@c4 early,,30
40,c5,True,Mon Oct 30 14:00:00 +0000 2017,@BrandA parent missing: orphan thread,,999
41,BrandA,False,Mon Oct 30 14:05:00 +0000 2017,@c5 x,,40
50,c6,True,Mon Oct 30 15:00:00 +0000 2017,@BrandA loop of two,,51
51,BrandA,False,Mon Oct 30 15:05:00 +0000 2017,@c6 loop,,50
52,BrandA,False,Mon Oct 30 15:06:00 +0000 2017,@c6 under the loop,,51
53,c6,True,Mon Oct 30 15:00:00 +0000 2017,@BrandA loop of three,,54
54,c6,True,Mon Oct 30 15:00:00 +0000 2017,@BrandA loop of three,,55
55,BrandA,False,Mon Oct 30 15:00:00 +0000 2017,@c6 loop of three,,53
60,c7,True,Mon Oct 30 16:00:00 +0000 2017,@BrandA answered in exactly 30 minutes,,
60,c8,True,Mon Oct 30 16:00:00 +0000 2017,@BrandC duplicate id: the first one wins,,
61,BrandA,False,Mon Oct 30 16:30:00 +0000 2017,@c7 done,,60
70,c9,True,not a date,@BrandA bad date: rejected,,
70,c9,True,Mon Oct 30 17:00:00 +0000 2017,@BrandA the valid duplicate of a rejected row is loaded,,
71,BrandA,False,Mon Oct 30 17:45:00 +0000 2017,@c9 late,,70.0
72,c9,maybe,Mon Oct 30 17:00:00 +0000 2017,@BrandA bad inbound,,
73, ,True,Mon Oct 30 17:00:00 +0000 2017,@BrandA no author,,
,c9,True,Mon Oct 30 17:00:00 +0000 2017,@BrandA no id,,
80.0,c10,True,Mon Oct 30 18:00:00 +0000 2017,@BRANDA case-insensitive mention,,
81,c11,True,Mon Oct 30 18:01:00 +0000 2017,@c10 me too,,80
82,BrandA,False,Mon Oct 30 18:20:00 +0000 2017,@c11 reply to the other customer still answers,,81
90,c12,True,Mon Oct 30 19:00:00 +0000 2017,@BrandD mentioned but never answers here,,
91,BrandD,False,Mon Oct 30 19:00:00 +0000 2017,announcement,,
100,c13,True,Mon Oct 30 20:00:00 +0000 2017,,,
101,c14,True,Mon Oct 30 20:00:00 +0000 2017,"@BrandA quoted
newline",,
102,BrandA,False,Mon Oct 30 20:10:00 +0000 2017,@c14 ok,,101
110,c15,True,Mon Oct 30 21:00:00 +0000 2017,@branda_fan is not a brand; @BrandC is,,
111,BrandC,False,Mon Oct 30 22:00:00 +0000 2017,@c15 hi,,110
120,BrandA,True,Mon Oct 30 23:00:00 +0000 2017,@BrandC an inbound tweet by a brand handle is a request,,
121,BrandC,False,Mon Oct 30 23:02:00 +0000 2017,@BrandA sure,,120
130,c16,True,Tue Oct 31 00:00:00 +0100 2017,@BrandC other offset,,
131,BrandC,False,Mon Oct 30 23:30:00 +0000 2017,@c16 ok,,130
140,c17,True,Mon Oct 30 23:50:00 +0000 2017,@BrandA broken by an unquoted newline: malformed,
,141
141,BrandA,False,Mon Oct 30 23:55:00 +0000 2017,@c17 reply to a rejected row: orphan,,140
"""


def test_edge_cases(tmp_path):
    path = tmp_path / "edge.csv"
    path.write_text(EDGE_CASES, encoding="utf-8")
    card = assert_agree(path)
    # worked by hand from docs/metrics.md
    assert card["totals"] == {
        "conversations": 13,
        "answered": 11,
        "frt_median_min": 30.0,
        "frt_p90_min": 45.0,
        "within_target": pytest.approx(8 / 13),
    }
    a = card["brands"]["BrandA"]  # FRTs 40, 0, 30, 45, 20, 10 minutes
    assert (a["conversations"], a["answered"], a["frt_median_min"], a["within_target"]) == (6, 6, 25.0, pytest.approx(4 / 6))
    assert card["brands"]["BrandB"]["conversations"] == 1
    assert card["brands"]["BrandD"] == {
        "conversations": 1, "answered": 0, "frt_median_min": None, "frt_p90_min": None, "within_target": 0.0,
    }
    assert card["brands"]["(unknown)"]["conversations"] == 1


CASE_VARIANT_BRANDS = """\
tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
1,c1,True,Mon Oct 30 10:00:00 +0000 2017,@delta my bag,"2,3",
2,Delta,False,Mon Oct 30 10:05:00 +0000 2017,@c1 hi,,1
3,delta,False,Mon Oct 30 10:06:00 +0000 2017,@c1 hi,,1
"""


def test_brand_handles_differing_in_case_count_one_conversation(tmp_path):
    path = tmp_path / "case.csv"
    path.write_text(CASE_VARIANT_BRANDS, encoding="utf-8")
    assert peer.scorecard(path)["totals"]["conversations"] == 1
    assert audit_json(path)["totals"]["conversations"] == 1
