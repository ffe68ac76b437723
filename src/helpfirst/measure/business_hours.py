"""Business-hours clock: a weekly schedule in a time zone, minus holidays, as elapsed working time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# days, then one or more hour ranges ("Mon-Fri 09:00-12:00 13:00-17:00", as describe() writes a split day)
_SEGMENT = re.compile(
    r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<hours>\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:\s+\d{1,2}:\d{2}-\d{1,2}:\d{2})*)$",
    re.IGNORECASE,
)
_RANGE = re.compile(r"(?P<h1>\d{1,2}:\d{2})-(?P<h2>\d{1,2}:\d{2})")


#: What a time range written another way looks like ("9-5", "9am-5pm", "9.30-17"): told apart
#: from a time zone so the message can say what the hours should look like.
_HOURS_LIKE = re.compile(r"^\d{1,2}(?:[:.]\d{2})?(?:am|pm)?-\d{1,2}(?:[:.]\d{2})?(?:am|pm)?$", re.IGNORECASE)
_HOURS_FORM = "hours in HH:MM-HH:MM form (24-hour clock)"
_EXAMPLE = "'Mon-Fri 09:00-17:00 Europe/London'"

_EARLIEST = datetime(1970, 1, 2, tzinfo=timezone.utc)
_LATEST = datetime(2199, 12, 30, tzinfo=timezone.utc)


class BusinessHoursError(ValueError):
    """The business-hours text could not be understood; the message says what was expected."""


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday) in `zone`, and closed days."""

    zone: str
    weekly: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def describe(self) -> str:
        """Human-readable form, as in the report."""
        parts = []
        day = 0
        while day < 7:
            hours = self.weekly.get(day)
            last = day
            while last + 1 < 7 and self.weekly.get(last + 1) == hours:
                last += 1
            if hours:
                days = DAYS[day].title() if last == day else f"{DAYS[day].title()}-{DAYS[last].title()}"
                parts.append(days + " " + " ".join(f"{a:%H:%M}-{_closing(b)}" for a, b in hours))
            day = last + 1
        text = ", ".join(parts) + f" {self.zone}"
        if self.holidays:
            text += f" (minus {len(self.holidays)} holiday{'s' if len(self.holidays) != 1 else ''})"
        return text

    def intervals(self, start: datetime, end: datetime) -> tuple[np.ndarray, np.ndarray]:
        """Open intervals [start, end) as UTC epoch seconds covering the given period."""
        tz = self.tz
        start, end = max(start, _EARLIEST), min(end, _LATEST)
        day = start.astimezone(tz).date() - timedelta(days=1)
        last = end.astimezone(tz).date() + timedelta(days=1)
        starts, ends = [], []
        while day <= last:
            if day not in self.holidays:
                for open_at, close_at in self.weekly.get(day.weekday(), ()):
                    a = datetime.combine(day, open_at, tz).astimezone(timezone.utc).timestamp()
                    b_day = day + timedelta(days=1) if close_at == time(0, 0) else day
                    b = datetime.combine(b_day, close_at, tz).astimezone(timezone.utc).timestamp()
                    if b > a:
                        starts.append(a)
                        ends.append(b)
            day += timedelta(days=1)
        return _merge(np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64))

    def elapsed_seconds(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Business seconds between paired UTC epoch-second arrays (NaN where either is NaN)."""
        start = np.asarray(start, dtype=np.float64)
        end = np.asarray(end, dtype=np.float64)
        out = np.full(start.shape, np.nan)
        ok = ~(np.isnan(start) | np.isnan(end))
        if not ok.any():
            return out
        lo = datetime.fromtimestamp(float(np.nanmin(start[ok])), timezone.utc)
        hi = datetime.fromtimestamp(float(np.nanmax(end[ok])), timezone.utc)
        a, b = self.intervals(lo, hi)
        if len(a) == 0:
            out[ok] = 0.0
            return out
        cum = np.concatenate([[0.0], np.cumsum(b - a)])

        def clock(t: np.ndarray) -> np.ndarray:
            # business seconds from the first interval's start up to t
            k = np.searchsorted(a, t, side="right") - 1
            inside = np.clip(t - a[np.maximum(k, 0)], 0, (b - a)[np.maximum(k, 0)])
            return np.where(k < 0, 0.0, cum[np.maximum(k, 0)] + inside)

        out[ok] = np.maximum(clock(end[ok]) - clock(start[ok]), 0.0)
        return out


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, non-overlapping intervals (overlapping or touching segments become one: no hour counts twice)."""
    if len(starts) == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new_block = np.concatenate([[True], starts[1:] > reach[:-1]])
    block = np.cumsum(new_block) - 1
    merged_ends = np.zeros(block[-1] + 1)
    np.maximum.at(merged_ends, block, ends)
    return starts[new_block], merged_ends


def parse_business_hours(text: str, holidays: list[str] | None = None) -> BusinessHours:
    """Parse 'Mon-Fri 09:00-17:00 Europe/London' (segments joined with commas; a segment may give several
    hour ranges, 'Mon-Fri 09:00-12:00 13:00-17:00', the form describe() writes)."""
    spec = text.strip()
    if " " not in spec:
        raise BusinessHoursError(f"business hours {text!r}: expected e.g. 'Mon-Fri 09:00-17:00 Europe/London'")
    body, zone = spec.rsplit(" ", 1)
    if re.match(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", zone):
        raise BusinessHoursError(f"business hours {text!r}: the time zone is missing; expected e.g. 'Mon-Fri 09:00-17:00 Europe/London'")
    if _HOURS_LIKE.match(zone):
        raise BusinessHoursError(f"business hours {text!r}: {zone!r} is not {_HOURS_FORM} (and the time zone "
                                 f"is missing); expected e.g. {_EXAMPLE}")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BusinessHoursError(f"business hours {text!r}: unknown time zone {zone!r} (use an IANA name like Europe/London)") from None
    weekly: dict[int, list[tuple[time, time]]] = {}
    for segment in [s.strip() for s in body.split(",") if s.strip()]:
        m = _SEGMENT.match(segment)
        if not m:
            hours = segment.split()[-1]
            what = f"{hours!r} is not {_HOURS_FORM}" if _HOURS_LIKE.match(hours) else f"cannot read {segment!r}"
            raise BusinessHoursError(f"business hours {text!r}: {what}; expected days then hours, e.g. {_EXAMPLE}")
        d1, d2 = m["d1"].lower(), (m["d2"] or m["d1"]).lower()
        if d1 not in DAYS or d2 not in DAYS:
            raise BusinessHoursError(f"business hours {text!r}: unknown day in {segment!r} (Mon..Sun)")
        ranges = []
        for r in _RANGE.finditer(m["hours"]):
            if _is_midnight(r["h2"], "00"):
                raise BusinessHoursError(f"business hours {text!r}: {segment!r} closes at {r['h2']!r}; write 24:00 for "
                                         "midnight at the end of the day (hours do not run past midnight)")
            if _is_midnight(r["h1"], "24"):
                raise BusinessHoursError(f"business hours {text!r}: {segment!r} opens at {r['h1']!r}; write 00:00 for "
                                         "midnight at the start of the day")
            open_at, close_at = _clock(r["h1"], text), _clock(r["h2"], text)
            if close_at <= open_at and close_at != time(0, 0):
                raise BusinessHoursError(f"business hours {text!r}: {segment!r} closes before it opens")
            ranges.append((open_at, close_at))
        first, last = DAYS.index(d1), DAYS.index(d2)
        days = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        for day in days:
            weekly.setdefault(day, []).extend(ranges)
    if not weekly:
        raise BusinessHoursError(f"business hours {text!r}: no opening hours given")
    closed = parse_holidays(holidays)
    return BusinessHours(zone=zone, weekly={d: tuple(sorted(v)) for d, v in weekly.items()}, holidays=closed)


def parse_holidays(holidays: list[str] | None) -> frozenset[date]:
    """Closed days from items like '2017-12-25' or '2017-12-25,2017-12-26'."""
    closed = set()
    for item in holidays or []:
        for piece in str(item).split(","):
            piece = piece.strip()
            if not piece:
                continue
            try:
                closed.add(date.fromisoformat(piece))
            except ValueError:
                raise BusinessHoursError(f"holiday {piece!r}: expected a date like 2017-12-25") from None
    return frozenset(closed)


def _is_midnight(value: str, hours: str) -> bool:
    h, minutes = value.split(":")
    return int(h) == int(hours) and int(minutes) == 0


def _closing(at: time) -> str:
    """A closing time as written: midnight at the end of the day is 24:00 (time(0, 0) stands for it)."""
    return "24:00" if at == time(0, 0) else f"{at:%H:%M}"


def _clock(value: str, text: str) -> time:
    hours, minutes = (int(x) for x in value.split(":"))
    if hours == 24 and minutes == 0:
        return time(0, 0)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise BusinessHoursError(f"business hours {text!r}: {value!r} is not a time of day")
    return time(hours, minutes)
