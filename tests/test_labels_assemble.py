"""data/labels/assemble.py without the data sets beside it says so in one line (no traceback)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

LABELS = Path(__file__).resolve().parents[1] / "data" / "labels"


def test_assemble_without_the_data_says_what_is_missing(tmp_path):
    clone = tmp_path / "work" / "main" / "data" / "labels"
    clone.mkdir(parents=True)
    for script in ("assemble.py", "common.py"):
        shutil.copy(LABELS / script, clone / script)
    result = subprocess.run([sys.executable, str(clone / "assemble.py")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(tmp_path / "work" / "shared" / "data") in result.stderr and "not here" in result.stderr
    assert not (clone / "build").exists()
