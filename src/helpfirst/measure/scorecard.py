"""The core helpfulness scorecard, expressed once in SQL and run by DuckDB over Arrow.

Definitions: docs/metrics.md. The SQL reads these relations:

- `posts`: every post, one row each: row_nr (reading order), root_nr (its thread's root),
  has_parent_id, author, author_role, brand_id, created_at (UTC), likes, reposts, and text
  (read only for posts that may open a conversation);
- `conversations`: the conversation table (see below).

Brands are small integers in the SQL (BrandIndex: the known ones, a --brand handle or an author of
brand posts, are the only ones a mention can name): grouping on them is far cheaper than on
strings. `stated_brands` finds the brand each possible request names (OPENERS_SQL); it needs no
thread structure, so it runs while threads are built (prepare_scorecard). The conversation table (`conversation_table`) is
built by position: root_nr is a row number, so a thread's brand and first response are array
lookups and one grouped minimum, not joins. Business time and hour-of-week are added with
Arrow/numpy; every aggregate is SQL again. Per-post
signals (intent, reply kind, sentiment) join `posts` by row_nr, per-conversation ones the
conversation table by conv.
"""

from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..threads import _as_integers
from .business_hours import BusinessHours

UNKNOWN_BRAND = "(unknown)"

#: Minute figures in the JSON are rounded to this many decimals (docs/metrics.md): 0.06 ms, below
#: any archive's clock resolution, so only floating-point noise (3618.0000000000005) goes.
MINUTE_DECIMALS = 6

#: What the brand each post that may open a conversation names is found from: the brand the format
#: gave it (`own_brand`), else the handle of its first @mention ($first_mention, lower-cased; a
#: known brand's, see stated_brands), else the first known brand it @mentions anywhere. Needs no
#: thread structure (so it runs while threads are built): a conversation opener is a customer post
#: without a parent id, and `row_nr` is its reading order.
OPENERS_SQL = """
SELECT row_nr, brand_id AS own_brand, CASE WHEN brand_id IS NULL THEN lower($first_mention) END AS mention
FROM posts q WHERE author_role = 'customer' AND NOT has_parent_id
"""

#: The known brand mentioned anywhere in the texts of `unnamed` (row_nr, text): the openers whose
#: first @mention is not a known brand (usually none).
FALLBACK_SQL = """
SELECT row_nr, lower(regexp_extract(text, $mention_pattern, 1, 'i')) AS mention FROM unnamed
"""

#: Per brand and in total (brand_id NULL), over the conversation table.
TOTALS_SQL = """
WITH figures AS (
    -- one quantile aggregate per column (median and p90 from one sort of the group)
    SELECT brand_id,
           count(*) AS conversations,
           count(first_response_at) AS answered,
           quantile_cont(frt_min, [0.5, 0.9]) AS frt_q,
           coalesce(count(*) FILTER (WHERE frt_min <= $target) / nullif(count(*), 0), 0.0) AS within_target,
           quantile_cont(frt_business_min, [0.5, 0.9]) AS frt_business_q,
           coalesce(count(*) FILTER (WHERE frt_business_min <= $target) / nullif(count(*), 0), 0.0) AS within_target_business,
           min(requested_at) AS first_request_at,
           max(requested_at) AS last_request_at
    FROM conversations
    GROUP BY GROUPING SETS ((brand_id), ())
)
SELECT * EXCLUDE (frt_q, frt_business_q),
       frt_q[1] AS frt_median_min, frt_q[2] AS frt_p90_min,
       frt_business_q[1] AS frt_business_median_min, frt_business_q[2] AS frt_business_p90_min
FROM figures
"""

HOUR_OF_WEEK_SQL = """
SELECT brand_id, hour_of_week, count(*) AS conversations, count(first_response_at) AS answered,
       quantile_cont(frt_min, 0.5) AS frt_median_min
FROM conversations GROUP BY GROUPING SETS ((brand_id, hour_of_week), (hour_of_week))
"""

DAILY_SQL = """
SELECT brand_id, day, count(*) AS conversations, count(first_response_at) AS answered,
       quantile_cont(frt_min, 0.5) AS frt_median_min,
       coalesce(count(*) FILTER (WHERE frt_min <= $target) / nullif(count(*), 0), 0.0) AS within_target
FROM conversations GROUP BY GROUPING SETS ((brand_id, day), (day))
"""

#: The brand each thread belongs to: its conversation's brand, or the brand that opened it.
THREAD_BRAND_SQL = """
SELECT conv AS root_nr, brand_id FROM conversations
UNION ALL
SELECT row_nr, brand_id FROM posts WHERE row_nr = root_nr AND author_role = 'brand' AND brand_id IS NOT NULL
"""

#: The numbers brands usually report, per brand that appears in the archive. `thread_brand_id`
#: is THREAD_BRAND_SQL's brand of the post's root (looked up by position: root_nr is a row number).
#: Customers and bots count for the brand of the thread they write in; the distinct customers
#: (`customers`) are counted beside it (see _customer_counts).
VANITY_SQL = """
WITH brand_side AS (
    SELECT brand_id, count(*) AS brand_posts, sum(likes) AS likes, sum(reposts) AS reposts,
           count(*) FILTER (WHERE row_nr = root_nr AND NOT has_parent_id) AS brand_threads
    FROM posts WHERE author_role = 'brand' AND brand_id IS NOT NULL
    GROUP BY GROUPING SETS ((brand_id), ())
),
audience_side AS (
    SELECT thread_brand_id AS brand_id,
           count(*) FILTER (WHERE author_role = 'customer') AS customer_posts,
           count(*) FILTER (WHERE author_role = 'bot') AS bot_posts
    FROM posts
    WHERE author_role <> 'brand' AND thread_brand_id IS NOT NULL
    GROUP BY GROUPING SETS ((thread_brand_id), ())
)
SELECT coalesce(b.brand_id, a.brand_id) AS brand_id, b.brand_posts, a.customer_posts, a.bot_posts,
       b.likes, b.reposts, b.brand_threads
FROM brand_side b FULL JOIN audience_side a ON b.brand_id IS NOT DISTINCT FROM a.brand_id
"""


@dataclass
class Scorecard:
    """Everything the audit measured; `to_dict` is the JSON document."""

    brands: dict[str, dict]
    totals: dict
    hour_of_week: dict  # {"totals": [rows], "brands": {name: [rows]}}
    daily: dict  # the same shape
    conversations: pa.Table  # one row per conversation, for the report
    settings: dict = field(default_factory=dict)


@dataclass
class BrandIndex:
    """The brands of an archive: `names[brand_id]`, the known ones first; each post's brand_id."""

    known: list[str]  # --brand handles and authors of brand posts, one spelling each
    names: list[str]  # known, then other brand values as written, then UNKNOWN_BRAND
    ids: pa.Array  # int32 per post, null where a post has no brand


def index_brands(posts: pa.Table, given: frozenset[str] | set[str] | list[str]) -> BrandIndex:
    """Known brands (see known_brands) and every post's brand as a small integer."""
    known = known_brands(posts, given) if not isinstance(given, list) else given
    ids, names = _brand_ids(posts.column("brand"), known)
    return BrandIndex(known=known, names=names, ids=ids)


@dataclass
class Prepared:
    """What the scorecard takes from posts before they are threaded (see prepare_scorecard)."""

    index: BrandIndex
    stated: pa.Table  # stated_brands: row_nr, brand_id
    rows: int  # how many posts it was made for
    #: per-post columns of the SQL view made on the way (author_role encoded, has_parent_id), reused
    #: when threading dropped no row
    columns: dict[str, pa.ChunkedArray] = field(default_factory=dict)


def prepare_scorecard(posts: pa.Table, brands: frozenset[str] | set[str] | list[str] | BrandIndex) -> Prepared:
    """The parts of the scorecard that need no thread structure: brand ids, the brand each possible
    request names. Row numbers are positions in `posts`, so it can run while threads are built."""
    index = brands if isinstance(brands, BrandIndex) else index_brands(posts, brands)
    con = _connect()
    columns = {
        "author_role": pc.dictionary_encode(posts.column("author_role")),
        "has_parent_id": pc.is_valid(posts.column("parent_id")),
    }
    try:
        n = posts.num_rows
        con.register("posts", pa.table({
            "row_nr": posts.column("row_nr") if "row_nr" in posts.column_names else pa.array(np.arange(n)),
            **columns,
            "brand_id": index.ids,
            "text": posts.column("text"),
        }))
        stated = stated_brands(con, posts.column("text"), index)
    finally:
        con.close()
    return Prepared(index=index, stated=stated, rows=posts.num_rows, columns=columns)


def stated_brands(con: duckdb.DuckDBPyConnection, texts: pa.ChunkedArray, index: BrandIndex) -> pa.Table:
    """The brand each possible request names (row_nr, brand_id; see OPENERS_SQL), over `posts` on `con`.

    The handles found are matched to the known brands in Python, over their few distinct values
    (a join in SQL carried the texts along); only openers whose first mention names no known
    brand have their whole text searched (FALLBACK_SQL).
    """
    found = _arrow(con.sql(OPENERS_SQL.replace("$first_mention", _first_mention_sql(index.known))))
    known = {name.lower(): i for i, name in enumerate(index.known)}
    own = _numpy(pc.fill_null(found.column("own_brand"), -1)).astype(np.int32, copy=False)
    brand = np.where(own >= 0, own, _known_ids(found.column("mention"), known))
    unnamed = np.flatnonzero(brand < 0)
    if len(unnamed):
        rows = found.column("row_nr").take(pa.array(unnamed))
        con.register("unnamed", pa.table({"row_nr": rows, "text": texts.take(rows)}))
        pattern = _sql_string(mention_pattern(index.known))
        fallback = _arrow(con.sql(FALLBACK_SQL.replace("$mention_pattern", pattern)))
        con.unregister("unnamed")
        # back to their places by row_nr: the rows come back in any order
        unnamed_rows = _numpy(found.column("row_nr"))[unnamed]
        order = np.argsort(unnamed_rows)
        at = unnamed[order][np.searchsorted(unnamed_rows[order], _numpy(fallback.column("row_nr")))]
        brand[at] = _known_ids(fallback.column("mention"), known)
    return pa.table({"row_nr": found.column("row_nr"), "brand_id": pa.array(brand, mask=brand < 0)})


def _known_ids(handles: pa.ChunkedArray, known: dict[str, int]) -> np.ndarray:
    """The brand id of each lower-cased handle that is a known brand's, else -1 (null: -1). A handle
    found in a text spelled with decomposed accents ('Acme' + U+0301) names the NFC one ('Acmé');
    normalised once per distinct handle, never per post."""
    return _map_values(handles, lambda h: known.get(h, known.get(_nfc(h), -1)), -1)


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _map_values(column: pa.ChunkedArray | pa.Array, value_id, null_id: int) -> np.ndarray:
    """value_id(value) for every value of a string column as int32 (null_id for nulls), calling
    value_id once per distinct value, in first-seen order. Encoded chunk by chunk, with no copy of
    the column first: the chunks share one dictionary."""
    encoded = pc.dictionary_encode(column)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    if not chunks or not len(column):
        return np.full(len(column), null_id, dtype=np.int32)
    ids = np.asarray([value_id(v) for v in chunks[0].dictionary.to_pylist()] + [null_id], dtype=np.int32)
    return np.concatenate([ids[_numpy(pc.fill_null(c.indices, len(ids) - 1))] for c in chunks])


def known_brands(posts: pa.Table, given: frozenset[str] | set[str]) -> list[str]:
    """The --brand handles plus every author of a brand post; handles differing only in case are one brand."""
    authors = pc.unique(pc.filter(posts.column("author"), pc.equal(posts.column("author_role"), "brand")))
    handles = {h.lstrip("@") for h in given} | {a for a in authors.to_pylist() if a}
    spelling: dict[str, str] = {}
    for handle in sorted(handles):  # the first spelling in sorted order names the brand
        spelling.setdefault(handle.lower(), handle)
    return sorted(spelling.values(), key=str.lower)


#: A mention's @ follows the start or a character that cannot be part of a handle or an e-mail
#: address ('bob@acme.com' mentions nobody); the handle ends where letters, combining marks, digits
#: and underscores end (so '@Acmeé' does not mention 'Acme', whether the 'é' is one code point or
#: 'e' + U+0301: texts are not normalised, the marks keep the handle whole either way).
MENTION_START = r"(?:^|[^\pL\pM\pN_@])@"
HANDLE_END = r"(?:[^\pL\pM\pN_]|$)"
HANDLE = r"([\pL\pM\pN_]+)"
FIRST_MENTION = MENTION_START + HANDLE


def mention_pattern(handles: list[str]) -> str:
    """Regex (RE2) matching the first @mention of a known brand; group 1 is the handle as written.
    Each handle is matched in its NFC and its NFD spelling (texts are not normalised)."""
    if not handles:
        return r"(^\b$)"  # matches nothing (RE2 has no lookahead)
    spellings = {form for h in handles for form in (_nfc(h), unicodedata.normalize("NFD", h))}
    alternatives = "|".join(re.escape(h) for h in sorted(spellings, key=lambda h: (-len(h), h)))
    return rf"{MENTION_START}({alternatives}){HANDLE_END}"


def compute_scorecard(
    posts: pa.Table,
    brands: list[str] | BrandIndex | Prepared,
    target_min: float = 30.0,
    business_hours: BusinessHours | None = None,
    report_zone: str | None = None,
) -> Scorecard:
    """Run the scorecard over threaded posts (columns of POST_SCHEMA plus row_nr, root_nr).

    `brands`: the known brands, or what prepare_scorecard made of these posts before threading
    (used when threading dropped no row, so that positions still match).
    """
    if isinstance(brands, Prepared):
        prepared = brands if brands.rows == posts.num_rows else prepare_scorecard(posts, brands.index.known)
    else:
        prepared = prepare_scorecard(posts, brands if isinstance(brands, BrandIndex) else list(brands))
    index = prepared.index
    names = index.names
    con = _connect()
    view = _sql_view(posts, index.ids, prepared.columns if prepared.rows == posts.num_rows else {})
    con.register("posts", view)
    con.register("stated", prepared.stated)
    conv = conversation_table(view, prepared.stated, names.index(UNKNOWN_BRAND))
    conv = _add_clock_columns(conv, business_hours, report_zone)
    con.register("conversations", conv)
    # the vanity figures are made beside the totals, hour-of-week and daily queries: each query runs
    # on one core (too few rows to split), so two at a time keep both cores busy
    side = con.cursor()  # a cursor has its own registrations (and local settings)
    side.execute("SET enable_progress_bar_print = false")
    thread_brands = _thread_brands(con, view, posts.column("orphan") if "orphan" in posts.column_names else None)
    side.register("posts", view.append_column("thread_brand_id", thread_brands))

    with ThreadPoolExecutor(max_workers=1) as beside:
        side_result = beside.submit(_vanity_rows, side, view, thread_brands, names)
        # the distinct-customer sort beside takes about as long as these three queries here
        totals_rows = _fetch(con, TOTALS_SQL, target_min, names)
        how = _grouped(_arrow(con.sql(HOUR_OF_WEEK_SQL)), "hour_of_week", names)
        daily = _grouped(_arrow(con.sql(DAILY_SQL.replace("$target", repr(float(target_min))))), "day", names)
        # the report's list of conversations, while the other core finishes
        listed = conv.add_column(
            conv.schema.get_field_index("brand_id"), "brand", pc.take(pa.array(names), conv.column("brand_id"))
        ).drop_columns(["brand_id"])
        listed = listed.add_column(2, "customer", _take_rows(posts.column("author"), _numpy(listed.column("conv"))))
        vanity_rows = side_result.result()
        vanity = {r["brand"]: r for r in vanity_rows}
    con.close()
    business = business_hours is not None
    totals: dict = {}
    brands_out: dict[str, dict] = {}
    for r in totals_rows:
        if r["brand"] is None:
            totals = _figures(r, business)
        else:
            brands_out[r["brand"]] = _figures(r, business)
    if not totals:
        totals = _figures({"conversations": 0, "answered": 0}, business)
    for brand in sorted(set(vanity) - {None} - set(brands_out), key=str.lower):
        brands_out[brand] = _figures({"conversations": 0, "answered": 0}, business)
    for brand, figures in brands_out.items():
        figures["vanity"] = _vanity(vanity.get(brand))
    totals["vanity"] = _vanity(vanity.get(None))
    brands_out = dict(sorted(brands_out.items(), key=lambda kv: (-kv[1]["conversations"], kv[0].lower())))
    return Scorecard(
        brands=brands_out,
        totals=totals,
        hour_of_week=how,
        daily=daily,
        conversations=listed,
        settings={
            "target_min": float(target_min),
            "business_hours": business_hours.describe() if business_hours else None,
            "report_zone": report_zone or (business_hours.zone if business_hours else "UTC"),
        },
    )


def conversation_table(posts: pa.Table, stated: pa.Table, unknown_id: int) -> pa.Table:
    """One row per conversation, in reading order: conv, brand_id, requested_at, first_response_at, frt_min.

    A conversation is a customer post that replies to nothing (and so roots its own thread); its
    brand is the one it names (`stated`, stated_brands), else the brand of the earliest brand reply in
    its thread (ties by reading order; replies without a brand skipped), else `unknown_id`. Its first
    response is the earliest reply by that brand at any depth; FRT = that minus the request,
    clamped at 0, in minutes (docs/metrics.md). `posts` has root_nr (row numbers), author_role,
    brand_id (null: none) and created_at, one row per post in row_nr order (see _sql_view).
    """
    n = posts.num_rows
    root = _numpy(posts.column("root_nr"))
    created = _numpy(pc.cast(posts.column("created_at"), pa.int64()))
    brand = _numpy(pc.fill_null(posts.column("brand_id"), -1)).astype(np.int32, copy=False)
    # brand_of[row]: the brand of the conversation a row opens; -2 for rows that open none, -1 not yet known
    brand_of = np.full(n + 1, -2, dtype=np.int32)
    opener = _numpy(stated.column("row_nr"))
    opener_brand = _numpy(pc.fill_null(stated.column("brand_id"), -1)).astype(np.int32, copy=False)
    is_root = root[opener] == opener  # a post without a parent id can still hang under a format's conversation
    brand_of[opener[is_root]] = opener_brand[is_root]
    is_conv = brand_of[:n] != -2
    rows = np.flatnonzero(is_conv)  # in reading order, as the report lists them
    replies = np.flatnonzero(_role_mask(posts.column("author_role"), "brand") & (root != np.arange(n)))
    reply_root = root[replies]
    unnamed = replies[(brand_of[reply_root] == -1) & (brand[replies] >= 0)]
    if len(unnamed):
        # requests that name no brand: the brand of the earliest reply (ties by reading order)
        order = unnamed[np.lexsort((unnamed, created[unnamed], root[unnamed]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = root[order][1:] != root[order][:-1]
        brand_of[root[order][first]] = brand[order][first]
    brand_of[rows[brand_of[rows] == -1]] = unknown_id
    own = replies[brand[replies] == brand_of[reply_root]]
    no_response = np.iinfo(np.int64).max
    first_response = np.full(n, no_response, dtype=np.int64)
    np.minimum.at(first_response, root[own], created[own])
    requested = created[rows]
    responded = first_response[rows]
    answered = responded != no_response
    frt = np.maximum(np.where(answered, responded, requested) - requested, 0) / 60e6
    return pa.table({
        "conv": pa.array(rows.astype(np.int64)),
        "brand_id": pa.array(brand_of[rows]),
        "requested_at": pa.array(requested, pa.int64()).cast(pa.timestamp("us")),
        "first_response_at": pa.array(responded, pa.int64(), mask=~answered).cast(pa.timestamp("us")),
        "frt_min": pa.array(frt, mask=~answered),
    })


def _take_rows(column: pa.ChunkedArray | pa.Array, rows: np.ndarray) -> pa.ChunkedArray | pa.Array:
    """column[rows] for ascending `rows`, chunk by chunk (Arrow's take on a chunked column first
    copies the whole column into one array)."""
    if not isinstance(column, pa.ChunkedArray) or len(rows) < 2 or not (rows[1:] >= rows[:-1]).all():
        return pc.take(column, pa.array(rows))
    bounds = np.cumsum([0] + [len(c) for c in column.chunks])
    cut = np.searchsorted(rows, bounds)
    return pa.chunked_array(
        [chunk.take(pa.array(rows[cut[i] : cut[i + 1]] - bounds[i])) for i, chunk in enumerate(column.chunks)],
        type=column.type,
    )


def _numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False) if isinstance(values, pa.Array) else values.to_numpy()


def _role_mask(roles: pa.ChunkedArray | pa.Array, role: str) -> np.ndarray:
    """Rows whose author_role is `role` (a small dictionary when the column is one)."""
    if pa.types.is_dictionary(roles.type):
        roles = roles.combine_chunks() if isinstance(roles, pa.ChunkedArray) else roles
        codes = [i for i, v in enumerate(roles.dictionary.to_pylist()) if v == role]
        if not codes or roles.null_count:
            return pc.fill_null(pc.equal(roles, role), False).to_numpy(zero_copy_only=False)
        return _numpy(roles.indices) == codes[0]
    return _numpy(pc.fill_null(pc.equal(roles, role), False))


def _thread_brands(con: duckdb.DuckDBPyConnection, view: pa.Table, orphan: pa.ChunkedArray | None = None) -> pa.Array:
    """Each post's thread brand: the brand of its root, by position (root_nr is a row number):
    THREAD_BRAND_SQL's, else for an orphan thread's root (`orphan`: Threads' column) see _orphan_brands."""
    roots = _arrow(con.sql(THREAD_BRAND_SQL))
    n = view.num_rows
    by_row = np.full(n + 1, -1, dtype=np.int32)  # the last slot is never a root: -1, no brand
    by_row[roots.column("root_nr").to_numpy()] = roots.column("brand_id").to_numpy()
    root = view.column("root_nr").to_numpy()
    if orphan is not None and pc.any(orphan).as_py():
        _orphan_brands(view, root, np.flatnonzero(_numpy(orphan)), by_row)
    brand = by_row[root]
    return pa.array(brand, mask=brand < 0)


def _orphan_brands(view: pa.Table, root: np.ndarray, orphans: np.ndarray, by_row: np.ndarray) -> None:
    """Give the orphan threads that no brand opened a brand in `by_row`: the brand the format gave
    their first post, else the brand of their earliest brand reply (ties by reading order).

    No text is read: without the signals or a report, importers may leave replies' texts out, and
    the figures must not depend on that. Only the orphans and the brand posts are looked up."""
    orphans = orphans[by_row[orphans] < 0]
    if not len(orphans):
        return
    brand_ids = view.column("brand_id")
    own = _numpy(pc.fill_null(_take_rows(brand_ids, orphans), -1)).astype(np.int32, copy=False)
    by_row[orphans] = own
    wanted = np.zeros(len(by_row), dtype=bool)
    wanted[orphans[own < 0]] = True
    if not wanted.any():
        return
    replies = np.flatnonzero(_role_mask(view.column("author_role"), "brand"))
    replies = replies[wanted[root[replies]]]
    brand = _numpy(pc.fill_null(_take_rows(brand_ids, replies), -1)).astype(np.int32, copy=False)
    replies, brand = replies[brand >= 0], brand[brand >= 0]
    if not len(replies):
        return
    created = _numpy(pc.cast(_take_rows(view.column("created_at"), replies), pa.int64()))
    order = np.lexsort((replies, created, root[replies]))
    threads = root[replies][order]
    first = np.concatenate(([True], threads[1:] != threads[:-1]))
    by_row[threads[first]] = brand[order][first]


def _vanity_rows(con: duckdb.DuckDBPyConnection, view: pa.Table, thread_brands: pa.Array, names: list[str]) -> list[dict]:
    """VANITY_SQL's rows with their distinct customers (`customers`), brand ids turned into names."""
    per_brand, total = _customer_counts(view, thread_brands, len(names))
    rows = _fetch(con, VANITY_SQL, 0.0, names)
    ids = {name: i for i, name in enumerate(names)}
    for r in rows:
        r["customers"] = total if r["brand"] is None else int(per_brand[ids[r["brand"]]])
    return rows


def _customer_counts(view: pa.Table, thread_brands: pa.Array, brands: int) -> tuple[np.ndarray, int]:
    """Distinct authors of customer posts per thread brand (by brand id) and in all threads with a brand.

    As SQL's GROUP BY would count them: per brand, a missing author is one more customer; in
    total, it is none (count DISTINCT). Authors become integer codes (their own numbers when every
    one is a canonical decimal number, else a dictionary's indices); each (author, brand) pair is
    one int64, and one sort finds the distinct pairs.
    """
    brand = _numpy(pc.fill_null(thread_brands, -1)).astype(np.int64, copy=False)
    mask = _role_mask(view.column("author_role"), "customer") & (brand >= 0)
    brand = brand[mask]
    if not len(brand):
        return np.zeros(brands, dtype=np.int64), 0
    authors = pc.filter(view.column("author"), pa.array(mask))
    bits = max(int(brands - 1).bit_length(), 1)
    codes = _as_integers(authors)  # -1 for a missing author
    if codes is None or int(codes.max()) >= (1 << (62 - bits)):
        encoded = pc.dictionary_encode(authors.combine_chunks())
        codes = _numpy(pc.fill_null(encoded.indices, -1)).astype(np.int64, copy=False)
    pairs = np.sort(((codes + 1) << bits) | brand)  # by author, then brand (np.unique hashes: slower)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    per_brand = np.bincount(pairs & ((1 << bits) - 1), minlength=brands)
    author = pairs >> bits
    author = author[author > 0]  # 0: a missing author
    total = int(np.count_nonzero(author[1:] != author[:-1])) + 1 if len(author) else 0
    return per_brand, total


def _first_mention_sql(brands: list[str]) -> str:
    """SQL: the handle of the first @mention in a request's `text` ('' when there is none)."""
    if not all(re.fullmatch(r"\w+", h) for h in brands):
        # a handle with other characters: only the known-brand pattern finds it exactly
        return f"regexp_extract(q.text, {_sql_string('(?i)' + mention_pattern(brands))}, 1)"
    # most requests start with the mention: an anchored match is much cheaper than a search
    lead = f"CASE WHEN starts_with(q.text, '@') THEN regexp_extract(q.text, {_sql_string('^@' + HANDLE)}, 1) END"
    return f"coalesce(nullif({lead}, ''), regexp_extract(q.text, {_sql_string(FIRST_MENTION)}, 1))"


def _brand_ids(column: pa.ChunkedArray, brands: list[str]) -> tuple[pa.Array, list[str]]:
    """Each post's brand as a small integer, and the names by id: the known brands first, then
    other brand values as written, then UNKNOWN_BRAND. Known brands match case-insensitively."""
    names = list(brands)
    known = {b.lower(): i for i, b in enumerate(brands)}
    others: dict[str, int] = {}

    def brand_id(value: str) -> int:
        found = known.get(value.lower())
        if found is None:
            found = others.get(value)
            if found is None:
                found = others[value] = len(names)
                names.append(value)
        return found

    codes = _map_values(column, brand_id, -1)
    if UNKNOWN_BRAND not in names:
        names.append(UNKNOWN_BRAND)
    return pa.array(codes, mask=(codes < 0) if column.null_count else None), names


def _sql_view(posts: pa.Table, brand_ids: pa.Array, made: dict[str, pa.ChunkedArray] | None = None) -> pa.Table:
    """The columns the SQL reads, with UTC timestamps as naive values (no time-zone extension needed).

    `made`: has_parent_id and author_role as prepare_scorecard made them for these very rows.
    """
    made = made or {}
    has_parent_id = made.get("has_parent_id")
    roles = made.get("author_role")
    return pa.table(
        {
            "row_nr": posts.column("row_nr"),
            "root_nr": posts.column("root_nr"),
            "has_parent_id": pc.is_valid(posts.column("parent_id")) if has_parent_id is None else has_parent_id,
            "author": posts.column("author"),
            # a small dictionary instead of millions of repeated strings: much cheaper for DuckDB to scan
            "author_role": pc.dictionary_encode(posts.column("author_role")) if roles is None else roles,
            "brand_id": brand_ids,
            "likes": posts.column("likes"),
            "reposts": posts.column("reposts"),
            "created_at": pc.cast(posts.column("created_at"), pa.timestamp("us")),
        }
    )


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


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    # DuckDB draws a progress bar on stdout for queries over two seconds (a large archive's):
    # it would end up in the middle of `--json` output
    con.execute("SET enable_progress_bar_print = false")
    return con


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fetch(con: duckdb.DuckDBPyConnection, query: str, target_min: float, names: list[str]) -> list[dict]:
    """The rows of a query, its brand_id column turned into `brand` (a name, None for totals)."""
    rows = _arrow(con.sql(query.replace("$target", repr(float(target_min))))).to_pylist()
    for r in rows:
        brand_id = r.pop("brand_id")
        r["brand"] = None if brand_id is None else names[brand_id]
    return rows


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
        "frt_median_min": minutes(r.get("frt_median_min")),
        "frt_p90_min": minutes(r.get("frt_p90_min")),
        "within_target": float(r.get("within_target") or 0.0),
    }
    if business:
        out["frt_business_median_min"] = minutes(r.get("frt_business_median_min"))
        out["frt_business_p90_min"] = minutes(r.get("frt_business_p90_min"))
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


def minutes(value: object) -> float | None:
    """A minute figure for the JSON: rounded to MINUTE_DECIMALS; None for a missing value or NaN."""
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else round(value, MINUTE_DECIMALS)


def _grouped(table: pa.Table, key: str, names: list[str]) -> dict:
    """{"totals": rows over all brands, "brands": {name: rows}} (brands in name order), each list in
    `key` order. The totals are kept apart: a brand may be called anything, "(all)" included.

    Sorted, dates written out and NaN made null in Arrow: only the rows themselves are Python.
    """
    brand_ids = table.column("brand_id")
    brand = pc.take(pa.array(names, pa.string()), brand_ids)
    order = pc.sort_indices(
        pa.table({"set": pc.is_valid(brand_ids), "brand": brand, "missing": pc.is_null(table.column(key)), "key": table.column(key)}),
        sort_keys=[("set", "ascending"), ("brand", "ascending"), ("missing", "ascending"), ("key", "ascending")],
    )
    table = table.drop_columns(["brand_id"]).take(order)
    brand = brand.take(order).to_pylist()
    for i, column in enumerate(table.columns):
        if pa.types.is_date(column.type):
            table = table.set_column(i, table.field(i).name, pc.cast(column, pa.string()))
        elif pa.types.is_floating(column.type):
            if pc.any(pc.is_nan(column)).as_py():
                column = pc.if_else(pc.is_nan(column), None, column)
            if table.field(i).name.endswith("_min"):
                column = pc.round(column, MINUTE_DECIMALS)
            table = table.set_column(i, table.field(i).name, column)
    totals: list[dict] = []
    brands: dict[str, list[dict]] = {}
    for name, row in zip(brand, table.to_pylist()):
        (totals if name is None else brands.setdefault(name, [])).append(row)
    return {"totals": totals, "brands": brands}
