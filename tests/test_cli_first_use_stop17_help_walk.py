"""Every command's --help (found from the Typer app, not listed by hand) reads cleanly at 100 columns:
no '<bool>' placeholders, no '{paths}'-style Usage line, no text cut short with '…'. Typer 0.27+
changes the first two (pyproject pins typer<0.27); the last is ours: a help text or a metavar too
long for its column."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main

from helpfirst.cli import app


def command_paths() -> list[tuple[str, ...]]:
    """() for the app itself, then every command and subcommand, as typed after `helpfirst`."""
    found: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:
        found.append(path)
        # a group has commands (typer may build on its own copy of click: no isinstance check)
        for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def test_the_walk_finds_every_command():
    paths = command_paths()
    assert {("audit",), ("classify",), ("kb", "add"), ("eval", "suggest"), ("suggest",)} <= set(paths)
    assert len(paths) >= 12


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "helpfirst")
def test_help_reads_cleanly_at_100_columns(path: tuple[str, ...]):
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    env.pop("LINES", None)
    proc = subprocess.run([sys.executable, "-m", "helpfirst", *path, "--help"], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "Usage:" in text, text
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage
    assert "<bool>" not in text, text
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 100, text
