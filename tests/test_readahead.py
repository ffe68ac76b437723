"""The CLI's read-ahead: an audit's TWCS file parsed while the CLI loads gives what the importer's own parse gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from helpfirst import readahead
from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.synth import write_synthetic

from .test_twcs_rejections import EXPECTED, HEADER, MIXED_LINES, rejections


@pytest.fixture(autouse=True)
def nothing_ahead():
    readahead._AHEAD = None
    yield
    readahead._AHEAD = None


def load(path: Path, texts: str = "requests"):
    report = ImportReport()
    batches = list(read_posts([path], ImportOptions(texts=texts), report, fmt="twcs"))
    return batches, report


def mixed(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join([HEADER, *MIXED_LINES]))
    return path


@pytest.mark.parametrize("flags", [["--json", "--no-signals"], ["--no-signals"]])
def test_the_parse_started_ahead_is_taken_and_gives_the_same_posts_and_rejections(tmp_path, flags):
    path = mixed(tmp_path)
    expected_batches, expected_report = load(path)
    assert readahead.start(["audit", str(path), *flags], interactive=False)
    batches, report = load(path)
    assert readahead._AHEAD is None  # taken
    assert rejections(report) == rejections(expected_report) == EXPECTED
    assert (report.rows_read, report.rows_loaded) == (expected_report.rows_read, expected_report.rows_loaded)
    assert [b.to_pylist() for b in batches] == [b.to_pylist() for b in expected_batches]


def test_with_signals_on_every_text_is_read_ahead(tmp_path):
    path = tmp_path / "synth.csv"
    write_synthetic(path, 2000, fmt="twcs", seed=3)
    expected_batches, _ = load(path, texts="all")
    assert readahead.start(["audit", str(path), "--json"], interactive=False)
    load(path, texts="requests")  # another query: parsed by the importer, the read-ahead stays
    assert readahead._AHEAD is not None
    batches, _ = load(path, texts="all")
    assert readahead._AHEAD is None
    assert [b.to_pylist() for b in batches] == [b.to_pylist() for b in expected_batches]


def test_a_changed_file_is_parsed_again(tmp_path):
    path = mixed(tmp_path)
    assert readahead.start(["audit", str(path), "--no-signals"], interactive=False)
    readahead._AHEAD.thread.join()
    path.write_bytes(b"\n".join([HEADER, *MIXED_LINES[:2]]))
    _, report = load(path)
    assert readahead._AHEAD is not None and report.rows_read == 2 and report.rows_rejected == 0


@pytest.mark.parametrize(
    "argv, interactive",
    [
        (["audit", "{path}", "--json"], True),  # a progress bar follows the importer's own parse
        (["audit", "{path}", "--report", "r.html"], False),
        (["audit", "--format", "twcs", "{path}"], False),
        (["audit", "{path}", "--brand", "Acme"], False),
        (["synth", "{path}"], False),
        (["audit"], False),
        (["audit", "{other}", "--json"], False),  # not a TWCS file
        (["audit", "{missing}", "--json"], False),
    ],
)
def test_started_only_for_the_plainest_command_line(tmp_path, argv, interactive):
    path = mixed(tmp_path)
    other = tmp_path / "posts.jsonl"
    other.write_text('{"id": "1"}\n')
    names = {"path": str(path), "other": str(other), "missing": str(tmp_path / "nope.csv")}
    assert not readahead.start([a.format(**names) for a in argv], interactive=interactive)
    assert readahead._AHEAD is None


def test_started_once(tmp_path):
    path = mixed(tmp_path)
    assert readahead.start(["audit", str(path), "--no-signals"], interactive=False)
    first = readahead._AHEAD
    assert not readahead.start(["audit", str(path), "--no-signals"], interactive=False)
    assert readahead._AHEAD is first


def test_a_parse_error_ahead_is_the_importers_error(tmp_path):
    path = mixed(tmp_path)
    assert readahead.start(["audit", str(path), "--no-signals"], interactive=False)
    readahead._AHEAD.thread.join()
    readahead._AHEAD.result, readahead._AHEAD.error = None, duckdb.IOException("disk on fire")
    _, report = load(path)
    assert report.rows_read == 0 and report.errors[0].endswith("mixed.csv: the CSV cannot be parsed: disk on fire")


def test_no_duckdb_progress_bar_in_the_output(tmp_path):
    con = duckdb.connect()
    path = mixed(tmp_path)
    header = HEADER.decode().split(",")
    readahead.parse(con, path, readahead.twcs_sql(header, True, readahead.read_csv_sql(len(header))))
    assert con.sql("SELECT current_setting('enable_progress_bar_print')").fetchall() == [(False,)]


def test_python_m_helpfirst_reads_ahead_and_gives_the_cli_document(tmp_path):
    path = tmp_path / "synth.csv"
    write_synthetic(path, 3000, fmt="twcs", seed=4)
    argv = ["audit", str(path), "--json", "--no-signals"]
    ahead = subprocess.run([sys.executable, "-m", "helpfirst", *argv], capture_output=True, text=True, check=True)
    plain = subprocess.run(
        [sys.executable, "-c", "from helpfirst.cli import app; app()", *argv], capture_output=True, text=True, check=True
    )
    assert json.loads(ahead.stdout) == json.loads(plain.stdout)
    assert json.loads(ahead.stdout)["rows_loaded"] == 3000


def test_an_audit_keeps_freed_memory_for_reuse_in_a_fresh_process():
    """keep_freed_memory sets glibc's malloc (run in a child: the setting lasts for the process)."""
    import os

    code = "from helpfirst import readahead; print(readahead.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    glibc = sys.platform.startswith("linux") and bool(os.confstr("CS_GNU_LIBC_VERSION"))
    assert out == str(glibc)
