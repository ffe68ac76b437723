"""Different pages keep different keys and ids: only real tracking parameters are dropped, hash routes are kept,
and a YouTube watch link from a playlist is the video itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpfirst.knowledge.models import derived_id
from helpfirst.knowledge.urls import canonical_url, path_key, url_words

DIFFERENT = [
    ("https://community.acme.com/viewtopic.php?t=101", "https://community.acme.com/viewtopic.php?t=202"),
    ("https://www.acme.com/index.php?page=returns", "https://www.acme.com/index.php?page=warranty"),
    ("https://shop.acme.com/search?s=router", "https://shop.acme.com/search?s=modem"),
    ("https://acme.com/doc?source=a.pdf", "https://acme.com/doc?source=b.pdf"),
    ("https://acme.com/img?src=1", "https://acme.com/img?src=2"),
    ("https://acme.com/kb?ref=KB1", "https://acme.com/kb?ref=KB2"),
    ("https://acme.com/cat?cid=7", "https://acme.com/cat?cid=8"),
    ("https://acme.com/faq?lang=en", "https://acme.com/faq?lang=fr"),
    ("https://acme.com/f?feature=wifi", "https://acme.com/f?feature=bluetooth"),
    ("https://acme.com/s?share=a", "https://acme.com/s?share=b"),
    ("https://help.acme.com/#/articles/reset", "https://help.acme.com/#/articles/billing"),
    ("https://help.acme.com/#!/shipping", "https://help.acme.com/#/articles/reset"),
]


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_different_pages_keep_different_keys_and_ids(a, b):
    assert canonical_url(a) != canonical_url(b)
    assert derived_id(a) != derived_id(b)


SAME = [
    ("https://acme.com/a?id=1", "https://acme.com/a?id=1&utm_source=x&utm_campaign=y&fbclid=1&gclid=2&mc_cid=3&mc_eid=4&igshid=5"),
    ("https://acme.com/a?id=1", "https://acme.com/a?msclkid=1&id=1&_ga=2&_hsenc=3&mkt_tok=4"),
    ("https://help.acme.com/#/articles/reset", "https://help.acme.com/#/articles/reset/"),
    ("https://help.acme.com/a", "https://help.acme.com/a#section-2"),
    # Google Help's session and navigation parameters, on its own host only
    ("https://support.google.com/youtube/answer/1?hl=en", "https://support.google.com/youtube/answer/1?hl=en&visit_id=6371&rd=1&ref_topic=9"),
    # a watch link from a playlist, with a start time or a share id, is the video
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLabc123&index=2"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://youtube.com/watch?list=PLabc&v=dQw4w9WgXcQ&t=42s&si=x&pp=y"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/embed/dQw4w9WgXcQ?list=PLabc"),
]


@pytest.mark.parametrize("a,b", SAME)
def test_same_page_same_key(a, b):
    assert canonical_url(a) == canonical_url(b) != ""


def test_host_specific_parameters_stay_on_other_hosts():
    assert canonical_url("https://acme.com/a?rd=1") != canonical_url("https://acme.com/a?rd=2")
    assert canonical_url("https://acme.com/v?si=1") != canonical_url("https://acme.com/v?si=2")
    # a playlist page is not a video: its list is what it is
    assert canonical_url("https://www.youtube.com/playlist?list=PLa") != canonical_url("https://www.youtube.com/playlist?list=PLb")


def test_watch_link_from_a_playlist_is_the_video_resource():
    assert canonical_url("https://www.youtube.com/watch?v=AbC_12&list=PLx&index=2") == "youtube.com/watch?v=AbC_12"


def test_hash_routes_are_part_of_the_path_key_and_url_words():
    assert path_key("https://help.acme.com/#/articles/reset?x=1") != path_key("https://help.acme.com/#/articles/billing")
    assert path_key("https://help.acme.com/a?id=1#top") == "help.acme.com/a"
    assert url_words("https://help.acme.com/#/articles/resetPassword") == "help acme articles reset password"


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300, cwd=cwd)


def test_kb_add_keeps_forum_topics_query_pages_and_spa_routes_apart(tmp_path):
    forum = tmp_path / "forum.jsonl"
    forum.write_text("".join(json.dumps({"brand": "Acme", "kind": "article", "url": u, "title": t}) + "\n" for u, t in [
        ("https://community.acme.com/viewtopic.php?t=101", "Router firmware 2.1 known issues"),
        ("https://community.acme.com/viewtopic.php?t=202", "Bluetooth pairing fails on Android 14"),
        ("https://www.acme.com/index.php?page=returns", "Returns policy"),
        ("https://www.acme.com/index.php?page=warranty", "Warranty"),
    ]))
    spa = tmp_path / "spa.csv"
    spa.write_text("brand,kind,url,title,body\n"
                   "Acme,article,https://help.acme.com/#/articles/reset,Reset your password,Tap forgot password\n"
                   "Acme,article,https://help.acme.com/#/articles/billing,Billing questions,Invoices and plans\n"
                   "Acme,article,https://help.acme.com/#!/shipping,Shipping,Orders ship in 2 days\n")
    proc = run("kb", "add", str(forum), "--kb", str(tmp_path / "kbforum"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["loaded"], doc["added"], doc["total"]) == (4, 4, 4)
    proc = run("kb", "add", str(spa), "--kb", str(tmp_path / "kbspa"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["loaded"], doc["added"], doc["total"]) == (3, 3, 3)
