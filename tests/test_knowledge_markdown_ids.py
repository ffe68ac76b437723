"""A Markdown page with no id and no url gets one id whichever folder above it is given to `kb add`."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


def ids(kb) -> dict[str, str]:
    return {r["title"]: r["id"] for r in map(json.loads, (kb / "resources.jsonl").read_text().splitlines())}


def test_the_same_faq_is_one_resource_whichever_parent_folder_is_given(tmp_path):
    md = tmp_path / "hc" / "md"
    (md / "other").mkdir(parents=True)
    (md / "noaddr.md").write_text("# Opening hours\nWe answer from 9 to 5.\n")
    (md / "other" / "noaddr.md").write_text("# Holidays\nClosed on public holidays.\n")
    (md / "router.md").write_text("---\nurl: https://help.acme.com/router\n---\n# Router\nRestart it.\n")
    kb = tmp_path / "kb"
    first = run("kb", "add", str(md), "--brand", "Acme", "--kb", str(kb), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 3
    before = ids(kb)
    # two files of one name in different folders stay apart; the id names the file
    assert before["Opening hours"] != before["Holidays"]
    assert before["Opening hours"].startswith("md:noaddr.md:")
    for given in (tmp_path / "hc", md / "noaddr.md", md / "other"):
        again = run("kb", "add", str(given), "--brand", "Acme", "--kb", str(kb), "--json")
        assert again.returncode == 0, again.stderr
        doc = json.loads(again.stdout)
        assert (doc["added"], doc["total"]) == (0, 3), (given, doc)
    assert ids(kb) == before
