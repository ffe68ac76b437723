"""A canonical CSV record too long for Arrow's reader (over two 8 MiB blocks) stops the file with an error
naming its line and saying the rows after it were not read, not Arrow's 'straddling object' message."""

from __future__ import annotations

import json
import subprocess
import sys

HEADER = "id,author,author_role,text,created_at,parent_id"


def _rows(first: int, last: int) -> list[str]:
    return [f"{i},c{i},customer,hi,2024-03-01T10:00:00Z," for i in range(first, last)]


def _long(i: int, mib: int) -> str:
    return f"{i},bob,customer," + "y" * (mib << 20) + ",2024-03-01T10:00:00Z,"


def _audit(tmp_path, name: str, rows: list[str]) -> dict:
    (tmp_path / name).write_text("\n".join([HEADER, *rows]) + "\n")
    run = subprocess.run([sys.executable, "-m", "helpfirst", "audit", name, "--no-signals", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    return json.loads(run.stdout)


def test_a_20_mib_record_is_named_by_its_line(tmp_path):
    doc = _audit(tmp_path, "long.csv", [*_rows(1, 2), _long(2, 20), *_rows(3, 50)])
    assert doc["rows_loaded"] == 1
    [error] = doc["errors"]
    assert error.startswith("long.csv:3: the CSV cannot be parsed further: a record is too long"), error
    assert "rows after it were not read" in error and "straddl" not in error


def test_the_line_named_is_the_record_that_stopped_the_reader(tmp_path):
    """A 9 MiB record that Arrow reads is not the one named: the 20 MiB record after it is."""
    doc = _audit(tmp_path, "two.csv", [*_rows(1, 2), _long(2, 9), *_rows(3, 20), _long(20, 20), *_rows(21, 30)])
    assert doc["rows_loaded"] == 19
    assert doc["errors"][0].startswith("two.csv:21: the CSV cannot be parsed further: a record is too long"), doc["errors"]
