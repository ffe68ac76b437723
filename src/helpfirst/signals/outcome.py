"""Per-conversation signals: outcome, first reply kind, time to solution, sentiment shift.

Everything is computed for all conversations at once: Arrow/numpy picks the posts that belong to
each conversation (the person who opened it, and the replies of the conversation's brand), and
one DuckDB aggregation reads them. No Python runs per conversation. Definitions and the rules'
edge cases: docs/metrics.md ("Signals scorecard") and docs/signals.md ("Outcome and scorecard").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .base import INTENTS, REPLY_KINDS

#: The outcome of a conversation. The first five are DESIGN.md's; `unconfirmed` covers the gap
#: the labelling guide names: the brand replied (with an answer or an apology), asked nothing,
#: did not move the person elsewhere, and the person never said whether it helped.
OUTCOMES = ("resolved", "redirected", "unresolved", "abandoned", "unanswered", "unconfirmed")

#: What a person sends (plural too): "sent you an email", "sent a private message".
_SENT_THING = r"(dm|pm|direct message|private message|message|email|e-mail)s?"
#: A private way to send something: "sent it via DM", "sent you the details in a DM". No bare
#: "message" here: "sent a photo in the message above" is the public post.
_SENT_PRIVATELY = r"(dm|pm|direct message|private message|email|e-mail|inbox)s?"

#: A customer post says they wrote to the brand in private (or will): a move off the channel.
#: RE2 syntax (Arrow's match_substring_regex): no lookarounds.
DM_SENT_PATTERN = (
    r"(?i)(^|[^a-z])(dm'?e?d|dm'?ing|pm'?e?d"
    r"|sent (you |u )?(a |an |the |my )?" + _SENT_THING
    + r"|sent [a-z' ]{0,30}(via|by|in|through|over) (a |an |the |your |ur )?" + _SENT_PRIVATELY
    + r"|messaged|direct messaged|check (your|ur) (dm|pm|inbox|messages|direct messages|private messages)s?"
    r"|in (your|ur|the) (dm|inbox)s?|replied (in|to) (the )?dm)"
    r"($|[^a-z])"
)


@dataclass(frozen=True)
class OutcomeRules:
    """The switches and thresholds of the outcome rules. The defaults are the best setting of
    `scripts/eval_outcome.py --tune --labels gold` on the labelled TRAIN split (ties: the labelling
    guide's reading); see docs/signals.md for the grid and the scores."""

    #: a last evaluative post that is feedback with at least this sentiment counts as thanks
    positive_sentiment: float = 0.5
    #: a last evaluative post that is feedback with at most this sentiment counts as still unhappy
    negative_sentiment: float = -0.3
    #: a last post of intent `other` (after the brand's last reply, not accepting a redirect) with at
    #: least this sentiment counts as thanks ("Ok thanks.", "It's ok I fixed it thanks")
    other_positive_sentiment: float = 0.5
    #: thanks right after a redirect count as resolved (else only as accepting the redirect)
    praise_after_redirect_resolves: bool = False
    #: a redirect counts only when no solution reply came after it
    solution_after_redirect_cancels: bool = False
    #: the person answered the brand's clarifying question and never heard back: unresolved
    unanswered_answer_is_unresolved: bool = True

    def describe(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


RULES = OutcomeRules()

#: Decimal places kept of a post's sentiment (stored as float32) and of a conversation's shift.
SENTIMENT_DIGITS = 6

#: The conversation table's columns (in this order), one row per conversation.
OUTCOME_SCHEMA = pa.schema([
    pa.field("conv", pa.int64()),
    pa.field("help_request", pa.bool_()),
    pa.field("request_intent", pa.string()),
    pa.field("first_reply_kind", pa.string()),
    pa.field("outcome", pa.string()),
    pa.field("time_to_solution_min", pa.float64()),
    pa.field("first_solution_row", pa.int64()),
    pa.field("first_reply_row", pa.int64()),
    pa.field("person_posts", pa.int32()),
    pa.field("sentiment_first", pa.float64()),
    pa.field("sentiment_last", pa.float64()),
    pa.field("sentiment_shift", pa.float64()),
])

_I = {name: i for i, name in enumerate(INTENTS)}
_K = {name: i for i, name in enumerate(REPLY_KINDS)}

#: Aggregates per conversation over its member posts `m` (the person's posts and the conversation
#: brand's replies), ordered by `ord`: the request first, whatever its timestamp (TWCS clocks are
#: skewed: a reply can be stamped before the post it answers), then time, then reading order.
#: `after`: a post by the person after the brand's first reply, never the request itself;
#: `prev_kind`: the kind of the brand's last reply before a post.
#: E is the person's last *evaluative* post after the first reply (intent other than `other`),
#: L the person's last post after the first reply.
AGGREGATE_SQL = f"""
WITH firsts AS (
    SELECT conv, min(ord) FILTER (WHERE is_brand) AS first_brand_ord FROM m GROUP BY conv
),
x AS (
    SELECT m.*, (NOT m.is_brand AND m.row_nr <> m.conv AND f.first_brand_ord IS NOT NULL
                 AND m.ord > f.first_brand_ord) AS after,
           (m.intent IS NOT NULL AND m.intent <> {_I['other']}) AS evaluative
    FROM m JOIN firsts f USING (conv)
)
SELECT conv,
       arg_min(kind, ord) FILTER (WHERE is_brand) AS first_kind,
       arg_min(row_nr, ord) FILTER (WHERE is_brand) AS first_reply_row,
       min(ts) FILTER (WHERE is_brand AND kind = {_K['solution']}) AS first_solution_ts,
       arg_min(row_nr, ord) FILTER (WHERE is_brand AND kind = {_K['solution']}) AS first_solution_row,
       max(ord) FILTER (WHERE is_brand AND kind = {_K['redirect']}) AS redirect_ord,
       max(ord) FILTER (WHERE is_brand AND kind = {_K['solution']}) AS last_solution_ord,
       arg_max(kind, ord) FILTER (WHERE is_brand) AS last_kind,
       max(ord) FILTER (WHERE is_brand) AS last_brand_ord,
       max(ord) FILTER (WHERE after AND evaluative) AS e_ord,
       arg_max(intent, ord) FILTER (WHERE after AND evaluative) AS e_intent,
       arg_max(sentiment, ord) FILTER (WHERE after AND evaluative) AS e_sentiment,
       arg_max(prev_kind, ord) FILTER (WHERE after AND evaluative) AS e_prev_kind,
       max(ord) FILTER (WHERE after) AS l_ord,
       arg_max(intent, ord) FILTER (WHERE after) AS l_intent,
       arg_max(sentiment, ord) FILTER (WHERE after) AS l_sentiment,
       arg_max(prev_kind, ord) FILTER (WHERE after) AS l_prev_kind,
       arg_max(dm_sent, ord) FILTER (WHERE after) AS l_dm_sent,
       coalesce(bool_or(dm_sent) FILTER (WHERE after), false) AS said_dm,
       arg_min(sentiment, ord) FILTER (WHERE NOT is_brand) AS sentiment_first,  -- the request's: ord puts it first
       arg_max(sentiment, ord) FILTER (WHERE NOT is_brand) AS sentiment_last,
       count(*) FILTER (WHERE NOT is_brand) AS person_posts
FROM x
GROUP BY conv
"""

#: The outcome rules, in the labelling guide's order (data/labels/GUIDE.md, "Conversation outcome").
OUTCOME_SQL = f"""
SELECT *,
  CASE
    WHEN last_brand_ord IS NULL THEN 'unanswered'
    -- the person thanks (not merely for being sent elsewhere), or ends on a warm note
    WHEN (e_intent = {_I['praise']} AND ($praise_after_redirect OR e_prev_kind IS DISTINCT FROM {_K['redirect']}))
      OR (e_intent = {_I['feedback']} AND e_sentiment >= $positive)
      OR (l_intent = {_I['other']} AND l_ord > last_brand_ord AND l_sentiment >= $other_positive
          AND l_prev_kind IS DISTINCT FROM {_K['redirect']} AND NOT l_dm_sent) THEN 'resolved'
    -- still stuck after an answer, angrier, or left waiting on their own last word
    WHEN (e_intent = {_I['problem']} AND (e_prev_kind = {_K['solution']} OR e_ord > last_brand_ord))
      OR (e_intent = {_I['feedback']} AND e_sentiment <= $negative)
      OR (e_intent = {_I['question']} AND e_ord > last_brand_ord)
      OR ($answer_waits AND l_intent = {_I['other']} AND l_ord > last_brand_ord
          AND l_prev_kind = {_K['clarify']} AND NOT l_dm_sent) THEN 'unresolved'
    -- moved off the channel and not answered in public afterwards
    WHEN (redirect_ord IS NOT NULL AND NOT ($cancel AND coalesce(last_solution_ord > redirect_ord, false)))
      OR said_dm THEN 'redirected'
    WHEN last_kind = {_K['clarify']} AND coalesce(l_ord < last_brand_ord, true) THEN 'abandoned'
    ELSE 'unconfirmed'
  END AS outcome
FROM agg
"""


def conversation_signals(
    posts: pa.Table,
    conversations: pa.Table,
    signals: pa.Table,
    brand_ids: pa.Array | pa.ChunkedArray,
    rules: OutcomeRules = RULES,
) -> pa.Table:
    """One row per conversation (OUTCOME_SCHEMA, in the order of `conversations`).

    `posts`: threaded posts (row_nr = position, root_nr, author, author_role, created_at, text);
    `conversations`: conv (the request's row), brand_id (the conversation brand), requested_at;
    `signals`: per post, aligned with `posts`: intent, needs_help, reply_kind, sentiment;
    `brand_ids`: each post's brand as the same small integers as `conversations.brand_id`.
    """
    n = posts.num_rows
    conv_rows = _np(conversations.column("conv")).astype(np.int64)
    if len(conv_rows) == 0:
        return OUTCOME_SCHEMA.empty_table()
    members = _member_posts(posts, conversations, signals, brand_ids, conv_rows)
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        con.register("m", members)
        agg = _arrow(con.sql(AGGREGATE_SQL))
        con.register("agg", agg)
        sql = (OUTCOME_SQL.replace("$positive", repr(float(rules.positive_sentiment)))
               .replace("$other_positive", repr(float(rules.other_positive_sentiment)))
               .replace("$praise_after_redirect", "true" if rules.praise_after_redirect_resolves else "false")
               .replace("$answer_waits", "true" if rules.unanswered_answer_is_unresolved else "false")
               .replace("$negative", repr(float(rules.negative_sentiment)))
               .replace("$cancel", "true" if rules.solution_after_redirect_cancels else "false"))
        result = _arrow(con.sql(sql))
    finally:
        con.close()
    # back in the conversations' order: a conversation's request row is its key
    slot = np.full(n, -1, dtype=np.int64)
    slot[_np(result.column("conv")).astype(np.int64)] = np.arange(result.num_rows)
    result = result.take(pa.array(slot[conv_rows]))
    intent = signals.column("intent").take(pa.array(conv_rows))
    needs = pc.fill_null(signals.column("needs_help").take(pa.array(conv_rows)), False)
    requested = _micros(conversations.column("requested_at"))
    solution_ts = result.column("first_solution_ts").to_numpy(zero_copy_only=False).astype(np.float64)
    tts = np.maximum(solution_ts - requested, 0.0) / 60e6  # NaN stays NaN: no solution
    first = result.column("sentiment_first")
    last = result.column("sentiment_last")
    person_posts = _np(result.column("person_posts")).astype(np.int32)
    shift = pc.round(pc.subtract(pc.cast(last, pa.float64()), pc.cast(first, pa.float64())), SENTIMENT_DIGITS)
    shift = pc.if_else(pa.array(person_posts >= 2), shift, pa.nulls(len(shift), pa.float64()))
    return pa.table(
        [
            pa.array(conv_rows),
            _chunked(needs),
            _chunked(intent),
            pc.take(pa.array(list(REPLY_KINDS)), result.column("first_kind")),
            result.column("outcome"),
            pa.array(tts, mask=np.isnan(tts)),
            pc.cast(result.column("first_solution_row"), pa.int64()),
            pc.cast(result.column("first_reply_row"), pa.int64()),
            pa.array(person_posts),
            pc.cast(first, pa.float64()),
            pc.cast(last, pa.float64()),
            shift,
        ],
        schema=OUTCOME_SCHEMA,
    )


def _member_posts(
    posts: pa.Table, conversations: pa.Table, signals: pa.Table, brand_ids: pa.Array | pa.ChunkedArray,
    conv_rows: np.ndarray,
) -> pa.Table:
    """The posts each conversation is judged on: the opener's own posts anywhere in the thread and
    the replies by the conversation's brand (not bots, other customers or other brands)."""
    n = posts.num_rows
    root = _np(posts.column("root_nr")).astype(np.int64)
    conv_brand = np.full(n, -1, dtype=np.int64)
    conv_brand[conv_rows] = pc.fill_null(conversations.column("brand_id"), -2).to_numpy(zero_copy_only=False)
    thread_brand = conv_brand[root]  # -1: the post's thread is not a conversation
    in_conv = thread_brand != -1
    roles = pc.dictionary_encode(_combined(posts.column("author_role")))
    role_names = roles.dictionary.to_pylist()
    role_codes = pc.fill_null(roles.indices, -1).to_numpy(zero_copy_only=False)
    customer = role_codes == (role_names.index("customer") if "customer" in role_names else -9)
    brand = role_codes == (role_names.index("brand") if "brand" in role_names else -9)
    authors = pc.dictionary_encode(_combined(posts.column("author"))).indices
    author_codes = pc.fill_null(authors, -1).to_numpy(zero_copy_only=False)
    same_author = author_codes == author_codes[root]
    own_brand = pc.fill_null(_combined(brand_ids), -3).to_numpy(zero_copy_only=False) == thread_brand
    member = in_conv & ((customer & same_author) | (brand & own_brand & (np.arange(n) != root)))
    rows = np.flatnonzero(member)
    conv = root[rows]
    ts = _micros(posts.column("created_at"))[rows]
    # each conversation's posts together: its request first whatever its timestamp, then time order
    order = np.lexsort((rows, ts, rows != conv, conv))
    rows, conv, ts = rows[order], conv[order], ts[order]
    take = pa.array(rows)
    is_brand = brand[rows]
    intent = pc.index_in(signals.column("intent").take(take), value_set=pa.array(list(INTENTS)))
    kind = pc.index_in(signals.column("reply_kind").take(take), value_set=pa.array(list(REPLY_KINDS)))
    prev_kind = _previous_brand_kind(conv, is_brand, pc.fill_null(kind, -1).to_numpy(zero_copy_only=False))
    # a follow-up by the person may say they moved to private messages; the request itself cannot
    follow_up = np.flatnonzero(~is_brand & (rows != conv))
    dm_sent = np.zeros(len(rows), dtype=bool)
    if len(follow_up):
        texts = posts.column("text").take(pa.array(rows[follow_up]))
        hit = pc.fill_null(pc.match_substring_regex(texts, DM_SENT_PATTERN), False)
        dm_sent[follow_up] = hit.to_numpy(zero_copy_only=False)
    return pa.table({
        "conv": pa.array(conv),
        "row_nr": pa.array(rows),
        "ord": pa.array(np.arange(len(rows), dtype=np.int64)),
        "ts": pa.array(ts),
        "is_brand": pa.array(is_brand),
        "intent": _chunked(intent),
        "kind": _chunked(kind),
        "prev_kind": pa.array(prev_kind, mask=prev_kind < 0),
        # float64, rounded: the signals hold sentiment as float32, whose noise (-0.1792 is
        # -0.17919999361...) would reach the shift and its mean; 6 places is about float32's precision
        "sentiment": _chunked(pc.round(pc.cast(signals.column("sentiment").take(take), pa.float64()),
                                       SENTIMENT_DIGITS)),
        "dm_sent": pa.array(dm_sent),
    })


def _previous_brand_kind(conv: np.ndarray, is_brand: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """For posts grouped by conversation in time order: the kind of the brand's last reply before
    each post in its conversation (-1 when there is none)."""
    n = len(conv)
    positions = np.arange(n)
    last_brand = np.maximum.accumulate(np.where(is_brand, positions, -1)) if n else positions
    before = np.concatenate([[-1], last_brand[:-1]]) if n else positions
    starts = np.concatenate([[True], conv[1:] != conv[:-1]]) if n else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(starts, positions, 0)) if n else positions
    valid = before >= group_start
    return np.where(valid, kind[np.maximum(before, 0)], -1).astype(np.int32)


def _micros(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Timestamps as int64 microseconds since the epoch (whatever their unit or zone)."""
    values = pc.cast(pc.cast(column, pa.timestamp("us", tz=getattr(column.type, "tz", None))), pa.int64())
    return values.to_numpy(zero_copy_only=False).astype(np.int64)


def _np(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return _combined(column).to_numpy(zero_copy_only=False)


def _combined(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _chunked(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # newer / older DuckDB
    return fetch()
