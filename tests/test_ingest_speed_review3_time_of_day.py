"""The time-of-day check at batch speed (speed review 3): values laid out as 'YYYY-MM-DDTHH:MM...'
are found by their bytes, the rest by the regex, with the same result as the regex on every value.
A short value is not the only kind without minutes: an hour with an offset, or a date padded with
spaces, is 16 characters or more."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpfirst.ingest import ImportOptions, ImportReport, read_posts
from helpfirst.ingest.common import _TIME_OF_DAY, _minutes_at_byte_9, lacks_time_of_day, parse_iso_timestamps

WITH_MINUTES = [
    "2024-02-01T09:30", "2024-02-01T09:30Z", "2024-02-01 09:30:00", "2024-02-01t09:30:00.123456+05:30",
    "2024-02-01T09:30:00Z", "20240201T0930", "20240201T093000Z", "2024-02-01T0930Z", "2024-W05-4T09:30",
    "  2024-02-01T09:30:00Z  ", "2024-02-01T09:30:00-08:00", "2024-02-01 09:30+0530",
]
WITHOUT_MINUTES = [
    "2024-02-01", "20240201", "2024-02-01T09", "2024-02-01T09Z", "2024-02-01T09+05:00", "2024-02-01T09+0500",
    "2024-02-01 09-08:00", "2024-02-01          ", "   2024-02-01T09   ", "20240201T09+05:30:15.123456",
    "2024-W05-4T09+05:00", "2024-02-01T09,5+01:00",
]


def regex_everywhere(column: pa.Array, parsed: np.ndarray) -> np.ndarray:
    found = pc.match_substring_regex(column, pattern=_TIME_OF_DAY).fill_null(True).to_numpy(zero_copy_only=False)
    return parsed & ~found


def test_long_values_can_lack_minutes():
    assert any(len(v) >= 16 for v in WITHOUT_MINUTES)
    column = pa.array(WITHOUT_MINUTES + WITH_MINUTES)
    _, bad = parse_iso_timestamps(column)
    assert not bad.any()  # every one is a date-time the importers accept
    assert lacks_time_of_day(column, ~bad).tolist() == [True] * len(WITHOUT_MINUTES) + [False] * len(WITH_MINUTES)


def test_the_byte_check_finds_the_usual_layout_only():
    column = pa.array(["2024-02-01T09:30:00Z", "2024-02-01 09:30", "2024-02-01t09:30", "2024-02-01T09+05:00",
                       "2024-02-01X09:30:00", "2024-02-01T0:930:00", "2024-02-01T09:3a:00", "2024-02-01T09:30",
                       "2024-02-01T09:3", None, "", "xxxxxxxxx1T09:30", "2024-02-01T0９:30:00"])
    assert _minutes_at_byte_9(column).tolist() == [
        True, True, True, False, False, False, False, True, False, False, False, True, False]


def test_random_values_match_the_regex_on_every_value():
    rng = random.Random(3)
    pieces = WITH_MINUTES + WITHOUT_MINUTES + ["x", "T", ":", "9", " ", "é", "٣", "0", "+05:00", "Z"]
    values = []
    for _ in range(5000):
        value = rng.choice(pieces)
        if rng.random() < 0.5:
            cut = rng.randint(0, len(value))
            value = value[:cut] + rng.choice(pieces)[: rng.randint(0, 4)] + value[cut:]
        values.append(None if rng.random() < 0.05 else value)
    column = pa.array(values)
    parsed = np.array([rng.random() < 0.9 for _ in values])
    assert lacks_time_of_day(column, parsed).tolist() == regex_everywhere(column, parsed).tolist()
    part = column.slice(1234, 2000)
    assert lacks_time_of_day(part, parsed[1234:3234]).tolist() == regex_everywhere(part, parsed[1234:3234]).tolist()
    chunked = pa.chunked_array([column.slice(0, 2500), column.slice(2500)])
    assert lacks_time_of_day(chunked, parsed).tolist() == regex_everywhere(column, parsed).tolist()


def test_nothing_parsed_and_empty_columns():
    column = pa.array(["2024-02-01", None])
    assert lacks_time_of_day(column, np.zeros(2, dtype=bool)).tolist() == [False, False]
    assert lacks_time_of_day(pa.array([], pa.string()), np.zeros(0, dtype=bool)).tolist() == []


def test_canonical_csv_accepts_every_form_with_minutes_and_rejects_the_rest(tmp_path):
    path = tmp_path / "d.csv"
    values = WITH_MINUTES + WITHOUT_MINUTES
    path.write_text(
        "id,author,author_role,created_at,text\n"
        + "".join(f'{i},sam,customer,"{v}",hi\n' for i, v in enumerate(values, 1)),
        encoding="utf-8",
    )
    report = ImportReport()
    ids = [i for b in read_posts([path], ImportOptions(), report) for i in b.column("id").to_pylist()]
    assert ids == [str(i) for i in range(1, len(WITH_MINUTES) + 1)]
    rejected = [(r.line, r.field, r.reason) for r in report.rejections]
    assert rejected == [
        (len(WITH_MINUTES) + 1 + k, "created_at", f"created_at has no time of day (hours and minutes): {v!r}")
        for k, v in enumerate(WITHOUT_MINUTES, 1)]
