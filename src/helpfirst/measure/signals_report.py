"""The signals section of the HTML report: did the help help? Outcome mix per brand, first reply
kinds, and redirects that could have been solutions.

Texts and handles are untrusted: the template escapes them (autoescape), chart labels go through
`_plotly_text`, and the chart JSON through `script_json` (see measure.report).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..signals.base import REPLY_KINDS
from .display import MAX_REPORT_BRANDS, MAX_TERMINAL_BRANDS, NONE, help_request_brands
from .report import (
    FONT_STACK,
    NOTHING_NULL,
    NOTHING_TO_MEASURE,
    _base_layout,
    _clip,
    _plotly_text,
    _tone,
    format_duration,
    format_int,
    format_pct,
    share_of,
)

if TYPE_CHECKING:
    from ..audit import AuditResult

#: Brands in the outcome chart (by help requests), after the all-brands bar: the ones the terminal lists.
MAX_OUTCOME_BRANDS = MAX_TERMINAL_BRANDS
#: Redirect examples shown, at most per brand, and the brands searched (most redirects first).
MAX_EXAMPLES = 8
EXAMPLES_PER_BRAND = 2
EXAMPLE_BRANDS = 12
#: Per brand: redirected requests looked at, and the solved requests they are compared with.
MAX_REDIRECTED = 400
MAX_SOLVED = 8000
#: A request answered in public counts as the same problem when this share of the two requests'
#: words are shared (Jaccard over word sets) ...
MIN_OVERLAP = 0.35
#: ... and as a copy of the same text (a repost, a template), not a similar request, from this share on.
NEAR_COPY = 0.85
#: The best-scoring (BM25) requests of the pool whose word overlap is computed, per redirected request.
MATCHES_LOOKED_AT = 20

#: Every outcome (signals.outcome.OUTCOMES), from the best ending to the worst, with its colour.
OUTCOME_COLORS = {
    "resolved": "#1f8a5b",
    "unconfirmed": "#9ec1e6",
    "redirected": "#e0a526",
    "abandoned": "#e07b26",
    "unresolved": "#c8472b",
    "unanswered": "#8e1f1f",
}
OUTCOME_NOTES = {
    "resolved": "the person thanked or said it worked (thanks for being redirected does not count)",
    "unconfirmed": "answered; the person never said whether it helped",
    "redirected": "sent to DM, phone or a form, or the person said they sent a DM (even if also answered in public)",
    "abandoned": "the brand asked for details and heard nothing back",
    "unresolved": "the person came back still stuck or angrier, or their follow-up got no answer",
    "unanswered": "no reply from the brand",
}
KIND_NOTES = {
    "solution": "an answer, steps or a specific help page",
    "redirect": "DM us, call us, a contact form",
    "clarify": "a question for details",
    "acknowledge": "an apology or thanks only",
    "other": "anything else",
}


def signals_report_context(result: AuditResult) -> dict[str, Any] | None:
    """The template's `signals` variable (None when the audit ran without signals); its `charts`
    go into the report's chart payload."""
    sig = result.signals
    if sig is None:
        return None
    doc = result.to_dict()
    totals = doc["totals"]
    brands = help_request_brands(doc["brands"])
    chart, height = _outcome_chart(brands[:MAX_OUTCOME_BRANDS], totals)
    answered = totals["help_answered"]
    asked = totals["help_requests"]
    no_requests = None if asked else NOTHING_TO_MEASURE.format(what="help requests")
    # every brand with conversations, the most help requests first (those with none last, their figures "–")
    table_brands = sorted(((name, f) for name, f in doc["brands"].items() if f["conversations"] > 0),
                          key=lambda kv: (-(kv[1].get("help_requests") or 0), kv[0].lower()))
    help_rows = [_help_row(name, f) for name, f in table_brands[:MAX_REPORT_BRANDS]]
    return {
        "model": sig.model,
        "kpis": _kpis(totals),
        "outcomes": [
            {"id": o, "label": o, "count": format_int(totals["outcome_counts"][o]),
             "share": share_of(totals["outcomes"][o], asked), "title": no_requests, "note": OUTCOME_NOTES[o],
             "color": OUTCOME_COLORS[o]}
            for o in OUTCOME_COLORS
        ],
        "kinds": [
            {"id": k, "count": format_int(totals["first_reply_kinds"][k]),
             "share": format_pct(totals["first_reply_kinds"][k] / answered) if answered else NONE,
             "title": None if answered else NOTHING_TO_MEASURE.format(what="answered help requests"),
             "note": KIND_NOTES[k]}
            for k in REPLY_KINDS
        ],
        "chart_height": height,
        "brands_shown": min(len(brands), MAX_OUTCOME_BRANDS),
        "brands_total": len(brands),
        "examples": redirect_examples(result),
        "help_columns": HELP_COLUMNS,
        "help_rows": help_rows,
        "help_total": _help_row("All brands", totals),
        "help_brands": len(table_brands),
        "help_rows_shown": len(help_rows),
        "max_help_rows": MAX_REPORT_BRANDS,
        "charts": {"outcomes": chart},
    }


#: The per-brand table of help-request figures: (id, header, JSON key or outcome, kind).
HELP_COLUMNS: list[tuple[str, str, str, str]] = [
    ("help-requests", "Help requests", "help_requests", "count"),
    ("help-coverage", "Help coverage", "help_coverage", "share"),
    ("help-within", "Within target", "help_within_target", "share"),
    ("help-frt-median", "Median FRT", "help_frt_median_min", "duration"),
    ("substance", "Substance", "substance", "share_null"),
    *[(f"outcome-{o}", o.capitalize(), o, "outcome") for o in OUTCOME_COLORS],
    ("time-to-solution", "Median time to solution", "time_to_solution_median_min", "solution"),
    ("sentiment-shift", "Sentiment shift", "sentiment_shift_mean", "shift"),
]


def _help_row(name: str, f: dict) -> dict:
    """A brand's help-request figures as table cells: text, sort value ('' sorts last) and the
    tooltip of a figure with nothing to measure."""
    n = f.get("help_requests") or 0
    cells = []
    for col_id, _, key, kind in HELP_COLUMNS:
        title = None
        if kind == "count":
            value = n
            text = format_int(n)
        elif kind in ("share", "outcome"):
            value = f["outcomes"][key] if kind == "outcome" else f[key]
            text = share_of(value, n)
            if not n:
                value, title = None, NOTHING_TO_MEASURE.format(what="help requests")
        else:
            value = f.get(key)
            if kind == "share_null":
                text = format_pct(value)
            elif kind == "shift":
                text = NONE if value is None else f"{value:+.2f}"
            else:
                text = format_duration(value)
            if value is None:
                what = {"duration": "answered help requests", "share_null": "answered help requests",
                        "solution": "help request got a solution reply",
                        "shift": "help request whose author wrote again"}[kind]
                if kind in ("duration", "share_null") and not n:
                    what = "help requests"
                title = NOTHING_NULL.format(what=what)
        cells.append({"id": col_id, "text": text, "sort": "" if value is None else value, "title": title})
    return {"brand": name, "cells": cells}


def _kpis(totals: dict) -> list[dict]:
    n = totals["help_requests"]
    shift = totals["sentiment_shift_mean"]
    resolved = totals["outcomes"]["resolved"]
    nothing = None if n else NOTHING_TO_MEASURE.format(what="help requests")
    return [
        {"id": "help-requests", "label": "Help requests", "value": format_int(n),
         "note": "conversations opened with a question or a problem", "tone": "neutral"},
        {"id": "help-coverage", "label": "Help requests answered", "value": share_of(totals["help_coverage"], n),
         "title": nothing,
         "note": f"median first reply {format_duration(totals['help_frt_median_min'])}",
         "tone": _tone(totals["help_coverage"], 0.95, 0.8) if n else "neutral"},
        {"id": "substance", "label": "Substance",
         "value": format_pct(totals["substance"]),
         "title": None if totals["substance"] is not None else NOTHING_TO_MEASURE.format(what="answered help requests"),
         "note": "first replies that carry a solution",
         "tone": _tone(totals["substance"], 0.5, 0.25) if totals["substance"] is not None else "neutral"},
        {"id": "time-to-solution", "label": "Time to solution", "value": format_duration(totals["time_to_solution_median_min"]),
         "title": None if totals["time_to_solution_median_min"] is not None
         else NOTHING_NULL.format(what="help request got a solution reply"),
         "note": f"median, over {format_int(totals['solved'])} help requests solved in public", "tone": "neutral"},
        {"id": "resolved", "label": "Resolved", "value": share_of(resolved, n), "title": nothing,
         "note": "of help requests: the person confirmed or thanked", "tone": _tone(resolved, 0.4, 0.2) if n else "neutral"},
        {"id": "sentiment-shift", "label": "Sentiment shift", "value": NONE if shift is None else f"{shift:+.2f}",
         "title": None if shift is not None else NOTHING_NULL.format(what="help request whose author wrote again"),
         "note": f"last post minus first, over {format_int(totals['sentiment_shift_n'])} help requests whose author wrote again",
         "tone": "neutral" if shift is None else ("good" if shift > 0.05 else "poor" if shift < -0.05 else "fair")},
    ]


def _outcome_chart(brands: list[tuple[str, dict]], totals: dict) -> tuple[dict, int]:
    """Stacked horizontal bars: each brand's help requests by outcome (shares), all brands on top."""
    names = ["All brands"] + [_plotly_text(name) for name, _ in brands]
    # one category per bar, named by its tick text: a brand called "All brands" gets its own bar
    rows = [f"row {i}" for i in range(len(names))]
    figures = [totals] + [f for _, f in brands]
    data = []
    for outcome in OUTCOME_COLORS:  # from the best ending to the worst
        data.append({
            "type": "bar",
            "orientation": "h",
            "name": outcome,
            "y": rows,
            "x": [round(f["outcomes"][outcome] * 100, 2) for f in figures],
            "customdata": [[format_int(f["outcome_counts"][outcome]), format_int(f["help_requests"]), name,
                            _plotly_text(format_pct(f["outcomes"][outcome]))]
                           for f, name in zip(figures, names, strict=True)],
            "marker": {"color": OUTCOME_COLORS[outcome]},
            "hovertemplate": "%{customdata[2]}: %{customdata[3]} " + outcome + " (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        })
    height = 140 + 26 * len(names)
    layout = _base_layout("How help requests ended, per brand", height)
    layout["barmode"] = "stack"
    layout["xaxis"] = {"title": {"text": "Share of help requests"}, "range": [0, 100], "ticksuffix": "%",
                       "gridcolor": "#e5e7eb", "automargin": True}
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "type": "category",
                       "tickmode": "array", "tickvals": rows, "ticktext": names}
    layout["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "yref": "paper", "x": 0,
                        "traceorder": "normal", "font": {"family": FONT_STACK}}
    layout["margin"] = {"l": 120, "r": 24, "t": 72, "b": 48}
    return {"data": data, "layout": layout}, height


def redirect_examples(result: AuditResult) -> list[dict]:
    """Help requests whose first reply was a redirect although the same brand answered another
    request with mostly the same words in public (its first reply a solution): the pairs with the
    most words in common, a few per brand. The two requests are different conversations and not
    copies of one text (a repost answered the second time says nothing about the first)."""
    from ..knowledge.lexical import Bm25Index
    from ..knowledge.text import tokenize_post

    sig = result.signals
    conv = result.scorecard.conversations
    judged = sig.conversations
    if conv.num_rows == 0:
        return []
    texts = result.threads.posts.column("text")
    brand = conv.column("brand").to_numpy(zero_copy_only=False)
    request_rows = conv.column("conv").to_numpy()
    help_request = pc.fill_null(judged.column("help_request"), False).to_numpy(zero_copy_only=False)
    first_kind = pc.fill_null(judged.column("first_reply_kind"), "").to_numpy(zero_copy_only=False)
    redirected = help_request & (first_kind == "redirect")
    # answered in public: the first reply itself is a solution (so no redirected request is in the pool)
    answered = help_request & (first_kind == "solution")
    if not redirected.any() or not answered.any():
        return []
    names, counts = np.unique(brand[redirected], return_counts=True)
    examples: list[dict] = []
    for name in names[np.argsort(-counts, kind="stable")][:EXAMPLE_BRANDS]:
        cand = np.flatnonzero(redirected & (brand == name))[:MAX_REDIRECTED]
        pool = np.flatnonzero(answered & (brand == name))[-MAX_SOLVED:]  # the latest ones
        if len(pool) == 0:
            continue
        pool_tokens = [tokenize_post(t) for t in texts.take(pa.array(request_rows[pool])).to_pylist()]
        index = Bm25Index.build(pool_tokens)
        found = []
        for i, text in zip(cand.tolist(), texts.take(pa.array(request_rows[cand])).to_pylist(), strict=True):
            match = _closest(tokenize_post(text), index, pool_tokens)
            if match is not None:
                found.append((match[0], i, int(pool[match[1]])))
        found.sort(key=lambda f: -f[0])
        # several redirected requests like the same answered one are one row, with their count
        alike = Counter(j for _, _, j in found)
        best: dict[int, tuple[float, int]] = {}
        for overlap, i, j in found:
            best.setdefault(j, (overlap, i))  # the closest of them (found is sorted by overlap)
        for j, (overlap, i) in list(best.items())[:EXAMPLES_PER_BRAND]:
            examples.append(_example(result, name, i, j, overlap, more=alike[j] - 1))
    examples.sort(key=lambda e: -e["overlap"])
    return examples[:MAX_EXAMPLES]


def _closest(tokens: list[str], index: Any, pool_tokens: list[list[str]]) -> tuple[float, int] | None:
    """(word overlap, pool position) of the pool request most like `tokens` that is a different
    text: overlap at least MIN_OVERLAP and below NEAR_COPY; None when there is none."""
    words = set(tokens)
    if len(words) < 3:
        return None  # too short to say it is the same problem
    scores = index.scores(tokens)
    if len(scores) == 0:
        return None
    k = min(MATCHES_LOOKED_AT, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]  # a full sort of 8,000 scores per request is wasted work
    top = top[np.argsort(-scores[top], kind="stable")]
    best = None
    for k in top.tolist():
        if scores[k] <= 0:
            break
        other = set(pool_tokens[k])
        overlap = len(words & other) / len(words | other)
        if MIN_OVERLAP <= overlap < NEAR_COPY and (best is None or overlap > best[0]):
            best = (overlap, k)
    return best


def _example(result: AuditResult, brand: str, i: int, j: int, overlap: float, more: int = 0) -> dict:
    conv = result.scorecard.conversations
    judged = result.signals.conversations
    rows = {
        "request": conv.column("conv")[i].as_py(),
        "redirect": judged.column("first_reply_row")[i].as_py(),
        "similar": conv.column("conv")[j].as_py(),
        "solution": judged.column("first_solution_row")[j].as_py(),
    }
    shown = dict(zip(rows, result.post_texts(list(rows.values())), strict=True))
    requested = conv.column("requested_at")[i].as_py()
    similar_requested = conv.column("requested_at")[j].as_py()
    return {
        "brand": brand,
        "requested": requested.strftime("%d %b %Y") if requested else "",
        "similar_requested": similar_requested.strftime("%d %b %Y") if similar_requested else "",
        "more": more,  # other redirected requests (of those looked at) whose closest answered request is this one
        **{key: _clip(text) for key, text in shown.items()},
        "overlap": round(overlap, 3),
        "rows": rows,  # the posts' rows in the threaded posts (for checks; the template ignores them)
    }
