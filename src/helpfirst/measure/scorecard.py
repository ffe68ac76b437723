"""The core helpfulness scorecard, expressed once in SQL and run by DuckDB over Arrow.

Definitions: docs/metrics.md. The conversation table is built in SQL (so the same statements can
run on another SQL engine), business time and hour-of-week are added with Arrow/numpy, and every
aggregate is SQL again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .business_hours import BusinessHours

UNKNOWN_BRAND = "(unknown)"

#: One row per conversation: a customer post that replies to nothing, opening its own thread.
#: `posts` holds every post but its text; `roots` the posts that start a thread (row_nr = root_nr),
#: with their text: only they can open a conversation, and texts are big to scan.
CONVERSATIONS_SQL = """
WITH opening AS (
    SELECT r.row_nr, r.created_at, r.author, r.brand, r.text,
           lower(regexp_extract(r.text, $first_mention, 1)) AS first_mention
    FROM roots r
    WHERE r.author_role = 'customer' AND NOT r.has_parent_id
),
first_known AS (
    -- the first @mention is usually the brand; only when it is not is the text searched for any known brand
    SELECT o.*, k1.handle AS first_handle,
           CASE WHEN o.brand IS NULL AND k1.handle IS NULL
                THEN lower(regexp_extract(o.text, $mention_pattern, 1, 'i')) END AS later_mention
    FROM opening o LEFT JOIN known_brands k1 ON k1.lower_handle = o.first_mention
),
requests AS (
    SELECT f.row_nr AS conv, f.created_at AS requested_at, f.author AS customer,
           coalesce(f.brand, f.first_handle, k2.handle) AS stated_brand
    FROM first_known f LEFT JOIN known_brands k2 ON k2.lower_handle = f.later_mention
),
brand_replies AS (
    SELECT p.root_nr AS conv, p.brand, p.created_at, p.row_nr
    FROM posts p SEMI JOIN requests q ON p.root_nr = q.conv
    WHERE p.author_role = 'brand' AND p.row_nr <> p.root_nr
),
first_brand AS (
    -- only requests that name no brand need the brand of the earliest reply
    SELECT conv, arg_min(brand, (created_at, row_nr)) AS brand
    FROM brand_replies
    WHERE conv IN (SELECT conv FROM requests WHERE stated_brand IS NULL)
    GROUP BY conv
),
attributed AS (
    SELECT q.*, coalesce(q.stated_brand, f.brand, $unknown) AS brand
    FROM requests q LEFT JOIN first_brand f USING (conv)
),
first_response AS (
    SELECT b.conv, min(b.created_at) AS first_response_at
    FROM brand_replies b JOIN attributed a ON a.conv = b.conv AND a.brand = b.brand
    GROUP BY b.conv
)
SELECT a.conv, a.brand, a.customer, a.requested_at, f.first_response_at,
       CASE WHEN f.first_response_at IS NULL THEN NULL
            ELSE greatest(epoch_us(f.first_response_at) - epoch_us(a.requested_at), 0) / 60e6
       END AS frt_min
FROM attributed a LEFT JOIN first_response f USING (conv)
ORDER BY a.conv
"""

#: Per brand and in total (brand NULL), over the conversation table.
TOTALS_SQL = """
SELECT brand,
       count(*) AS conversations,
       count(first_response_at) AS answered,
       quantile_cont(frt_min, 0.5) AS frt_median_min,
       quantile_cont(frt_min, 0.9) AS frt_p90_min,
       coalesce(sum(CASE WHEN frt_min <= $target THEN 1 ELSE 0 END) / count(*), 0.0) AS within_target,
       quantile_cont(frt_business_min, 0.5) AS frt_business_median_min,
       quantile_cont(frt_business_min, 0.9) AS frt_business_p90_min,
       coalesce(sum(CASE WHEN frt_business_min <= $target THEN 1 ELSE 0 END) / count(*), 0.0)
           AS within_target_business,
       min(requested_at) AS first_request_at,
       max(requested_at) AS last_request_at
FROM conversations
GROUP BY GROUPING SETS ((brand), ())
"""

HOUR_OF_WEEK_SQL = """
SELECT brand, hour_of_week, count(*) AS conversations, count(first_response_at) AS answered,
       quantile_cont(frt_min, 0.5) AS frt_median_min
FROM conversations GROUP BY GROUPING SETS ((brand, hour_of_week), (hour_of_week))
ORDER BY brand NULLS FIRST, hour_of_week
"""

DAILY_SQL = """
SELECT brand, day, count(*) AS conversations, count(first_response_at) AS answered,
       quantile_cont(frt_min, 0.5) AS frt_median_min,
       coalesce(sum(CASE WHEN frt_min <= $target THEN 1 ELSE 0 END) / count(*), 0.0) AS within_target
FROM conversations GROUP BY GROUPING SETS ((brand, day), (day))
ORDER BY brand NULLS FIRST, day
"""

#: The numbers brands usually report, per brand that appears in the archive.
VANITY_SQL = """
WITH thread_brand AS (
    SELECT conv AS root_nr, brand FROM conversations
    UNION ALL
    SELECT row_nr, brand FROM posts WHERE row_nr = root_nr AND author_role = 'brand'
),
brand_side AS (
    SELECT brand, count(*) AS brand_posts, sum(likes) AS likes, sum(reposts) AS reposts,
           count(*) FILTER (WHERE row_nr = root_nr) AS brand_threads
    FROM posts WHERE author_role = 'brand' AND brand IS NOT NULL
    GROUP BY GROUPING SETS ((brand), ())
),
audience AS (
    -- customers and bots count for the brand of the thread they write in
    SELECT t.brand, p.author_role, p.author
    FROM posts p JOIN thread_brand t USING (root_nr)
    WHERE p.author_role <> 'brand' AND t.brand IS NOT NULL
),
audience_side AS (
    SELECT brand,
           count(*) FILTER (WHERE author_role = 'customer') AS customer_posts,
           count(*) FILTER (WHERE author_role = 'bot') AS bot_posts
    FROM audience GROUP BY GROUPING SETS ((brand), ())
),
customer_pairs AS (
    SELECT DISTINCT brand, author FROM audience WHERE author_role = 'customer'
),
customer_side AS (
    SELECT brand, count(*) AS customers FROM customer_pairs GROUP BY brand
    UNION ALL
    SELECT NULL, count(DISTINCT author) FROM customer_pairs
)
SELECT coalesce(b.brand, a.brand) AS brand, b.brand_posts, a.customer_posts, c.customers, a.bot_posts,
       b.likes, b.reposts, b.brand_threads
FROM brand_side b
FULL JOIN audience_side a ON b.brand IS NOT DISTINCT FROM a.brand
LEFT JOIN customer_side c ON c.brand IS NOT DISTINCT FROM coalesce(b.brand, a.brand)
"""


@dataclass
class Scorecard:
    """Everything the audit measured; `to_dict` is the JSON document."""

    brands: dict[str, dict]
    totals: dict
    hour_of_week: dict[str, list[dict]]
    daily: dict[str, list[dict]]
    conversations: pa.Table  # one row per conversation, for the report
    settings: dict = field(default_factory=dict)


def known_brands(posts: pa.Table, given: frozenset[str] | set[str]) -> list[str]:
    """The --brand handles plus every author of a brand post; handles differing only in case are one brand."""
    authors = pc.unique(pc.filter(posts.column("author"), pc.equal(posts.column("author_role"), "brand")))
    handles = {h.lstrip("@") for h in given} | {a for a in authors.to_pylist() if a}
    spelling: dict[str, str] = {}
    for handle in sorted(handles):  # the first spelling in sorted order names the brand
        spelling.setdefault(handle.lower(), handle)
    return sorted(spelling.values(), key=str.lower)


#: A mention's @ follows the start or a character that cannot be part of a handle or an e-mail
#: address ('bob@acme.com' mentions nobody); the handle ends where letters, digits and
#: underscores end (so '@Acmeé' does not mention 'Acme').
MENTION_START = r"(?:^|[^\pL\pN_@])@"
HANDLE_END = r"(?:[^\pL\pN_]|$)"
FIRST_MENTION = MENTION_START + r"([\pL\pN_]+)"


def mention_pattern(handles: list[str]) -> str:
    """Regex (RE2) matching the first @mention of a known brand; group 1 is the handle."""
    if not handles:
        return r"(^\b$)"  # matches nothing (RE2 has no lookahead)
    alternatives = "|".join(re.escape(h) for h in sorted(handles, key=len, reverse=True))
    return rf"{MENTION_START}({alternatives}){HANDLE_END}"


def compute_scorecard(
    posts: pa.Table,
    brands: list[str],
    target_min: float = 30.0,
    business_hours: BusinessHours | None = None,
    report_zone: str | None = None,
) -> Scorecard:
    """Run the scorecard over threaded posts (columns of POST_SCHEMA plus row_nr, root_nr)."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    view = _sql_view(posts, brands)
    handles = pa.table({"handle": brands, "lower_handle": [h.lower() for h in brands]})
    con.register("posts", view)
    con.register("roots", _roots_view(view, posts))
    con.register("known_brands", handles)
    pattern = mention_pattern(brands)
    # RE2 cannot take the pattern as a bound parameter inside regexp_extract, so inline it safely
    # the fast first-mention path is exact only when every handle is made of handle characters
    first = FIRST_MENTION if all(re.fullmatch(r"\w+", h) for h in brands) else "(?i)" + pattern
    sql = CONVERSATIONS_SQL.replace("$first_mention", _sql_string(first)).replace("$mention_pattern", _sql_string(pattern)).replace("$unknown", _sql_string(UNKNOWN_BRAND))
    conv = _arrow(con.sql(sql))
    conv = _add_clock_columns(conv, business_hours, report_zone)
    con.register("conversations", conv)
    totals_rows = _fetch(con, TOTALS_SQL, target_min)
    vanity_rows = _fetch(con, VANITY_SQL, target_min)
    vanity = {r["brand"]: r for r in vanity_rows}
    brands_out: dict[str, dict] = {}
    totals: dict = {}
    for r in totals_rows:
        figures = _figures(r, business_hours is not None)
        if r["brand"] is None:
            totals = figures
        else:
            brands_out[r["brand"]] = figures
    if not totals:
        totals = _figures({"conversations": 0, "answered": 0}, business_hours is not None)
    for brand in sorted(set(vanity) - {None} - set(brands_out), key=str.lower):
        brands_out[brand] = _figures({"conversations": 0, "answered": 0}, business_hours is not None)
    for brand, figures in brands_out.items():
        figures["vanity"] = _vanity(vanity.get(brand))
    totals["vanity"] = _vanity(vanity.get(None))
    brands_out = dict(sorted(brands_out.items(), key=lambda kv: (-kv[1]["conversations"], kv[0].lower())))
    how = _grouped(_fetch(con, HOUR_OF_WEEK_SQL, target_min), "hour_of_week")
    daily = _grouped(_fetch(con, DAILY_SQL, target_min), "day")
    con.close()
    return Scorecard(
        brands=brands_out,
        totals=totals,
        hour_of_week=how,
        daily=daily,
        conversations=conv,
        settings={
            "target_min": float(target_min),
            "business_hours": business_hours.describe() if business_hours else None,
            "report_zone": report_zone or (business_hours.zone if business_hours else "UTC"),
        },
    )


def _sql_view(posts: pa.Table, brands: list[str]) -> pa.Table:
    """The columns the SQL reads, with UTC timestamps as naive values (no time-zone extension needed)."""
    # small dictionaries instead of millions of repeated strings: much cheaper for DuckDB to scan
    return pa.table(
        {
            "row_nr": posts.column("row_nr"),
            "root_nr": posts.column("root_nr"),
            "has_parent_id": pc.is_valid(posts.column("parent_id")),
            "author": posts.column("author"),
            "author_role": pc.dictionary_encode(posts.column("author_role")),
            "brand": pc.dictionary_encode(_brand_spelling(posts.column("brand"), brands)),
            "likes": posts.column("likes"),
            "reposts": posts.column("reposts"),
            "created_at": pc.cast(posts.column("created_at"), pa.timestamp("us")),
        }
    )


def _roots_view(view: pa.Table, posts: pa.Table) -> pa.Table:
    """The rows of the SQL view that start a thread, with their text."""
    roots = pc.equal(view.column("row_nr"), view.column("root_nr"))
    columns = view.select(["row_nr", "created_at", "author", "author_role", "brand", "has_parent_id"])
    return columns.append_column("text", posts.column("text")).filter(roots)


def first_response_rows(posts: pa.Table, conversations: list[dict]) -> list[int | None]:
    """The row of each conversation's first response (earliest reply by its brand, ties by reading order).

    The scorecard keeps only the response time; the report looks up the few rows it shows.
    """
    wanted = {c["conv"] for c in conversations if c.get("first_response_at") is not None}
    if not wanted:
        return [None] * len(conversations)
    mask = pc.and_(pc.is_in(posts.column("root_nr"), pa.array(sorted(wanted), pa.int64())), pc.equal(posts.column("author_role"), "brand"))
    replies = posts.select(["row_nr", "root_nr", "brand", "created_at"]).filter(mask).to_pylist()
    best: dict[tuple[int, str], tuple] = {}
    for r in replies:
        if r["row_nr"] == r["root_nr"] or r["brand"] is None:
            continue
        key = (r["root_nr"], r["brand"].lower())
        candidate = (r["created_at"], r["row_nr"])
        if key not in best or candidate < best[key]:
            best[key] = candidate
    out = []
    for c in conversations:
        hit = best.get((c["conv"], str(c.get("brand", "")).lower())) if c.get("first_response_at") is not None else None
        out.append(None if hit is None else hit[1])
    return out


def _brand_spelling(column: pa.ChunkedArray, brands: list[str]) -> pa.Array:
    """Brand values in the one spelling of known_brands (handles are case-insensitive)."""
    if not brands:
        return column
    lower = pa.array([b.lower() for b in brands])
    position = pc.index_in(pc.utf8_lower(column), value_set=lower)
    return pc.if_else(pc.is_null(position), column, pc.take(pa.array(brands), position))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fetch(con: duckdb.DuckDBPyConnection, query: str, target_min: float) -> list[dict]:
    return _arrow(con.sql(query.replace("$target", repr(float(target_min))))).to_pylist()


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # newer / older DuckDB
    return fetch()


def _add_clock_columns(conv: pa.Table, hours: BusinessHours | None, zone: str | None) -> pa.Table:
    requested = conv.column("requested_at")
    zone = zone or (hours.zone if hours else "UTC")
    local = pc.cast(pc.cast(requested, pa.timestamp("us", tz="UTC")), pa.timestamp("us", tz=zone))
    how = pc.add(pc.multiply(pc.day_of_week(local), 24), pc.hour(local))  # Monday 00h = 0
    conv = conv.append_column("hour_of_week", how.cast(pa.int16()))
    conv = conv.append_column("day", pc.cast(requested, pa.date32()))
    if hours is None:
        business = pa.nulls(conv.num_rows, pa.float64())
    else:
        start = _epoch_seconds(requested)
        end = _epoch_seconds(conv.column("first_response_at"))
        business = pa.array(hours.elapsed_seconds(start, end) / 60.0, from_pandas=True)
    return conv.append_column("frt_business_min", business)


def _epoch_seconds(column: pa.ChunkedArray) -> np.ndarray:
    values = pc.cast(column, pa.int64()).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.float64) / 1e6


def _figures(r: dict, business: bool) -> dict:
    conversations = int(r.get("conversations") or 0)
    answered = int(r.get("answered") or 0)
    out = {
        "conversations": conversations,
        "answered": answered,
        "coverage": (answered / conversations) if conversations else 0.0,
        "frt_median_min": _num(r.get("frt_median_min")),
        "frt_p90_min": _num(r.get("frt_p90_min")),
        "within_target": float(r.get("within_target") or 0.0),
    }
    if business:
        out["frt_business_median_min"] = _num(r.get("frt_business_median_min"))
        out["frt_business_p90_min"] = _num(r.get("frt_business_p90_min"))
        out["within_target_business"] = float(r.get("within_target_business") or 0.0)
    first, last = r.get("first_request_at"), r.get("last_request_at")
    out["first_request_at"] = first.isoformat() + "Z" if first is not None else None
    out["last_request_at"] = last.isoformat() + "Z" if last is not None else None
    return out


def _vanity(r: dict | None) -> dict:
    r = r or {}
    return {
        "brand_posts": int(r.get("brand_posts") or 0),
        "customer_posts": int(r.get("customer_posts") or 0),
        "customers": int(r.get("customers") or 0),
        "bot_posts": int(r.get("bot_posts") or 0),
        "likes": None if r.get("likes") is None else int(r["likes"]),
        "reposts": None if r.get("reposts") is None else int(r["reposts"]),
        "brand_threads": int(r.get("brand_threads") or 0),
    }


def _num(value: object) -> float | None:
    return None if value is None else float(value)


def _grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        brand = r.pop("brand")
        if hasattr(r.get(key), "isoformat"):
            r[key] = r[key].isoformat()
        for k, v in list(r.items()):
            if isinstance(v, float) and np.isnan(v):
                r[k] = None
        out.setdefault("(all)" if brand is None else brand, []).append(r)
    return out
