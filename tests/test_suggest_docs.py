"""docs/cli.md documents every kb/eval sub-command and every option of kb, suggest and eval."""

from __future__ import annotations

from pathlib import Path

import typer

from helpfirst.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_sub_commands_and_their_options_are_documented():
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(app)
    missing = []
    checked = 0
    for top in ("kb", "eval", "suggest"):
        command = group.commands[top]
        subs = getattr(command, "commands", None)
        items = {f"{top} {name}": sub for name, sub in subs.items()} if subs else {top: command}
        for name, cmd in items.items():
            if f"`helpfirst {name}" not in text:
                missing.append(f"command {name}")
            for param in cmd.params:
                if getattr(param, "param_type_name", "") == "option":
                    checked += 1
                    if not any(f"`{opt}" in text for opt in param.opts if opt != "--help"):
                        missing.append(f"{name} {param.opts[0]}")
    assert checked >= 20
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_suggest_docs_cover_formats_protocol_and_numbers():
    text = (DOCS / "suggest.md").read_text()
    for term in ("recall@1", "recall@5", "MRR@10", "backtest", "tune", "report", "X 280", "Mastodon 500", "Bluesky 300",
                 "archive.org", "outcome", "p95"):
        assert term in text, term
    formats = (DOCS / "formats.md").read_text()
    for term in ("Help resources", "front matter", "sitemap", "playlistItems", "Pinterest"):
        assert term in formats, term
