"""Settings from HELPFIRST_* environment variables (and a .env file); command-line options win."""

from __future__ import annotations

import re

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Defaults every command falls back on."""

    model_config = SettingsConfigDict(env_prefix="HELPFIRST_", env_file=".env", extra="ignore")

    target: str = "30m"
    business_hours: str | None = None
    holidays: str | None = None
    database_url: str = "sqlite:///helpfirst.db"
    debug: bool = False


_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_MIN = {"s": 1 / 60, "sec": 1 / 60, "m": 1.0, "min": 1.0, "h": 60.0, "hr": 60.0, "d": 1440.0}


def parse_duration_minutes(text: str) -> float:
    """'30m', '2h', '90s', '1d' or a bare number of minutes -> minutes."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a duration; use e.g. 30m, 2h, 90s or 1d")
    return float(m["n"]) * _UNIT_MIN[(m["u"] or "m").lower()]
