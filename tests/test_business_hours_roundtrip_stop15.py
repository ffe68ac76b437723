"""The business hours helpfirst echoes (settings.business_hours, the terminal, the report) are read back
as the same schedule: a user can copy them into HELPFIRST_BUSINESS_HOURS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpfirst.measure.business_hours import BusinessHoursError, parse_business_hours

SPECS = [
    "Mon-Fri 09:00-17:00 Europe/London",
    "Mon-Fri 22:00-24:00, Tue-Sat 00:00-06:00 UTC",
    "Mon-Fri 09:00-12:00, Mon-Fri 13:00-17:00 Europe/London",
    "Sat-Mon 10:00-14:00, Wed 08:00-09:00 15:00-16:30 America/New_York",
]


@pytest.mark.parametrize("spec", SPECS)
def test_described_hours_parse_to_the_same_schedule(spec):
    first = parse_business_hours(spec)
    again = parse_business_hours(first.describe())
    assert again.weekly == first.weekly and again.zone == first.zone


def test_split_day_is_one_segment_with_two_ranges():
    hours = parse_business_hours("Mon-Fri 09:00-12:00 13:00-17:00 UTC")
    assert len(hours.weekly) == 5 and all(len(v) == 2 for v in hours.weekly.values())
    with pytest.raises(BusinessHoursError, match="closes before it opens"):
        parse_business_hours("Mon 09:00-12:00 17:00-13:00 UTC")


def test_echoed_hours_are_accepted_by_audit(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"id": "1", "author": "ann", "author_role": "customer", "text": "@AcmeHelp help",
                    "created_at": "2024-03-04T10:00:00Z"}) + "\n"
        + json.dumps({"id": "2", "author": "AcmeHelp", "author_role": "brand", "text": "@ann on it",
                      "created_at": "2024-03-04T10:30:00Z", "parent_id": "1"}) + "\n")

    def audit(hours):
        run = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "a.jsonl", "--no-signals", "--json",
                              "--business-hours", hours], capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)["settings"]["business_hours"]

    echoed = audit("Mon-Fri 09:00-12:00, Mon-Fri 13:00-17:00 Europe/London")
    assert echoed == "Mon-Fri 09:00-12:00 13:00-17:00 Europe/London"
    assert audit(echoed) == echoed
