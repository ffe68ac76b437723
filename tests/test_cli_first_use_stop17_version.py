"""`helpfirst --version` prints `helpfirst X.Y.Z` (the installed distribution's version) and exits 0."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys


def test_version_prints_the_installed_version():
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"helpfirst {importlib.metadata.version('helpfirst')}\n"
    assert re.fullmatch(r"helpfirst \d+\.\d+\.\d+\S*\n", proc.stdout)
    assert proc.stderr == ""


def test_version_is_listed_in_the_help():
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "--help"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "100"})
    assert proc.returncode == 0, proc.stderr
    assert "--version" in proc.stdout
