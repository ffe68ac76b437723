"""Settings: the same values with or without pydantic-settings, and a start-up that stays light."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict

from helpfirst.config import Defaults, Settings, load_settings

from .conftest import write_twcs


def test_defaults_are_the_settings_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.upper().startswith("HELPFIRST_")]:
        monkeypatch.delenv(key)
    assert load_settings() == Defaults()
    assert Settings().model_dump() == asdict(Defaults())


def test_environment_and_env_file_are_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HELPFIRST_TARGET", "45m")
    assert load_settings().target == "45m"
    monkeypatch.delenv("HELPFIRST_TARGET")
    (tmp_path / ".env").write_text("HELPFIRST_BUSINESS_HOURS=Mon-Fri 09:00-17:00 UTC\n")
    settings = load_settings()
    assert (settings.target, settings.business_hours) == ("30m", "Mon-Fri 09:00-17:00 UTC")


def test_an_audit_imports_neither_pandas_nor_pydantic_settings(tmp_path):
    # each costs a good part of a second at start-up (pyarrow would import pandas on its own)
    path = write_twcs(tmp_path / "a.csv", [(1, "101", True, 0, "@Acme hi", None), (2, "Acme", False, 5, "@101 ok", 1)])
    code = (
        "import sys, io, contextlib\n"
        "from helpfirst.cli import app\n"
        f"sys.argv = ['helpfirst', 'audit', {str(path)!r}, '--json']\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        app()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "assert '\"conversations\": 1' in out.getvalue(), out.getvalue()\n"
        "print(sorted(m for m in ('pandas', 'pydantic_settings', 'jinja2', 'plotly') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_pandas_is_kept_out_only_while_the_audit_runs():
    code = (
        "import sys\n"
        "from helpfirst.audit import pandas_left_out\n"
        "with pandas_left_out():\n"
        "    try:\n"
        "        import pandas\n"
        "        print('imported')\n"
        "    except ImportError:\n"
        "        print('kept out')\n"
        "import pandas\n"
        "print('pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["kept", "out", "True"]
