"""Mentions do not depend on the Unicode normalisation of the post text (docs/formats.md: matching
ignores Unicode normalisation; docs/metrics.md: '@Acmeé' does not mention Acme). '@Acme' + U+0301
(the NFD spelling of '@Acmé') is the handle 'Acmé', exactly like the NFC '@Acmé': neither mentions
Acme, and both mention a brand called 'Acmé'. Texts are not normalised (the audit stays fast): the
patterns keep combining marks inside a handle and know both spellings of each brand. Real CLI on
real JSONL files, for the scorecard's conversation brand and for the importers' --brand fill.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from helpfirst.ingest import ImportOptions, ImportReport, read_posts

from .test_cli import run

NFD_ACME_E = "Acme\u0301"  # 'Acmé' decomposed
NFC_ACME_E = "Acm\u00e9"
assert unicodedata.normalize("NFC", NFD_ACME_E) == NFC_ACME_E


def _write(tmp_path, rows, name="posts.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _brand_post(author: str) -> dict:
    return {"id": f"b-{author}", "author": author, "author_role": "brand", "brand": author,
            "created_at": "2024-03-04T08:00:00Z", "text": "x"}


def _request(i: int, text: str, role: str = "customer") -> dict:
    row = {"id": f"r{i}", "author": f"u{i}", "created_at": "2024-03-04T10:00:00Z", "text": text}
    if role:
        row["author_role"] = role
    return row


def _conversations(path, *args) -> dict[str, int]:
    proc = run("audit", str(path), "--json", "--no-signals", *args)
    assert proc.returncode == 0, proc.stderr
    return {b: f["conversations"] for b, f in json.loads(proc.stdout)["brands"].items() if f["conversations"]}


@pytest.mark.parametrize("spelling", [NFD_ACME_E, NFC_ACME_E], ids=["nfd", "nfc"])
def test_accented_handle_does_not_mention_the_plain_brand(tmp_path, spelling):
    rows = [_brand_post("Acme"), _brand_post("Zed"), _request(1, f"@{spelling} @Zed")]
    assert _conversations(_write(tmp_path, rows)) == {"Zed": 1}


def test_decomposed_mention_names_the_accented_brand(tmp_path):
    rows = [
        _brand_post(NFC_ACME_E), _brand_post("Zed"),
        _request(1, f"@{NFD_ACME_E} help"),  # first mention
        _request(2, f"hi @someone and @{NFD_ACME_E.upper()} help"),  # found by the known-brand search
        _request(3, f"@{NFC_ACME_E} help"),
        _request(4, "@Zed help"),
    ]
    assert _conversations(_write(tmp_path, rows)) == {NFC_ACME_E: 3, "Zed": 1}


@pytest.mark.parametrize("spelling", [NFD_ACME_E, NFC_ACME_E], ids=["nfd", "nfc"])
def test_importer_fill_ignores_the_normalisation_too(tmp_path, spelling):
    # rows without author_role: the --brand mention fill of the importer decides their brand
    rows = [_request(1, f"@{spelling} @Zed", role=""), _request(2, f"@{spelling}é hi", role=""),
            _request(3, f"@{spelling} hi", role="")]
    path = _write(tmp_path, rows)
    report = ImportReport()
    opts = ImportOptions(brands=frozenset({"Acme", "Zed"}))
    got = {r["id"]: r["brand"] for b in read_posts([path], opts, report, fmt="jsonl") for r in b.to_pylist()}
    assert got == {"r1": "Zed", "r2": None, "r3": None}
    report = ImportReport()
    opts = ImportOptions(brands=frozenset({"Acme", NFC_ACME_E}))
    got = {r["id"]: r["brand"] for b in read_posts([path], opts, report, fmt="jsonl") for r in b.to_pylist()}
    assert got == {"r1": NFC_ACME_E, "r2": None, "r3": NFC_ACME_E}
    assert _conversations(path, "--brand", "Acme", "--brand", "Zed") == {"Zed": 1, "(unknown)": 2}
