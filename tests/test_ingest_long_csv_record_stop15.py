"""A canonical CSV record too long for Arrow's reader (over two 8 MiB blocks) stops the file with an error
naming its line and saying the rows after it were not read, not Arrow's 'straddling object' message."""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_20_mib_record_is_named_by_its_line(tmp_path):
    rows = ["id,author,author_role,text,created_at,parent_id", "1,ann,customer,hello,2024-03-01T10:00:00Z,",
            "2,bob,customer," + "y" * (20 << 20) + ",2024-03-01T10:00:00Z,"]
    rows += [f"{i},c{i},customer,hi,2024-03-01T10:00:00Z," for i in range(3, 50)]
    (tmp_path / "long.csv").write_text("\n".join(rows) + "\n")
    run = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "long.csv", "--no-signals", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    doc = json.loads(run.stdout)
    assert doc["rows_loaded"] == 1
    [error] = doc["errors"]
    assert error.startswith("long.csv:3: the CSV cannot be parsed further: a record is too long"), error
    assert "rows after it were not read" in error and "straddl" not in error


def test_the_line_named_is_the_record_that_stopped_the_reader(tmp_path):
    """A 9 MiB record that Arrow reads is not the one named: the 20 MiB record after it is."""
    rows = ["id,author,author_role,text,created_at,parent_id", "1,ann,customer,hello,2024-03-01T10:00:00Z,",
            "2,bob,customer," + "y" * (9 << 20) + ",2024-03-01T10:00:00Z,"]
    rows += [f"{i},c{i},customer,hi,2024-03-01T10:00:00Z," for i in range(3, 20)]
    rows += ["20,bob,customer," + "z" * (20 << 20) + ",2024-03-01T10:00:00Z,"]
    rows += [f"{i},c{i},customer,hi,2024-03-01T10:00:00Z," for i in range(21, 30)]
    (tmp_path / "two.csv").write_text("\n".join(rows) + "\n")
    run = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "two.csv", "--no-signals", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    doc = json.loads(run.stdout)
    assert doc["rows_loaded"] == 19
    assert doc["errors"][0].startswith("two.csv:21: the CSV cannot be parsed further: a record is too long"), doc["errors"]
