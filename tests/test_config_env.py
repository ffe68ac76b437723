"""One reading of every HELPFIRST_* setting: environment over .env over default, lenient HELPFIRST_DEBUG, errors naming their source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from helpfirst import config

from .conftest import write_twcs

ROWS = [(1, "101", True, 0, "@Acme my router keeps dropping", None), (2, "Acme", False, 10, "@101 try restarting it", 1)]
RESOURCE = {"id": "pw", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/password",
            "title": "Reset your password", "body": "Use the forgot password link.", "tags": []}
QUERY = {"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "I forgot my password"}]}


def clean_env(**extra: str) -> dict:
    """The environment without any HELPFIRST_* variable (the developer's own must not leak in), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(config.ENV_PREFIX)}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, cwd=cwd,
                          env=env or clean_env(), timeout=300)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    return [line for line in proc.stderr.splitlines() if line.strip()]


@pytest.fixture
def no_helpfirst_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.upper().startswith(config.ENV_PREFIX)]:
        monkeypatch.delenv(key)
    return tmp_path


# --- HELPFIRST_DEBUG ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, on", [("1", True), ("true", True), (" YES ", True), ("On", True),
                                       ("2", False), ("0", False), ("off", False), ("", False), ("debug", False)])
def test_debug_is_on_only_for_the_documented_values(no_helpfirst_env, monkeypatch, value, on):
    monkeypatch.setenv("HELPFIRST_DEBUG", value)
    assert config.debug_enabled() is on
    monkeypatch.delenv("HELPFIRST_DEBUG")
    (no_helpfirst_env / ".env").write_text(f"HELPFIRST_DEBUG={value}\n")
    assert config.debug_enabled() is on


def test_a_debug_value_such_as_2_does_not_break_the_audit(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    for env in (clean_env(HELPFIRST_DEBUG="2"), clean_env(HELPFIRST_DEBUG="verbose")):
        proc = run("audit", str(path), "--json", cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["rows_loaded"] == 2
    (tmp_path / ".env").write_text("HELPFIRST_DEBUG=2\n")
    proc = run("audit", str(path), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


# a command that fails unexpectedly, run through the real entry point main()
FAILING = (
    "import sys\n"
    "from helpfirst import cli\n"
    "@cli.app.command('boom')\n"
    "def boom():\n"
    "    raise RuntimeError('kaboom')\n"
    "sys.argv = ['helpfirst', 'boom']\n"
    "cli.main()\n"
)


def run_failing(cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FAILING], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_debug_from_the_env_file_shows_the_traceback(tmp_path):
    plain = run_failing(tmp_path, clean_env())
    assert plain.returncode == 1
    assert plain.stderr.strip() == "error: RuntimeError: kaboom (set HELPFIRST_DEBUG=1 for details)"
    (tmp_path / ".env").write_text("HELPFIRST_DEBUG=1\n")
    debug = run_failing(tmp_path, clean_env())
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "RuntimeError: kaboom" in debug.stderr
    # the environment wins over .env, and an unknown value is off
    off = run_failing(tmp_path, clean_env(HELPFIRST_DEBUG="2"))
    assert "Traceback" not in off.stderr and "kaboom (set HELPFIRST_DEBUG=1 for details)" in off.stderr


# --- HELPFIRST_KB and HELPFIRST_CACHE ------------------------------------------------------------

def test_kb_folder_from_the_env_file_the_environment_and_the_option(tmp_path):
    res = tmp_path / "help.jsonl"
    res.write_text(json.dumps(RESOURCE) + "\n")
    assert run("kb", "add", str(res), "--kb", str(tmp_path / "from-env-file"), cwd=tmp_path).returncode == 0
    (tmp_path / ".env").write_text(f"HELPFIRST_KB={tmp_path / 'from-env-file'}\n")
    listed = run("kb", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == ["pw"]
    # the environment wins over .env, the option over both
    other = tmp_path / "from-environment"
    added = run("kb", "add", str(res), "--json", cwd=tmp_path, env=clean_env(HELPFIRST_KB=str(other)))
    assert json.loads(added.stdout)["kb"] == str(other) and (other / "resources.jsonl").is_file()
    missing = run("kb", "list", "--kb", str(tmp_path / "nowhere"), cwd=tmp_path, env=clean_env(HELPFIRST_KB=str(other)))
    assert "nowhere: no knowledge base here yet" in error_lines(missing)[0]


def test_cache_folder_from_the_env_file(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps(RESOURCE) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(QUERY) + "\n")
    (tmp_path / ".env").write_text(f"HELPFIRST_CACHE={tmp_path / 'cache'}\n")
    env = clean_env(XDG_CACHE_HOME=str(tmp_path / "xdg"))
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["suggestions"][0]["resource_id"] == "pw"
    assert [p.name for p in (tmp_path / "cache" / "suggest").iterdir()] != []
    assert not (tmp_path / "xdg").exists()


# --- the settings themselves -----------------------------------------------------------------------

def test_the_unused_database_url_setting_is_gone(no_helpfirst_env):
    assert "database_url" not in {f.name for f in fields(config.Defaults)}
    (no_helpfirst_env / ".env").write_text("HELPFIRST_DATABASE_URL=sqlite:///x.db\nHELPFIRST_KB=kb1\n")
    settings = config.load_settings()
    assert not hasattr(settings, "database_url") and settings.kb == "kb1"


def test_settings_precedence_environment_over_env_file_over_default(no_helpfirst_env, monkeypatch):
    assert (config.load_settings().kb, config.load_settings().cache) == ("helpfirst-kb", None)
    (no_helpfirst_env / ".env").write_text("HELPFIRST_KB=from-file\nHELPFIRST_CACHE=/c/file\n")
    monkeypatch.setenv("HELPFIRST_CACHE", "/c/env")
    settings = config.load_settings()
    assert (settings.kb, settings.cache) == ("from-file", "/c/env")
    assert config.cache_dir(settings) == Path("/c/env")


def test_cache_dir_default_honours_xdg_cache_home(no_helpfirst_env, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/x/cache")
    assert config.cache_dir(config.load_settings()) == Path("/x/cache/helpfirst")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert config.cache_dir(config.load_settings()) == Path(os.path.expanduser("~/.cache/helpfirst"))


# --- errors name where a bad value came from --------------------------------------------------------

def test_bad_business_hours_and_holidays_name_their_variable(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    hours = error_lines(run("audit", str(path), cwd=tmp_path, env=clean_env(HELPFIRST_BUSINESS_HOURS="nonsense")))
    assert hours == ["error: HELPFIRST_BUSINESS_HOURS: business hours 'nonsense': expected e.g. 'Mon-Fri 09:00-17:00 Europe/London'"]
    days = error_lines(run("audit", str(path), cwd=tmp_path, env=clean_env(HELPFIRST_HOLIDAYS="2017-13-01")))
    assert days == ["error: HELPFIRST_HOLIDAYS: holiday '2017-13-01': expected a date like 2017-12-25"]
    option = error_lines(run("audit", str(path), "--business-hours", "weekdays", cwd=tmp_path))
    assert option[0].startswith("error: --business-hours: business hours 'weekdays'")


def test_bad_values_in_the_env_file_name_the_file_and_line(tmp_path):
    path = write_twcs(tmp_path / "a.csv", ROWS)
    env_file = tmp_path / ".env"
    env_file.write_text("# settings\nHELPFIRST_TARGET=1h\nexport HELPFIRST_BUSINESS_HOURS=nonsense\n")
    assert error_lines(run("audit", str(path), cwd=tmp_path))[0].startswith(
        f"error: HELPFIRST_BUSINESS_HOURS ({env_file} line 3): business hours 'nonsense'")
    env_file.write_text("HELPFIRST_HOLIDAYS=2017-02-30\n")
    assert error_lines(run("audit", str(path), cwd=tmp_path)) == [
        f"error: HELPFIRST_HOLIDAYS ({env_file} line 1): holiday '2017-02-30': expected a date like 2017-12-25"]
    env_file.write_text("HELPFIRST_TARGET=soon\n")
    assert error_lines(run("audit", str(path), cwd=tmp_path))[0].startswith(
        f"error: HELPFIRST_TARGET ({env_file} line 1) 'soon' is not a duration")
