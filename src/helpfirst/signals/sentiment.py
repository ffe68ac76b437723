"""Sentiment: VADER's compound score (-1..1) computed over whole Arrow arrays.

The rules and the lexicon are vaderSentiment's own (its lexicon files are read from the installed
package), applied with pyarrow.compute and numpy instead of one Python call per text:
tokenisation (whitespace split, punctuation stripped unless that leaves <= 2 characters), lexicon
valence, "no" handling, ALL-CAPS emphasis (when the caps differ within the text), boosters and
dampeners 1-3 words back (damped 0.95/0.9), negation 1-3 words back (x -0.74, "never so/this" x1.25,
"without doubt"), "least", "kind of", the first "but" (x0.5 before, x1.5 after), "!"/"?" emphasis,
compound = s / sqrt(s^2 + 15) rounded to 4 places.
Differences from vaderSentiment: an emoji is one token valued at VADER's own sum over its
description (VADER splices the description words into the text); VADER's special idioms ("the
bomb", "yeah right", ...) are not applied; the "but" rule ignores a list.index() quirk of VADER on
repeated words. tests/test_signals_sentiment.py checks the agreement on real posts.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

N_SCALAR, C_INCR = -0.74, 0.733
SPECIALS = ["no", "so", "this", "never", "without", "doubt", "least", "or", "nor", "at", "very", "kind", "of",
            "but"]
EMOJI_RE = "([\\x{1F000}-\\x{1FAFF}\\x{2600}-\\x{27BF}\\x{2B00}-\\x{2BFF}])"


class VaderArrow:
    """VADER's lexicon and rules as arrays; ``compound(texts)`` scores a whole Arrow array."""

    def __init__(self):
        import vaderSentiment.vaderSentiment as V
        d = Path(V.__file__).parent
        lex = {}
        for line in (d / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
            p = line.strip().split("\t")
            if len(p) >= 2:
                lex[p[0]] = float(p[1])
        an = V.SentimentIntensityAnalyzer()
        emo = {}
        for ch, desc in an.emojis.items():
            if len(ch) == 1:
                st = V.SentiText(desc)
                sents = []
                for i, item in enumerate(st.words_and_emoticons):
                    if item.lower() in V.BOOSTER_DICT:
                        sents.append(0)
                        continue
                    sents = an.sentiment_valence(0, st, item, i, sents)
                v = float(sum(sents))
                if v:
                    emo[ch] = v
        keys = list(lex) + [k for k in emo if k not in lex]
        vals = [lex.get(k, emo.get(k)) for k in keys]
        self.lex_keys = pa.array(keys)
        self.lex_vals = np.asarray(vals + [np.nan])  # last slot: not found
        self.n_lex_words = len(lex)
        boost = {k: v for k, v in V.BOOSTER_DICT.items() if " " not in k}
        self.boost_keys = pa.array(list(boost))
        self.boost_vals = np.asarray(list(boost.values()) + [0.0])
        self.negate = pa.array(V.NEGATE)
        # one lookup table over every word any rule reads (lexicon, boosters, negations, specials):
        # a single hash lookup per token instead of four
        union = list(dict.fromkeys(keys + list(boost) + list(V.NEGATE) + SPECIALS))
        slot = {k: i for i, k in enumerate(union)}
        self.all_keys = pa.array(union)
        n_all = len(union) + 1  # last slot: not found
        self.all_lex = np.full(n_all, np.nan)
        self.all_lex[[slot[k] for k in keys]] = vals
        self.all_boost = np.zeros(n_all)
        self.all_boost[[slot[k] for k in boost]] = list(boost.values())
        self.all_isboost = np.zeros(n_all, bool)
        self.all_isboost[[slot[k] for k in boost]] = True
        self.all_isneg = np.zeros(n_all, bool)
        self.all_isneg[[slot[k] for k in V.NEGATE]] = True
        self.all_code = np.full(n_all, -1)
        self.all_code[[slot[k] for k in SPECIALS]] = np.arange(len(SPECIALS))

    def compound(self, texts) -> np.ndarray:
        """Compound scores (float64, rounded to 4 places) of an Arrow string array."""
        arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(texts, pa.string())
        arr = pc.replace_substring_regex(arr, pattern=EMOJI_RE, replacement=" \\1 ")
        lists = pc.utf8_split_whitespace(pc.utf8_trim_whitespace(arr))  # no empty edge tokens
        if isinstance(lists, pa.ChunkedArray):
            lists = lists.combine_chunks()
        n_docs = len(lists)
        offsets = np.asarray(lists.offsets).astype(np.int64)
        offsets = offsets - offsets[0]  # a sliced list array starts its values at offsets[0]
        raw = lists.flatten()
        stripped = pc.utf8_trim(raw, characters=string.punctuation)
        tok = pc.if_else(pc.less_equal(pc.utf8_length(stripped), 2), raw, stripped)
        low = pc.utf8_lower(tok)
        n = len(tok)
        doc = np.repeat(np.arange(n_docs), np.diff(offsets))
        pos = np.arange(n) - offsets[:-1][doc]
        ntok = np.diff(offsets)

        ki = np.asarray(pc.index_in(low, value_set=self.all_keys).fill_null(len(self.all_lex) - 1))
        lexv = self.all_lex[ki]
        inlex = ~np.isnan(lexv)
        boostv = self.all_boost[ki]
        isboost = self.all_isboost[ki]
        isneg = self.all_isneg[ki] | np.asarray(pc.match_substring(low, "n't"), bool)
        upper = np.asarray(pc.utf8_is_upper(tok))
        specials = SPECIALS
        code = self.all_code[ki]

        def eq(w):
            return code == specials.index(w)
        is_no, is_so_this = eq("no"), eq("so") | eq("this")
        is_never, is_without, is_doubt, is_least = eq("never"), eq("without"), eq("doubt"), eq("least")
        is_ornor, is_atvery, is_kind, is_of, is_but = eq("or") | eq("nor"), eq("at") | eq("very"), eq("kind"), eq("of"), eq("but")

        nup = np.bincount(doc, weights=upper, minlength=n_docs)
        capdiff = ((nup > 0) & (nup < ntok))[doc]

        def prev(a, k, fill=False):
            out = np.full(n, fill, dtype=a.dtype)
            out[k:] = a[:-k]
            out[pos < k] = fill
            return out

        has = {k: pos >= k for k in (1, 2, 3)}
        nxt_inlex = np.zeros(n, bool)
        nxt_inlex[:-1] = inlex[1:]
        nxt_inlex[pos == ntok[doc] - 1] = False
        nxt_of = np.zeros(n, bool)
        nxt_of[:-1] = is_of[1:]
        nxt_of[pos == ntok[doc] - 1] = False

        score = inlex & ~isboost & ~(is_kind & nxt_of)
        v = np.where(score, lexv, 0.0)
        v = np.where(is_no & nxt_inlex, 0.0, v)
        no1, no2, no3 = prev(is_no, 1), prev(is_no, 2), prev(is_no, 3)
        v = np.where(no1 | no2 | (no3 & prev(is_ornor, 1)), lexv * N_SCALAR, v)
        v = np.where(upper & capdiff, v + np.where(v > 0, C_INCR, -C_INCR), v)
        for k in (1, 2, 3):
            gate = has[k] & ~prev(inlex, k)
            s = prev(boostv, k, 0.0) * np.where(v < 0, -1.0, 1.0)
            s = s + np.where(prev(isboost, k) & prev(upper, k) & capdiff, np.where(v > 0, C_INCR, -C_INCR), 0.0)
            s = s * (1.0, 0.95, 0.9)[k - 1]
            v = np.where(gate, v + s, v)
            negk = prev(isneg, k)
            if k == 1:
                v = np.where(gate & negk, v * N_SCALAR, v)
            elif k == 2:
                never_so = prev(is_never, 2) & prev(is_so_this, 1)
                wo = prev(is_without, 2) & prev(is_doubt, 1)
                v = np.where(gate & never_so, v * 1.25, np.where(gate & ~wo & negk, v * N_SCALAR, v))
            else:
                never_so = (prev(is_never, 3) & prev(is_so_this, 2)) | prev(is_so_this, 1)
                wo = prev(is_without, 3) & (prev(is_doubt, 2) | prev(is_doubt, 1))
                v = np.where(gate & never_so, v * 1.25, np.where(gate & ~wo & negk, v * N_SCALAR, v))
        least1 = prev(is_least, 1) & ~prev(inlex, 1)
        v = np.where(score & least1 & ((pos < 2) | ~prev(is_atvery, 2)), v * N_SCALAR, v)
        v = np.where(score, v, 0.0)
        # first "but" in the doc: x0.5 before, x1.5 after
        big = np.iinfo(np.int64).max
        first_but = np.full(n_docs, big)
        np.minimum.at(first_but, doc[is_but], pos[is_but])
        fb = first_but[doc]
        v = np.where(fb < big, np.where(pos < fb, v * 0.5, np.where(pos > fb, v * 1.5, v)), v)
        s = np.bincount(doc, weights=v, minlength=n_docs)
        ep = np.minimum(np.asarray(pc.count_substring(arr, "!")), 4) * 0.292
        q = np.asarray(pc.count_substring(arr, "?"))
        qm = np.where(q > 3, 0.96, np.where(q > 1, q * 0.18, 0.0))
        s = s + np.sign(s) * (ep + qm)
        return np.round(np.clip(s / np.sqrt(s * s + 15), -1, 1), 4)


@functools.lru_cache(maxsize=1)
def analyzer() -> VaderArrow:
    """The shared VaderArrow (its lexicon is read once)."""
    return VaderArrow()


def sentiment(texts) -> pa.Array:
    """VADER compound score of each text, float32 in -1..1 (null or empty text: 0)."""
    arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(list(texts), pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr, "")
    return pa.array(analyzer().compound(arr).astype(np.float32), pa.float32())
