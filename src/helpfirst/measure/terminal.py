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


def rejections_note(rejected: int, listed: int) -> str:
    """Where the rejections beyond the first ten are, as true for these counts."""
    if listed >= rejected:
        return "all of them are listed in --json"
    return f"the first {listed:,} of the {rejected:,} are listed in --json"


#: The brand column's width the figure columns make room for (a longer handle ends in "…").
BRAND_WIDTH = 22


def _figure_widths(headers: list[str], rows: list[list[str]], width: int, brand: int) -> list[int] | None:
    """Widths of the figure columns: whole headers where there is room, else headers wrapped at
    spaces (the widest first), never a figure or a header word cut ("conversatio…"); None when even
    that leaves the brand column under four characters."""
    shortest = [max([len(w) for w in h.split()] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    overhead = 3 * len(headers) + 4
    while sum(widths) + overhead + brand > width:
        slack = [w - m for w, m in zip(widths, shortest, strict=True)]
        i = max(range(len(widths)), key=slack.__getitem__)
        if slack[i] == 0:
            break
        widths[i] -= 1
    return widths if sum(widths) + overhead + 4 <= width else None


def _scorecard_cells(b: dict, business: bool) -> list[str]:
    """One brand's (or the totals') figures in the scorecard table, after the brand."""
    cells = [
        f"{b['conversations']:,}",
        f"{b['answered']:,}",
        fmt_share(b["coverage"]),
        fmt_minutes(b["frt_median_min"]),
        fmt_minutes(b["frt_p90_min"]),
        fmt_share(b["within_target"]),
    ]
    if business:
        cells += [fmt_minutes(b.get("frt_business_median_min")), fmt_share(b.get("within_target_business"))]
    return cells


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
    headers = ["conversations", "answered", "coverage", "FRT median", "FRT p90", "within target"]
    if business:
        headers += ["FRT median (bh)", "within target (bh)"]
    brands = list(doc["brands"].items())
    rows = [(name, _scorecard_cells(b, business), None) for name, b in brands[:MAX_BRAND_ROWS]]
    rows.append(("all brands", _scorecard_cells(doc["totals"], business), "bold"))
    longest = max(len(name) for name, _, _ in rows)
    widths = _figure_widths(headers, [cells for _, cells, _ in rows], console.width, min(longest, BRAND_WIDTH))
    if widths is None:  # too narrow for whole header words: Rich squeezes every column
        table.add_column("brand")
        for col in headers:
            table.add_column(col, justify="right")
    else:
        room = console.width - sum(widths) - 3 * len(widths) - 4  # padding and borders of every column
        table.add_column("brand", overflow="ellipsis", no_wrap=True, max_width=max(min(room, longest), 1))
        for col, width in zip(headers, widths, strict=True):
            table.add_column(col, justify="right", width=width)
    for name, cells, style in rows:
        if style:  # the totals row
            table.add_section()
        table.add_row(Text(name), *cells, style=style)  # brand handles come from the archive: never Rich markup
    if len(brands) > MAX_BRAND_ROWS:
        table.caption = f"{MAX_BRAND_ROWS} of {len(brands)} brands shown; all are in --json and --report"
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
            console.print(f"  [dim]… {rejections_note(doc['rows_rejected'], len(doc['rejections']))}[/]")
    if report_path:
        console.print(f"[green]report written:[/] {escape(report_path)}", highlight=False, soft_wrap=True)
