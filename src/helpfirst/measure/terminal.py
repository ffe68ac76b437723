"""The scorecard as Rich tables for the terminal."""

from __future__ import annotations

from itertools import combinations

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .display import MAX_TERMINAL_BRANDS, NONE, format_target, report_holds, visible

MAX_BRAND_ROWS = MAX_TERMINAL_BRANDS


def fmt_minutes(value: float | None) -> str:
    """Minutes as a short human duration: 45s, 12.5m, 3.2h, 2.1d; an en dash when absent."""
    if value is None:
        return NONE
    if value < 1:
        return f"{value * 60:.0f}s"
    if value < 90:
        return f"{value:.1f}m"
    if value < 48 * 60:
        return f"{value / 60:.1f}h"
    return f"{value / 1440:.1f}d"


def fmt_share(value: float | None) -> str:
    """A share as a percentage; an en dash when absent (a share of nothing)."""
    return NONE if value is None else f"{value * 100:.1f}%"


def rejections_note(rejected: int, listed: int) -> str:
    """Where the rejections beyond the first ten are, as true for these counts."""
    if listed >= rejected:
        return "all of them are listed in --json"
    return f"the first {listed:,} of the {rejected:,} are listed in --json"


def _wrapped_width(header: str, width: int) -> int:
    """The widest line of header wrapped at spaces into width (a word longer than width stays whole)."""
    lines: list[str] = []
    for word in header.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return max(cell_len(line) for line in lines)


def _column_groups(widest: list[int], narrowest: list[int], room: int) -> list[list[int]]:
    """The figure columns (indexes) in order, split into as few tables as fit in room (the width
    left beside the brand column, each column taking its width plus 3 for padding and border), the
    tables as even in width as can be."""
    n = len(widest)
    for k in range(1, n + 1):
        splits = []
        for cuts in combinations(range(1, n), k - 1):
            groups = [list(range(i, j)) for i, j in zip((0, *cuts), (*cuts, n), strict=True)]
            if all(sum(narrowest[i] + 3 for i in g) <= room for g in groups):
                splits.append((max(sum(widest[i] + 3 for i in g) for g in groups), groups))
        if splits:
            return min(splits)[1]
    return [[i] for i in range(n)]


def brand_tables(title: str, headers: list[str], rows: list[tuple[str, list[str], str | None]],
                 width: int, caption: str | None = None) -> list[Table]:
    """The brand column and the figure columns as one table, or as several with the brand repeated
    when the figures do not fit in width beside it: brand names are never cut (a name wider than
    the terminal folds onto more lines), figures never split, headers wrap only at spaces.

    rows: (brand, figure cells, style); a row with a style (the totals) gets a line above it."""
    # brand handles come from the archive: never a terminal control (made visible before measuring)
    rows = [(visible(name), cells, style) for name, cells, style in rows]
    values = [[cell_len(cells[i]) for _, cells, _ in rows] for i in range(len(headers))]
    widest = [max([cell_len(h)] + v) for h, v in zip(headers, values, strict=True)]
    narrowest = [max([cell_len(w) for w in h.split()] + v) for h, v in zip(headers, values, strict=True)]
    names = [name for name, _, _ in rows] + ["brand"]
    whole = max(cell_len(n) for n in names)
    words = max(cell_len(w) for n in names for w in n.split())  # "all brands" may wrap at its space

    def plan(brand: int) -> list[list[int]]:
        return _column_groups(widest, narrowest, width - brand - 4)

    brand = whole if len(plan(whole)) <= len(plan(words)) else words
    brand = max(1, min(brand, width - 4 - max(narrowest) - 3))  # else a name folds, never cut
    tables = []
    groups = plan(brand)
    for n, group in enumerate(groups):
        room = width - brand - 4 - 3 * len(group)
        widths = [widest[i] for i in group]
        while sum(widths) > room:  # wrap the header with the most room to give, at a space
            slack = [w - narrowest[i] for w, i in zip(widths, group, strict=True)]
            j = max(range(len(group)), key=slack.__getitem__)
            if slack[j] == 0:
                break
            i = group[j]
            widths[j] = max([_wrapped_width(headers[i], widths[j] - 1)] + values[i])
        if len(groups) > 1:  # every part as wide as the terminal, so their titles have room alike
            spare = max(0, room - sum(widths))
            widths = [w + spare // len(group) + (j < spare % len(group)) for j, w in enumerate(widths)]
        name = title if len(groups) == 1 else f"{title}, part {n + 1} of {len(groups)}"
        table = Table(title=name, title_justify="left")
        table.add_column("brand", width=brand, overflow="fold")
        for i, w in zip(group, widths, strict=True):
            table.add_column(headers[i], justify="right", width=w)
        for label, cells, style in rows:
            if style:  # the totals row
                table.add_section()
            # brand handles come from the archive: never Rich markup
            table.add_row(Text(label), *[cells[i] for i in group], style=style)
        tables.append(table)
    if caption:
        tables[-1].caption = caption
    return tables


def _scorecard_cells(b: dict, business: bool) -> list[str]:
    """One brand's (or the totals') figures in the scorecard table, after the brand; the shares of
    no conversations are absent (the JSON has 0.0 there)."""
    def share(key: str) -> str:
        return fmt_share(b.get(key) if b["conversations"] else None)

    cells = [
        f"{b['conversations']:,}",
        f"{b['answered']:,}",
        share("coverage"),
        fmt_minutes(b["frt_median_min"]),
        fmt_minutes(b["frt_p90_min"]),
        share("within_target"),
    ]
    if business:
        cells += [fmt_minutes(b.get("frt_business_median_min")), share("within_target_business")]
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
        console.print(visible(error), markup=False, highlight=False, soft_wrap=True)
    business = doc["settings"].get("business_hours")
    target = doc["settings"]["target_min"]
    headers = ["conversations", "answered", "coverage", "FRT median", "FRT p90", "within target"]
    if business:
        headers += ["FRT median (bh)", "within target (bh)"]
    brands = list(doc["brands"].items())
    rows = [(name, _scorecard_cells(b, business), None) for name, b in brands[:MAX_BRAND_ROWS]]
    rows.append(("all brands", _scorecard_cells(doc["totals"], business), "bold"))
    caption = None
    if len(brands) > MAX_BRAND_ROWS:
        caption = f"{MAX_BRAND_ROWS} of {len(brands):,} brands shown; {report_holds(len(brands))}"
    for table in brand_tables(f"Helpfulness scorecard (target {format_target(target)})", headers, rows,
                              console.width, caption):
        console.print(table)
    if business:
        console.print(f"[dim]bh = business hours: {escape(visible(business))}[/]")
    if doc.get("signals"):
        from .signals_terminal import print_signals

        print_signals(doc, console)

    vanity = doc["totals"]["vanity"]

    def share(key: str) -> str:  # of no conversations: absent
        return fmt_share(doc["totals"][key] if doc["totals"]["conversations"] else None)

    contrast = Table(title="What brands usually report vs what helped", title_justify="left")
    contrast.add_column("vanity figure")
    contrast.add_column("value", justify="right")
    contrast.add_column("helpfulness figure")
    contrast.add_column("value", justify="right")
    na = "not in this export"
    contrast.add_row("brand posts", f"{vanity['brand_posts']:,}", "conversations opened by customers", f"{doc['totals']['conversations']:,}")
    contrast.add_row("customer posts (mentions)", f"{vanity['customer_posts']:,}", "coverage", share("coverage"))
    contrast.add_row("likes", na if vanity["likes"] is None else f"{vanity['likes']:,}", "within target", share("within_target"))
    contrast.add_row("reposts", na if vanity["reposts"] is None else f"{vanity['reposts']:,}", "FRT median", fmt_minutes(doc["totals"]["frt_median_min"]))
    console.print(contrast)

    if doc["rows_rejected"]:
        console.print(f"[yellow]{doc['rows_rejected']:,} rows rejected[/], first ones:")
        for r in doc["rejections"][:10]:
            where = r["file"] if r["line"] is None else f"{r['file']}:{r['line']}"
            field = f" field {r['field']!r}:" if r["field"] else ""
            console.print(visible(f"  {where}:{field} {r['reason']}"), markup=False, highlight=False)
        if doc["rows_rejected"] > 10:
            console.print(f"  [dim]… {rejections_note(doc['rows_rejected'], len(doc['rejections']))}[/]")
    if report_path:
        console.print(f"[green]report written:[/] {escape(visible(report_path))}", highlight=False, soft_wrap=True)
