"""Scorecard fixes from review: orphan threads in the vanity figures, totals apart from any brand
name (even "(all)"), minute figures without floating-point noise."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from helpfirst.audit import run_audit
from helpfirst.measure.report import build_report_html

from .test_report import parse

#: docs/metrics.md: minute figures are rounded to 6 decimals
MINUTE_DECIMALS = 6

HEADER = "id,channel,conversation_id,parent_id,author,author_role,brand,created_at,text,url,likes,reposts\n"
#: 8 conversations (c1..c8), a bot reply, another brand's reply, a brand announcement, a duplicate
#: row, and o1: a customer post that mentions @Acme and replies to a post missing from the export.
ARCHIVE = HEADER + """c1,web,,,u1,customer,Acme,2024-03-04T08:00:00Z,@Acme my router keeps dropping the connection every hour,,0,0
r1,web,,c1,Acme,brand,Acme,2024-03-04T08:10:00Z,Sorry about that! Please reboot the router,,2,0
c2,web,,,u2,customer,Acme,2024-03-04T10:00:00Z,@Acme how do I reset my password? the link never arrives,,0,0
r2,web,,c2,Acme,brand,Acme,2024-03-04T10:45:00Z,Please DM us your account email and we will look into it,,0,0
c3,web,,,u3,customer,Acme,2024-03-04T12:00:00Z,@Acme I was charged twice for my order this month,,0,0
r3,web,,c3,Acme,brand,Acme,2024-03-04T14:00:00Z,Could you tell us the order number please?,,0,0
c4,web,,,u4,customer,Acme,2024-03-04T16:50:00Z,@Acme my app crashes when I open it,,0,0
r4,web,,c4,Acme,brand,Acme,2024-03-05T09:20:00Z,Reinstall the app from the store and it will be fixed,,0,0
f4,web,,r4,u4,customer,Acme,2024-03-05T09:40:00Z,That worked thank you so much!,,0,0
c5,web,,,u5,customer,Acme,2024-03-04T18:00:00Z,@Acme where is my package? it has been two weeks,,0,0
c6,web,,,u6,customer,Acme,2024-03-08T16:00:00Z,@Acme my card payment keeps failing at checkout,,0,0
r6,web,,c6,Acme,brand,Acme,2024-03-12T09:30:00Z,Please call us on our support line,,0,0
c7,web,,,u7,customer,Acme,2024-03-05T11:00:00Z,@Acme the website is down again,,0,0
b7,web,,c7,AcmeBot,bot,Acme,2024-03-05T11:01:00Z,Thanks for your message! An agent will reply soon.,,0,0
c8,web,,,u8,customer,,2024-03-05T12:00:00Z,@Acme my tv has no sound since yesterday,,0,0
x8,web,,c8,Beta,brand,Beta,2024-03-05T12:05:00Z,Hi from Beta! Try our tv instead,,0,0
o1,web,,zzz,u9,customer,Acme,2024-03-05T13:00:00Z,@Acme still waiting,,0,0
a1,web,,,Acme,brand,Acme,2024-03-06T09:00:00Z,Big news: our new app is out today!,,10,3
c1,web,,,u1,customer,Acme,2024-03-04T08:00:00Z,duplicate row,,0,0
"""


def write(tmp_path: Path, text: str, name: str = "archive.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_json(path: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--json", *args],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_orphan_thread_customer_posts_count_in_the_vanity_figures(tmp_path):
    path = write(tmp_path, ARCHIVE)
    doc = audit_json(path, "--no-signals")
    assert doc["threads"]["orphan_threads"] == 1
    # 9 customer posts in Acme's conversations (c1..c8, f4) + o1, which names Acme; 9 people
    assert (doc["totals"]["vanity"]["customer_posts"], doc["totals"]["vanity"]["customers"]) == (10, 9)
    assert (doc["brands"]["Acme"]["vanity"]["customer_posts"], doc["brands"]["Acme"]["vanity"]["customers"]) == (10, 9)
    assert doc["totals"]["conversations"] == 8  # an orphan thread is still not a conversation
    # the report shows the same figures
    found = parse(build_report_html(run_audit([path]))).by_id
    assert found["vanity-brand-posts"] == str(doc["totals"]["vanity"]["brand_posts"])
    page = build_report_html(run_audit([path]))
    assert '<div class="l">Customer posts</div><div class="v">10</div>' in page
    assert '<div class="l">Customers</div><div class="v">9</div>' in page


def test_orphan_thread_without_a_brand_takes_the_brand_that_replied(tmp_path):
    rows = HEADER + (
        "c1,web,,,u1,customer,,2024-03-04T08:00:00Z,@Acme help,,0,0\n"
        "r1,web,,c1,Acme,brand,Acme,2024-03-04T08:10:00Z,hi,,0,0\n"
        # an orphan with no brand of its own: Beta answered in it, then Acme
        "o1,web,,gone,u2,customer,,2024-03-04T09:00:00Z,still broken,,0,0\n"
        "o2,web,,o1,Beta,brand,Beta,2024-03-04T09:05:00Z,we are on it,,0,0\n"
        "o3,web,,o1,Acme,brand,Acme,2024-03-04T09:06:00Z,so are we,,0,0\n"
        "o4,web,,o2,u2,customer,,2024-03-04T09:30:00Z,thanks,,0,0\n"
        # an orphan nobody answered and no brand is given for: no brand's figure
        "o5,web,,gone2,u3,customer,,2024-03-04T10:00:00Z,hello?,,0,0\n"
    )
    doc = audit_json(write(tmp_path, rows), "--no-signals")
    assert doc["brands"]["Beta"]["vanity"]["customer_posts"] == 2  # o1 and o4
    assert doc["brands"]["Acme"]["vanity"]["customer_posts"] == 1  # c1
    assert doc["totals"]["vanity"]["customer_posts"] == 3 and doc["totals"]["vanity"]["customers"] == 2


def test_a_brand_called_all_is_kept_apart_from_the_totals(tmp_path):
    rows = (
        "id,parent_id,author,author_role,brand,created_at,text\n"
        "c1,,u1,customer,(all),2024-03-04T08:00:00Z,help\n"
        "r1,c1,(all),brand,(all),2024-03-04T08:10:00Z,hi\n"
        "c2,,u2,customer,Acme,2024-03-05T08:00:00Z,help\n"
    )
    doc = audit_json(write(tmp_path, rows), "--no-signals")
    for key in ("hour_of_week", "daily"):
        assert set(doc[key]) == {"totals", "brands"}
        assert sum(r["conversations"] for r in doc[key]["totals"]) == 2
        assert [r["conversations"] for r in doc[key]["brands"]["(all)"]] == [1]
        assert [r["conversations"] for r in doc[key]["brands"]["Acme"]] == [1]
    assert doc["daily"]["brands"]["(all)"][0]["answered"] == 1 and doc["daily"]["brands"]["Acme"][0]["answered"] == 0


def _minute_figures(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _minute_figures(v, f"{path}/{k}") if not k.endswith("_min") or isinstance(v, (dict, list)) else [(f"{path}/{k}", v)]
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _minute_figures(v, f"{path}/{i}")


def test_minute_figures_have_no_float_noise(tmp_path):
    doc = audit_json(write(tmp_path, ARCHIVE), "--business-hours", "Mon-Fri 09:00-17:00 UTC")
    # the p90 of 10, 45, 120, 990 and 5730 minutes: linear interpolation gave 3618.0000000000005
    assert doc["totals"]["frt_p90_min"] == 3618.0
    figures = [(k, v) for k, v in _minute_figures(doc) if v is not None and k != "/settings/target_min"]
    assert len(figures) > 20 and any("help_frt" in k for k, _ in figures) and any("hour_of_week" in k for k, _ in figures)
    for key, value in figures:
        assert math.isfinite(value) and value == round(value, MINUTE_DECIMALS), (key, value)
