"""The backtest a care team can trust: on the brand's own history, learn from the past, test on what came after.

For every past conversation in which the brand linked a resource, the linking reply and
everything after it are hidden; the turns before it are the query; the linked resource is the
answer. Conversations are ordered by the time of that reply: the first `split` share (plus every
conversation without a link that started before the split time) is what the index learns from;
the rest are the test. Recall@1, recall@5 and MRR@10 are reported beside the "most linked resource
of the brand" baseline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from ..ingest import ImportOptions, ImportReport
from ..knowledge.models import LoadReport
from ..knowledge.store import brand_key
from ..knowledge.urls import canonical_url, extract_urls
from .history import Conversation, is_help_link, learn, read_conversations, read_expansions, short_link_note, short_link_only
from .index import SuggestIndex, UrlResolver
from .rank import Query, QueryTurn, Ranker, Weights
from .service import kb_lists, load_kb, split_map

#: why a test conversation is skipped; `skipped_reason` is null when none is
SKIPPED_REASON = "brand with no resources and no earlier history"


class BacktestFailed(ValueError):
    """Nothing to test: the reason, with the input report (`messages`, `inputs`) the run would have printed."""

    def __init__(self, reason: str, messages: list[str], inputs: dict) -> None:
        super().__init__(reason)
        self.messages = messages
        self.inputs = inputs


def input_counts(kb_report: LoadReport, report: ImportReport) -> dict:
    """What was read of the knowledge and the history: read, loaded and rejected counts of each, and the
    files that could not be read at all (`errors`, each line starting `knowledge:` or `history:`)."""
    return {"resources": kb_report.loaded, "resources_read": kb_report.read, "resources_rejected": kb_report.rejected,
            "history_posts": report.rows_loaded, "history_read": report.rows_read, "history_rejected": report.rows_rejected,
            "errors": [f"knowledge: {e}" for e in kb_report.errors] + [f"history: {e}" for e in report.errors]}


def input_messages(kb_report: LoadReport, report: ImportReport) -> list[str]:
    """One line per unreadable or missing file and per listed rejection, of the knowledge and of the history."""
    out = [f"knowledge: {m}" for m in kb_report.messages()]
    if kb_report.rejected > len(kb_report.rejections):
        out.append(f"knowledge: … and {kb_report.rejected - len(kb_report.rejections)} more rejections")
    out += [f"history: {e}" for e in report.errors] + [f"history: rejected: {r}" for r in report.rejections]
    if report.rows_rejected > len(report.rejections):
        out.append(f"history: … and {report.rows_rejected - len(report.rejections)} more rejections")
    return out


def metrics(pairs: list[tuple[list[str], str]]) -> dict:
    """recall@1, recall@5, MRR@10 of (ranked ids, gold id) pairs."""
    n = len(pairs)
    if n == 0:
        return {"n": 0, "recall@1": 0.0, "recall@5": 0.0, "mrr@10": 0.0}
    r1 = sum(1 for ranked, g in pairs if ranked[:1] == [g]) / n
    r5 = sum(1 for ranked, g in pairs if g in ranked[:5]) / n
    mrr = sum(1 / (ranked[:10].index(g) + 1) for ranked, g in pairs if g in ranked[:10]) / n
    return {"n": n, "recall@1": round(r1, 4), "recall@5": round(r5, 4), "mrr@10": round(mrr, 4)}


def _first_link(conv: Conversation, expansions: dict[str, str], listed=None) -> tuple[int, str] | None:
    """(turn, link) of the first brand reply that links a resource: one the knowledge base lists, or any
    link that is not to a social network (history.is_help_link)."""
    for i, turn in enumerate(conv.turns):
        if turn.role == "brand":
            for raw in extract_urls(turn.text):
                target = expansions.get(canonical_url(raw), raw)
                if is_help_link(target, conv.brand, listed):
                    return i, target
    return None


def backtest(kb: list[Path], history: list[Path], split: float = 0.8, semantic: bool = False, weights: Weights | None = None,
             history_format: str | None = None, brands: list[str] = (), encoder=None,
             column_map: dict[str, str] | None = None) -> dict:
    """Time-ordered backtest; returns metrics, the baseline and counts (ValueError when there is nothing to test)."""
    kb_report = LoadReport()
    resources = load_kb(kb, kb_report)
    handles = frozenset(list(brands) + sorted({r.brand for r in resources}))
    post_map, signal_map = split_map(column_map)
    conversations, report = read_conversations(list(history), ImportOptions(brands=handles, column_map=post_map),
                                               history_format, ImportReport(), signal_map)
    expansions = read_expansions(list(history))
    listed = kb_lists(resources)
    linked = []
    for conv in conversations:
        found = _first_link(conv, expansions, listed)
        if found is not None and any(t.role == "customer" and t.text.strip() for t in conv.turns[: found[0]]):
            linked.append((conv.turns[found[0]].created_at or 0.0, conv, found))
    replies = [(conv.brand, t.text) for conv in conversations for t in conv.turns if t.role == "brand"]
    # as learn() decides: a short link that expands to a page the knowledge base lists is a case, not a note
    short = sum(1 for brand, text in replies if short_link_only(text, expansions, brand, listed))
    messages = input_messages(kb_report, report)
    if short:
        messages.append(f"history: {short_link_note(short, len(replies))}")
    if len(linked) < 2:
        raise BacktestFailed(f"the history has {len(linked)} conversation(s) in which the brand linked a resource after a customer post; "
                             "a backtest needs at least 2" + (f"; {short_link_note(short, len(replies))}" if short else ""),
                             messages, input_counts(kb_report, report))
    linked.sort(key=lambda x: x[0])
    cut = min(max(int(len(linked) * split), 1), len(linked) - 1)
    split_at = linked[cut][0]
    test = linked[cut:]
    test_ids = {id(c) for _t, c, _f in test}
    train = [c for c in conversations if id(c) not in test_ids and (c.turns[0].created_at or 0.0) < split_at]
    # a training conversation still open at the split time is cut there: nothing from later is learned
    train = [replace(c, turns=[t for t in c.turns if (t.created_at or 0.0) < split_at]) for c in train]
    if semantic and encoder is None:
        from .semantic import Encoder

        encoder = Encoder()
    index = SuggestIndex.build(resources, learn(train, expansions=expansions, listed=listed), encoder=encoder if semantic else None)
    ranker = Ranker(index, weights, encoder)
    prior_only = Ranker(index, Weights.only(prior=1.0), None)
    ids = index.resources.column("id").to_pylist()
    resolver = UrlResolver([_row_resource(index, i) for i in range(len(ids))])
    pairs, base_pairs, skipped = [], [], 0
    for _t, conv, (pos, url) in test:
        if brand_key(conv.brand) not in index.brands:
            skipped += 1
            continue
        row = resolver.resolve(conv.brand, url)
        gold = ids[row] if row is not None else "unknown:" + canonical_url(url)
        # the turns keep their times, as a live query's do: the `recent` feature needs them
        query = Query(conv.id, conv.brand, [QueryTurn("customer" if t.role == "customer" else "brand", t.text, _iso(t.created_at))
                                            for t in conv.turns[:pos] if t.role != "bot"])
        pairs.append((_resources_ranked(ranker, ids, query), gold))
        base_pairs.append((_resources_ranked(prior_only, ids, query), gold))
    return {
        "metrics": metrics(pairs),
        "baseline_most_linked": metrics(base_pairs),
        "split": split,
        "split_at": datetime.fromtimestamp(split_at, timezone.utc).isoformat().replace("+00:00", "Z"),
        "train_conversations": len(train),
        "train_linked": cut,
        "test_conversations": len(test),
        "test_skipped": skipped,
        "skipped_reason": SKIPPED_REASON if skipped else None,
        "semantic": semantic,
        **input_counts(kb_report, report),
        "short_link_replies": short,
        "messages": messages,
    }


def _resources_ranked(ranker: Ranker, ids: list[str], query: Query, k: int = 10) -> list[str]:
    """The ids of the k best resources, best first: the ranking suggest shows with its past replies taken out.

    The backtest asks whether the resource the agent linked would have been suggested, so a past reply
    never takes a resource's place: the ranker leaves the replies out (it does not score them at all).
    """
    return [ids[c.row] for c in ranker.rank(query, k, answers=False)]


def _iso(epoch: float | None) -> str | None:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z") if epoch else None


def _row_resource(index: SuggestIndex, row: int):
    from ..knowledge.models import Resource

    t = index.resources
    return Resource(t.column("id")[row].as_py(), t.column("brand")[row].as_py(), t.column("kind")[row].as_py(), t.column("url")[row].as_py())
