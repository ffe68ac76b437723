"""Pipes, process substitution and standard input (review 3): read once, into a temporary copy,
and named as given (the file was opened once to guess its format and again to read it, which
found a pipe drained, and a named pipe waited for a second writer forever)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from helpfirst.audit import load_posts
from helpfirst.ingest import ImportOptions, locate_duplicate_ids, source_file
from helpfirst.threads import build_threads

CSV = (
    "id,author,author_role,created_at,text,parent_id\n"
    "c1,sam,customer,2024-02-01T09:00:00Z,Hi @Acme help,\n"
    "c2,Acme,brand,2024-02-01T09:10:00Z,Sure,c1\n"
    "c3,kim,customer,2024-02-01,date only,\n"
)


def audit(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "audit", *args, "--json", "--no-signals"],
                          capture_output=True, text=True, timeout=60, **kwargs)


def check(doc: dict, name: str) -> None:
    assert (doc["rows_read"], doc["rows_loaded"], doc["rows_rejected"]) == (3, 2, 1)
    assert doc["files"][0]["path"] == name and doc["files"][0]["format"] == "csv"
    assert [(r["file"], r["line"], r["field"]) for r in doc["rejections"]] == [(name, 4, "created_at")]
    assert doc["totals"]["answered"] == 1


def test_process_substitution(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(CSV, encoding="utf-8")
    script = f'exec {sys.executable} -m helpfirst audit <(cat {path}) --json --no-signals'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    check(doc, doc["files"][0]["path"])
    assert doc["files"][0]["path"].startswith("/dev/fd/")


def test_named_pipe_with_a_writer(tmp_path):
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(CSV)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    done = audit([str(fifo)])
    writer.join(5)
    assert done.returncode == 0, done.stderr
    check(json.loads(done.stdout), str(fifo))


def test_standard_input_as_dash():
    done = audit(["-"], input=CSV)
    assert done.returncode == 0, done.stderr
    check(json.loads(done.stdout), "<stdin>")


def test_duplicates_in_a_pipe_get_their_lines(tmp_path):
    fifo = tmp_path / "dup.csv"
    os.mkfifo(fifo)
    text = CSV.replace("c3,kim,customer,2024-02-01,date only,", "c1,kim,customer,2024-02-01T11:00:00Z,again,")

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(text)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    options = ImportOptions()
    posts, report = load_posts([fifo], options)
    writer.join(5)
    assert posts.num_rows == 3
    assert source_file(fifo) != fifo and source_file(fifo).read_text(encoding="utf-8") == text
    build_threads(posts, report, [f["path"] for f in report.files])
    locate_duplicate_ids(report, options)  # reads the copy, not the drained pipe (which would wait forever)
    assert [(r.file, r.line, r.field) for r in report.rejections] == [(str(fifo), 4, "id")]
    assert report.rejections[0].reason.endswith("from line 2")
