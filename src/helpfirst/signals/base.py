"""The per-post classifier protocol, its class lists and the model registry.

A classifier (``PostClassifier``) turns a batch of post texts and author roles into the four model
columns ``intent``, ``needs_help``, ``complaint`` and ``reply_kind``. Implementations register a
factory under a name (``fast`` in this package, ``accurate`` in ``helpfirst.signals.accurate``);
``get_model`` builds each one once and caches it.
"""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADS = ("complaint", "intent", "needs_help", "reply_kind")
INTENTS = ("question", "problem", "feedback", "praise", "other")
REPLY_KINDS = ("solution", "redirect", "clarify", "acknowledge", "other")
ROLES = ("customer", "brand", "bot")
NEEDS_HELP_INTENTS = ("question", "problem")

MODEL_SCHEMA = pa.schema([
    pa.field("intent", pa.string()),
    pa.field("needs_help", pa.bool_()),
    pa.field("complaint", pa.float32()),
    pa.field("reply_kind", pa.string()),
])

#: How to install the [semantic] extra, said by every message about it missing: torch's CPU build
#: first (what `pip install 'helpfirst[semantic]'` alone pulls is a CUDA build of several GB)
SEMANTIC_HINT = ("pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu (the CPU build of torch "
                 "first; the default one is a CUDA build of several GB), then pip install 'helpfirst[semantic]' "
                 "(from a checkout: pip install -e '.[semantic]')")


def semantic_missing(what: str, missing: str) -> str:
    """The one message for a missing [semantic] extra: ``what`` needs it, ``missing`` is what is not installed."""
    return f"{what} needs the semantic extra (missing: {missing}); install it with {SEMANTIC_HINT}"


class SignalsUnavailable(RuntimeError):
    """A signals model cannot be used here (unknown name, missing extra or missing model files)."""


class PostClassifier:
    """Base class of the per-post models: ``predict(texts, roles)`` -> the four model columns.

    Rows whose role is ``customer`` get ``intent``, ``needs_help`` and ``complaint``; rows whose
    role is ``brand`` get ``reply_kind``; every other column of a row (and every column of a bot
    row) is null. Subclasses implement ``_scores`` and may override ``predict`` entirely.
    """

    name: str = "base"
    #: True for a model that runs its own thread pool (torch): classify never forks workers for it
    single_process: bool = False

    def predict(self, texts: pa.Array, roles: pa.Array) -> pa.Table:
        """The model columns (MODEL_SCHEMA) for one batch of texts and roles."""
        texts, roles = _as_array(texts), _as_array(roles)
        if len(texts) != len(roles):
            raise ValueError(f"texts ({len(texts)}) and roles ({len(roles)}) differ in length")
        cust, brand = role_masks(roles)
        scores = self._scores(texts, cust, brand)
        return assemble_columns(scores, cust, brand)

    def _scores(self, texts: pa.Array, customer: np.ndarray, brand: np.ndarray) -> dict:
        """Per-head outputs over all rows: {"complaint": float32 P, "intent": str ndarray,
        "needs_help": bool ndarray, "reply_kind": str ndarray}; masked to the roles by the caller."""
        raise NotImplementedError


def _as_array(a) -> pa.Array:
    if isinstance(a, pa.ChunkedArray):
        return a.combine_chunks()
    if isinstance(a, pa.Array):
        return a
    return pa.array(list(a), pa.string())


def role_masks(roles: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Boolean numpy masks (customer, brand) of an Arrow role array; null/other roles are neither."""
    roles = _as_array(roles)
    cust = pc.fill_null(pc.equal(roles, "customer"), False).to_numpy(zero_copy_only=False)
    brand = pc.fill_null(pc.equal(roles, "brand"), False).to_numpy(zero_copy_only=False)
    return np.asarray(cust, bool), np.asarray(brand, bool)


def assemble_columns(scores: dict, customer: np.ndarray, brand: np.ndarray) -> pa.Table:
    """Mask per-head outputs to the rows their role applies to and build the MODEL_SCHEMA table."""
    not_c, not_b = ~customer, ~brand
    intent = pa.array(np.asarray(scores["intent"], dtype=object), pa.string(), mask=not_c)
    needs = scores.get("needs_help")
    if needs is None:
        needs = np.isin(np.asarray(scores["intent"], dtype=object), NEEDS_HELP_INTENTS)
    needs_help = pa.array(np.asarray(needs, bool), pa.bool_(), mask=not_c)
    complaint = pa.array(np.asarray(scores["complaint"], np.float32), pa.float32(), mask=not_c)
    reply_kind = pa.array(np.asarray(scores["reply_kind"], dtype=object), pa.string(), mask=not_b)
    return pa.Table.from_arrays([intent, needs_help, complaint, reply_kind], schema=MODEL_SCHEMA)


# ---------------------------------------------------------------- registry
_FACTORIES: dict[str, Callable[[], PostClassifier]] = {}
_LAZY = {"fast": "helpfirst.signals.fast", "accurate": "helpfirst.signals.accurate"}
_CACHE: dict[str, PostClassifier] = {}
_LOCK = threading.Lock()


def register_model(name: str, factory: Callable[[], PostClassifier]) -> None:
    """Register a factory that builds the model called ``name`` (replaces an earlier one)."""
    with _LOCK:
        _FACTORIES[name] = factory
        _CACHE.pop(name, None)


def available_models() -> list[str]:
    """Names that ``get_model`` knows (registered or registered on first use); not a promise that
    each one's optional dependencies are installed."""
    return sorted(set(_FACTORIES) | set(_LAZY))


def get_model(name: str = "fast") -> PostClassifier:
    """The model called ``name``, built once and cached; SignalsUnavailable when it cannot be used."""
    with _LOCK:
        if name in _CACHE:
            return _CACHE[name]
    if name not in _FACTORIES and name in _LAZY:
        try:
            importlib.import_module(_LAZY[name])
        except ImportError as exc:
            if name == "accurate":
                raise SignalsUnavailable(
                    semantic_missing("the accurate signals model", exc.name or str(exc))) from exc
            raise SignalsUnavailable(f"signals model {name!r} cannot be loaded: {exc}") from exc
    factory = _FACTORIES.get(name)
    if factory is None:
        raise SignalsUnavailable(
            f"unknown signals model {name!r}; available: {', '.join(available_models())}")
    model = factory()
    with _LOCK:
        return _CACHE.setdefault(name, model)
