"""Brand handles (review 3): an empty one is an error; handles are compared NFC-normalised, where
their case is folded, so a brand written with decomposed accents is the brand given composed."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from helpfirst.ingest import ImportFailed, ImportOptions, ImportReport, read_posts

NFC = unicodedata.normalize("NFC", "ŠkodaHelp")
NFD = unicodedata.normalize("NFD", "ŠkodaHelp")


def audit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "audit", *args, "--no-signals"],
                          capture_output=True, text=True, timeout=120)


def plain_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ok.csv"
    path.write_text(
        "id,author,created_at,text,parent_id\n"
        "1,sam,2024-02-01T09:00:00Z,hi @AcmeHelp help,\n"
        "2,AcmeHelp,2024-02-01T09:05:00Z,@sam ok,1\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("given", ["", "@", "  ", " @ "])
def test_an_empty_brand_handle_is_an_error(tmp_path, given):
    done = audit(str(plain_csv(tmp_path)), "--brand", given, "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"--brand {given!r}: a brand handle cannot be empty" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_empty_bot_handle_is_an_error(tmp_path):
    report = ImportReport()
    with pytest.raises(ImportFailed, match=r"^--bot '@': a bot handle cannot be empty"):
        list(read_posts([plain_csv(tmp_path)], ImportOptions(brands=frozenset({"AcmeHelp"}), bots=frozenset({"@"})), report))


def test_brand_posts_in_nfd_match_the_brand_given_in_nfc(tmp_path):
    path = tmp_path / "nfd.csv"
    path.write_text(
        "id,author,created_at,text,parent_id\n"
        f"1,sam,2024-02-01T09:00:00Z,hi @{NFD} help,\n"
        f"2,{NFD},2024-02-01T09:05:00Z,@sam ok,1\n",
        encoding="utf-8",
    )
    done = audit(str(path), "--brand", NFC, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert list(doc["brands"]) == [NFC]
    assert doc["brands"][NFC]["conversations"] == 1 and doc["brands"][NFC]["answered"] == 1
    assert doc["brands"][NFC]["frt_median_min"] == 5.0


def test_brand_given_in_nfd_matches_posts_in_nfc_and_is_named_once(tmp_path):
    path = tmp_path / "nfc.jsonl"
    rows = [{"id": "1", "author": "sam", "created_at": "2024-02-01T09:00:00Z", "text": f"hi @{NFC}"},
            {"id": "2", "author": NFC.upper(), "created_at": "2024-02-01T09:05:00Z", "text": "@sam ok", "parent_id": "1"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(brands=frozenset({NFD})), report))
    posts = [row for b in batches for row in b.to_pylist()]
    assert [p["author_role"] for p in posts] == ["customer", "brand"]
    assert posts[1]["brand"] == NFC
    assert ImportOptions(brands=frozenset({NFD}), bots=frozenset({NFD})).brands == frozenset({NFC})


def test_x_v2_brand_account_in_nfd_is_the_brand(tmp_path):
    path = tmp_path / "x.jsonl"
    page = {"data": [{"id": "1", "author_id": "u1", "created_at": "2024-02-01T09:00:00.000Z", "text": "hi"},
                     {"id": "2", "author_id": "u2", "created_at": "2024-02-01T09:05:00.000Z", "text": "ok",
                      "referenced_tweets": [{"type": "replied_to", "id": "1"}]}],
            "includes": {"users": [{"id": "u1", "username": "sam"}, {"id": "u2", "username": NFD}]}}
    path.write_text(json.dumps(page) + "\n", encoding="utf-8")
    report = ImportReport()
    posts = [row for b in read_posts([path], ImportOptions(brands=frozenset({NFC})), report) for row in b.to_pylist()]
    assert [(p["author"], p["author_role"], p["brand"]) for p in posts] == [("sam", "customer", None), (NFC, "brand", NFC)]
