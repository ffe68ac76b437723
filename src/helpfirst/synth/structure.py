"""Thread structure of the synthetic archive: who replies to whom, when, in which order.

Threads are drawn from a library of thread shapes ("patterns") sampled from a small grammar of
customer-care conversations; everything per thread and per post is then vectorised with numpy.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import numpy as np

from . import vocab

# roles of a post inside a pattern
CUSTOMER, BRAND, BOT, BRAND2 = 0, 1, 2, 3
MISSING = -2  # parent that is not in the file

KIND_NAMES: list[str] = list(vocab.TEMPLATES)
K = {name: i for i, name in enumerate(KIND_NAMES)}

# delay classes: how long after its parent a post is written
(D_ROOT, D_QUICK, D_BOT, D_B2, D_NUDGE, D_BFIRST, D_BNEXT, D_CONT, D_CUST, D_ANN) = range(10)
# median seconds and log-sigma per class (BFIRST/BNEXT are replaced by per-brand values)
_CLASS_MEDIAN = np.array([0, 120, 12, 2400, 5400, 1200, 600, 30, 360, 3000], dtype=float)
_CLASS_SIGMA = np.array([0, 0.8, 0.6, 1.2, 1.0, 1.4, 1.1, 0.5, 1.5, 1.4])
_MAX_DELAY = 4 * 86400.0

# pattern groups
(G_UNANS, G_UNANS_BOT, G_ANS, G_ANS_BOT, G_TWO_UNANS, G_TWO_ANS, G_ORPH_UNANS, G_ORPH_ANS, G_ANN) = range(9)
_GROUP_SIZES = [800, 400, 4000, 2000, 300, 600, 300, 600, 500]

SPAN_START = 1506816000  # 2017-10-01 00:00:00 UTC
SPAN_DAYS = 88  # threads start 2017-10-01 .. 2017-12-27
FIRST_CUSTOMER = 115712

_FIRST_REPLY = {
    "OPEN_PROBLEM": [("B_SOLUTION", 25), ("B_CLARIFY", 25), ("B_DM", 33), ("B_CALL", 5), ("B_ACK", 12)],
    "OPEN_QUESTION": [("B_SOLUTION", 50), ("B_CLARIFY", 20), ("B_DM", 18), ("B_ACK", 12)],
    "OPEN_COMPLAINT": [("B_DM", 50), ("B_CLARIFY", 20), ("B_ACK", 20), ("B_CALL", 10)],
    "OPEN_PRAISE": [("B_PRAISE_REPLY", 1)],
    "OPEN_FOREIGN": [("B_DM", 50), ("B_SOLUTION", 20), ("B_CLARIFY", 30)],
    "OPEN_TWO": [("B_DM", 40), ("B_SOLUTION", 30), ("B_CLARIFY", 30)],
    "C_ORPHAN": [("B_DM", 35), ("B_SOLUTION", 30), ("B_ACK", 20), ("B_WELCOME", 15)],
}
_CUSTOMER_NEXT = {
    "B_CLARIFY": [("C_DETAIL", 65), (None, 35)],
    "B_DM": [("C_DMDONE", 30), ("C_STILL", 10), ("C_THANKS", 12), ("C_ANGRY", 5), (None, 43)],
    "B_SOLUTION": [("C_THANKS", 35), ("C_STILL", 20), ("C_DETAIL", 5), (None, 40)],
    "B_CALL": [("C_ANGRY", 20), ("C_THANKS", 12), (None, 68)],
    "B_ACK": [("C_DETAIL", 20), ("C_NUDGE", 15), ("C_THANKS", 10), (None, 55)],
    "B_DMFOLLOW": [("C_THANKS", 20), (None, 80)],
    "B_WELCOME": [(None, 1)],
    "B_PRAISE_REPLY": [("C_THANKS", 15), (None, 85)],
}
_BRAND_NEXT = {
    "C_DETAIL": [("B_SOLUTION", 45), ("B_DM", 25), ("B_CLARIFY", 10), ("B_CALL", 5), (None, 15)],
    "C_STILL": [("B_DM", 40), ("B_SOLUTION", 25), ("B_CALL", 10), ("B_ACK", 10), (None, 15)],
    "C_ANGRY": [("B_DM", 45), ("B_ACK", 20), ("B_CALL", 10), (None, 25)],
    "C_DMDONE": [("B_DMFOLLOW", 50), (None, 50)],
    "C_THANKS": [("B_WELCOME", 40), (None, 60)],
    "C_NUDGE": [("B_SOLUTION", 40), ("B_DM", 30), (None, 30)],
}
_OPENERS = [("OPEN_PROBLEM", 55), ("OPEN_QUESTION", 22), ("OPEN_COMPLAINT", 12), ("OPEN_PRAISE", 6), ("OPEN_FOREIGN", 5)]


def _pick(r: random.Random, options: list[tuple]) -> object:
    total = sum(w for _, w in options)
    x = r.random() * total
    for value, w in options:
        x -= w
        if x < 0:
            return value
    return options[-1][0]


class _Pattern:
    def __init__(self) -> None:
        self.posts: list[tuple[int, int, int, int, int]] = []  # role, kind, parent, slot, delay

    def add(self, role: int, kind: str, parent: int, delay: int, slot: int = 0) -> int:
        self.posts.append((role, K[kind], parent, slot, delay))
        return len(self.posts) - 1


def _conversation(r: random.Random, answered: bool, bot: bool, two: bool, orphan: bool) -> _Pattern:
    p = _Pattern()
    if orphan:
        opener = "C_ORPHAN"
        root = p.add(CUSTOMER, opener, MISSING, D_ROOT)
    else:
        opener = "OPEN_TWO" if two else _pick(r, _OPENERS)
        root = p.add(CUSTOMER, opener, -1, D_ROOT)
    last_c = root
    if opener != "OPEN_PRAISE" and r.random() < 0.10:  # the customer adds to their own tweet
        last_c = p.add(CUSTOMER, "C_MORE", root, D_QUICK)
    if bot:
        p.add(BOT, "BOT_ACK", root, D_BOT)
    if two and r.random() < (0.3 if answered else 0.5):
        p.add(BRAND2, "B_OTHER", root, D_B2)
    if not answered:
        nudges = 0
        while nudges < 3 and r.random() < 0.3:
            last_c = p.add(CUSTOMER, "C_NUDGE", last_c, D_NUDGE)
            nudges += 1
        return p
    if opener != "OPEN_PRAISE" and r.random() < 0.10:
        last_c = p.add(CUSTOMER, "C_NUDGE", last_c, D_NUDGE)
    state = _pick(r, _FIRST_REPLY[opener])
    last = p.add(BRAND, state, last_c, D_BFIRST)
    while len(p.posts) < 24:
        if state.startswith("B_"):
            if state in ("B_SOLUTION", "B_DM") and r.random() < 0.06:  # brand tweet in two parts
                last = p.add(BRAND, "B_CONT", last, D_CONT)
            nxt = _pick(r, _CUSTOMER_NEXT[state])
            if nxt is None:
                break
            parent = last
            last = p.add(CUSTOMER, nxt, parent, D_CUST)
            if nxt in ("C_STILL", "C_DETAIL", "C_ANGRY") and r.random() < 0.07:
                last = p.add(CUSTOMER, "C_MORE", parent, D_QUICK)  # a second reply to the same post
        else:
            nxt = _pick(r, _BRAND_NEXT[state])
            if nxt is None:
                break
            last = p.add(BRAND, nxt, last, D_BNEXT)
        state = nxt
    return p


def _announcement(r: random.Random) -> _Pattern:
    p = _Pattern()
    root = p.add(BRAND, "B_ANNOUNCE", -1, D_ROOT)
    k = 1
    while k < 15 and r.random() < 0.72:
        k += 1
    for slot in range(1, k + 1):
        c = p.add(CUSTOMER, "C_ANNREPLY", root, D_ANN, slot)
        if r.random() < 0.4:
            b = p.add(BRAND, _pick(r, [("B_ANNREPLY", 80), ("B_DM", 20)]), c, D_BNEXT, slot)
            if r.random() < 0.3:
                p.add(CUSTOMER, _pick(r, [("C_THANKS", 60), ("C_STILL", 40)]), b, D_CUST, slot)
    return p


@dataclass
class Library:
    """Every thread shape as flat per-post arrays (role, kind, parent, slot, delay), indexed by pattern."""

    role: np.ndarray
    kind: np.ndarray
    parent: np.ndarray
    slot: np.ndarray
    delay: np.ndarray
    start: np.ndarray  # per pattern
    length: np.ndarray  # per pattern
    group_start: np.ndarray
    group_count: np.ndarray


@functools.lru_cache(maxsize=1)
def build_library() -> Library:
    """The thread shapes threads are drawn from: the same for every seed, built once per process."""
    r = random.Random(7919)
    patterns: list[_Pattern] = []
    group_start, group_count = [], []
    makers = {
        G_UNANS: lambda: _conversation(r, False, False, False, False),
        G_UNANS_BOT: lambda: _conversation(r, False, True, False, False),
        G_ANS: lambda: _conversation(r, True, False, False, False),
        G_ANS_BOT: lambda: _conversation(r, True, True, False, False),
        G_TWO_UNANS: lambda: _conversation(r, False, False, True, False),
        G_TWO_ANS: lambda: _conversation(r, True, False, True, False),
        G_ORPH_UNANS: lambda: _conversation(r, False, False, False, True),
        G_ORPH_ANS: lambda: _conversation(r, True, False, False, True),
        G_ANN: lambda: _announcement(r),
    }
    for g, size in enumerate(_GROUP_SIZES):
        group_start.append(len(patterns))
        group_count.append(size)
        patterns.extend(makers[g]() for _ in range(size))
    rows = [post for p in patterns for post in p.posts]
    arr = np.array(rows, dtype=np.int32)
    lengths = np.array([len(p.posts) for p in patterns], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return Library(
        role=arr[:, 0].astype(np.int8),
        kind=arr[:, 1].astype(np.int16),
        parent=arr[:, 2],
        slot=arr[:, 3].astype(np.int16),
        delay=arr[:, 4].astype(np.int8),
        start=starts,
        length=lengths,
        group_start=np.array(group_start, dtype=np.int64),
        group_count=np.array(group_count, dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------


@dataclass
class BrandParams:
    """Per-brand service parameters, one array entry per brand: volume, reply times, hours, outage."""

    weight: np.ndarray  # share of conversations
    median_first: np.ndarray  # seconds
    sigma_first: np.ndarray
    coverage: np.ndarray
    has_bot: np.ndarray
    business: np.ndarray  # bool: replies only inside business hours
    tz: np.ndarray  # offset from UTC, hours
    opens: np.ndarray  # seconds after local midnight
    closes: np.ndarray
    weekends: np.ndarray  # bool: open on weekends
    outage_start: np.ndarray  # epoch seconds
    outage_topic: np.ndarray


def brand_params(rng: np.random.Generator, brands: list[vocab.Brand], topic_of_sector) -> BrandParams:
    """Draw each brand's volume share, reply speed, coverage, bot, opening hours and outage from `rng`."""
    n = len(brands)
    rank = rng.permutation(n)
    weight = np.exp(rng.normal(0, 0.15, n)) / (rank + 4.0) ** 1.1  # Zipf-like, top brand ~8%
    weight /= weight.sum()
    median_min = np.exp(rng.normal(np.log(15), 0.7, n)).clip(3, 120)
    slow = rng.random(n) < 0.08
    median_min[slow] = rng.uniform(90, 600, slow.sum())
    coverage = rng.normal(0.86, 0.07, n).clip(0.6, 0.98)
    business = rng.random(n) < 0.15
    outage_topic = np.array([topic_of_sector(b.sector, rng) for b in brands])
    return BrandParams(
        weight=weight,
        median_first=median_min * 60.0,
        sigma_first=rng.uniform(1.1, 1.7, n),
        coverage=coverage,
        has_bot=rng.random(n) < 0.15,
        business=business,
        tz=rng.choice(np.array([-8, -7, -6, -5, -5, -5, 0, 1]), n),
        opens=rng.choice(np.array([7, 8, 8, 9, 9]), n) * 3600,
        closes=rng.choice(np.array([18, 20, 22, 23]), n) * 3600,
        weekends=rng.random(n) < 0.5,
        outage_start=SPAN_START + rng.integers(0, SPAN_DAYS * 86400 - 86400, n),
        outage_topic=outage_topic,
    )


def _business_time(t: np.ndarray, tz: np.ndarray, opens: np.ndarray, closes: np.ndarray,
                   weekends: np.ndarray, jitter: np.ndarray) -> np.ndarray:
    """Move times outside opening hours to the next opening (plus a little queue time)."""
    local = t + tz * 3600.0
    day = np.floor(local / 86400.0)
    sec = local - day * 86400.0
    before = sec < opens
    after = sec >= closes
    new_day = day + after
    weekday = (new_day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    closed_day = ~weekends & (weekday >= 5)
    new_day = new_day + np.where(closed_day, 7 - weekday, 0)
    moved = before | after | (~weekends & ((day + 3) % 7 >= 5))
    reopened = new_day * 86400.0 + opens + jitter - tz * 3600.0
    return np.where(moved, np.maximum(reopened, t), t)


@dataclass
class Structure:
    """Posts in file order, with everything the writers need."""

    n: int
    id: np.ndarray  # int64
    parent_id: np.ndarray  # int64, -1 when none
    role: np.ndarray  # int8
    kind: np.ndarray  # int16
    person: np.ndarray  # int32: the customer who wrote it / is addressed
    brand: np.ndarray  # brand of the thread
    brand2: np.ndarray  # other brand of the thread
    time: np.ndarray  # int64 epoch seconds
    topic: np.ndarray
    channel: np.ndarray  # int8 per post (0 twitter, 1 mastodon)
    root_id: np.ndarray  # int64: the id of the thread's root (or its missing parent)
    child_offsets: np.ndarray  # int32, n+1: children of each post
    child_ids: np.ndarray  # int64, ids of the children in order
    conversations: int
    n_threads: int


def build(n_posts: int, seed: int, jsonl: bool, brands: list[vocab.Brand], topic_of_sector) -> Structure:
    """The threads, posts, times and authors of a data set of about `n_posts` posts for this seed."""
    rng = np.random.default_rng([seed, 20171031])
    lib = build_library()
    bp = brand_params(rng, brands, topic_of_sector)
    n_brands = len(brands)

    # ---- threads: type, brand, shape, until there are enough posts
    mean_len = lib.length.mean()
    blocks: list[tuple[np.ndarray, ...]] = []
    total = 0
    while total < n_posts:
        m = int((n_posts - total) / mean_len * 1.05) + 64
        brand = rng.choice(n_brands, m, p=bp.weight)
        u = rng.random(m)
        ann = u < 0.015
        orphan = (u >= 0.015) & (u < 0.045)
        conv = ~ann & ~orphan
        two = conv & (rng.random(m) < 0.025)
        answered = rng.random(m) < bp.coverage[brand]
        bot = bp.has_bot[brand] & (rng.random(m) < 0.8) & jsonl
        group = np.select(
            [ann, orphan & answered, orphan, two & answered, two, answered & bot, answered, bot],
            [G_ANN, G_ORPH_ANS, G_ORPH_UNANS, G_TWO_ANS, G_TWO_UNANS, G_ANS_BOT, G_ANS, G_UNANS_BOT],
            G_UNANS,
        )
        pattern = lib.group_start[group] + (rng.random(m) * lib.group_count[group]).astype(np.int64)
        length = lib.length[pattern]
        blocks.append((brand, group, pattern, length))
        total += int(length.sum())
    brand = np.concatenate([b[0] for b in blocks])
    group = np.concatenate([b[1] for b in blocks])
    pattern = np.concatenate([b[2] for b in blocks])
    length = np.concatenate([b[3] for b in blocks]).copy()
    cum = np.cumsum(length)
    n_threads = int(np.searchsorted(cum, n_posts, side="left")) + 1 if n_posts > 0 else 0
    brand, group, pattern, length = brand[:n_threads], group[:n_threads], pattern[:n_threads], length[:n_threads]
    if n_threads:
        length[-1] -= int(cum[n_threads - 1]) - n_posts  # truncate the last thread: a prefix keeps parents
    T = n_threads
    P = n_posts

    # ---- per-thread attributes
    brand2 = (brand + 1 + rng.integers(0, n_brands - 1, T)) % n_brands
    n_cust = max(50, int(0.7 * T))
    frequent = rng.random(T) < 0.15
    cust = np.where(frequent, rng.integers(0, n_cust // 50 + 1, T), rng.integers(0, n_cust, T))
    day_w = np.linspace(0.8, 1.2, SPAN_DAYS) * np.where((np.arange(SPAN_DAYS) + 6) % 7 >= 5, 0.85, 1.0)
    day = rng.choice(SPAN_DAYS, T, p=day_w / day_w.sum())
    hour_w = np.array([9, 8, 6, 5, 4, 3, 2, 2, 2, 2, 3, 4, 6, 8, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10], float)
    hour = rng.choice(24, T, p=hour_w / hour_w.sum())
    start = SPAN_START + day * 86400 + hour * 3600 + rng.integers(0, 3600, T)
    is_conv = group <= G_TWO_ANS
    outage = is_conv & (rng.random(T) < 0.06)
    start = np.where(outage, bp.outage_start[brand] + rng.exponential(3 * 3600, T).astype(np.int64), start)
    sector = np.array([b.sector for b in brands])[brand]
    topic = topic_of_sector(sector, rng)
    topic = np.where(outage, bp.outage_topic[brand], topic)
    channel = (rng.random(T) < 0.15).astype(np.int8) if jsonl else np.zeros(T, dtype=np.int8)

    # ---- posts in generation order (thread by thread, pattern order); int32 indices keep memory low
    i32 = np.int32
    t_first = (np.cumsum(length) - length).astype(i32)
    thread = np.repeat(np.arange(T, dtype=i32), length)
    first = t_first[thread]
    pos = np.arange(P, dtype=i32) - first
    flat = lib.start.astype(i32)[pattern][thread] + pos
    role = lib.role[flat]
    kind = lib.kind[flat]
    parent_local = lib.parent[flat]
    slot = lib.slot[flat]
    dclass = lib.delay[flat]
    del flat
    parent_gen = np.where(parent_local >= 0, first + parent_local, -1).astype(i32)
    del first
    person = ((cust.astype(np.int64)[thread] + slot.astype(np.int64) * 7919) % n_cust + FIRST_CUSTOMER).astype(i32)
    del slot

    # ---- times
    pbrand = brand.astype(np.int16)[thread]
    median = _CLASS_MEDIAN[dclass]
    sigma = _CLASS_SIGMA[dclass]
    is_first = dclass == D_BFIRST
    is_next = dclass == D_BNEXT
    median[is_first] = bp.median_first[pbrand[is_first]]
    sigma[is_first] = bp.sigma_first[pbrand[is_first]]
    median[is_next] = bp.median_first[pbrand[is_next]] * 0.4 + 60
    delay = rng.standard_normal(P)
    delay *= sigma
    del sigma
    np.exp(delay, out=delay)
    delay *= median
    np.minimum(delay, _MAX_DELAY, out=delay)
    del median
    adjust = np.flatnonzero((is_first | is_next) & (role == BRAND) & bp.business[pbrand])
    del is_first, is_next, dclass
    jitter = np.zeros(P)
    jitter[adjust] = rng.exponential(1200, len(adjust))
    in_hours = np.zeros(P, dtype=bool)
    in_hours[adjust] = True
    del adjust
    time = np.zeros(P, dtype=np.float64)
    order = np.argsort(pos, kind="stable").astype(i32)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(pos))])
    roots = order[bounds[0] : bounds[1]]
    time[roots] = start[thread[roots]]
    for p in range(1, len(bounds) - 1):
        rows = order[bounds[p] : bounds[p + 1]]
        t = time[parent_gen[rows]] + delay[rows]
        a = in_hours[rows]
        if a.any():
            rb = pbrand[rows[a]]
            t[a] = _business_time(t[a], bp.tz[rb], bp.opens[rb], bp.closes[rb], bp.weekends[rb], jitter[rows[a]])
        time[rows] = t
    del order, delay, jitter, in_hours, pbrand
    itime = time.astype(np.int64)
    del time

    # ---- file order: threads roughly newest first; inside a thread newest first for most
    key = start + rng.uniform(0, 3 * 86400, T)
    rank_order = np.argsort(-key, kind="stable")  # threads in file order
    rev = rng.random(T) < 0.7
    len_ranked = length[rank_order]
    off_ranked = np.cumsum(len_ranked) - len_ranked
    orphan_t = (group == G_ORPH_ANS) | (group == G_ORPH_UNANS)
    gap = np.where(rng.random(T) < 0.2, rng.integers(1, 4, T), 0) + orphan_t
    cg_ranked = np.cumsum(gap[rank_order])
    off = np.empty(T, dtype=np.int64)
    off[rank_order] = off_ranked
    cg = np.empty(T, dtype=np.int64)
    cg[rank_order] = cg_ranked
    file_idx = (off[thread] + np.where(rev[thread], length[thread] - 1 - pos, pos)).astype(i32)
    del pos
    ids_gen = file_idx.astype(np.int64) + 1 + cg[thread]
    missing_id = off + cg  # one below the thread's first id, never written
    root_id_t = np.where(orphan_t, missing_id, ids_gen[t_first])
    inv = np.empty(P, dtype=i32)
    inv[file_idx] = np.arange(P, dtype=i32)

    # everything to file order
    pg = parent_gen[inv]
    del parent_gen
    has_parent = pg >= 0
    parent_id = np.where(has_parent, ids_gen[np.maximum(pg, 0)], -1)
    thread_f = thread[inv]
    del thread
    missing_rows = parent_local[inv] == MISSING
    del parent_local
    parent_id[missing_rows] = missing_id[thread_f[missing_rows]]
    ids = ids_gen[inv]
    del ids_gen

    # children, in file order, grouped by parent (file index)
    child_rows = np.flatnonzero(has_parent)  # file indices of children
    parent_fidx = file_idx[pg[child_rows]]
    del pg, file_idx
    corder = np.argsort(parent_fidx, kind="stable")
    child_ids = ids[child_rows[corder]]
    counts = np.bincount(parent_fidx, minlength=P)
    child_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(i32)
    del child_rows, parent_fidx, corder, counts

    return Structure(
        n=P,
        id=ids,
        parent_id=parent_id,
        role=role[inv],
        kind=kind[inv],
        person=person[inv],
        brand=brand.astype(np.int16)[thread_f],
        brand2=brand2.astype(np.int16)[thread_f],
        time=itime[inv],
        topic=topic.astype(np.int16)[thread_f],
        channel=channel[thread_f],
        root_id=root_id_t[thread_f],
        child_offsets=child_offsets,
        child_ids=child_ids,
        conversations=int(is_conv.sum()),
        n_threads=T,
    )
