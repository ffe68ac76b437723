"""The scorecard as Rich tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

MAX_BRAND_ROWS = 25


def fmt_minutes(value: float | None) -> str:
    """Minutes as a short human duration: 45s, 12.5m, 3.2h, 2.1d; '-' when absent."""
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 60:.0f}s"
    if value < 90:
        return f"{value:.1f}m"
    if value < 48 * 60:
        return f"{value / 60:.1f}h"
    return f"{value / 1440:.1f}d"


def fmt_share(value: float | None) -> str:
    """A share as a percentage."""
    return "-" if value is None else f"{value * 100:.1f}%"


def print_audit(doc: dict, console: Console, report_path: str | None = None) -> None:
    """Print the audit document: counts, the per-brand scorecard, the vanity contrast, rejections."""
    console.print(
        f"[bold]rows read[/] {doc['rows_read']:,}  [bold]loaded[/] {doc['rows_loaded']:,}  "
        f"[bold]rejected[/] {doc['rows_rejected']:,}  "
        f"[dim]({doc['threads']['orphan_threads']:,} threads with a missing parent)[/]"
    )
    for error in doc.get("errors", []):
        console.print("[red]error:[/] ", end="")
        console.print(error, markup=False, highlight=False, soft_wrap=True)
    business = doc["settings"].get("business_hours")
    target = doc["settings"]["target_min"]
    table = Table(title=f"Helpfulness scorecard (target {fmt_minutes(target)})", title_justify="left")
    for col, just in [
        ("brand", "left"),
        ("conversations", "right"),
        ("answered", "right"),
        ("coverage", "right"),
        ("FRT median", "right"),
        ("FRT p90", "right"),
        ("within target", "right"),
    ]:
        table.add_column(col, justify=just)
    if business:
        table.add_column("FRT median (bh)", justify="right")
        table.add_column("within target (bh)", justify="right")

    def row(name: str, b: dict, style: str | None = None) -> None:
        cells = [
            Text(name),  # brand handles come from the archive: never Rich markup
            f"{b['conversations']:,}",
            f"{b['answered']:,}",
            fmt_share(b["coverage"]),
            fmt_minutes(b["frt_median_min"]),
            fmt_minutes(b["frt_p90_min"]),
            fmt_share(b["within_target"]),
        ]
        if business:
            cells += [fmt_minutes(b.get("frt_business_median_min")), fmt_share(b.get("within_target_business"))]
        table.add_row(*cells, style=style)

    brands = list(doc["brands"].items())
    for name, b in brands[:MAX_BRAND_ROWS]:
        row(name, b)
    if len(brands) > MAX_BRAND_ROWS:
        table.caption = f"{MAX_BRAND_ROWS} of {len(brands)} brands shown; all are in --json and --report"
    table.add_section()
    row("all brands", doc["totals"], style="bold")
    console.print(table)
    if business:
        console.print(f"[dim]bh = business hours: {business}[/]")
    if doc.get("signals"):
        from .signals_terminal import print_signals

        print_signals(doc, console)

    vanity = doc["totals"]["vanity"]
    contrast = Table(title="What brands usually report vs what helped", title_justify="left")
    contrast.add_column("vanity figure")
    contrast.add_column("value", justify="right")
    contrast.add_column("helpfulness figure")
    contrast.add_column("value", justify="right")
    na = "not in this export"
    contrast.add_row("brand posts", f"{vanity['brand_posts']:,}", "conversations opened by customers", f"{doc['totals']['conversations']:,}")
    contrast.add_row("customer posts (mentions)", f"{vanity['customer_posts']:,}", "coverage", fmt_share(doc["totals"]["coverage"]))
    contrast.add_row("likes", na if vanity["likes"] is None else f"{vanity['likes']:,}", "within target", fmt_share(doc["totals"]["within_target"]))
    contrast.add_row("reposts", na if vanity["reposts"] is None else f"{vanity['reposts']:,}", "FRT median", fmt_minutes(doc["totals"]["frt_median_min"]))
    console.print(contrast)

    if doc["rows_rejected"]:
        console.print(f"[yellow]{doc['rows_rejected']:,} rows rejected[/], first ones:")
        for r in doc["rejections"][:10]:
            where = r["file"] if r["line"] is None else f"{r['file']}:{r['line']}"
            field = f" field {r['field']!r}:" if r["field"] else ""
            console.print(f"  {where}:{field} {r['reason']}", markup=False, highlight=False)
        if doc["rows_rejected"] > 10:
            console.print("  [dim]… all of them are listed in --json (up to 1,000)[/]")
    if report_path:
        console.print(f"[green]report written:[/] {escape(report_path)}", highlight=False, soft_wrap=True)
