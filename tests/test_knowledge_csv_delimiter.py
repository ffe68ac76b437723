"""A semicolon- or tab-separated .csv is not silently 'not a resource format': the error names the delimiter."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("delimiter,named", [(";", "semicolons (;)"), ("\t", "tabs")])
@pytest.mark.parametrize("fmt", [[], ["--format", "csv"]])
def test_the_error_names_the_delimiter(tmp_path, delimiter, named, fmt):
    src = tmp_path / "semi.csv"
    src.write_text(delimiter.join(["url", "title", "brand"]) + "\n" + delimiter.join(["https://help.acme.com/semi", "Semi title", "Acme"]) + "\n")
    proc = run("kb", "add", str(src), *fmt, "--kb", str(tmp_path / "kb"))
    assert proc.returncode == 1
    err = " ".join(proc.stderr.split())
    assert f"separated by {named}, not commas" in err and "',' as the delimiter" in err


def test_a_plain_unknown_file_gets_no_delimiter_hint(tmp_path):
    src = tmp_path / "notes.csv"
    src.write_text("just; some; notes\n")
    proc = run("kb", "add", str(src), "--kb", str(tmp_path / "kb"))
    assert proc.returncode == 1 and "not a resource format" in proc.stderr and "delimiter" not in proc.stderr
