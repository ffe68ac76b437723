"""Per-post signals: intent, needs_help, complaint, reply_kind, sentiment, language, urgency.

``classify_posts(texts, roles)`` computes them for any number of posts, in batches, over Arrow
arrays. The classifier columns come from a registered ``PostClassifier`` (``fast`` by default;
``accurate`` with the ``[semantic]`` extra); sentiment, language and urgency are model-free.
Definitions: docs/signals.md.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from helpfirst.signals.base import (
    HEADS,
    INTENTS,
    MODEL_SCHEMA,
    NEEDS_HELP_INTENTS,
    REPLY_KINDS,
    ROLES,
    PostClassifier,
    SignalsUnavailable,
    available_models,
    get_model,
    register_model,
    role_masks,
)

__all__ = [
    "HEADS", "INTENTS", "REPLY_KINDS", "ROLES", "NEEDS_HELP_INTENTS", "SIGNALS", "SIGNALS_SCHEMA",
    "PostClassifier", "SignalsUnavailable", "available_models", "get_model", "register_model",
    "role_masks", "classify_posts", "DEFAULT_BATCH",
]

SIGNALS = ("intent", "needs_help", "complaint", "reply_kind", "sentiment", "language", "urgency")
SIGNALS_SCHEMA = pa.schema(list(MODEL_SCHEMA) + [
    pa.field("sentiment", pa.float32()),
    pa.field("language", pa.string()),
    pa.field("urgency", pa.float32()),
])
DEFAULT_BATCH = 65_536
#: The signals read at most this many characters of a post (the longest posts any network allows,
#: X's, are 25,000): character n-grams cost about 250 bytes of memory per byte of text, so one
#: runaway 300 MB "post" would otherwise take the machine's memory. Masked text is written whole.
MAX_SIGNAL_CHARS = 25_000


def _array(a, typ) -> pa.Array:
    if a is None:
        return None
    if isinstance(a, pa.ChunkedArray):
        return a.combine_chunks()
    if isinstance(a, pa.Array):
        return a
    return pa.array(a if isinstance(a, np.ndarray) else list(a), typ)


def classify_posts(texts, roles, model: str | PostClassifier = "fast",
                   signals: Sequence[str] | None = None, mask_pii: bool = False, *,
                   waited_minutes=None, turn_index=None, languages: Sequence[str] | None = None,
                   batch_size: int = DEFAULT_BATCH) -> pa.Table:
    """Every requested signal for each post, as an Arrow table in SIGNALS order.

    ``texts`` and ``roles`` ("customer" | "brand" | "bot") are Arrow arrays or sequences of the same
    length. ``signals`` picks columns (default: all of SIGNALS); the classifier is only loaded when a
    model column is asked for. ``mask_pii`` adds a ``text`` column with e-mail addresses, phone and
    card numbers masked; every signal is still computed on the original text, so the signals are the
    same with and without it (nothing leaves the machine). ``waited_minutes`` and
    ``turn_index`` (optional, per post) feed urgency; ``languages`` (ISO 639-1 codes) restricts
    language detection.
    """
    texts = _array(texts, pa.string())
    roles = _array(roles, pa.string())
    if len(texts) != len(roles):
        raise ValueError(f"texts ({len(texts)}) and roles ({len(roles)}) differ in length")
    wanted = list(SIGNALS) if signals is None else list(dict.fromkeys(signals))
    unknown = [s for s in wanted if s not in SIGNALS]
    if unknown:
        raise ValueError(f"unknown signals {unknown}; known: {', '.join(SIGNALS)}")
    waited = _array(waited_minutes, pa.float64())
    turns = _array(turn_index, pa.int64())
    for name, arr in (("waited_minutes", waited), ("turn_index", turns)):
        if arr is not None and len(arr) != len(texts):
            raise ValueError(f"{name} ({len(arr)}) and texts ({len(texts)}) differ in length")
    clf = None
    if any(s in MODEL_SCHEMA.names for s in wanted):
        clf = model if isinstance(model, PostClassifier) else get_model(model)
    out_fields = [SIGNALS_SCHEMA.field(s) for s in SIGNALS if s in wanted]
    if mask_pii:
        out_fields = [pa.field("text", pa.string())] + out_fields
    schema = pa.schema(out_fields)
    batches = []
    for start in range(0, len(texts), max(1, int(batch_size))):
        end = min(len(texts), start + max(1, int(batch_size)))
        cols = _classify_batch(
            texts.slice(start, end - start), roles.slice(start, end - start), clf, wanted, mask_pii,
            None if waited is None else waited.slice(start, end - start),
            None if turns is None else turns.slice(start, end - start), languages)
        batches.append(pa.record_batch([cols[f.name] for f in schema], schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _capped(texts: pa.Array) -> pa.Array:
    """``texts`` with posts past MAX_SIGNAL_CHARS cut there (the array itself when none is)."""
    import pyarrow.compute as pc

    if len(texts) == 0 or (pc.max(pc.binary_length(texts)).as_py() or 0) <= MAX_SIGNAL_CHARS:
        return texts  # bytes >= characters: nothing can be too long (the common case, one pass)
    return pc.utf8_slice_codeunits(texts, 0, MAX_SIGNAL_CHARS)


def _classify_batch(texts, roles, clf, wanted, mask_pii, waited, turns, languages) -> dict:
    cols: dict[str, pa.Array] = {}
    if mask_pii:
        # only the text written out is masked: the signals read the original (a masked card number
        # or e-mail would change intent and complaint), as audit --mask-pii does
        from helpfirst.signals.pii import mask_pii as _mask
        cols["text"] = _mask(texts)
    texts = _capped(texts)
    if clf is not None:
        table = clf.predict(texts, roles)
        for name in MODEL_SCHEMA.names:
            if name in wanted:
                cols[name] = table.column(name).combine_chunks()
    sentiment = None
    if "sentiment" in wanted or "urgency" in wanted:
        from helpfirst.signals.sentiment import sentiment as _sentiment
        sentiment = _sentiment(texts)
        cols["sentiment"] = sentiment
    if "language" in wanted:
        from helpfirst.signals.language import detect_language
        cols["language"] = detect_language(texts, languages=languages)
    if "urgency" in wanted:
        from helpfirst.signals.urgency import urgency as _urgency
        cols["urgency"] = _urgency(texts, sentiment=sentiment, waited_minutes=waited,
                                   turn_index=turns)
    return cols
