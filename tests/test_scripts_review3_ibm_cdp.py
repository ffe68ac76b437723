"""scripts/ibm_cdp.py's help names only the commands and options that exist."""

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ibm_cdp.py"


def _help(*args: str) -> str:
    run = subprocess.run([sys.executable, str(SCRIPT), *args, "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_every_usage_line_names_a_real_command_with_real_options():
    usage = [line.split() for line in _help().splitlines() if line.strip().startswith("ibm_cdp.py ")]
    assert {words[1] for words in usage} == {"convert", "score", "report"}
    for words in usage:
        options = set(re.findall(r"--[a-z][a-z-]*", " ".join(words[2:])))
        own = set(re.findall(r"--[a-z][a-z-]*", _help(words[1])))
        assert options and options <= own, (words[1], options - own)


def test_tuning_points_to_the_tuning_script():
    text = _help()
    assert "scripts/ibm_cdp_tune.py" in text
    run = subprocess.run([sys.executable, str(SCRIPT), "tune"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "invalid choice: 'tune'" in run.stderr


def test_convert_takes_one_of_part_and_only(tmp_path):
    run = subprocess.run([sys.executable, str(SCRIPT), "convert", "--out", str(tmp_path / "o"), "--part", "tune",
                          "--only", "report"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not allowed with argument --part" in run.stderr
    assert not (tmp_path / "o").exists()
