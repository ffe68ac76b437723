"""What the scorecard's outputs share: the wording of the response target, the mark of a figure with
nothing to measure, which brands a help-request table lists, and untrusted text made visible in the
terminal.

Kept free of heavy imports: the terminal uses it without loading the report's libraries.
"""

from __future__ import annotations

import math
import re

#: A figure with nothing to measure (a share of no conversations, a median of nothing): the JSON
#: keeps 0.0 or null, the terminal shows this en dash.
NONE = "\u2013"

#: Brands per table in the terminal, and in the report's chart of how help requests ended.
MAX_TERMINAL_BRANDS = 25
#: Brands in each of the report's brand tables (they scroll); more than this only the JSON lists.
MAX_REPORT_BRANDS = 1000

#: Characters a terminal acts on or that do not show (Unicode categories Cc, Cf, Zl, Zp and Cs):
#: C0 and C1 controls and DEL; format characters, which hide or reorder text (zero-width spaces and
#: joiners, bidirectional marks, embeddings, overrides and isolates, the BOM, soft hyphens, tags:
#: 'Acme\u200bHelp' must not pass for 'AcmeHelp'); line separators; lone surrogates (JSON allows
#: "\ud800"; a terminal cannot show it). Listed as ranges because building the class from
#: unicodedata costs a scan of every code point at start-up; a test keeps the list complete.
INVISIBLE_RANGES = (
    (0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD),
    (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
_INVISIBLE = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in INVISIBLE_RANGES) + "]")


def visible(text: str | None) -> str:
    """Untrusted text for the terminal: control characters as Python escapes ('\\x1b', '\\n', '\\u202e')."""
    if not text:
        return text or ""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def format_target(minutes: float) -> str:
    """A response target as set, in the largest unit it is a whole number of: '30 min', '4 h', '1 day',
    '365 days', '90 s'; else in minutes ('2.25 min'). The terminal and the report both use this."""
    m = float(minutes)
    for size, unit, plural in ((1440.0, " day", " days"), (60.0, " h", " h"), (1.0, " min", " min")):
        n = m / size
        if n >= 1 and math.isclose(n, round(n), rel_tol=0, abs_tol=1e-9):
            return f"{round(n):,}{unit if round(n) == 1 else plural}"
    seconds = m * 60
    if math.isclose(seconds, round(seconds), rel_tol=0, abs_tol=1e-9):
        return f"{round(seconds)} s"
    return f"{m:.4g} min"


def help_request_brands(brands: dict[str, dict]) -> list[tuple[str, dict]]:
    """The brands with help requests, the most help requests first (ties by name): the order, and
    with a limit the choice, of the terminal's help-request tables and the report's outcome chart."""
    chosen = [(name, f) for name, f in brands.items() if f.get("help_requests")]
    chosen.sort(key=lambda kv: (-kv[1]["help_requests"], kv[0].lower()))
    return chosen


def report_holds(brands: int) -> str:
    """Where a terminal table's missing brands are, as true for this many brands."""
    if brands <= MAX_REPORT_BRANDS:
        return "all are in --json and --report"
    return f"all are in --json; --report lists the {MAX_REPORT_BRANDS:,} with the most conversations"
