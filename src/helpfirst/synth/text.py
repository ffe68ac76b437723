"""Vectorised text composition: templates with slots, filled column-wise with Arrow compute.

A template is literal text with ``{slot}`` holes. Rows that share a template are filled together:
every slot becomes a string array (picked from a phrase list, a topic's phrases, a per-row context
column, or random numbers) and the pieces are joined element-wise. Phrases may themselves contain
slots; they are rendered the same way, recursively. No Python loop runs per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import vocab

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """Literal pieces and slot names, alternating: lit, slot, lit, slot, ..., lit."""

    parts: tuple[tuple[bool, str], ...]  # (is_slot, text)


def parse(template: str) -> Template:
    """Split a template with {slot} names into its literal pieces and slot names."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _SLOT.finditer(template):
        if m.start() > pos:
            parts.append((False, template[pos : m.start()]))
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(template):
        parts.append((False, template[pos:]))
    return Template(tuple(parts))


@dataclass
class Choice:
    """Alternatives picked per row with weights: a plain phrase list (taken directly) and templates."""

    plain: pa.Array | None
    templates: list[Template]
    weights: np.ndarray  # one per alternative: plain first (if any), then templates


def make_choice(phrases: list[str]) -> Choice:
    """A Choice over these phrases: the plain ones as one weighted list, those with {slots} as templates."""
    plain = [p for p in phrases if "{" not in p]
    braced = [parse(p) for p in phrases if "{" in p]
    weights = ([len(plain)] if plain else []) + [1] * len(braced)
    w = np.asarray(weights, dtype=float)
    return Choice(pa.array(plain, type=pa.string()) if plain else None, braced, w / w.sum())


def _absorb_spaces(template: Template, optional: set[str]) -> Template:
    parts = list(template.parts)
    for i in range(1, len(parts)):
        is_slot, name = parts[i]
        prev_slot, prev = parts[i - 1]
        if is_slot and name in optional and not prev_slot and prev.endswith(" "):
            parts[i - 1] = (False, prev[:-1])
            parts[i] = (True, "_sp_" + name)
    return Template(tuple(p for p in parts if p[0] or p[1]))


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


_ALNUM = np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype=np.uint8)
_PAIRS = pa.array([chr(a) + chr(b) for a in _ALNUM for b in _ALNUM])
_UPPER2 = pa.array([chr(a) + chr(b) for a in range(65, 91) for b in range(65, 91)])


class TextEngine:
    """Renders texts for rows given their kind and a per-row context (brand, topic, mentions...)."""

    def __init__(self, topics: list[vocab.Topic]):
        self.statics: dict[str, Choice] = {}
        self._phrases: dict[str, list[str]] = {}
        for name, phrases in vocab.STATIC.items():
            if name == "dmhow":
                continue
            self._phrases[name] = list(phrases)
            self.statics[name] = make_choice(phrases)
        dm = [p.replace("{x}", "{dminfo}") for p in vocab.STATIC["dmhow"]]
        self.statics["dm"] = make_choice(dm)
        self.statics["dm_lower"] = make_choice([_lower_first(p) for p in dm])
        self.statics["clarq2"] = self.statics["clarq"]
        self.statics["agent"] = make_choice(vocab.AGENT_NAMES)
        self.statics["ordinal"] = make_choice(vocab.ORDINALS)
        self.statics["partofday"] = make_choice(vocab.PARTS_OF_DAY)
        self.statics["dia"] = make_choice(vocab.DAYS_ES)
        self.statics["dia_fr"] = make_choice(vocab.DAYS_FR)
        # topic phrase tables: flat array + offset/count per topic
        self.topic_fields: dict[str, tuple[pa.Array, np.ndarray, np.ndarray]] = {}
        fields = {
            "issue": lambda t: t.issues,
            "question": lambda t: t.questions,
            "question_lower": lambda t: t.questions,
            "product": lambda t: t.products,
            "fix": lambda t: t.fixes,
            "fix_lower": lambda t: tuple(_lower_first(f) for f in t.fixes),
        }
        for name, get in fields.items():
            flat: list[str] = []
            off = np.zeros(len(topics), dtype=np.int64)
            cnt = np.zeros(len(topics), dtype=np.int64)
            for i, t in enumerate(topics):
                off[i] = len(flat)
                values = get(t)
                cnt[i] = len(values)
                flat.extend(values)
            self.topic_fields[name] = (pa.array(flat, type=pa.string()), off, cnt)
        self.kinds: dict[str, Choice] = {}
        for k, v in vocab.TEMPLATES.items():  # every kind's template is rendered as a template
            ch = [parse(t) for t in v]
            self.kinds[k] = Choice(None, ch, np.full(len(ch), 1.0 / len(ch)))
        # Optional slots (a phrase list with "") take the space before them into the slot, so that
        # an empty pick leaves no double or trailing space: "{a} {emoji}" -> "{a}{_sp_emoji}".
        optional = {"dmlink"}
        for name, phrases in self._phrases.items():
            if "" in phrases:
                optional.add(name)
                self.statics["_sp_" + name] = make_choice([" " + p if p else "" for p in phrases])
        for choice in list(self.kinds.values()) + list(self.statics.values()):
            choice.templates[:] = [_absorb_spaces(t, optional) for t in choice.templates]

    # ---------------------------------------------------------------------------------------
    def render(
        self,
        kind_names: list[str],
        kinds: np.ndarray,
        rng: np.random.Generator,
        context: dict[str, Callable[[np.ndarray], pa.Array]],
        topic: np.ndarray,
    ) -> pa.Array:
        """Texts for rows whose kind codes are `kinds` (indices into `kind_names`).

        `context` maps slot names to functions returning the slot's strings for given row indices;
        `topic` gives each row's topic index for topic slots.
        """
        self._rng = rng
        self._ctx = context
        self._topic = topic
        n = len(kinds)
        order = np.argsort(kinds, kind="stable")
        counts = np.bincount(kinds, minlength=len(kind_names))
        pieces: list[pa.Array] = []
        start = 0
        for code, count in enumerate(counts):
            if not count:
                continue
            rows = order[start : start + count]
            start += count
            pieces.append(self._choice(self.kinds[kind_names[code]], rows))
        if not pieces:
            return pa.array([], type=pa.string())
        joined = pa.concat_arrays(pieces)
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        return joined.take(pa.array(inverse))

    def _choice(self, choice: Choice, rows: np.ndarray) -> pa.Array:
        n = len(rows)
        n_alt = len(choice.weights)
        if n_alt == 1:
            if choice.plain is not None:
                return self._plain(choice.plain, n)
            return self._template(choice.templates[0], rows)
        alt = np.searchsorted(np.cumsum(choice.weights), self._rng.random(n) * (1 - 1e-12), side="right")
        alt = np.minimum(alt, n_alt - 1)
        order = np.argsort(alt, kind="stable")
        counts = np.bincount(alt, minlength=n_alt)
        pieces = []
        start = 0
        shift = 1 if choice.plain is not None else 0
        for a, count in enumerate(counts):
            if not count:
                continue
            sub = order[start : start + count]
            start += count
            if shift and a == 0:
                pieces.append(self._plain(choice.plain, count))
            else:
                pieces.append(self._template(choice.templates[a - shift], rows[sub]))
        joined = pa.concat_arrays(pieces)
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        return joined.take(pa.array(inverse))

    def _plain(self, phrases: pa.Array, n: int) -> pa.Array:
        idx = (self._rng.random(n) * len(phrases)).astype(np.int64)
        return phrases.take(pa.array(idx))

    def _template(self, template: Template, rows: np.ndarray) -> pa.Array:
        args: list = []
        for is_slot, text in template.parts:
            args.append(self._slot(text, rows) if is_slot else pa.scalar(text))
        if not any(isinstance(a, pa.Array) for a in args):
            return pa.array(["".join(a.as_py() for a in args)] * len(rows), type=pa.string())
        if len(args) == 1:
            return args[0]
        return pc.binary_join_element_wise(*args, "")

    def _slot(self, name: str, rows: np.ndarray) -> pa.Array:
        n = len(rows)
        rng = self._rng
        if name in self._ctx:
            return self._ctx[name](rows)
        if name in self.statics:
            return self._choice(self.statics[name], rows)
        if name in self.topic_fields:
            flat, off, cnt = self.topic_fields[name]
            t = self._topic[rows]
            idx = off[t] + (rng.random(n) * cnt[t]).astype(np.int64)
            return flat.take(pa.array(idx))
        if name in _NUMBERS:
            lo, hi = _NUMBERS[name]
            return pa.array(rng.integers(lo, hi, n)).cast(pa.string())
        if name == "money":
            return pa.array(rng.integers(19, 400, n)).cast(pa.string())
        if name == "ver":
            a = pa.array(rng.integers(6, 18, n)).cast(pa.string())
            b = pa.array(rng.integers(0, 5, n)).cast(pa.string())
            c = pa.array(rng.integers(0, 10, n)).cast(pa.string())
            return pc.binary_join_element_wise(a, b, c, ".")
        if name == "phone":
            a = pa.array(rng.integers(200, 1000, n)).cast(pa.string())
            b = pa.array(rng.integers(1000, 10000, n)).cast(pa.string())
            return pc.binary_join_element_wise(a, b, "-")
        if name == "ref":
            letters = _UPPER2.take(pa.array(rng.integers(0, len(_UPPER2), n)))
            digits = pa.array(rng.integers(100000, 1000000, n)).cast(pa.string())
            return pc.binary_join_element_wise(letters, digits, "")
        if name == "tco":
            return tco_links(rng, n)
        if name in ("dmlink", "_sp_dmlink"):
            links = tco_links(rng, n, " " if name == "_sp_dmlink" else "")
            return pc.if_else(pa.array(rng.random(n) < 0.4), links, pa.scalar(""))
        raise KeyError(f"unknown template slot {{{name}}}")


_NUMBERS = {
    "n": (2, 60),
    "n4": (1000, 10000),
    "order": (100000000, 1000000000),
    "hours": (2, 31),
    "zip": (10000, 100000),
    "h": (1, 12),
    "h2": (1, 12),
    "ordinal2": (2, 10),
}


def tco_links(rng: np.random.Generator, n: int, prefix: str = "") -> pa.Array:
    """Random shortened links like https://t.co/aB3dE9xYz0."""
    parts = [_PAIRS.take(pa.array(rng.integers(0, len(_PAIRS), n))) for _ in range(5)]
    return pc.binary_join_element_wise(pa.scalar(prefix + "https://t.co/"), *parts, "")
