"""Language: an English pre-filter over Arrow, then lingua for the rest, restricted to a set.

A post is English without asking lingua when, after URLs, @mentions and #hashtags are removed, it has
at least 3 words, at least 25% of them among ~150 common English words and contractions and at most
10% of them with non-ASCII letters (15% and none, for all-ASCII posts). Posts with no letters left are null. The rest (about 8-10% of real
customer-care posts) go to lingua's parallel detector, restricted to ``languages`` (ISO 639-1; by
default DEFAULT_LANGUAGES) in low-accuracy mode unless ``accurate=True``. Every answer is one of
``languages`` (or null): without ``en`` among them the pre-filter is skipped and lingua reads every
post with letters; a single code labels every post with letters with it. A post of one or two
ASCII words is English when one of them is a common English short reply (SHORT_ENGLISH). A post
left to lingua with fewer than MIN_LETTERS (12) letters, all ASCII, is English when lingua says so
and null otherwise when ``en`` is among the languages (lingua's other answers on so few letters are
mostly English posts misread). lingua reads at most the first LINGUA_CHARS (2,000) characters of a
post (after URLs and @mentions are removed): plenty to call a language, and its time grows with the
square of a long word's length. The result is the ISO 639-1 code in lower case, or null when lingua
cannot decide.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DEFAULT_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "ja", "ar", "tr", "id", "hi")
ENGLISH_WORDS = (
    "the a an and or but if of to in on at for with from by about as into is are was were be been "
    "being am do does did have has had i me my we our you your he she it its they them their this that "
    "these those what which who when where why how not no can could will would should just so very "
    "please thanks thank hi hey there here get got can't don't i'm it's im dont cant "
    # contractions and frequent customer-care words: 22% fewer posts left for lingua on real posts,
    # and lingua (full mode, all languages) calls 96% of the posts they add English
    "you're we're we'll i'll i've we've you've you'll they're that's there's let's what's isn't "
    "doesn't didn't won't wasn't aren't haven't couldn't wouldn't shouldn't welcome happy good great "
    "help sorry now all out up any more time still some one just also").split()
_ENGLISH = pa.array(ENGLISH_WORDS)
# short replies that are English whatever else they contain ("ok thanks", "DM sent", "fixed now"):
# lingua's low-accuracy mode guesses wildly on one or two words ("thanks, sorted" is Turkish to it)
SHORT_ENGLISH = pa.array((
    "thanks thank thx ty ok okay yes yeah yep yup cheers great sorted fixed done sure cool nice awesome "
    "perfect please hi hello hey sent dm dmed dm'd followed following lol now working works").split())


#: a post left to lingua with fewer ASCII letters than this is en when lingua says so, else null: on
#: twcs-head5k 31 of the 32 non-English answers lingua gave to such posts were wrong by reading
#: ("iPhone 7 Plus" de, "Thankx" de, "I did" pt), its English answers mostly right
MIN_LETTERS = 12
#: lingua reads at most this many characters of a post: its time grows with the square of a word's
#: length ('a' * 100,000 took 8 s, 400,000 took 2 minutes); 2,000 is plenty to call a language,
#: and far longer than a post on X, Bluesky or most Mastodon servers
LINGUA_CHARS = 2000


def _words(texts: pa.Array) -> pa.Array:
    a = pc.replace_substring(pc.utf8_lower(pc.fill_null(texts, "")), "\u2019", "'")  # let’s -> let's
    a = pc.replace_substring_regex(a, r"https?://\S+|www\.\S+|[@#]\S+", " ")
    return pc.utf8_split_whitespace(pc.replace_substring_regex(a, r"[^\p{L}' ]+", " "))


def english_first(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(surely English, has letters) masks of each post, from the vectorised pre-filter."""
    toks = _words(texts)
    per_doc = np.asarray(pc.list_value_length(toks).fill_null(0), np.int64)
    flat = toks.flatten()
    doc = np.repeat(np.arange(len(texts)), per_doc)
    word = np.asarray(pc.greater(pc.utf8_length(flat), 0), bool)  # the split leaves empty edge tokens
    n = np.bincount(doc, weights=word, minlength=len(texts))
    hit = np.asarray(pc.is_in(flat, value_set=_ENGLISH), bool)
    nonascii = ~np.asarray(pc.string_is_ascii(flat), bool) & word
    hits = np.bincount(doc, weights=hit, minlength=len(texts))
    nona = np.bincount(doc, weights=nonascii, minlength=len(texts))
    short_hit = np.bincount(doc, weights=np.asarray(pc.is_in(flat, value_set=SHORT_ENGLISH), bool),
                            minlength=len(texts))
    english = (n >= 3) & (hits >= 0.25 * np.maximum(n, 1)) & (nona <= 0.1 * n)
    # all-ASCII posts need fewer: 30% fewer posts for lingua, 97% of them English to lingua (full
    # mode, all languages) on the real labelled posts
    english |= (n >= 3) & (hits >= 0.15 * np.maximum(n, 1)) & (nona == 0)
    english |= (n >= 1) & (n <= 2) & (short_hit >= 1) & (nona == 0)
    return english, n > 0


def too_few_letters(texts: pa.Array) -> np.ndarray:
    """Mask of the posts whose words (as the pre-filter reads them) are all ASCII and have fewer than
    MIN_LETTERS letters in all."""
    words = pc.binary_join(_words(texts), "")
    letters = np.asarray(pc.fill_null(pc.count_substring_regex(words, r"\p{L}"), 0), np.int64)
    return np.asarray(pc.fill_null(pc.string_is_ascii(words), True), bool) & (letters < MIN_LETTERS)


def iso_codes(languages: Sequence[str]) -> list:
    """lingua's codes for these ISO 639-1 codes; ValueError naming an unknown one."""
    from lingua import IsoCode639_1
    codes = []
    for code in languages:
        try:
            codes.append(IsoCode639_1.from_str(code.lower()))
        except ValueError as exc:
            raise ValueError(f"unknown ISO 639-1 language code {code!r}") from exc
    return codes


def parse_languages(text: str) -> list[str]:
    """The ISO 639-1 codes of a comma-separated list (spaces and empty items ignored), lower case and
    each one checked; ValueError naming an unknown code, or saying that the list holds none."""
    codes = [c.strip().lower() for c in text.split(",") if c.strip()]
    if not codes:
        raise ValueError("no language code given; list ISO 639-1 codes, e.g. en or en,es,fr")
    iso_codes(codes)
    return codes


@functools.lru_cache(maxsize=8)
def detector(languages: tuple[str, ...] = DEFAULT_LANGUAGES, accurate: bool = False):
    """A lingua detector for these ISO 639-1 codes (built once per set; lingua imported here)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    codes = iso_codes(languages)
    if len(codes) < 2:  # lingua needs two languages to compare; English is the usual second
        codes.append(IsoCode639_1.EN if IsoCode639_1.EN not in codes else IsoCode639_1.ES)
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if not accurate:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detect_language(texts, languages: Sequence[str] | None = None, accurate: bool = False) -> pa.Array:
    """ISO 639-1 code (lower case) of each text, or null; lingua only for non-obvious posts."""
    arr = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(list(texts), pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    langs = tuple(sorted({c.lower() for c in (languages or DEFAULT_LANGUAGES)}))
    english, letters = english_first(arr)
    if "en" not in langs:
        english[:] = False  # the answer is one of the given codes: the English shortcut does not apply
    out = np.where(english, "en", None).astype(object)
    rest = np.flatnonzero(~english & letters)
    if len(rest):
        if len(langs) == 1:
            iso_codes(langs)  # an unknown code is still an error
            out[rest] = langs[0]
        else:
            cleaned = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(
                pc.replace_substring_regex(arr.take(pa.array(rest)), r"https?://\S+|www\.\S+|@\S+", " ")),
                0, LINGUA_CHARS))
            found = detector(langs, accurate).detect_languages_in_parallel_of(cleaned.to_pylist())
            out[rest] = [None if g is None else g.iso_code_639_1.name.lower() for g in found]
            if "en" in langs:
                # a handful of ASCII letters is a guess for lingua, mostly an English post read as
                # another language: keep only its English answer (without en, no such confusion)
                short = too_few_letters(arr.take(pa.array(rest)))
                out[rest[short & (out[rest] != "en")]] = None
    return pa.array(out, pa.string())
