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
    database_url: str = "sqlite:///helpfirst.db"
    debug: bool = False


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


_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_MIN = {"s": 1 / 60, "sec": 1 / 60, "m": 1.0, "min": 1.0, "h": 60.0, "hr": 60.0, "d": 1440.0}


def parse_duration_minutes(text: str) -> float:
    """'30m', '2h', '90s', '1d' or a bare number of minutes -> minutes."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 30m, 2h, 90s or 1d")
    return float(m["n"]) * _UNIT_MIN[(m["u"] or "m").lower()]
