"""Untrusted names in the terminal and in the report's header (stop 16 review).

- The terminal escaped controls and bidi overrides but printed zero-width spaces, bidi marks and
  word joiners raw, so four brands 'AcmeHelp', 'Acme<U+200B>Help', '<U+200F>AcmeHelp<U+200E>' and
  'Acme<U+2060>Help' showed as four rows all reading 'AcmeHelp'. Every character of Unicode's
  categories Cc, Cf, Zl, Zp and Cs is now shown as an escape.
- A file name holding U+202E (right-to-left override) reversed the rest of the report's header line
  ('4202 beF … snoitasrevnoc'); file names are now isolated (<bdi>), checked in real Chromium.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from helpfirst.measure.display import INVISIBLE_RANGES, visible

from .test_report_browser import Visit, browser  # noqa: F401  (the browser fixture)

HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def test_every_hidden_character_of_this_python_is_escaped():
    covered = set()
    for a, b in INVISIBLE_RANGES:
        covered.update(range(a, b + 1))
    missing = [f"U+{cp:04X}" for cp in range(sys.maxunicode + 1)
               if unicodedata.category(chr(cp)) in HIDDEN_CATEGORIES and cp not in covered]
    assert missing == []
    # and nothing a person reads as text is in the list
    shown = [f"U+{cp:04X}" for cp in sorted(covered) if unicodedata.category(chr(cp)) in ("Lu", "Ll", "Lo", "Nd", "Mn", "So")]
    assert shown == []


def test_visible_keeps_ordinary_text_and_escapes_hidden_characters():
    assert visible("Café 😀 e\u0301 Straße") == "Café 😀 e\u0301 Straße"
    assert visible("Acme\u200bHelp") == "Acme\\u200bHelp"
    assert visible("\u200fAcme\u00adHelp\ufeff") == "\\u200fAcme\\xadHelp\\ufeff"
    assert visible("tag\U000e0041") == "tag\\U000e0041"


def test_lookalike_brands_are_told_apart_in_the_terminal(tmp_path):
    names = ["AcmeHelp", "Acme\u200bHelp", "\u200fAcmeHelp\u200e", "Acme\u2060Help"]
    lines = []
    for k, name in enumerate(names):
        lines.append({"id": f"c{k}", "author": f"u{k}", "author_role": "customer", "brand": name,
                      "created_at": "2024-03-04T09:00:00Z", "text": "my order is late"})
        lines.append({"id": f"r{k}", "parent_id": f"c{k}", "author": name, "author_role": "brand", "brand": name,
                      "created_at": f"2024-03-04T09:{10 + k:02d}:00Z", "text": "sorry about that"})
    archive = tmp_path / "lookalikes.jsonl"
    archive.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(archive), "--no-signals"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for raw in ("\u200b", "\u200f", "\u200e", "\u2060"):
        assert raw not in out
    for shown in ("Acme\\u200bHelp", "\\u200fAcmeHelp\\u200e", "Acme\\u2060Help"):
        assert shown in out


def test_a_right_to_left_override_in_a_file_name_stays_inside_it(browser, tmp_path):  # noqa: F811
    rows = [
        {"id": "c1", "author": "u1", "author_role": "customer", "brand": "Acme",
         "created_at": "2024-02-01T09:00:00Z", "text": "my order is late"},
        {"id": "r1", "parent_id": "c1", "author": "Acme", "author_role": "brand", "brand": "Acme",
         "created_at": "2024-02-01T09:10:00Z", "text": "sorry"},
    ]
    archive = tmp_path / "\u202elnosj.jsonl"
    archive.write_text("".join(json.dumps(x) + "\n" for x in rows), encoding="utf-8")
    report = tmp_path / "r.html"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(archive), "--no-signals",
                           "--report", str(report)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    visit = Visit(browser, report)
    # Where the words after the file name are drawn: with the override leaking, "conversations
    # opened from" is drawn reversed and to the LEFT of the file name; isolated, it stays right of it.
    where = visit.page.evaluate("""() => {
        const sub = document.querySelector('header .sub');
        const walker = document.createTreeWalker(sub, NodeFilter.SHOW_TEXT);
        let name = null, words = null, node;
        while ((node = walker.nextNode())) {
            if (node.data.includes('lnosj.jsonl')) name = node;
            const at = node.data.indexOf('conversations opened from');
            if (at >= 0) words = [node, at];
        }
        const r1 = document.createRange(); r1.selectNodeContents(name);
        const r2 = document.createRange(); r2.setStart(words[0], words[1]); r2.setEnd(words[0], words[1] + 13);
        return {name: r1.getBoundingClientRect().left, words: r2.getBoundingClientRect().left,
                nameRight: r1.getBoundingClientRect().right};
    }""")
    assert where["words"] > where["nameRight"] - 1, where
    visit.assert_clean()
