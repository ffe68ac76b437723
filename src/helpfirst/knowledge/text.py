"""Text to search tokens, the same way for resources, past conversations and queries."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from .urls import remove_urls

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w{1,30})+")
_SIGNATURE = re.compile(r"(?:^|\s)[\^*~]\s?[A-Za-z]{1,12}\s*$")

# a small English stop list; bm25s ships a fuller one that we use when it is importable
_STOP = frozenset(
    """a an the and or but if then so of to in on at by for with from as is are was were be been being am
    do does did doing have has had having i me my we our you your he she it its they them their this that
    these those there here what which who whom when where why how all any both each few more most other
    some such no nor not only own same than too very can will just should now would could may might must
    shall s t d ll re ve m o y hi hello hey please thanks thank pls plz im dont cant""".split()
)


def _stopwords() -> frozenset[str]:
    try:
        from bm25s.stopwords import STOPWORDS_EN
    except ImportError:  # pragma: no cover - bm25s is a default dependency
        return _STOP
    return _STOP | frozenset(STOPWORDS_EN)


STOPWORDS = _stopwords()


def _stemmer():
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


_STEMMER = _stemmer()


#: word -> stem, "" for stop words and one-letter words; filled as words are met
_STEMS: dict[str, str] = {}


def _learn_words(words) -> None:
    if len(_STEMS) > 1_000_000:
        _STEMS.clear()
    for word in words:
        if word in STOPWORDS or (len(word) < 2 and not _NO_SPACES.match(word)):  # 钱 is a word, "a" is not
            _STEMS[word] = ""
        else:
            _STEMS[word] = _STEMMER.stemWord(word) if _STEMMER is not None else word


def strip_leading_mentions(text: str) -> str:
    """A reply without the @handles it starts with (the addressees, not its words)."""
    return _LEADING_MENTIONS.sub("", text)


def clean_post(text: str | None) -> str:
    """A social post as plain words: entities decoded, links, @mentions and agent sign-offs removed."""
    if not text:
        return ""
    text = html.unescape(text)
    text = remove_urls(text)
    text = _MENTION.sub(" ", text)
    return _SIGNATURE.sub(" ", text)


# every byte but a-z, 0-9 and the apostrophe becomes a space: splitting then finds _TOKEN's runs in C
_SPACE = bytes(c if (97 <= c <= 122 or 48 <= c <= 57 or c == 39) else 32 for c in range(256))


# Marks folded away before words are found: Latin accents (café -> cafe), and the optional vowel and
# cantillation marks of Arabic and Hebrew (written with or without them, a word is one word)
_FOLDED_MARKS = re.compile("[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670]+")
# scripts written without spaces between words: Chinese, Japanese, Korean, Thai
_NO_SPACES = re.compile("[\u0e00-\u0e7f\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                        "\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f]+")


@lru_cache(maxsize=1)
def _unicode_patterns():
    """(not part of a word, a word): letters and digits with the marks that belong to them (Devanagari or
    Thai vowel signs end no word), an inner apostrophe followed by letters kept as in ASCII text."""
    import regex  # a declared dependency; imported only when text beyond ASCII is met

    return (regex.compile(r"[^\p{L}\p{N}\p{M}'\x00-\x7f]+"),
            regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:'\p{L}[\p{L}\p{M}]*)?"))


def _unicode_words(text: str) -> list[str]:
    """Words of a text that is not plain ASCII: symbols, emoji and punctuation separate words, compatibility
    forms are unfolded (ｶﾀｶﾅ, ™), marks in _FOLDED_MARKS dropped, case folded (straße = strasse), and runs
    of the scripts written without spaces become overlapping character pairs (a single character stays
    itself), the usual way to search them without a dictionary."""
    separator, word_pattern = _unicode_patterns()
    text = unicodedata.normalize("NFKD", separator.sub(" ", text))
    folded = unicodedata.normalize("NFC", _FOLDED_MARKS.sub("", text)).casefold()
    out: list[str] = []
    for word in word_pattern.findall(folded):
        if not _NO_SPACES.search(word):
            out.append(word)
            continue
        at = 0
        for run in _NO_SPACES.finditer(word):
            if run.start() > at:
                out.extend(_unicode_words(word[at:run.start()]))
            chars = run.group()
            out.extend([chars] if len(chars) < 3 else [chars[i:i + 2] for i in range(len(chars) - 1)])
            at = run.end()
        if at < len(word):
            out.extend(_unicode_words(word[at:]))
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _beyond_ascii(text: str) -> bool:
    """Whether a text holds a letter, digit or mark beyond ASCII, or a character with a compatibility or
    composed form (decomposed accents, ™): then it takes the Unicode path, else emoji and punctuation just
    separate words as in ASCII text."""
    return any(c.isalnum() or unicodedata.combining(c) or unicodedata.category(c).startswith("M")
               or unicodedata.decomposition(c) for run in _NON_ASCII.findall(text) for c in run)


def _words(text: str) -> list[str]:
    """_TOKEN.findall(text.lower()) for ASCII text, by translate + split; see _unicode_words for text
    with letters or digits beyond ASCII (other characters, emoji and punctuation, separate words)."""
    if not text.isascii() and _beyond_ascii(text):
        return _unicode_words(text)
    runs = text.lower().encode("ascii", "replace").translate(_SPACE).decode("ascii").split()
    if "'" not in text:
        return runs
    # a run with an apostrophe is what _TOKEN would make of it: "don't" stays, "'quoted'" loses them
    out: list[str] = []
    for run in runs:
        if "'" in run:
            out.extend(_TOKEN.findall(run))
        else:
            out.append(run)
    return out


def split_words(text: str) -> list[str]:
    """The words tokenize() stems, before stemming and stop words: lower-cased, ASCII or folded as above."""
    return _words(text)


def tokenize(text: str | None) -> list[str]:
    """Lower-cased, stop words dropped, stemmed (Snowball English when PyStemmer is installed)."""
    if not text:
        return []
    words = _words(text)
    # the per-word work happens once per distinct word ever seen; the rest runs in C (map, dict lookups)
    new = set(words).difference(_STEMS)
    if new:
        _learn_words(new)
    return list(filter(None, map(_STEMS.__getitem__, words)))


def tokenize_post(text: str | None) -> list[str]:
    """tokenize(clean_post(text))."""
    return tokenize(clean_post(text))
