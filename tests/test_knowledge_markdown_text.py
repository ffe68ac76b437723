"""Markdown FAQ answers keep every character of their text: only Markdown syntax is removed (parsed with markdown-it-py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpfirst.knowledge.sources.markdown import markdown_text

ANSWER = ("Go to Settings > Wi-Fi > Advanced and set the value to < 10. Use `a_b_c` and 2*3*4 = 24. "
          "Email support@acme.com. Price: $5 & up. C:\\Users\\name path. Use #hashtag and 5 # 6.")
EXPECTED = ("Go to Settings > Wi-Fi > Advanced and set the value to < 10. Use a_b_c and 2*3*4 = 24. "
            "Email support@acme.com. Price: $5 & up. C:\\Users\\name path. Use #hashtag and 5 # 6.")


def test_literal_characters_of_the_text_stay():
    assert markdown_text(ANSWER) == EXPECTED
    assert markdown_text("Tap a|b then ~ and x_y_z and under_score_name") == "Tap a|b then ~ and x_y_z and under_score_name"


def test_markdown_syntax_goes():
    md = ("## Steps\n\n- Tap **Forgot password** and *then* follow [the link](https://help.acme.com/x).\n"
          "* second bullet\n1. numbered ![the logo](logo.png)\n\n> quoted _tip_\n\n```\npip install acme\n```\n\n"
          "| Plan | Price |\n|---|---|\n| Basic | $5 |\n\n~~old~~ new\n")
    assert markdown_text(md).splitlines() == [
        "Steps", "Tap Forgot password and then follow the link.", "second bullet", "numbered the logo",
        "quoted tip", "pip install acme", "Plan | Price", "Basic | $5", "old new"]


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def test_kb_add_stores_the_answer_as_written_and_the_heading_as_title_only(tmp_path):
    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "a.md").write_text(f"---\ntitle: Menu paths\nurl: https://help.acme.com/menu\n---\n{ANSWER}\n")
    (tmp_path / "md" / "b.md").write_text("---\nurl: https://help.acme.com/wifi\n---\n# Wi-Fi *keeps* dropping\n\nTurn band steering off.\n")
    kb = tmp_path / "kb"
    proc = run("kb", "add", str(tmp_path / "md"), "--brand", "Acme", "--kb", str(kb), "--json")
    assert proc.returncode == 0, proc.stderr
    stored = {r["url"]: r for r in map(json.loads, (kb / "resources.jsonl").read_text().splitlines())}
    assert stored["https://help.acme.com/menu"]["body"] == EXPECTED
    wifi = stored["https://help.acme.com/wifi"]
    assert (wifi["title"], wifi["body"]) == ("Wi-Fi keeps dropping", "Turn band steering off.")
