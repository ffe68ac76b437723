"""Voice templates after a third review: only plain placeholders of the known fields."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

RESOURCE = {"id": "wifi", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/wifi",
            "title": "Wi-Fi keeps dropping", "body": "Turn band steering off."}
QUERY = {"id": "q", "brand": "Acme", "customer": "sam", "posts": [{"text": "my wifi keeps dropping"}]}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=300,
                          encoding="utf-8", env={**os.environ, "HF_HUB_OFFLINE": "1"})


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "kb.jsonl").write_text(json.dumps(RESOURCE) + "\n", encoding="utf-8")
    (tmp_path / "q.jsonl").write_text(json.dumps(QUERY) + "\n", encoding="utf-8")
    return tmp_path


def suggest(folder, voices: dict) -> subprocess.CompletedProcess:
    (folder / "voices.json").write_text(json.dumps(voices), encoding="utf-8")
    return run("suggest", "--kb", str(folder / "kb.jsonl"), "--input", str(folder / "q.jsonl"), "--voice", str(folder / "voices.json"),
               "--json", "--semantic", "off", "--index", str(folder / "index"))


PLAIN = ("only plain placeholders of {mention}, {opening}, {title}, {url}, {answer}, {closing}, {signature} "
         "(no attribute or index access, conversion or format spec)")


@pytest.mark.parametrize("placeholder", ["{url.__class__}", "{title:>999999999}", "{title!r}", "{url[0]}", "{title:{url}}",
                                         "{}", "{0}", "{nope}", "{title!s:>5}"])
def test_a_template_with_more_than_plain_placeholders_is_refused_at_load(inputs, placeholder):
    template = f"{{mention}} {placeholder} {{url}}"
    started = time.perf_counter()
    proc = suggest(inputs, {"default": {"closing": "Bye"}, "AcmeHelp": {"template": template}})
    assert time.perf_counter() - started < 60
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == (f"error: {inputs / 'voices.json'}: the template of 'acmehelp' has {placeholder}: {PLAIN}; "
                                   f"template: {template!r}"), proc.stderr


@pytest.mark.parametrize("template", ["{mention} {url} {title", "{mention} {url} }", "{mention} {url} {title!}"])
def test_a_broken_template_is_refused_naming_the_brand(inputs, template):
    proc = suggest(inputs, {"Acme": {"template": template}})
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {inputs / 'voices.json'}: the template of 'acme' is broken (") and f"template: {template!r}" in proc.stderr


def test_a_bad_default_template_is_named_as_the_default(inputs):
    proc = suggest(inputs, {"Acme": {"closing": "x"}, "default": {"template": "{mention} {url.real} {url}"}})
    assert proc.returncode == 1 and "the template of 'default' has {url.real}" in proc.stderr


def test_plain_placeholders_and_doubled_braces_still_draft(inputs):
    proc = suggest(inputs, {"Acme": {"template": "{mention} {{tip}} {opening} {title} {url} {signature}", "signature": "^AH {url}"}})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["draft"] == ("@sam {tip} This article should help: Wi-Fi keeps dropping "
                                                "https://help.acme.com/wifi ^AH {url}")


@pytest.mark.parametrize("spec, message", [
    ({"opening": ["x"]}, "the opening of 'acme' must be a string, or an object of kind -> string, not [\"x\"]"),
    ({"opening": {"article": 5}}, "the opening of 'acme' for 'article' must be a string, not 5"),
    ({"opening": {"poster": "Look:"}}, "the opening of 'acme' names an unknown kind 'poster' (kinds: article, video, board, faq, unlinked)"),
    ({"closing": {"a": 1}}, "the closing of 'acme' must be a string, not {\"a\": 1}"),
    ({"template": 5}, "the template of 'acme' must be a string, not 5"),
    ({"closin": "Bye"}, "the voice of 'acme' has an unknown key 'closin' (a voice has template, opening, closing, signature)"),
])
def test_a_voice_value_that_is_not_text_or_a_key_no_voice_has_is_refused(inputs, spec, message):
    proc = suggest(inputs, {"Acme": spec})
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == f"error: {inputs / 'voices.json'}: {message}", proc.stderr
