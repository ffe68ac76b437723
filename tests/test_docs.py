"""The docs stay complete: every command and every option of the CLI is documented in docs/cli.md."""

from __future__ import annotations

from pathlib import Path

import typer

from helpfirst.cli import app

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_command_and_option_is_documented():
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(app)
    missing = []
    checked = 0
    for name, command in group.commands.items():
        if f"`helpfirst {name}" not in text:
            missing.append(f"command {name}")
        for param in command.params:
            if getattr(param, "param_type_name", "") == "option":
                checked += 1
                if not any(f"`{opt}" in text for opt in param.opts if opt != "--help"):
                    missing.append(f"{name} {param.opts[0]}")
    assert checked >= 15 and "audit" in group.commands
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_metric_definitions_cover_the_json_fields():
    text = (DOCS / "metrics.md").read_text().lower()
    for term in ["conversations", "answered", "coverage", "frt median", "p90", "within target", "business", "orphan", "bot"]:
        assert term in text, term


def _json_blocks(text: str) -> list[str]:
    return _code_blocks(text, "json")


def test_cli_md_audit_example_is_what_the_audit_gives(shared_data):
    """The JSON example of docs/cli.md (twcs-head5k, core scorecard) holds the program's real figures."""
    import json

    from typer.testing import CliRunner

    example = next(json.loads(b) for b in _json_blocks((DOCS / "cli.md").read_text()) if '"rows_read": 5001' in b)
    result = CliRunner().invoke(app, ["audit", str(shared_data / "twcs-head5k" / "twcs-head5k.csv"), "--json", "--no-signals"])
    assert result.exit_code == 0, result.output
    real = json.loads(result.stdout)
    for key in ("rows_read", "rows_loaded", "rows_rejected", "rejections_listed", "threads"):
        assert real[key] == example[key], key
    assert [(r["line"], r["reason"]) for r in real["rejections"][:1]] == [(r["line"], r["reason"]) for r in example["rejections"]]
    documented, actual = example["brands"]["AppleSupport"], real["brands"]["AppleSupport"]
    for key, value in documented.items():
        if key == "vanity":
            assert actual["vanity"] == value
        elif isinstance(value, float):  # shown rounded to as many decimals as the example writes
            decimals = len(repr(value).split(".")[1])
            assert round(actual[key], decimals) == value, key
        else:
            assert actual[key] == value, key
    assert real["totals"]["conversations"] == example["totals"]["conversations"]
    for table, key in (("hour_of_week", "hour_of_week"), ("daily", "day")):
        for documented in (row for row in example[table]["totals"] if isinstance(row, dict)):
            actual = next(row for row in real[table]["totals"] if row[key] == documented[key])
            for field, value in documented.items():
                if isinstance(value, float):
                    decimals = len(repr(value).split(".")[1])
                    assert round(actual[field], decimals) == value, (table, field)
                else:
                    assert actual[field] == value, (table, field)


def _code_blocks(text: str, language: str) -> list[str]:
    """The bodies of a Markdown text's fenced blocks of one language."""
    blocks, inside, lines = [], False, []
    for line in text.splitlines():
        if line.strip() == f"```{language}":
            inside, lines = True, []
        elif inside and line.strip() == "```":
            inside = False
            blocks.append("\n".join(lines))
        elif inside:
            lines.append(line)
    return blocks


def test_python_examples_in_the_docs_run_as_written(capsys):
    """Every ```python block in docs/ and the README runs as written (a user copies them)."""
    blocks = [(path.name, code) for path in [*sorted(DOCS.glob("*.md")), DOCS.parent / "README.md"]
              for code in _code_blocks(path.read_text(), "python")]
    assert blocks, "no python examples found"
    for name, code in blocks:
        exec(compile(code, f"<{name} example>", "exec"), {"__name__": "__doc_example__"})
    printed = capsys.readouterr().out.split()
    assert printed[:2] == ["problem", "redirect"], printed  # the signals example's own first line
