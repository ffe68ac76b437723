"""Drafts never promise a link they do not have: link-less resources, voice templates without {url} or {mention}."""

from __future__ import annotations

import json

import pytest

from helpfirst.suggest.draft import Voice, draft_reply
from tests.test_suggest_cli import run, suggest_lines, write_jsonl

KB = [{"id": "cycle", "brand": "Acme", "kind": "article", "title": "Billing cycle", "body": ""},  # no link, no text
      {"id": "reset", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/reset", "title": "Reset your password"}]
QUERY = {"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "when is my billing cycle", "author": "fred"}]}


def test_a_resource_without_link_is_not_drafted_as_a_link(tmp_path):
    kb, q = write_jsonl(tmp_path / "kb.jsonl", KB), write_jsonl(tmp_path / "q.jsonl", [QUERY])
    out = suggest_lines(run("suggest", "--kb", str(kb), "--input", str(q), "--k", "1", "--json", "--semantic", "off",
                            "--index", str(tmp_path / "ix")))[0]
    assert out["suggestions"][0]["resource_id"] == "cycle"
    # before: "@fred This article should help: Billing cycle Let us know if it works for you!"
    assert out["draft"] == "@fred Our help center has an article on this: “Billing cycle” Let us know if it works for you!"


def test_a_resource_without_link_drafts_its_answer_text_when_it_has_one():
    text = draft_reply(Voice.from_dict({}), "x", "fred", "article", "Billing cycle", "", "Invoices are issued on the first of the month.")
    assert text == "@fred Here's the answer: Invoices are issued on the first of the month. Let us know if it works for you!"


def test_a_voice_without_url_or_mention_is_rejected(tmp_path):
    kb, q = write_jsonl(tmp_path / "kb.jsonl", KB), write_jsonl(tmp_path / "q.jsonl", [QUERY])
    voice = tmp_path / "v2.json"
    voice.write_text(json.dumps({"Acme": {"template": "{opening} {title} {closing}"}}))
    proc = run("suggest", "--kb", str(kb), "--input", str(q), "--voice", str(voice), "--semantic", "off", "--index", str(tmp_path / "ix"))
    # before: accepted, and every draft had neither the customer's handle nor the link
    assert proc.returncode != 0 and proc.stdout == "", proc.stdout
    assert f"{voice}: the template of 'acme' has no {{mention}} and no {{url}}" in proc.stderr
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"Acme": {"template": "{mention} {title}: {url} {signature}", "opening": "Try this:"}}))
    assert run("suggest", "--kb", str(kb), "--input", str(q), "--voice", str(ok), "--semantic", "off",
               "--index", str(tmp_path / "ix")).returncode == 0


def test_a_voice_is_found_however_its_brand_key_is_spelled(tmp_path):
    from helpfirst.suggest.draft import load_voices

    path = tmp_path / "voices.json"
    path.write_text(json.dumps({" @AcmeHelp ": {"signature": "^AH"}}))
    voices = load_voices(path)
    assert voices["acmehelp"].signature == "^AH"  # the key service.py looks it up by (brand_key)


def test_two_spellings_of_one_brand_in_a_voice_file_are_refused(tmp_path):
    from helpfirst.suggest.draft import VoiceError, load_voices

    path = tmp_path / "voices.json"
    path.write_text(json.dumps({"@Acme": {"signature": "^A"}, "acme": {"signature": "^B"}}))
    with pytest.raises(VoiceError, match="'@Acme' and 'acme' name the same brand"):
        load_voices(path)
