"""The business-hours clock: schedules, holidays, daylight saving, errors."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from helpfirst.measure.business_hours import BusinessHoursError, parse_business_hours


def minutes(hours, start: str, end: str) -> float:
    a = datetime.fromisoformat(start).timestamp()
    b = datetime.fromisoformat(end).timestamp()
    return float(hours.elapsed_seconds(np.array([a]), np.array([b]))[0] / 60)


def test_weekend_and_holiday_are_skipped():
    hours = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London", ["2017-12-25"])
    # Friday 22 Dec 16:00 GMT -> Tuesday 26 Dec 09:30 GMT: 60 + 30 minutes (Mon 25 is a holiday)
    assert minutes(hours, "2017-12-22T16:00:00+00:00", "2017-12-26T09:30:00+00:00") == pytest.approx(90)


def test_daylight_saving_change():
    hours = parse_business_hours("Mon-Fri 09:00-17:00 Europe/London")
    # Friday 27 Oct 2017 16:50 BST (15:50Z) -> Monday 30 Oct 09:10 GMT (09:10Z): 10 + 10 minutes
    assert minutes(hours, "2017-10-27T15:50:00+00:00", "2017-10-30T09:10:00+00:00") == pytest.approx(20)


def test_inside_one_day_and_closed_time():
    hours = parse_business_hours("Mon-Fri 09:00-17:00, Sat 10:00-12:00 UTC")
    assert minutes(hours, "2017-10-02T10:00:00+00:00", "2017-10-02T10:45:00+00:00") == pytest.approx(45)
    assert minutes(hours, "2017-10-02T18:00:00+00:00", "2017-10-02T23:00:00+00:00") == 0
    assert minutes(hours, "2017-10-06T16:00:00+00:00", "2017-10-07T11:00:00+00:00") == pytest.approx(120)


def test_midnight_close_and_nan():
    hours = parse_business_hours("Mon-Sun 00:00-24:00 UTC")
    assert minutes(hours, "2017-10-02T23:00:00+00:00", "2017-10-03T01:00:00+00:00") == pytest.approx(120)
    out = hours.elapsed_seconds(np.array([0.0, np.nan]), np.array([np.nan, 1.0]))
    assert np.isnan(out).all()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("Mon-Fri 09:00-17:00", "expected"),
        ("Mon-Fri 09:00-17:00 Mars/Olympus", "unknown time zone"),
        ("Mon-Fro 09:00-17:00 UTC", "unknown day"),
        ("Mon-Fri 17:00-09:00 UTC", "closes before it opens"),
        ("Mon-Fri 9-5 UTC", "'9-5' is not hours in HH:MM-HH:MM form .*'Mon-Fri 09:00-17:00 Europe/London'"),
        ("Mon-Fri 9-5", "'9-5' is not hours in HH:MM-HH:MM form .*time zone is missing.*'Mon-Fri 09:00-17:00 Europe/London'"),
        ("Mon-Fri 9am-5pm Europe/London", "'9am-5pm' is not hours in HH:MM-HH:MM form"),
        ("Mon-Fri 09:00-17:00, Sat UTC", "cannot read 'Sat'"),
        ("Mon-Fri 09:00-25:00 UTC", "not a time of day"),
    ],
)
def test_bad_specs_say_what_is_wrong(text, fragment):
    with pytest.raises(BusinessHoursError, match=fragment):
        parse_business_hours(text)


def test_bad_holiday():
    with pytest.raises(BusinessHoursError, match="holiday"):
        parse_business_hours("Mon-Fri 09:00-17:00 UTC", ["25/12/2017"])


def test_overlapping_segments_count_once():
    overlapping = parse_business_hours("Mon 09:00-17:00, Mon 12:00-18:00 UTC")
    assert minutes(overlapping, "2017-10-02T11:00:00+00:00", "2017-10-02T13:00:00+00:00") == pytest.approx(120)
    assert minutes(overlapping, "2017-10-02T08:00:00+00:00", "2017-10-02T19:00:00+00:00") == pytest.approx(540)
    repeated = parse_business_hours("Mon-Fri 09:00-17:00, Mon-Fri 09:00-17:00 UTC")
    assert minutes(repeated, "2017-10-02T10:00:00+00:00", "2017-10-02T10:20:00+00:00") == pytest.approx(20)


def test_cli_says_what_the_hours_should_look_like(tmp_path):
    # "Mon-Fri 9-5" was read as days plus a time zone named '9-5'
    import subprocess
    import sys

    from .conftest import write_twcs

    data = write_twcs(tmp_path / "a.csv", [(1, "cust", True, 0, "@brand my order is late", None),
                                           (2, "brand", False, 10, "@cust sorry, DM us", 1)])
    res = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(data), "--no-signals",
                          "--business-hours", "Mon-Fri 9-5"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 1
    assert "'9-5' is not hours in HH:MM-HH:MM form" in res.stderr and "09:00-17:00" in res.stderr, res.stderr
    assert "unknown time zone" not in res.stderr
