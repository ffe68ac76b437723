"""docs/cli.md documents every kb/eval sub-command and every option of kb, suggest and eval."""

from __future__ import annotations

from pathlib import Path

import typer

from helpfirst.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _leaves(command, path: str):
    """(command line, command) of every runnable command below a group, sub-commands included."""
    children = getattr(command, "commands", None)
    if not children:
        yield path, command
        return
    for name, child in children.items():
        yield from _leaves(child, f"{path} {name}")


def test_sub_commands_and_their_options_are_documented():
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(app)
    leaves = [leaf for top in ("kb", "eval", "suggest") for leaf in _leaves(group.commands[top], top)]
    options = [(line, opts) for line, cmd in leaves for p in cmd.params
               if getattr(p, "param_type_name", "") == "option" for opts in [[o for o in p.opts if o != "--help"]]]
    assert len(leaves) >= 5 and len(options) >= 20
    undocumented = [f"command {line}" for line, _ in leaves if f"`helpfirst {line}" not in text]
    undocumented += [f"{line} {opts[0]}" for line, opts in options if not any(f"`{o}" in text for o in opts)]
    assert not undocumented, f"undocumented in docs/cli.md: {undocumented}"


def test_suggest_docs_cover_formats_protocol_and_numbers():
    text = (DOCS / "suggest.md").read_text()
    for term in ("recall@1", "recall@5", "MRR@10", "backtest", "tune", "report", "X 280", "Mastodon 500", "Bluesky 300",
                 "archive.org", "outcome", "p95"):
        assert term in text, term
    formats = (DOCS / "formats.md").read_text()
    for term in ("Help resources", "front matter", "sitemap", "playlistItems", "Pinterest"):
        assert term in formats, term
