"""The signal figures of the scorecard as Rich tables: help requests and how they ended."""

from __future__ import annotations

from rich.console import Console

from .display import MAX_TERMINAL_BRANDS, format_target, help_request_brands
from .terminal import NONE, brand_tables, fmt_minutes, fmt_share

OUTCOME_COLUMNS = ("resolved", "redirected", "unresolved", "abandoned", "unanswered", "unconfirmed")


def fmt_shift(value: float | None) -> str:
    """A sentiment shift with its sign: +0.12, -0.30; an en dash when absent."""
    return NONE if value is None else f"{value:+.2f}"


def _help_cells(b: dict) -> list[str]:
    """One brand's (or the totals') help-request figures; shares of no help requests are absent
    (the JSON has 0.0 there; substance is null when no help request was answered)."""
    asked = b["help_requests"]
    return [
        f"{asked:,}",
        fmt_share(b["help_coverage"] if asked else None),
        fmt_minutes(b["help_frt_median_min"]),
        fmt_share(b["help_within_target"] if asked else None),
        fmt_share(b["substance"]),
        fmt_minutes(b["time_to_solution_median_min"]),
    ]


def _outcome_cells(b: dict) -> list[str]:
    """One brand's (or the totals') outcome mix and sentiment shift; absent over no help requests."""
    asked = b["help_requests"]
    return [fmt_share(b["outcomes"][o] if asked else None) for o in OUTCOME_COLUMNS] + [
        fmt_shift(b["sentiment_shift_mean"])]


def print_signals(doc: dict, console: Console) -> None:
    """Print the help-request figures and the outcome mix per brand (when the audit ran the signals),
    laid out as the core scorecard is (terminal.brand_tables)."""
    if not doc.get("signals"):
        return
    target = doc["settings"]["target_min"]
    brands = help_request_brands(doc["brands"])
    shown = brands[:MAX_TERMINAL_BRANDS]
    model = doc["signals"]["model"]
    caption = None
    if len(brands) > len(shown):
        caption = (f"the {len(shown)} of {len(brands)} brands with the most help requests; all are in --json "
                   "(the report's outcome chart shows the same ones)")

    headers = ["help requests", "coverage", "FRT median", f"within {format_target(target)}", "substance",
               "time to solution"]
    rows = [(name, _help_cells(b), None) for name, b in shown] + [("all brands", _help_cells(doc["totals"]), "bold")]
    for table in brand_tables(f"Help requests (questions and problems; signals: {model} model)", headers, rows,
                              console.width, caption):
        console.print(table)
    console.print(
        "[dim]substance = first replies that carry a solution; time to solution = median time from the "
        "request to the first solution reply (m = minutes, h = hours, d = days)[/]"
    )
    headers = [*OUTCOME_COLUMNS, "sentiment shift"]
    rows = [(name, _outcome_cells(b), None) for name, b in shown] + [
        ("all brands", _outcome_cells(doc["totals"]), "bold")]
    for table in brand_tables("How help requests ended", headers, rows, console.width, caption):
        console.print(table)
    console.print(
        "[dim]unconfirmed = the brand answered and the person never said whether it helped; "
        "sentiment shift = the person's last post minus their first (mean)[/]"
    )
