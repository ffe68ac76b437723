"""Settings from HELPFIRST_* environment variables (and a .env file); command-line options win."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "HELPFIRST_"
ENV_FILE = ".env"


@dataclass(frozen=True)
class Defaults:
    """Every setting and its default; `Settings` reads the same fields from the environment."""

    target: str = "30m"
    business_hours: str | None = None
    holidays: str | None = None
    kb: str = "helpfirst-kb"
    cache: str | None = None
    # text, read by debug_enabled(): a value such as "2" must switch nothing on, and fail nothing
    debug: str | None = None
    # a size such as 500M or 8G, read by ingest when a pipe or standard input is copied (default 8 GiB)
    max_pipe_copy: str | None = None


@functools.cache
def settings_class() -> type:
    """The pydantic-settings class over the fields of `Defaults` (imported on first use: it costs ~0.15 s)."""
    from pydantic_settings import BaseSettings, SettingsConfigDict

    namespace: dict[str, Any] = {
        "__doc__": "Defaults every command falls back on, read from HELPFIRST_* variables and .env.",
        "__module__": __name__,
        "__annotations__": {f.name: f.type for f in fields(Defaults)},
        "model_config": SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="ignore"),
    }
    namespace.update({f.name: f.default for f in fields(Defaults)})
    return type("Settings", (BaseSettings,), namespace)


def __getattr__(name: str) -> Any:
    # `from helpfirst.config import Settings` keeps working; the class is built on first use
    if name == "Settings":
        return settings_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_settings() -> Any:
    """`Settings()` when a HELPFIRST_* variable or a .env file could change a default, else `Defaults()`."""
    if Path(ENV_FILE).is_file() or any(k.upper().startswith(ENV_PREFIX) for k in os.environ):
        return settings_class()()
    return Defaults()


#: The HELPFIRST_DEBUG values that turn tracebacks on (any case, spaces around ignored); anything else is off.
TRUTHY = ("1", "true", "yes", "on")


def debug_enabled() -> bool:
    """True when HELPFIRST_DEBUG (environment, else .env) is one of TRUTHY; never raises."""
    try:
        value = load_settings().debug
    except Exception:  # noqa: BLE001 - a .env that cannot be read must not hide the error being reported
        value = os.environ.get(ENV_PREFIX + "DEBUG")
    return str(value or "").strip().lower() in TRUTHY


def cache_dir(settings: Any) -> Path:
    """The cache root: HELPFIRST_CACHE, else $XDG_CACHE_HOME/helpfirst, else ~/.cache/helpfirst."""
    if settings.cache:
        return Path(settings.cache)
    return Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")) / "helpfirst"


def setting_source(name: str) -> str:
    """Where a setting's value came from: its variable's name, followed by ' (/path/.env line N)' when .env set it."""
    var = ENV_PREFIX + name.upper()
    if any(k.upper() == var for k in os.environ):
        return var
    path = Path(ENV_FILE).resolve()
    line = _env_file_line(path, var)
    return f"{var} ({path}{f' line {line}' if line else ''})"


def _env_file_line(path: Path, var: str) -> int | None:
    # the last assignment wins in a .env file, as python-dotenv reads it
    found = None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, 1):
        text = text.strip()
        if text.startswith("export "):
            text = text[len("export "):].lstrip()
        name = text.split("=", 1)[0].strip() if "=" in text else ""
        if name.upper() == var:
            found = number
    return found


_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_MIN = {"s": 1 / 60, "sec": 1 / 60, "m": 1.0, "min": 1.0, "h": 60.0, "hr": 60.0, "d": 1440.0}


def parse_duration_minutes(text: str) -> float:
    """'30m', '2h', '90s', '1d' or a bare number of minutes -> minutes."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 30m, 2h, 90s or 1d")
    return float(m["n"]) * _UNIT_MIN[(m["u"] or "m").lower()]
