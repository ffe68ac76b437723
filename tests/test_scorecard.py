"""The core scorecard on small archives whose every figure is worked out by hand."""

from __future__ import annotations

import math

import pytest

from helpfirst.audit import run_audit
from helpfirst.measure.business_hours import parse_business_hours

# Brands: Acme (answers, sometimes slowly) and Bolt. Customers are numbers, as in TWCS.
ROWS = [
    # conv 1: Acme answers after 10 min; customer follows up, Acme replies again (reopened, still one conv)
    (1, "101", True, 0, "@Acme my router keeps dropping", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
    (3, "101", True, 20, "@Acme still broken", 2),
    (4, "Acme", False, 25, "@101 we sent a fix", 3),
    # conv 2: Acme answers after 40 min, rows out of order (reply listed first)
    (6, "Acme", False, 100, "@102 sorry about that", 5),
    (5, "102", True, 60, "@acme billing is wrong", None),  # lower-case mention still means Acme
    # conv 3: addressed to Acme, only Bolt replies: unanswered for Acme
    (7, "103", True, 200, "@Acme @Bolt where is my parcel", None),
    (8, "Bolt", False, 205, "@103 not us, sorry", 7),
    # conv 4: Bolt; answered by a reply to a reply (depth 2) after 90 min
    (9, "104", True, 300, "@Bolt app crashes", None),
    (10, "105", True, 310, "@104 same here", 9),
    (11, "Bolt", False, 390, "@105 @104 update to 2.1 please", 10),
    # conv 5: Bolt, never answered
    (12, "106", True, 400, "@Bolt hello?", None),
    # orphan: parent 999 is not in the archive -> not a conversation
    (13, "107", True, 500, "@Acme and another thing", 999),
    # brand-opened thread (announcement) with a customer reply -> not a conversation
    (14, "Acme", False, 600, "New firmware is out!", None),
    (15, "108", True, 610, "@Acme nice", 14),
]


def test_hand_worked_archive(twcs):
    result = run_audit([twcs(ROWS)])
    doc = result.to_dict()
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (15, 15, 0)
    acme, bolt = doc["brands"]["Acme"], doc["brands"]["Bolt"]
    assert (acme["conversations"], acme["answered"]) == (3, 2)
    assert acme["frt_median_min"] == pytest.approx(25.0)  # FRTs 10 and 40
    assert acme["frt_p90_min"] == pytest.approx(10 + 0.9 * 30)
    assert acme["within_target"] == pytest.approx(1 / 3)
    assert (bolt["conversations"], bolt["answered"]) == (2, 1)
    assert bolt["frt_median_min"] == pytest.approx(90.0)
    assert bolt["within_target"] == 0.0
    totals = doc["totals"]
    assert (totals["conversations"], totals["answered"]) == (5, 3)
    assert totals["frt_median_min"] == pytest.approx(40.0)  # 10, 40, 90
    assert totals["frt_p90_min"] == pytest.approx(40 + 0.8 * 50)
    assert totals["coverage"] == pytest.approx(3 / 5)
    assert doc["threads"]["orphan_threads"] == 1
    assert acme["vanity"]["brand_threads"] == 1
    assert acme["vanity"]["brand_posts"] == 4
    # customers count for the brand of the thread they write in; the orphan thread has no brand
    assert (acme["vanity"]["customer_posts"], acme["vanity"]["customers"]) == (5, 4)
    assert (bolt["vanity"]["customer_posts"], bolt["vanity"]["customers"]) == (3, 3)
    assert (totals["vanity"]["customer_posts"], totals["vanity"]["customers"]) == (8, 7)
    assert totals["vanity"]["brand_posts"] == 6


def test_target_changes_within_target(twcs):
    doc = run_audit([twcs(ROWS)], target_min=45).to_dict()
    assert doc["brands"]["Acme"]["within_target"] == pytest.approx(2 / 3)
    assert doc["totals"]["within_target"] == pytest.approx(2 / 5)


def test_bots_never_count_as_a_response(twcs):
    rows = [
        (1, "201", True, 0, "@Acme help", None),
        (2, "AcmeBot", False, 1, "@201 Thanks, an agent will reply soon", 1),
        (3, "Acme", False, 50, "@201 here is the fix", 1),
    ]
    path = twcs(rows)
    with_bot = run_audit([path], bots=frozenset({"AcmeBot"})).to_dict()
    assert with_bot["brands"]["Acme"]["frt_median_min"] == pytest.approx(50.0)
    assert with_bot["totals"]["vanity"]["bot_posts"] == 1


def test_negative_response_time_counts_as_zero(twcs):
    rows = [(1, "201", True, 10, "@Acme help", None), (2, "Acme", False, 9, "@201 hi", 1)]
    doc = run_audit([twcs(rows)]).to_dict()
    assert doc["brands"]["Acme"]["frt_median_min"] == 0.0
    assert doc["brands"]["Acme"]["within_target"] == 1.0


def test_unmentioned_request_goes_to_the_brand_that_replied(twcs):
    rows = [(1, "201", True, 0, "help me please", None), (2, "Bolt", False, 5, "@201 sure", 1)]
    doc = run_audit([twcs(rows)]).to_dict()
    assert doc["brands"]["Bolt"]["answered"] == 1


def test_nothing_answered_gives_null_percentiles(twcs):
    doc = run_audit([twcs([(1, "201", True, 0, "@Acme hi", None), (2, "Acme", False, 5, "hello all", None)])]).to_dict()
    assert doc["brands"]["Acme"]["frt_median_min"] is None
    assert doc["brands"]["Acme"]["within_target"] == 0.0
    assert doc["totals"]["conversations"] == 1


def test_duplicates_across_files_count_once(twcs):
    first = twcs(ROWS, "a.csv")
    second = twcs(ROWS[:4], "b.csv")
    doc = run_audit([first, second]).to_dict()
    assert doc["rows_read"] == 19
    assert doc["rows_loaded"] == 15
    assert doc["rows_rejected"] == 4
    assert doc["rows_read"] == doc["rows_loaded"] + doc["rows_rejected"]
    assert all(r["reason"].startswith("duplicate id") and r["file"].endswith("b.csv") for r in doc["rejections"])
    assert [(f["rows_read"], f["rows_loaded"], f["rows_rejected"]) for f in doc["files"]] == [(15, 15, 0), (4, 0, 4)]
    assert doc["brands"]["Acme"]["conversations"] == 3


def test_business_hours_frt(twcs):
    # T0 is Monday 2017-10-02 08:00 UTC = 09:00 Europe/London (BST)
    rows = [
        (1, "301", True, -120, "@Acme before opening", None),  # 07:00 local, answered 09:30 local -> 30 business min
        (2, "Acme", False, 30, "@301 morning!", 1),
        (3, "301", True, 60, "@Acme during hours", None),  # 10:00 local, answered 10:20 -> 20
        (4, "Acme", False, 80, "@301 done", 3),
    ]
    hours = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    doc = run_audit([twcs(rows)], business_hours=hours).to_dict()
    acme = doc["brands"]["Acme"]
    assert acme["frt_median_min"] == pytest.approx((150 + 20) / 2)
    assert acme["frt_business_median_min"] == pytest.approx(25.0)
    assert acme["within_target_business"] == 1.0
    assert acme["within_target"] == 0.5
    how = {r["hour_of_week"]: r["conversations"] for r in doc["hour_of_week"]["brands"]["Acme"]}
    assert how == {7: 1, 10: 1}  # Monday 07h and 10h London time


def test_head5k_real_archive(shared_data):
    doc = run_audit([shared_data / "twcs-head5k" / "twcs-head5k.csv"]).to_dict()
    assert doc["rows_read"] == doc["rows_loaded"] + doc["rows_rejected"]
    assert doc["rows_rejected"] == 2  # one tweet broken over lines by an unquoted newline
    assert {r["line"] for r in doc["rejections"]} == {2589, 2591}
    total = doc["totals"]
    assert total["conversations"] == sum(b["conversations"] for b in doc["brands"].values())
    assert 0 < total["frt_median_min"] < total["frt_p90_min"]
    assert not math.isnan(total["within_target"])


def test_handles_are_case_insensitive_and_end_at_non_handle_characters(twcs):
    rows = [
        (1, "201", True, 0, "@delta my bag", None),
        (2, "Delta", False, 5, "@201 looking", 1),
        (3, "delta", False, 8, "@201 found it", 1),
        (4, "202", True, 0, "@Deltaé @Bolt hi", None),  # '@Deltaé' is not a mention of Delta
        (5, "Bolt", False, 20, "@202 hello", 4),
    ]
    doc = run_audit([twcs(rows)]).to_dict()
    assert set(doc["brands"]) == {"Delta", "Bolt"}
    assert doc["brands"]["Delta"]["conversations"] == 1
    assert doc["brands"]["Delta"]["frt_median_min"] == 5.0
    assert doc["brands"]["Delta"]["vanity"]["brand_posts"] == 2
    assert doc["brands"]["Bolt"]["answered"] == 1
    assert doc["totals"]["conversations"] == 2


def test_email_addresses_are_not_mentions(twcs):
    rows = [
        (1, "201", True, 0, "mail bob@Acme.com about @Beta please", None),
        (2, "Beta", False, 30, "@201 done", 1),
        (3, "Acme", False, 40, "hello world", None),
        (4, "202", True, 0, ".@Acme is this public?", None),  # the old trick to make a reply public
        (5, "Acme", False, 10, "@202 yes", 4),
    ]
    doc = run_audit([twcs(rows)]).to_dict()
    assert doc["brands"]["Beta"]["conversations"] == 1
    assert doc["brands"]["Beta"]["answered"] == 1
    assert doc["brands"]["Acme"]["conversations"] == 1
