"""Text beyond ASCII is searchable: accents folded, other scripts kept, Chinese/Japanese/Korean as character pairs."""

from __future__ import annotations

import json

from helpfirst.knowledge.text import tokenize, tokenize_post

from .test_suggest_cli import run, suggest_lines, write_jsonl


def test_accented_words_meet_their_plain_spelling():
    assert tokenize("contraseña olvidada") == tokenize("contrasena olvidada") == ["contrasena", "olvidada"]
    assert tokenize("My café Wi-Fi") == tokenize("my cafe wi-fi")
    assert tokenize("Пароль не работает") == ["пароль", "не", "работает"]


def test_japanese_is_cut_into_character_pairs_and_mixed_words_split():
    assert tokenize_post("@AmazonHelp ルーター") == ["ルー", "ータ", "ター"]
    assert tokenize("Fire TV Stickが見れない") == ["fire", "tv", "stick", "が見", "見れ", "れな", "ない"]
    assert tokenize("ｶﾀｶﾅ") == tokenize("カタカナ")  # half-width katakana folded


def test_marks_stay_in_their_words_and_optional_vowel_marks_fold():
    assert tokenize("मेरा ऑर्डर नहीं आया") == ["मेरा", "ऑर्डर", "नहीं", "आया"]  # vowel signs were word breaks
    assert tokenize("طَلَبِي لَمْ يَصِلْ") == tokenize("طلبي لم يصل") == ["طلبي", "لم", "يصل"]  # harakat gave no tokens at all
    assert tokenize("שָׁלוֹם") == ["שלום"]


def test_decomposed_accents_symbols_and_single_characters():
    assert tokenize("Me\u0301xico") == tokenize("México") == ["mexico"]  # NFD took the ASCII path: "me", "xico"
    assert tokenize("Prime™ café") == tokenize("Prime cafe")  # was "primetm"
    assert tokenize("钱") == ["钱"] and tokenize("人々") == ["人々"]  # one character is a word in Chinese


def test_emoji_separate_words_and_change_nothing_else():
    assert tokenize("my router 😀 keeps😀dropping") == tokenize("my router keeps dropping")


def test_a_japanese_request_finds_the_japanese_article(tmp_path):
    kb = write_jsonl(tmp_path / "kb.jsonl", [
        {"id": "wifi", "brand": "AmazonHelp", "url": "https://help.example.jp/wifi", "title": "Fire TV Stickがインターネットに接続できない"},
        {"id": "pay", "brand": "AmazonHelp", "url": "https://help.example.jp/pay", "title": "お支払い方法の変更"},
    ])
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "q1", "brand": "AmazonHelp", "posts": [{"role": "customer", "text": "Fire TV Stickがインターネットにつながりません"}]},
    ])
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", "--index", str(tmp_path / "ix"))
    assert proc.returncode == 0, proc.stderr
    (out,) = suggest_lines(proc)
    assert out["suggestions"][0]["resource_id"] == "wifi"
    assert "イン" in out["suggestions"][0]["reason"]  # the reason names the words shared, pairs for Japanese
    search = run("kb", "add", str(kb), "--kb", str(tmp_path / "store"))
    assert search.returncode == 0, search.stderr
    found = run("kb", "search", "お支払い", "--kb", str(tmp_path / "store"), "--json")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()][:1] == ["pay"]
