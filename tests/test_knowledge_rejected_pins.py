"""A Pinterest pin that `kb add` rejects (a link that is no web address or goes elsewhere than it seems, no id) gives
nothing to any resource: not its own, and not the board's text, which is the text of the pins loaded from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=120)


def test_rejected_pins_give_the_board_no_text(tmp_path):
    board = {
        "id": "77", "name": "Setup help", "url": "https://www.pinterest.com/acme/setup-help/",
        "description": "How to set up your printer",
        "pins": [
            {"id": "1", "title": "Unbox the printer", "description": "Remove the orange tape", "link": "https://help.acme.com/unbox"},
            {"id": "2", "title": "Call 555-0100 for a refund", "description": "javascript pin text", "link": "javascript:alert(1)"},
            {"id": "3", "title": "Reset at the look-alike page", "description": "phishing pin text",
             "link": "https://help.acme.com@evil.example/reset"},
            {"title": "A pin without an id", "description": "no id pin text"},
            {"id": "5", "title": "Numbered link", "description": "number link pin text", "link": 42},
            "not a pin",
            {"id": "7", "title": "Load the paper", "description": "Fan the stack first"},
        ],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board))
    kb = tmp_path / "kb"
    proc = _run(tmp_path, "kb", "add", path, "--brand", "Acme", "--kb", kb, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (8, 3, 5)
    assert proc.stderr.count("rejected: ") == 5
    listed = _run(tmp_path, "kb", "list", "--kb", kb, "--json")
    assert listed.returncode == 0, listed.stderr
    resources = {r["id"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert set(resources) == {"board:77", "pin:1", "pin:7"}
    body = resources["board:77"]["body"]
    for kept in ("How to set up your printer", "Unbox the printer", "Remove the orange tape", "Load the paper",
                 "Fan the stack first"):
        assert kept in body
    everything = listed.stdout
    for gone in ("555-0100", "javascript pin text", "look-alike", "phishing pin text", "without an id", "no id pin text",
                 "Numbered link", "number link pin text", "evil.example"):
        assert gone not in everything, gone
