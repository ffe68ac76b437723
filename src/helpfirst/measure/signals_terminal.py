"""The signal figures of the scorecard as Rich tables: help requests and how they ended."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .terminal import MAX_BRAND_ROWS, fmt_minutes, fmt_share

OUTCOME_COLUMNS = ("resolved", "redirected", "unresolved", "abandoned", "unanswered", "unconfirmed")


def fmt_shift(value: float | None) -> str:
    """A sentiment shift with its sign: +0.12, -0.30; '-' when absent."""
    return "-" if value is None else f"{value:+.2f}"


def print_signals(doc: dict, console: Console) -> None:
    """Print the help-request figures and the outcome mix per brand (when the audit ran the signals)."""
    if not doc.get("signals"):
        return
    target = doc["settings"]["target_min"]
    brands = [(name, b) for name, b in doc["brands"].items() if b.get("help_requests")]
    shown = brands[:MAX_BRAND_ROWS]
    model = doc["signals"]["model"]
    # brand names are what the reader looks for: never cut them (other headers may wrap)
    brand_width = min(max([len("all brands")] + [len(name) for name, _ in shown]), 18)

    help_table = Table(title=f"Help requests (questions and problems; signals: {model} model)", title_justify="left")
    for col in ("brand", "help requests", "coverage", "FRT median", f"within {fmt_minutes(target)}",
                "substance", "time to solution"):
        if col == "brand":
            help_table.add_column(col, no_wrap=True, min_width=brand_width)
        else:  # narrow terminals: headers fold onto more lines rather than being cut
            help_table.add_column(col, justify="right", overflow="fold")

    def help_row(name: str, b: dict, style: str | None = None) -> None:
        help_table.add_row(
            Text(name),  # handles come from the archive: never Rich markup
            f"{b['help_requests']:,}",
            fmt_share(b["help_coverage"]),
            fmt_minutes(b["help_frt_median_min"]),
            fmt_share(b["help_within_target"]),
            fmt_share(b["substance"]),
            fmt_minutes(b["time_to_solution_median_min"]),
            style=style,
        )

    outcome_table = Table(title="How help requests ended", title_justify="left")
    outcome_table.add_column("brand", no_wrap=True, min_width=brand_width)
    for col in OUTCOME_COLUMNS:
        outcome_table.add_column(col, justify="right", overflow="fold")
    outcome_table.add_column("sentiment shift", justify="right", overflow="fold")

    def outcome_row(name: str, b: dict, style: str | None = None) -> None:
        outcome_table.add_row(Text(name), *[fmt_share(b["outcomes"][o]) for o in OUTCOME_COLUMNS],
                              fmt_shift(b["sentiment_shift_mean"]), style=style)

    for name, b in shown:
        help_row(name, b)
        outcome_row(name, b)
    if len(brands) > len(shown):
        caption = f"{len(shown)} of {len(brands)} brands with help requests shown; all are in --json and --report"
        help_table.caption = outcome_table.caption = caption
    help_table.add_section()
    outcome_table.add_section()
    help_row("all brands", doc["totals"], style="bold")
    outcome_row("all brands", doc["totals"], style="bold")
    console.print(help_table)
    console.print(
        "[dim]substance = first replies that carry a solution; time to solution = median time from the "
        "request to the first solution reply (m = minutes, h = hours, d = days)[/]"
    )
    console.print(outcome_table)
    console.print(
        "[dim]unconfirmed = the brand answered and the person never said whether it helped; "
        "sentiment shift = the person's last post minus their first (mean)[/]"
    )
