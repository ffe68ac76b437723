"""The helpfulness report: one self-contained HTML file that opens offline.

Everything in it is computed from an `AuditResult` and aggregated before it is embedded, so the
file stays small for large archives (what grows with the archive is capped: the brand tables,
the scatter plot and the list of worst-served conversations). The only large part is Plotly's
JavaScript, embedded once from the installed Python package.

Post texts and handles are untrusted. They reach the page in three ways, each escaped:
- HTML: Jinja2 with autoescape on;
- Plotly labels and hover texts (Plotly renders a subset of HTML): `html.escape` first;
- JSON inside `<script>`: `<`, `>`, `&`, U+2028 and U+2029 written as `\\uXXXX` escapes.
On top of that, the page carries a Content-Security-Policy that allows only its own two scripts
(by hash) and no network access at all, so a missed escape could neither run nor phone home.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import __version__
from ..fileio import write_text_atomic
from .display import MAX_REPORT_BRANDS, NONE, format_target
from .scorecard import first_response_rows

if TYPE_CHECKING:  # audit imports measure; keep the import graph one-way at run time
    from ..audit import AuditResult

#: Brands in the helpfulness and vanity tables (by conversations / by brand posts): every one, up to this.
MAX_TABLE_BRANDS = MAX_REPORT_BRANDS
#: Brands in the vanity-vs-helpfulness scatter plot (by conversations).
MAX_SCATTER_BRANDS = 300
#: Brands named on the scatter plot itself (the ones with most conversations).
SCATTER_LABELS = 8
#: A name on the scatter plot is cut to this many characters (with an ellipsis), fewer on a phone; the
#: hover has it whole.
SCATTER_LABEL_CHARS = 20
SCATTER_LABEL_CHARS_NARROW = 12
#: Rows in the worst-served list, and how many of them may be unanswered conversations.
WORST_ROWS = 20
WORST_UNANSWERED = 10
#: Post texts longer than this are cut (with an ellipsis) in the worst-served list.
TEXT_LIMIT = 400
#: The within-target line skips days (weeks) with fewer conversations than this, when others have more.
MIN_SHARE_CONVERSATIONS = 5
#: Above this many days in the main period, the trend is drawn per week instead of per day.
MAX_TREND_DAYS = 180

#: FRT buckets: upper bound in minutes (inclusive) and label; unanswered comes after.
FRT_BUCKETS: list[tuple[float, str]] = [
    (5.0, "≤ 5 min"),
    (15.0, "5–15 min"),
    (30.0, "15–30 min"),
    (60.0, "30–60 min"),
    (240.0, "1–4 h"),
    (1440.0, "4–24 h"),
    (math.inf, "> 1 day"),
]
UNANSWERED_LABEL = "unanswered"

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", '
    '"Liberation Sans", sans-serif'
)

# Palette (also used by the CSS): calm blue for volume, green for within target, warm for late.
BLUE = "#2f6fb3"
GREEN = "#1f8a5b"
AMBER = "#e0a526"
ORANGE = "#e07b26"
RED = "#c8472b"
DARK_RED = "#8e1f1f"
GREY = "#6b7280"


def render_report(result: AuditResult, out: Path) -> Path:
    """Write the HTML helpfulness report of an audit to `out` and return its path."""
    out = Path(out)
    html_text = build_report_html(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, html_text)
    return out


def build_report_html(result: AuditResult) -> str:
    """The report as one HTML string."""
    context = report_context(result)
    template = _environment().get_template("report.html.j2")
    return template.render(**context)


# --------------------------------------------------------------------------------------------
# Context: everything the template shows, already aggregated and formatted.


def report_context(result: AuditResult) -> dict[str, Any]:
    """The template's variables: formatted figures, tables and chart specifications."""
    doc = result.to_dict()
    totals = doc["totals"]
    settings = doc["settings"]
    target = float(settings["target_min"])
    business = settings.get("business_hours") is not None
    conv = result.scorecard.conversations
    posts = result.threads.posts
    zone = settings.get("report_zone") or "UTC"

    period = _period(totals, conv)
    brands_with_conv = {b: f for b, f in doc["brands"].items() if f["conversations"] > 0}
    trend, weekly, trend_min_n = _trend_chart(doc["daily"]["totals"], target, period)
    charts: dict[str, dict] = {
        "frt": _frt_chart(conv, target, business),
        "how_count": _heatmap_count(doc["hour_of_week"]["totals"], zone),
        "how_frt": _heatmap_frt(doc["hour_of_week"]["totals"], zone, target),
        "trend": trend,
        "vanity": _vanity_chart(brands_with_conv, target),
    }
    from .signals_report import signals_report_context

    signals = signals_report_context(result)  # None when the audit ran without signals
    if signals is not None:
        charts.update(signals.pop("charts"))
    return {
        "title": "Helpfulness report",
        "sources": [Path(f["path"]).name for f in doc["files"]],
        "period": period,
        "trend_unit": "week" if weekly else "day",
        "trend_min_n": trend_min_n,
        "settings": {
            "target": format_target(target),
            "business_hours": settings.get("business_hours"),
            "zone": zone,
        },
        "summary": _summary(totals, target, signals is not None),
        "kpis": _kpis(totals, target, business, signals is not None),
        "signals": signals,
        "business": business,
        "brand_count": len(brands_with_conv),
        "brand_rows": _brand_rows(brands_with_conv, business)[:MAX_TABLE_BRANDS],
        "brand_total": _brand_row("All brands", totals, business),
        "brands_without_conversations": len(doc["brands"]) - len(brands_with_conv),
        "max_table_brands": MAX_TABLE_BRANDS,
        "vanity": _vanity_section(doc["brands"], totals, target, signals is not None),
        "worst": _worst_served(conv, posts, target, result.post_texts),
        "frt_buckets": _frt_bucket_table(conv, target),
        "has_conversations": totals["conversations"] > 0,
        "trend_table": _trend_table(trend, weekly),
        "how_table": _how_table(doc["hour_of_week"]["totals"]),
        "quality": {
            "rows_read": _int(doc["rows_read"]),
            "rows_loaded": _int(doc["rows_loaded"]),
            "rows_rejected": _int(doc["rows_rejected"]),
            "orphan_threads": _int(doc["threads"]["orphan_threads"]),
            "loops_cut": _int(doc["threads"]["reply_loops_cut"]),
            "posts": _int(doc["threads"]["posts"]),
        },
        "charts_json": script_json({"charts": charts}),
        "plotly_js": Markup(_plotly_js()),
        "plotly_hash": _plotly_hash(),
        "generated_at": datetime.now(UTC).strftime("%d %b %Y %H:%M UTC"),
        "version": __version__,
    }


def _period(totals: dict, conv: pa.Table) -> dict:
    first, last = _parse_ts(totals.get("first_request_at")), _parse_ts(totals.get("last_request_at"))
    out: dict[str, Any] = {
        "first": _fmt_date(first) if first else None,
        "last": _fmt_date(last) if last else None,
        "core": None,
        "core_range": None,
    }
    n = conv.num_rows
    if n >= 50 and first and last:
        micros = pc.cast(conv.column("requested_at"), pa.int64()).to_numpy(zero_copy_only=False)
        lo, hi = np.quantile(micros, [0.01, 0.99], method="nearest")
        core_first = datetime.fromtimestamp(lo / 1e6, UTC)
        core_last = datetime.fromtimestamp(hi / 1e6, UTC)
        full_days = (last - first).total_seconds() / 86400
        core_days = (core_last - core_first).total_seconds() / 86400
        if full_days > 2 * core_days + 2:  # a few stray old requests stretch the period
            out["core"] = f"98% of them opened between {_fmt_date(core_first)} and {_fmt_date(core_last)}"
            out["core_range"] = (core_first.date(), core_last.date())
    return out


def _summary(totals: dict, target: float, signals: bool) -> str:
    """The headline: about help requests when the signals ran, else about conversations (and says so)."""
    n = totals["conversations"]
    if n == 0:
        return "No conversations were found: no customer post to a brand opened a thread in this archive."
    if signals:
        asked = totals["help_requests"]
        text = (f"Customers opened {format_int(n)} conversation{_s(n)}; {format_int(asked)} of them "
                f"{'were help requests' if asked != 1 else 'was a help request'} (a question or a problem).")
        if asked == 0:
            return text
        return text + _answer_sentences(
            "help requests", asked, totals["help_answered"], totals["help_coverage"], totals["help_within_target"],
            totals.get("help_frt_median_min"), totals.get("help_frt_p90_min"), target)
    text = (f"Customers opened {format_int(n)} conversation{_s(n)} (help requests are not singled out: "
            "the audit ran without signals, so every conversation counts, whatever it says).")
    return text + _answer_sentences("conversations", n, totals["answered"], totals["coverage"], totals["within_target"],
                                    totals.get("frt_median_min"), totals.get("frt_p90_min"), target)


def _answer_sentences(what: str, n: int, answered: int, coverage: float, within: float,
                      median: float | None, p90: float | None, target: float) -> str:
    """How `n` of `what` (help requests, conversations) were answered, in words."""
    text = (f" {format_pct(coverage)} of the {what} got a reply from the brand "
            f"and {format_pct(within)} got it within {format_target(target)}.")
    if median is not None:
        text += f" Of the answered {what}, half waited longer than {format_duration(median)}"
        if p90 is not None:
            text += f"; one in ten waited longer than {format_duration(p90)}"
        text += "."
    if answered < n:
        text += f" {format_int(n - answered)} {what if n - answered != 1 else what[:-1]} never got a reply."
    return text


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _kpis(totals: dict, target: float, business: bool, signals: bool) -> list[dict]:
    """The cards under the headline: over all conversations. With the signals each card names that
    base and shows the same figure over help requests (the headline's base) under it."""
    n, answered = totals["conversations"], totals["answered"]
    nothing = None if n else NOTHING_TO_MEASURE.format(what="conversations")
    no_answer = None if answered else NOTHING_NULL.format(what="answered conversations")
    opened = ("threads opened by a customer, whatever they say (help requests: below)" if signals
              else "threads opened by a customer, whatever they say")
    kpis = [
        {"id": "conversations", "label": "Conversations", "value": format_int(n),
         "note": opened, "tone": "neutral"},
        {"id": "coverage", "label": "Coverage", "value": share_of(totals["coverage"], n), "title": nothing,
         "note": f"{format_int(answered)} answered · {format_int(n - answered)} unanswered",
         "tone": _tone(totals["coverage"], 0.95, 0.8) if n else "neutral"},
        {"id": "frt-median", "label": "Median first response", "value": format_duration(totals["frt_median_min"]),
         "title": no_answer, "note": "half of the answered conversations waited longer", "tone": _time_tone(totals["frt_median_min"], target)},
        {"id": "frt-p90", "label": "90th percentile", "value": format_duration(totals["frt_p90_min"]),
         "title": no_answer, "note": "one in ten answered conversations waited longer", "tone": _time_tone(totals["frt_p90_min"], target)},
        {"id": "within-target", "label": f"Within {format_target(target)}",
         "value": share_of(totals["within_target"], n), "title": nothing,
         "note": "of all conversations (unanswered count as missed)",
         "tone": _tone(totals["within_target"], 0.8, 0.5) if n else "neutral"},
    ]
    if business:
        kpis += [
            {"id": "frt-business-median", "label": "Median, business hours",
             "value": format_duration(totals.get("frt_business_median_min")), "title": no_answer,
             "note": ("most replies came outside opening hours, before the next opening"
                      if totals.get("frt_business_median_min") == 0 else "first response counted in opening hours only"),
             "tone": _time_tone(totals.get("frt_business_median_min"), target), "business": True},
            {"id": "frt-business-p90", "label": "90th percentile, business hours",
             "value": format_duration(totals.get("frt_business_p90_min")), "title": no_answer,
             "note": "one in ten answered conversations waited longer (opening hours)",
             "tone": _time_tone(totals.get("frt_business_p90_min"), target), "business": True},
            {"id": "within-target-business", "label": f"Within {format_target(target)}, business hours",
             "value": share_of(totals.get("within_target_business") or 0.0, n), "title": nothing,
             "note": "of all conversations, opening hours only",
             "tone": _tone(totals.get("within_target_business") or 0.0, 0.8, 0.5) if n else "neutral",
             "business": True},
        ]
    if signals:
        _help_beside(kpis, totals)
    return kpis


#: The help-request figure shown under each card (card id -> JSON key and kind).
HELP_BESIDE = {
    "conversations": ("help_requests", "count"),
    "coverage": ("help_coverage", "share"),
    "frt-median": ("help_frt_median_min", "duration"),
    "frt-p90": ("help_frt_p90_min", "duration"),
    "within-target": ("help_within_target", "share"),
    "frt-business-median": ("help_frt_business_median_min", "duration"),
    "frt-business-p90": ("help_frt_business_p90_min", "duration"),
    "within-target-business": ("help_within_target_business", "share"),
}


def _help_beside(kpis: list[dict], totals: dict) -> None:
    """Name each card's base (all conversations) and put the help-request figure under it."""
    asked, answered = totals.get("help_requests") or 0, totals.get("help_answered") or 0
    for k in kpis:
        k["base"] = "all conversations"
        key, kind = HELP_BESIDE[k["id"]]
        if key not in totals:
            continue
        value = totals[key]
        title = None
        if kind == "count":
            text = format_int(value)
        elif kind == "share":
            text = share_of(value or 0.0, asked)
            title = None if asked else NOTHING_TO_MEASURE.format(what="help requests")
        else:
            text = format_duration(value)
            title = None if value is not None else NOTHING_NULL.format(
                what="answered help requests" if not answered else "help requests answered in opening hours")
        k["help"] = {"text": text, "title": title}


#: The tooltip of a share shown as NONE: there was nothing to measure it over.
NOTHING_TO_MEASURE = "nothing to measure: no {what} (the JSON has 0.0 here)"
#: The tooltip of a median (or mean) shown as NONE.
NOTHING_NULL = "nothing to measure: no {what} (the JSON has null here)"


def share_of(share: float | None, n: int) -> str:
    """A share of `n` things as a percentage; NONE when `n` is 0 (a share of nothing is not 0%)."""
    return format_pct(share) if n else NONE


def _tone(share: float, good: float, fair: float) -> str:
    return "good" if share >= good else "fair" if share >= fair else "poor"


def _time_tone(minutes: float | None, target: float) -> str:
    if minutes is None:
        return "neutral"
    return "good" if minutes <= target else "fair" if minutes <= 4 * target else "poor"


def _brand_rows(brands: dict[str, dict], business: bool) -> list[dict]:
    rows = [_brand_row(name, f, business) for name, f in brands.items()]
    rows.sort(key=lambda r: (-r["conversations"][1], r["brand"].lower()))
    return rows


def _brand_row(name: str, f: dict, business: bool) -> dict:
    """Cells as (display text, sort value); sort value None sorts last."""
    row = {
        "brand": name,
        "conversations": (format_int(f["conversations"]), f["conversations"]),
        "answered": (format_int(f["answered"]), f["answered"]),
        "coverage": (format_pct(f["coverage"]), f["coverage"]),
        "frt_median": (format_duration(f["frt_median_min"]), f["frt_median_min"]),
        "frt_p90": (format_duration(f["frt_p90_min"]), f["frt_p90_min"]),
        "within_target": (format_pct(f["within_target"]), f["within_target"]),
        "coverage_pct": _bar(f["coverage"]),
        "within_pct": _bar(f["within_target"]),
        "coverage_tone": _tone(f["coverage"], 0.95, 0.8),
        "within_tone": _tone(f["within_target"], 0.8, 0.5),
    }
    no_answer = NOTHING_NULL.format(what="answered conversations")
    row["titles"] = {"frt_median": None if f["frt_median_min"] is not None else no_answer,
                     "frt_p90": None if f["frt_p90_min"] is not None else no_answer}
    if business:
        row["titles"]["frt_business_median"] = None if f.get("frt_business_median_min") is not None else no_answer
        row["frt_business_median"] = (format_duration(f.get("frt_business_median_min")), f.get("frt_business_median_min"))
        row["within_target_business"] = (format_pct(f.get("within_target_business") or 0.0), f.get("within_target_business"))
    return row


def _bar(share: float | None) -> str:
    return f"{max(0.0, min(1.0, share or 0.0)) * 100:.1f}"


def _vanity_section(brands: dict[str, dict], totals: dict, target: float, signals: bool) -> dict:
    v = totals["vanity"]
    has_likes = any(f["vanity"]["likes"] is not None for f in brands.values()) or v["likes"] is not None
    has_reposts = any(f["vanity"]["reposts"] is not None for f in brands.values()) or v["reposts"] is not None
    rows = []
    for name, f in brands.items():
        fv = f["vanity"]
        conversations = f["conversations"]
        rows.append({
            "brand": name,
            "brand_posts": (format_int(fv["brand_posts"]), fv["brand_posts"]),
            "brand_threads": (format_int(fv["brand_threads"]), fv["brand_threads"]),
            "customer_posts": (format_int(fv["customer_posts"]), fv["customer_posts"]),
            "customers": (format_int(fv["customers"]), fv["customers"]),
            "likes": _maybe_int(fv["likes"]),
            "reposts": _maybe_int(fv["reposts"]),
            "conversations": (format_int(conversations), conversations),
            "coverage": (format_pct(f["coverage"]), f["coverage"]) if conversations else (NONE, None),
            "within_target": (format_pct(f["within_target"]), f["within_target"]) if conversations else (NONE, None),
            "frt_median": (format_duration(f["frt_median_min"]), f["frt_median_min"]),
            "titles": {
                "coverage": None if conversations else NOTHING_TO_MEASURE.format(what="conversations"),
                "within_target": None if conversations else NOTHING_TO_MEASURE.format(what="conversations"),
                "frt_median": None if f["frt_median_min"] is not None else NOTHING_NULL.format(
                    what="answered conversations" if conversations else "conversations"),
            },
        })
    rows.sort(key=lambda r: (-r["brand_posts"][1], r["brand"].lower()))
    headline = {
        "brand_posts": format_int(v["brand_posts"]),
        "brand_threads": format_int(v["brand_threads"]),
        "customer_posts": format_int(v["customer_posts"]),
        "customers": format_int(v["customers"]),
        "likes": None if v["likes"] is None else format_int(v["likes"]),
        "reposts": None if v["reposts"] is None else format_int(v["reposts"]),
    }
    return {
        "rows": rows[:MAX_TABLE_BRANDS],
        "total_brands": len(rows),
        "has_likes": has_likes,
        "has_reposts": has_reposts,
        "headline": headline,
        "contrast": _contrast(v, totals, target, signals),
        # the brands named on the scatter plot (_vanity_chart: the ones with the most conversations)
        "labelled": min(SCATTER_LABELS, sum(1 for f in brands.values() if f["conversations"] > 0)),
    }


def _contrast(v: dict, totals: dict, target: float, signals: bool) -> str | None:
    """The vanity figures against what happened to the help requests (or, without signals, the conversations)."""
    if signals:
        what, n, answered, within = "help requests", totals["help_requests"], totals["help_answered"], totals["help_within_target"]
    else:
        what, n, answered, within = "conversations customers opened", totals["conversations"], totals["answered"], totals["within_target"]
    if not n:
        return None
    missed = n - round(within * n)
    text = (
        f"Brands published {format_int(v['brand_posts'])} posts, and {format_int(v['customers'])} customers wrote "
        f"{format_int(v['customer_posts'])} posts to them. Behind those numbers, {format_int(missed)} of the "
        f"{format_int(n)} {what} ({format_pct(missed / n)}) did not get an answer within {format_target(target)}"
    )
    return text + (f", and {format_int(n - answered)} never got one." if answered < n else ".")


def _maybe_int(value: int | None) -> tuple[str, int | None]:
    return ("not in this export", None) if value is None else (format_int(value), value)


def _worst_served(conv: pa.Table, posts: pa.Table, target: float,
                  post_texts: Callable[[list[int | None]], list[str | None]]) -> dict:
    """The unanswered conversations that waited longest, then the slowest first responses;
    `post_texts` gives the texts shown (AuditResult.post_texts: masked when asked)."""
    n = conv.num_rows
    empty = {"rows": [], "unanswered_total": 0, "unanswered_text": "0", "late_total": 0, "late_text": "0",
             "shown_unanswered": 0, "shown_late": 0}
    if n == 0:
        return empty
    frt = conv.column("frt_min").to_numpy(zero_copy_only=False).astype(np.float64)
    requested = pc.cast(conv.column("requested_at"), pa.int64()).to_numpy(zero_copy_only=False)
    unanswered = np.flatnonzero(np.isnan(frt))
    answered = np.flatnonzero(~np.isnan(frt))
    late_total = int(np.sum(frt[answered] > target))
    take_unanswered = min(len(unanswered), WORST_UNANSWERED if len(answered) else WORST_ROWS)
    take_answered = min(len(answered), WORST_ROWS - take_unanswered)
    take_unanswered = min(len(unanswered), WORST_ROWS - take_answered)
    # unanswered: oldest request first (it has waited longest by the end of the archive)
    chosen_u = unanswered[np.argsort(requested[unanswered], kind="stable")[:take_unanswered]]
    if take_answered and len(answered) > take_answered:
        part = np.argpartition(-frt[answered], take_answered - 1)[:take_answered]
        chosen_a = answered[part]
    else:
        chosen_a = answered
    chosen_a = chosen_a[np.argsort(-frt[chosen_a], kind="stable")][:take_answered]
    archive_end = pc.max(posts.column("created_at")).as_py()
    rows_idx = np.concatenate([chosen_u, chosen_a]).astype(np.int64)
    picked = conv.take(pa.array(rows_idx)).to_pylist()
    request_rows = [r["conv"] for r in picked]
    response_rows = first_response_rows(posts, picked)
    shown = post_texts(list(request_rows) + list(response_rows))
    request_texts, response_texts = shown[:len(request_rows)], shown[len(request_rows):]
    rows = []
    for r, req_text, resp_text in zip(picked, request_texts, response_texts, strict=True):
        requested_at = r["requested_at"]
        if r["frt_min"] is None:
            waited = None
            if archive_end is not None:
                end = archive_end.replace(tzinfo=None)
                waited = max((end - requested_at).total_seconds() / 60.0, 0.0)
            wait_text = f"≥ {format_duration(waited)}" if waited is not None else NONE
            wait_note = "no reply by the end of the archive"
            status = "unanswered"
        else:
            wait_text = format_duration(r["frt_min"])
            wait_note = None
            status = "late" if r["frt_min"] > target else "ok"
        rows.append({
            "brand": r["brand"],
            "requested": requested_at.strftime("%a %d %b %Y %H:%M") + " UTC",
            "requested_iso": requested_at.isoformat() + "Z",
            "waited": wait_text,
            "waited_note": wait_note,
            "status": status,
            "request": _clip(req_text),
            "response": _clip(resp_text) if r["frt_min"] is not None else None,
        })
    return {
        "rows": rows,
        "unanswered_total": len(unanswered),
        "unanswered_text": format_int(len(unanswered)),
        "late_total": late_total,
        "late_text": format_int(late_total),
        "shown_unanswered": len(chosen_u),
        "shown_late": len(chosen_a),
    }


def _clip(text: str | None) -> str:
    if text is None:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "…"


def _frt_counts(conv: pa.Table, column: str) -> tuple[list[int], int]:
    values = conv.column(column).to_numpy(zero_copy_only=False).astype(np.float64)
    answered = values[~np.isnan(values)]
    edges = np.array([b for b, _ in FRT_BUCKETS[:-1]])
    idx = np.searchsorted(edges, answered, side="left")  # (a, b]: a value on an edge falls below it
    counts = np.bincount(idx, minlength=len(FRT_BUCKETS)).tolist()
    unanswered = int(conv.num_rows - len(answered)) if column == "frt_min" else int(
        np.isnan(conv.column("frt_min").to_numpy(zero_copy_only=False).astype(np.float64)).sum()
    )
    return counts, unanswered


def _bucket_colors(target: float) -> list[str]:
    late = [AMBER, ORANGE, RED, RED, RED, RED, RED]
    colors, k, lower = [], 0, 0.0
    for upper, _ in FRT_BUCKETS:
        if upper <= target:
            colors.append(GREEN)
        elif lower < target:
            colors.append("#8bbf6a")  # straddles the target
        else:
            colors.append(late[min(k, len(late) - 1)])
            k += 1
        lower = upper
    return colors + [DARK_RED]


def _frt_bucket_table(conv: pa.Table, target: float) -> list[dict]:
    counts, unanswered = _frt_counts(conv, "frt_min")
    n = conv.num_rows
    labels = [label for _, label in FRT_BUCKETS] + [UNANSWERED_LABEL]
    values = counts + [unanswered]
    return [
        {"label": label, "count": format_int(v), "share": format_pct(v / n) if n else NONE}
        for label, v in zip(labels, values, strict=True)
    ]


# --------------------------------------------------------------------------------------------
# Charts: Plotly figure specifications (plain dicts), rendered by the page's script.


def _base_layout(title: str, height: int = 360) -> dict:
    """A chart's layout. The title is pinned to the top of the chart (the page's script wraps it
    to the chart's width and moves a legend that would overlap it); `margin.t` leaves it room."""
    return {
        "title": {"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15},
                  "xref": "container", "yref": "container", "y": 1.0, "yanchor": "top", "pad": {"t": 12}},
        "font": {"family": FONT_STACK, "size": 12, "color": "#1f2933"},
        "height": height,
        "margin": {"l": 64, "r": 24, "t": 56, "b": 56},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT_STACK}},
    }


def _axis(title: str, **extra: Any) -> dict:
    return {"title": {"text": title}, "gridcolor": "#e5e7eb", "zerolinecolor": "#d1d5db", "automargin": True, **extra}


def _frt_chart(conv: pa.Table, target: float, business: bool) -> dict:
    counts, unanswered = _frt_counts(conv, "frt_min")
    n = conv.num_rows
    labels = [label for _, label in FRT_BUCKETS] + [UNANSWERED_LABEL]
    values = counts + [unanswered]
    shares = [(v / n * 100) if n else 0.0 for v in values]
    data = [{
        "type": "bar",
        "name": "calendar time",
        "x": labels,
        "y": values,
        "marker": {"color": _bucket_colors(target)},
        "text": [round_pct(s, 0) if v else "" for s, v in zip(shares, values, strict=True)],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [_plotly_text(round_pct(s, 1)) for s in shares],  # text: '<0.1%', never 0.0% for a share that is not
        "hovertemplate": "%{x}: %{y:,} conversations (%{customdata})<extra>calendar time</extra>",
    }]
    if business:
        b_counts, b_unanswered = _frt_counts(conv, "frt_business_min")
        b_values = b_counts + [b_unanswered]
        data.append({
            "type": "bar",
            "name": "business hours",
            "x": labels,
            "y": b_values,
            "marker": {"color": "rgba(47,111,179,0.15)", "line": {"color": BLUE, "width": 1.5}},
            "customdata": [_plotly_text(round_pct(v / n * 100 if n else 0.0, 1)) for v in b_values],
            "hovertemplate": "%{x}: %{y:,} conversations (%{customdata})<extra>business hours</extra>",
        })
    layout = _base_layout("How long conversations waited for a first reply")
    layout["xaxis"] = _axis("First response time", type="category")
    layout["yaxis"] = _axis("Conversations", rangemode="tozero")
    layout["bargap"] = 0.25
    # a percentage Plotly would have to shrink below 10 px to fit its bar (narrow screens) is left out:
    # the bucket list under the chart has every share
    layout["uniformtext"] = {"minsize": 10, "mode": "hide"}
    layout["showlegend"] = business
    layout["legend"] = _top_legend(x=1, xanchor="right")
    return {"data": data, "layout": layout}


def _top_legend(**extra: Any) -> dict:
    """A horizontal legend just above the plot area (it moves with `margin.t`, so the page's
    script can push it below a title it would overlap)."""
    return {"orientation": "h", "y": 1.0, "yanchor": "bottom", "yref": "paper", **extra}


def _how_grid(rows: list[dict], key: str) -> list[list[float | None]]:
    grid: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    for r in rows:
        h = int(r["hour_of_week"])
        if 0 <= h < 168:
            grid[h // 24][h % 24] = r.get(key)
    return grid


def _how_hover(rows: list[dict]) -> list[list[str]]:
    by_hour = {int(r["hour_of_week"]): r for r in rows}
    out = []
    for d in range(7):
        line = []
        for h in range(24):
            r = by_hour.get(d * 24 + h)
            head = f"{DAY_NAMES[d]} {h:02d}:00–{(h + 1) % 24:02d}:00"
            if not r:
                line.append(f"{head}<br>no conversations")
                continue
            line.append(
                f"{head}<br>{format_int(r['conversations'])} conversations"
                f"<br>{format_int(r['answered'])} answered"
                f"<br>median first reply {format_duration(r.get('frt_median_min'))}"
            )
        out.append(line)
    return out


def _heatmap_layout(title: str, zone: str) -> dict:
    layout = _base_layout(title, height=300)
    hours = [f"{h:02d}" for h in range(0, 24, 3)]
    layout["xaxis"] = _axis(f"Hour of day ({zone})", type="category", showgrid=False,
                            tickmode="array", tickvals=hours, ticktext=hours, tickangle=0)
    layout["yaxis"] = _axis("Day of week", type="category", autorange="reversed", showgrid=False)
    layout["margin"] = {"l": 64, "r": 24, "t": 56, "b": 56}
    return layout


#: Charts narrower than this (px) get their figure's "narrow" changes (the page's script; keep in step).
NARROW_CHART_PX = 560


def _heatmap_narrow() -> dict:
    """A phone-width heatmap: the colour bar goes under the plot (beside it, it leaves the 24 hours
    about 100 px), and every sixth hour is labelled."""
    hours = [f"{h:02d}" for h in range(0, 24, 6)]
    return {
        "layout": {"height": 380, "margin": {"r": 16, "b": 120},
                   "xaxis": {"tickvals": hours, "ticktext": hours}},
        "data": [{"colorbar": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.42, "yref": "paper",
                               "yanchor": "top", "ypad": 0, "len": 1.0, "thickness": 10,
                               "title": {"side": "bottom"}}}],
    }


def _heatmap_count(rows: list[dict], zone: str) -> dict:
    z = _how_grid(rows, "conversations")
    z = [[0 if v is None else v for v in line] for line in z]
    data = [{
        "type": "heatmap",
        "z": z,
        "x": [f"{h:02d}" for h in range(24)],
        "y": DAY_NAMES,
        "zmin": 0,  # plotly honours zmin only together with zmax
        "zmax": max(1, max(max(line) for line in z)),
        "colorscale": [[0, "#f3f6fb"], [0.04, "#dbe7f4"], [0.2, "#9ec1e6"], [0.5, "#4f8cc9"], [1, "#1d4f8c"]],
        "colorbar": {"title": {"text": "Conversations"}, "thickness": 12},
        "text": _how_hover(rows),
        "hovertemplate": "%{text}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }]
    return {"data": data, "layout": _heatmap_layout("When customers write: conversations by hour of week", zone),
            "narrow": _heatmap_narrow()}


def _heatmap_frt(rows: list[dict], zone: str, target: float) -> dict:
    raw = _how_grid(rows, "frt_median_min")
    z = [[None if v is None else math.log10(max(v, 1.0)) for v in line] for line in raw]
    ticks = [1, 5, 30, 240, 1440]
    data = [{
        "type": "heatmap",
        "z": z,
        "x": [f"{h:02d}" for h in range(24)],
        "y": DAY_NAMES,
        "zmin": 0.0,
        "zmax": math.log10(1440),
        "colorscale": [[0, GREEN], [math.log10(max(target, 1.0)) / math.log10(1440), "#f2d16b"], [1, DARK_RED]],
        "colorbar": {
            "title": {"text": "Median FRT"},
            "thickness": 12,
            "tickvals": [math.log10(t) for t in ticks],
            "ticktext": ["1 min", "5 min", "30 min", "4 h", "≥ 1 day"],
        },
        "text": _how_hover(rows),
        "hovertemplate": "%{text}<extra></extra>",
        "hoverongaps": False,
        "xgap": 2,
        "ygap": 2,
    }]
    return {"data": data, "layout": _heatmap_layout("How fast brands answer: median first response by hour of week", zone),
            "narrow": _heatmap_narrow()}


def _trend_chart(daily: list[dict], target: float, period: dict) -> tuple[dict, bool, int]:
    points: dict[date, list[float]] = {}
    days = [date.fromisoformat(r["day"]) for r in daily]
    core = period.get("core_range")
    span_first, span_last = (core if core else (min(days), max(days))) if days else (None, None)
    weekly = bool(days) and (span_last - span_first).days > MAX_TREND_DAYS
    for d, r in zip(days, daily, strict=True):
        key = d - timedelta(days=d.weekday()) if weekly else d
        acc = points.setdefault(key, [0, 0.0])
        acc[0] += r["conversations"]
        acc[1] += r["within_target"] * r["conversations"]
    if days:  # days without requests are zero, not skipped: the line must not bridge them
        step = timedelta(days=7 if weekly else 1)
        d = span_first - timedelta(days=span_first.weekday()) if weekly else span_first
        while d <= span_last:
            points.setdefault(d, [0, 0.0])
            d += step
    keys = sorted(points)
    x = [k.isoformat() for k in keys]
    counts = [int(points[k][0]) for k in keys]
    # a share of 1 or 2 conversations is noise: draw it only where there are enough of them
    min_n = MIN_SHARE_CONVERSATIONS if any(c >= MIN_SHARE_CONVERSATIONS for c in counts) else 1
    exact = [points[k][1] / points[k][0] * 100 if points[k][0] >= min_n else None for k in keys]
    share = [None if s is None else round(s, 1) for s in exact]
    unit = "Week starting" if weekly else "Day"
    data = [
        {
            "type": "bar",
            "name": "Conversations",
            "x": x,
            "y": counts,
            "marker": {"color": "rgba(47,111,179,0.35)"},
            "hovertemplate": "%{x|%a %d %b %Y}: %{y:,} conversations<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"Within {format_target(target)}",
            "x": x,
            "y": share,
            "yaxis": "y2",
            "line": {"color": GREEN, "width": 2},
            "marker": {"size": 5},
            "connectgaps": False,
            "customdata": [None if s is None else _plotly_text(round_pct(s, 1)) for s in exact],
            "hovertemplate": "%{x|%a %d %b %Y}: %{customdata} within " + format_target(target) + "<extra></extra>",
        },
    ]
    title = ("Weekly" if weekly else "Daily") + f" conversations and share answered within {format_target(target)}"
    layout = _base_layout(title)
    xaxis = _axis(f"{unit} (UTC)", type="date")
    if core and keys:
        pad = timedelta(days=7 if weekly else 1)
        lo = core[0] - timedelta(days=core[0].weekday()) if weekly else core[0]
        xaxis["range"] = [(lo - pad).isoformat(), (core[1] + pad).isoformat()]
    layout["xaxis"] = xaxis
    layout["yaxis"] = _axis("Conversations", rangemode="tozero")
    layout["yaxis2"] = _axis(f"Answered within {format_target(target)}", overlaying="y", side="right",
                             range=[0, 105], showgrid=False, **_percent_ticks())
    layout["legend"] = _top_legend(x=1, xanchor="right")
    layout["margin"] = {"l": 64, "r": 64, "t": 56, "b": 56}
    layout["bargap"] = 0.15
    return {"data": data, "layout": layout}, weekly, min_n


def _trend_table(trend: dict, weekly: bool) -> list[dict]:
    """The trend chart's data as rows (its text alternative): period, conversations, share within target."""
    bars, line = trend["data"][0], trend["data"][1]
    rows = []
    for x, count, share in zip(bars["x"], bars["y"], line["y"], strict=True):
        d = date.fromisoformat(x)
        rows.append({"period": ("week of " if weekly else "") + f"{DAY_NAMES[d.weekday()]} {d.day} {d:%b %Y}",
                     "conversations": format_int(count),
                     "share": NONE if share is None else round_pct(share, 1),
                     "title": None if share is not None else (
                         NOTHING_TO_MEASURE.format(what="conversations") if not count
                         else "too few conversations to draw a share (see above)")})
    return rows


def _how_table(rows: list[dict]) -> list[dict]:
    """The hour-of-week heatmaps' data as rows of days (their text alternative): per hour, the
    conversations and the median first response."""
    by_hour = {int(r["hour_of_week"]): r for r in rows}
    out = []
    for d in range(7):
        cells = []
        for h in range(24):
            r = by_hour.get(d * 24 + h)
            n = r["conversations"] if r else 0
            median = r.get("frt_median_min") if r else None
            cells.append({"count": format_int(n), "median": format_duration(median)})
        out.append({"day": DAY_NAMES[d], "cells": cells})
    return out


def _vanity_chart(brands: dict[str, dict], target: float) -> dict:
    chosen = sorted(brands.items(), key=lambda kv: (-kv[1]["conversations"], kv[0].lower()))[:MAX_SCATTER_BRANDS]
    x = [f["vanity"]["brand_posts"] for _, f in chosen]
    y = [round(f["within_target"] * 100, 1) for _, f in chosen]
    conversations = [f["conversations"] for _, f in chosen]
    biggest = max(conversations, default=1)
    sizes = [7 + 28 * math.sqrt(c / biggest) for c in conversations]
    names = [_plotly_text(name) for name, _ in chosen]
    # name the busiest brands on the chart itself (it is printed and forwarded), cut short; the rest on hover
    def labels(limit: int) -> list[str]:
        return [_plotly_text(_shorten(name, limit)) if i < SCATTER_LABELS else "" for i, (name, _) in enumerate(chosen)]

    use_log = bool(x) and min(x) > 0 and max(x) / min(x) > 20
    data = [{
        "type": "scatter",
        "mode": "markers+text",
        "x": x,
        "y": y,
        "text": labels(SCATTER_LABEL_CHARS),
        "textposition": _label_sides(x, use_log),
        "textfont": {"size": 11, "color": "#374151"},
        "cliponaxis": False,
        "customdata": [
            [names[i], format_int(f["vanity"]["customers"]), format_pct(f["coverage"]), format_int(f["conversations"])]
            for i, (_, f) in enumerate(chosen)
        ],
        "marker": {"size": sizes, "color": y, "cmin": 0, "cmax": 100,
                   "colorscale": [[0, RED], [0.5, AMBER], [1, GREEN]],
                   "line": {"color": "#ffffff", "width": 1}, "opacity": 0.85},
        "hovertemplate": (
            "<b>%{customdata[0]}</b><br>%{x:,} brand posts · %{customdata[1]} customers"
            "<br>%{customdata[3]} conversations · coverage %{customdata[2]}"
            "<br>%{y:.1f}% answered within " + format_target(target) + "<extra></extra>"
        ),
    }]
    layout = _base_layout("Posting a lot is not the same as helping: brand posts vs. answered within target", 420)
    xaxis = _axis("Brand posts (what is usually reported)" + (", log scale" if use_log else ""),
                  type="log" if use_log else "linear")
    if use_log:
        ticks = _log_ticks(min(x), max(x))
        xaxis.update(tickmode="array", tickvals=ticks, ticktext=[format_int(t) for t in ticks])
    layout["xaxis"] = xaxis
    layout["yaxis"] = _axis(f"Answered within {format_target(target)}", range=[-5, 108], **_percent_ticks())
    layout["showlegend"] = False
    # at phone width the axis title is cut to what fits
    narrow = {"layout": {"xaxis": {"title": {"text": "Brand posts" + (" (log scale)" if use_log else "")}}},
              "data": [{"text": labels(SCATTER_LABEL_CHARS_NARROW)}]}
    # the page moves a name that would cover another (below or beside its bubble), or leaves it off
    return {"data": data, "layout": layout, "narrow": narrow, "declutter": True}


def _shorten(name: str, limit: int) -> str:
    """`name` cut to `limit` characters, the last one an ellipsis, when longer (before escaping: an
    entity is never cut)."""
    if len(name) <= limit:
        return name
    return name[: limit - 1].rstrip("\u200d\ufe0f ") + "…"


def _label_sides(x: list[float], log: bool) -> list[str]:
    """Where each point's label goes: above it, and leaning into the chart near its left and right
    edges (a label centred on the outermost bubble runs off the chart)."""
    pos = [math.log10(v) if log and v > 0 else float(v) for v in x]
    if not pos or max(pos) == min(pos):
        return ["top center"] * len(pos)
    lo, span = min(pos), max(pos) - min(pos)
    return ["top right" if (p - lo) / span < 0.2 else "top left" if (p - lo) / span > 0.8 else "top center" for p in pos]


def _percent_ticks() -> dict:
    values = [0, 20, 40, 60, 80, 100]
    return {"tickmode": "array", "tickvals": values, "ticktext": [f"{v}%" for v in values]}


def _log_ticks(lo: float, hi: float) -> list[int]:
    ticks = []
    k = 0
    while 10**k <= hi * 10:
        for m in (1, 2, 5):
            t = m * 10**k
            if lo / 2 <= t <= hi * 2:
                ticks.append(t)
        k += 1
    return ticks


# --------------------------------------------------------------------------------------------
# Formatting and escaping.


def format_int(n: int | float | None) -> str:
    """A count with thousands separators: 12345 -> '12,345' (None: an en dash)."""
    return NONE if n is None else f"{int(n):,}"


def format_pct(share: float | None) -> str:
    """A share as a percentage with one decimal: 0.6152 -> '61.5%' (None: an en dash). A share that
    is not 0 never reads 0.0% ('<0.1%'), and one that is not 1 never reads 100.0% ('>99.9%')."""
    if share is None:
        return NONE
    return round_pct(share * 100, 1)


def round_pct(percent: float, decimals: int) -> str:
    """`percent` with `decimals` decimals, except that a non-zero value that would round to 0 reads
    '<0.1%' ('<1%' with no decimal) and a value below 100 that would round to 100 '>99.9%' ('>99%')."""
    text = f"{percent:.{decimals}f}"
    step = f"{10 ** -decimals:.{decimals}f}"
    if 0 < percent and float(text) == 0:
        return f"<{step}%"
    if percent < 100 and float(text) >= 100:
        return f">{100 - float(step):.{decimals}f}%"
    return text + "%"


def format_duration(minutes: float | None) -> str:
    """Minutes in the most readable unit: '42 s', '13.6 min', '8.9 h', '3.2 days', '6.2 years'."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return NONE
    m = float(minutes)
    if m < 1:
        return f"{m * 60:.0f} s"
    if m < 60:
        return f"{m:.1f} min"
    if m < 1440:
        return f"{m / 60:.1f} h"
    if m < 1440 * 365:
        return f"{m / 1440:.1f} days"
    return f"{m / (1440 * 365.25):.1f} years"


def _int(v: Any) -> str:
    return format_int(v)


def _plotly_text(value: str | None) -> str:
    """Untrusted text for a Plotly label or hover: Plotly renders a subset of HTML, so escape it.

    Plotly decodes &amp; &lt; &gt; and numeric references once, but not &quot;: quotes become
    numeric references (no quote appears literally, and the label reads as written)."""
    return html.escape(value or "", quote=False).replace('"', "&#34;").replace("'", "&#39;")


def script_json(value: Any) -> Markup:
    """JSON that is safe inside <script>: no '<', '>', '&' or line separators appear literally."""
    text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
    return Markup(text)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


def csp_hash(script: str) -> Markup:
    """The Content-Security-Policy source expression allowing exactly this inline script."""
    digest = hashlib.sha256(str(script).encode("utf-8")).digest()
    return Markup("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")  # base64 needs no escaping


def _parse_ts(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _fmt_date(d: datetime) -> str:
    return f"{d.day} {d:%b %Y}"


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs()
    if "</script" in js.lower():  # never the case today; would break the page if it were
        js = js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    return js


@cache
def _plotly_hash() -> Markup:
    return csp_hash(_plotly_js())


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("helpfirst", "measure/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["csp_hash"] = csp_hash
    return env
