"""The terminal scorecard of `helpfirst audit` at 60, 80 and 120 columns, as a user (or a pipe,
drawn at 80) gets it: real processes, real files (the TWCS head of ../shared/data and a generated
archive whose brand handles share long prefixes).

In every brand table (the core scorecard, help requests, how they ended): no line wider than the
terminal, no brand cut ("Grani…" standing for three brands), no figure split over two lines ("27.3"
then "%"), no header word broken ("reques" / "ts"). A share of nothing prints "–", never "0.0%".
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SHARED_DATA, write_twcs

WIDTHS = (60, 80, 120)
BH = ["--business-hours", "Mon-Fri 09:00-17:00 Europe/London"]
# every header of the brand tables, whole (a header may wrap only at its spaces)
HEADERS = {"brand", "conversations", "answered", "coverage", "FRT median", "FRT p90", "within target",
           "FRT median (bh)", "within target (bh)", "help requests", "within 30 min", "substance",
           "time to solution", "resolved", "redirected", "unresolved", "abandoned", "unanswered",
           "unconfirmed", "sentiment shift"}
# one whole figure: a count, a share, a duration, a sentiment shift, or absent
FIGURE = re.compile(r"[\d,]+|\d+\.\d%|\d+s|\d+\.\d[mhd]|[+-]\d+\.\d\d|–")


def audit(path: Path, *args: str, columns: int | None = None) -> str:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    if columns:
        env["COLUMNS"] = str(columns)
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", str(path), *args],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def brand_tables(out: str) -> list[tuple[list[list[str]], list[list[str]]]]:
    """The tables of brands (all but the vanity contrast): (header lines, data lines), each line as its cells."""
    lines = out.splitlines()
    found = []
    for top, line in enumerate(lines):
        if not line.startswith("┏"):
            continue
        rule = next(i for i in range(top, len(lines)) if lines[i].startswith("┡"))
        end = next(i for i in range(rule, len(lines)) if lines[i].startswith("└"))
        header = [[c.strip() for c in row.split("┃")[1:-1]] for row in lines[top + 1:rule]]
        data = [[c.strip() for c in row.split("│")[1:-1]] for row in lines[rule + 1:end] if row.startswith("│")]
        if not any("vanity" in cell for cells in header for cell in cells):
            found.append((header, data))
    return found


def check(out: str, columns: int, brands: list[str]) -> None:
    """Everything the module docstring promises, for one terminal's output."""
    assert all(len(line) <= columns for line in out.splitlines()), [l for l in out.splitlines() if len(l) > columns]
    tables = brand_tables(out)
    assert len(tables) >= 3  # the core scorecard, help requests, how they ended (maybe in parts)
    shown: set[str] = set()
    for header, data in tables:
        cut = [cell for row in header + data for cell in row if "…" in cell]
        assert not cut, cut  # "Grani…", "conve…"
        columns_words = [" ".join(row[i] for row in header if row[i]) for i in range(len(header[0]))]
        assert set(columns_words) <= HEADERS, columns_words  # "reques ts", "conve…" are not headers
        for cells in data:
            brand, figures = cells[0], cells[1:]
            if brand in brands or brand in ("all brands", "all"):  # "all brands" may wrap at its space
                shown.add("all brands" if brand == "all" else brand)
                bad = [f for f in figures if not FIGURE.fullmatch(f)]
                assert not bad, (brand, bad)  # "27.3" without its "%", or a cut figure
            else:  # a wrapped brand cell's next line ("all" / "brands"): no figure on it
                assert brand in ("", "brands"), brand  # never a piece of a handle
                assert not any(figures), cells
    assert "all brands" in shown
    assert set(brands[:25]) <= shown  # every shown handle whole, so none stands for another


@pytest.fixture(scope="module")
def synth_archive(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "s.csv"
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "synth", "--posts", "20000", "--out", str(path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return path


def brand_names(path: Path, *args: str) -> list[str]:
    return list(json.loads(audit(path, *args, "--json"))["brands"])


def test_twcs_head_at_every_width():
    path = SHARED_DATA / "twcs-head5k" / "twcs-head5k.csv"
    if not path.is_file():
        pytest.skip(f"real data not present at {path}")
    brands = brand_names(path, *BH)
    for columns in WIDTHS:
        check(audit(path, *BH, columns=columns), columns, brands)


def test_generated_archive_at_every_width(synth_archive):
    brands = brand_names(synth_archive)
    # the archive has handles sharing long prefixes: "Grani…" stood for three of them
    assert sum(b.startswith("Granite") for b in brands) >= 2
    for columns in WIDTHS:
        check(audit(synth_archive, columns=columns), columns, brands)


def test_wide_terminal_keeps_one_table_each(synth_archive):
    out = audit(synth_archive, columns=200)
    assert "part 1 of" not in out
    assert len(brand_tables(out)) == 3


def test_shares_of_nothing_are_a_dash(tmp_path):
    # nobody asks for help here: help requests 0, so their shares have nothing to be a share of;
    # ZetaCare only posts news: no conversations, so no coverage either
    rows = [(1, "101", True, 0, "@AcmeCare love the new ad, great work", None),
            (2, "AcmeCare", False, 10, "@101 thank you so much!", 1),
            (3, "ZetaCare", False, 20, "Big news today: our new store opens in town", None)]
    path = write_twcs(tmp_path / "a.csv", rows)
    doc = json.loads(audit(path, "--json"))
    assert doc["totals"]["help_requests"] == 0, doc["totals"]
    assert doc["brands"]["ZetaCare"]["conversations"] == 0, doc["brands"]
    tables = brand_tables(audit(path, columns=200))
    zeta = next(c for c in tables[0][1] if c[0] == "ZetaCare")
    # conversations, answered, coverage, FRT median, FRT p90, within target
    assert zeta == ["ZetaCare", "0", "0", "–", "–", "–", "–"]
    help_rows, outcome_rows = [next(c for c in data if c[0] == "all brands") for _, data in tables[1:3]]
    # help requests, coverage, FRT median, within target, substance, time to solution
    assert help_rows == ["all brands", "0", "–", "–", "–", "–", "–"]
    assert outcome_rows == ["all brands"] + ["–"] * 7


def test_wide_characters_in_brand_names_are_measured_in_cells(tmp_path):
    # a Japanese handle takes two terminal cells a character: measured in characters it got half the room
    # it needs and folded onto two lines, though the table had room for it
    from rich.cells import cell_len

    brand = "アマゾン公式サポートセンター"
    rows = [(1, "101", True, 0, f"@{brand} my order never came", None),
            (2, brand, False, 10, "@101 sorry, let me check", 1)]
    path = write_twcs(tmp_path / "a.csv", rows)
    out = audit(path, "--no-signals", columns=80)
    assert any(brand in line for line in out.splitlines()), out
    assert all(cell_len(line) <= 80 for line in out.splitlines())
