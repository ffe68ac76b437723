"""The command line as a user runs it: real processes, real files, one-line errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import TWCS_HEADER, write_twcs

ROWS = [
    (1, "101", True, 0, "@Acme my router keeps dropping", None),
    (2, "Acme", False, 10, "@101 try restarting it", 1),
    (3, "102", True, 60, "@Acme billing is wrong", None),
]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, fragment: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("command", ["", "audit", "synth", "demo", "formats"])
def test_help_everywhere(command):
    proc = run(*([command] if command else []), "--help")
    assert proc.returncode == 0
    assert "Usage" in proc.stdout


def test_audit_json_document(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    proc = run("audit", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {"rows_read", "rows_loaded", "rows_rejected", "rejections", "brands", "totals"} <= set(doc)
    acme = doc["brands"]["Acme"]
    assert (acme["conversations"], acme["answered"], acme["frt_median_min"], acme["within_target"]) == (2, 1, 10.0, 0.5)
    assert acme["frt_p90_min"] == 10.0


def test_audit_tables(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    proc = run("audit", str(path), "--target", "5m", "--business-hours", "Mon-Fri 09:00-17:00 UTC")
    assert proc.returncode == 0, proc.stderr
    # at 80 columns (a pipe) the scorecard comes in parts, the brand repeated in each: Acme's cells in order
    core = proc.stdout.split("bh = business hours")[0]
    cells = [c.strip() for line in core.splitlines() if line.startswith("│ Acme ") for c in line.split("│")[2:-1]]
    # conversations, answered, coverage, FRT median, p90, within 5m, business FRT median, within (bh)
    assert cells == ["2", "1", "50.0%", "10.0m", "10.0m", "0.0%", "0s", "50.0%"]
    assert "bh = business hours: Mon-Fri 09:00-17:00 UTC" in proc.stdout


def test_missing_file(tmp_path):
    assert_one_line_error(run("audit", str(tmp_path / "nope.csv")), "no such file")


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    assert_one_line_error(run("audit", str(tmp_path / "empty.csv")), "empty")


def test_directory(tmp_path):
    assert_one_line_error(run("audit", str(tmp_path)), "directory")


def test_unknown_format(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    assert_one_line_error(run("audit", str(path), "--format", "myspace"), "unknown format 'myspace'")


def test_unrecognised_content(tmp_path):
    (tmp_path / "notes.txt").write_text("just some notes\nnothing tabular\n")
    assert_one_line_error(run("audit", str(tmp_path / "notes.txt")), "could not recognise the format")


def test_wrong_columns(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("tweet_id,author_id,inbound,when\n1,a,True,yesterday\n")
    assert_one_line_error(run("audit", str(path), "--format", "twcs"), "missing column(s) created_at, text")


def test_bad_target_and_hours(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    assert_one_line_error(run("audit", str(path), "--target", "soon"), "not a duration")
    assert_one_line_error(run("audit", str(path), "--business-hours", "weekdays"), "business hours")


def test_absurd_targets_are_refused(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    assert_one_line_error(run("audit", str(path), "--target", "99999999999d"), "--target '99999999999d': a target over 365 days")
    assert_one_line_error(run("audit", str(path), "--target", "366d"), "over 365 days")
    assert run("audit", str(path), "--target", "365d", "--json").returncode == 0


def test_holidays_are_checked_even_without_business_hours(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    assert_one_line_error(run("audit", str(path), "--holiday", "2024-13-01"), "holiday '2024-13-01'")
    proc = run("audit", str(path), "--holiday", "2024-12-25", "--json")
    assert proc.returncode == 0
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [
        "warning: --holiday is ignored without --business-hours (holidays only change the business-hours figures)"]
    json.loads(proc.stdout)  # the document is unchanged by the warning
    proc = run("audit", str(path), "--holiday", "2024-12-25", "--business-hours", "Mon-Fri 09:00-17:00 UTC", "--json")
    assert proc.returncode == 0 and proc.stderr.strip() == ""


def test_rejections_beyond_the_listed_ones_are_counted_truly(tmp_path):
    path = tmp_path / "many.csv"
    bad = [f"b{i},,u{i},customer,Acme,notadate,hi" for i in range(1250)]
    path.write_text("id,parent_id,author,author_role,brand,created_at,text\n"
                    "c1,,u1,customer,Acme,2024-03-04T08:00:00Z,@Acme help\n" + "\n".join(bad) + "\n")
    proc = run("audit", str(path), "--no-signals")
    assert proc.returncode == 0, proc.stderr
    assert "the first 1,000 of the 1,250 are listed in --json" in proc.stdout
    assert "all of them are listed" not in proc.stdout
    path.write_text("id,parent_id,author,author_role,brand,created_at,text\n" + "\n".join(bad[:12]) + "\n"
                    "c1,,u1,customer,Acme,2024-03-04T08:00:00Z,@Acme help\n")
    proc = run("audit", str(path), "--no-signals")
    assert "all of them are listed in --json" in proc.stdout and "1,000" not in proc.stdout


def test_scorecard_header_fits_at_120_columns(tmp_path):
    rows = [(1, "101", True, 0, "@GraniteDevicesCS my router keeps dropping", None),
            (2, "GraniteDevicesCS", False, 10, "@101 try restarting it", 1),
            (3, "102", True, 60, "@BrightComputingAssist billing is wrong", None),
            (4, "BrightComputingAssist", False, 70, "@102 sorry", 3)]
    path = write_twcs(tmp_path / "a.csv", rows)
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), "--no-signals",
                           "--business-hours", "Mon-Fri 09:00-17:00 America/New_York"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    top = lines.index(next(line for line in lines if line.startswith("Helpfulness scorecard")))
    table = lines[top + 1:lines.index(next(line for line in lines[top:] if line.startswith("└")))+ 1]
    assert all(len(line) <= 120 for line in table)
    assert table[0].endswith("┓") and table[-1].endswith("┘")  # not cropped
    header = [line for line in table if line.startswith("┃")]
    words = " ".join(c.strip() for line in header for c in line.split("┃")).split()
    assert "…" not in "".join(header)
    assert {"conversations", "answered", "coverage", "median", "p90", "within", "target", "(bh)"} <= set(words)
    assert any("BrightComputingAssist" in line for line in table)


def test_bad_rows_are_rejected_with_line_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    good = write_twcs(tmp_path / "good.csv", ROWS).read_bytes()
    lines = good.splitlines(keepends=True)
    bad_date = b'9,103,True,yesterday at noon,"@Acme hi\nthere",,\n'  # spans two lines
    bad_inbound = b"10,104,Maybe,Mon Oct 02 08:00:00 +0000 2017,@Acme hm,,\n"
    bad_utf8 = b"11,105,True,Mon Oct 02 08:00:00 +0000 2017,@Acme caf\xe9,,\n"
    path.write_bytes(b"".join(lines[:2]) + bad_date + bad_inbound + bad_utf8 + b"".join(lines[2:]))
    proc = run("audit", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (6, 3, 3)
    got = {(r["line"], r["field"]) for r in doc["rejections"]}
    assert got == {(3, "created_at"), (5, "inbound"), (6, "text")}


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    proc = run("audit", str(path), str(tmp_path / "missing.csv"), "--json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["rows_loaded"] == 3
    assert any("missing.csv: no such file" in e for e in doc["errors"])


def test_header_only_file_reads_nothing(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(",".join(TWCS_HEADER) + "\n")
    proc = run("audit", str(path), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["rows_read"] == 0


def test_formats_lists_every_importer():
    proc = run("formats", "--json")
    assert proc.returncode == 0
    assert {"twcs", "x-v2", "mastodon", "jsonl", "csv"} <= set(json.loads(proc.stdout))


def test_bot_option(tmp_path):
    rows = [(1, "101", True, 0, "@Acme help", None), (2, "AcmeBot", False, 1, "@101 auto-reply", 1), (3, "Acme", False, 20, "@101 fixed", 1)]
    path = write_twcs(tmp_path / "b.csv", rows)
    doc = json.loads(run("audit", str(path), "--json", "--bot", "acmebot").stdout)
    assert doc["brands"]["Acme"]["frt_median_min"] == 20.0
    assert doc["totals"]["vanity"]["bot_posts"] == 1


def test_archive_text_is_not_terminal_markup(tmp_path):
    rows = [(1, "101", True, 0, "@[/oops] hi", None), (2, "[/oops]", False, 5, "@101 [bold red]x[/]", 1)]
    path = write_twcs(tmp_path / "m[b].csv", rows)
    proc = run("audit", str(path), str(tmp_path / "gone[bold].csv"))
    assert proc.returncode == 0, proc.stderr
    assert "[/oops]" in proc.stdout
    assert "gone[bold].csv: no such file" in proc.stdout


def test_nothing_loaded_says_so(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(TWCS_HEADER) + "\n1,101,Maybe,Mon Oct 02 08:00:00 +0000 2017,hi,,\n")
    proc = run("audit", str(path))
    assert proc.returncode == 1
    assert "no posts could be loaded (1 rows read, 1 rejected)" in proc.stderr


def test_demo_checks_its_options_first(tmp_path):
    assert_one_line_error(run("demo", "--out", str(tmp_path / "d"), "--business-hours", "always"), "business hours")
    assert not (tmp_path / "d").exists()


def test_demo_writes_the_report(tmp_path):
    proc = run("demo", "--posts", "2000", "--out", str(tmp_path / "d"))
    assert proc.returncode == 0, proc.stderr
    report = tmp_path / "d" / "helpfirst-report.html"
    assert report.stat().st_size > 100_000
    assert f"Open the report: {report}" in " ".join(proc.stdout.split())
    doc = json.loads((tmp_path / "d" / "scorecard.json").read_text())
    assert doc["rows_read"] == 2000 == doc["rows_loaded"] + doc["rows_rejected"]


@pytest.mark.parametrize("command", ["audit", "synth", "demo", "formats", "classify"])
def test_help_texts_show_their_square_brackets(command):
    """Help texts are Rich markup: every option's help (and the command's own) reads in --help as
    written, "[semantic]" and "[default: ...]" included."""
    import os

    import typer.main

    from helpfirst.cli import app

    cmd = typer.main.get_command(app).commands[command]
    proc = subprocess.run([sys.executable, "-m", "helpfirst", command, "--help"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1", "TERM": "dumb"})
    assert proc.returncode == 0, proc.stderr
    shown = " ".join(proc.stdout.split())
    texts = [cmd.help] + [p.help for p in cmd.params if getattr(p, "help", None)]
    if command == "audit":  # the texts that lost their brackets before
        assert sum("[" in t for t in texts) == 2
    for text in texts:
        assert " ".join(text.replace("\\[", "[").split()) in shown
