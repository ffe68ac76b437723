"""scripts/demo shows a meaningful business-hours FRT: the business hours it passes fit the synthetic
archive's clock, so the brands' `FRT median (bh)` is not 0s for nearly all of them (it was for 24 of 25
with Mon-Fri 09:00-17:00 New York time: most synthetic conversations are opened and answered outside it).

The real script runs the real `helpfirst demo`; only its set-up step (pip installing into .venv) is
skipped: the test's .venv/bin/python passes `-m pip` by and runs anything else with this Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "demo", repo / "scripts" / "demo")
    bin_dir = repo / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "python"
    shim.write_text(f'#!/bin/sh\n[ "$1" = "-m" ] && [ "$2" = "pip" ] && exit 0\nexec {sys.executable} "$@"\n')
    shim.chmod(0o755)
    helpfirst = bin_dir / "helpfirst"
    helpfirst.write_text(f'#!/bin/sh\nexec {sys.executable} -m helpfirst "$@"\n')
    helpfirst.chmod(0o755)
    return repo


def _run_demo(repo: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    out = repo / "out"
    run = subprocess.run(["bash", str(repo / "scripts" / "demo"), "--posts", "20000", "--out", str(out), *args],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "FRT median (bh)" in run.stdout or "(bh)" in run.stdout, run.stdout
    return json.loads((out / "scorecard.json").read_text())


def _top_brands(doc: dict, n: int = 25) -> list[dict]:
    return sorted(doc["brands"].values(), key=lambda b: -b["conversations"])[:n]


def test_demo_business_hours_frt_is_meaningful(tmp_path):
    doc = _run_demo(_checkout(tmp_path))
    hours = doc["settings"]["business_hours"]
    assert hours, doc["settings"]
    top = _top_brands(doc)
    zero = [b for b in top if not b["frt_business_median_min"]]
    assert len(zero) <= 2, (hours, len(zero))
    assert doc["totals"]["frt_business_median_min"] > 0
    # business time is part of the wall-clock time: never more
    assert doc["totals"]["frt_business_median_min"] <= doc["totals"]["frt_median_min"]


def test_a_business_hours_given_to_the_script_wins(tmp_path):
    doc = _run_demo(_checkout(tmp_path), "--business-hours", "Mon-Fri 10:00-12:00 Europe/London")
    assert doc["settings"]["business_hours"] == "Mon-Fri 10:00-12:00 Europe/London"
