"""docs/deployment.md stays complete: every HELPFIRST_* variable the code reads, and only real commands."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import typer

from helpfirst import config
from helpfirst.cli import app

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "deployment.md"
SRC = ROOT / "src" / "helpfirst"

_VAR = re.compile(r"\b" + config.ENV_PREFIX + r"[A-Z][A-Z0-9_]*\b")
_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# `helpfirst` as a program: at a line start, after a space, a path separator or a shell operator
_CALL = re.compile(r"(?:^|[\s/;|&(])helpfirst\"?[ \t]+(?:\\\n[ \t]*)?([a-z][a-z0-9-]*)(?:[ \t]+([a-z][a-z0-9-]*))?", re.MULTILINE)


def env_vars_in(src: Path) -> set[str]:
    """HELPFIRST_* names written in the source, plus those pydantic-settings derives from config.Defaults."""
    names = {m for path in sorted(src.rglob("*.py")) for m in _VAR.findall(path.read_text(encoding="utf-8"))}
    return names | {config.ENV_PREFIX + f.name.upper() for f in fields(config.Defaults)}


def undocumented(names: set[str], doc: str) -> list[str]:
    """The names that do not appear, in backquotes, in the document."""
    return sorted(n for n in names if f"`{n}`" not in doc and f"`{n}=" not in doc)


def command_calls(doc: str) -> list[tuple[str, str | None]]:
    """(command, next word) of every `helpfirst ...` call in the document's shell and cron code blocks."""
    calls = []
    for lang, block in _FENCE.findall(doc):
        if lang.strip() in ("ini", "python", "json"):  # unit files and data: prose, not command lines
            continue
        code = re.sub(r"(^|\s)#.*", r"\1", block)  # shell comments are prose too
        calls += [m.groups() for m in _CALL.finditer(code)]
    return calls


def unknown_commands(calls: list[tuple[str, str | None]]) -> list[str]:
    """Calls whose command, or sub-command of a group, the Typer app does not have."""
    group = typer.main.get_command(app)
    bad = []
    for name, sub in calls:
        command = group.commands.get(name)
        if command is None:
            bad.append(name)
        elif hasattr(command, "commands") and sub not in command.commands:
            bad.append(f"{name} {sub}")
    return bad


def test_every_environment_variable_read_in_src_is_in_the_guide():
    names = env_vars_in(SRC)
    # the scan itself must see the variables read by literal name and the ones derived from Defaults
    assert {"HELPFIRST_DEBUG", "HELPFIRST_KB", "HELPFIRST_CACHE", "HELPFIRST_TARGET", "HELPFIRST_BUSINESS_HOURS"} <= names
    missing = undocumented(names, GUIDE.read_text(encoding="utf-8"))
    assert not missing, f"read in src/ but not documented in docs/deployment.md: {missing}"


def test_a_variable_added_to_the_code_is_caught(tmp_path):
    (tmp_path / "mod.py").write_text('import os\nos.environ.get("HELPFIRST_NEW_KNOB")\n')
    names = env_vars_in(tmp_path)
    assert "HELPFIRST_NEW_KNOB" in names
    assert undocumented(names, GUIDE.read_text(encoding="utf-8")) == ["HELPFIRST_NEW_KNOB"]


def test_every_helpfirst_command_line_in_the_guide_names_a_real_command():
    calls = command_calls(GUIDE.read_text(encoding="utf-8"))
    names = {name for name, _ in calls}
    assert len(calls) >= 8 and {"audit", "kb", "suggest", "eval"} <= names, calls
    assert not unknown_commands(calls), f"docs/deployment.md runs commands helpfirst does not have: {unknown_commands(calls)}"


def test_a_made_up_command_is_caught():
    doc = ('```bash\nhelpfirst audit a.csv   # helpfirst nightly run\nhelpfirst kb purge\n"$BIN/helpfirst" serve\n```\n'
           "```ini\nDescription=Run the helpfirst nightly audit\n```\n```\n0 2 * * * cd /x && helpfirst sync\n```\n")
    assert unknown_commands(command_calls(doc)) == ["kb purge", "serve", "sync"]
