"""Text to search tokens, the same way for resources, past conversations and queries."""

from __future__ import annotations

import html
import re
import unicodedata

from .urls import remove_urls

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
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
        if word in STOPWORDS or len(word) < 2:
            _STEMS[word] = ""
        else:
            _STEMS[word] = _STEMMER.stemWord(word) if _STEMMER is not None else word


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


# Unicode words (letters and digits, an inner apostrophe kept) and the scripts written without spaces
_UNICODE_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_ACCENTS = re.compile(r"[\u0300-\u036f]+")
_NO_SPACES = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


def _unicode_words(text: str) -> list[str]:
    """Words of a text that is not plain ASCII: Latin accents folded (café -> cafe, so both spellings
    meet), other scripts kept as written, and runs of Chinese, Japanese or Korean characters (written
    without spaces) as overlapping character pairs, the usual way to search them without a dictionary."""
    folded = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", text.lower())))
    out: list[str] = []
    for word in _UNICODE_WORD.findall(folded):
        if not _NO_SPACES.search(word):
            out.append(word)
            continue
        at = 0
        for run in _NO_SPACES.finditer(word):
            out.extend(_words(word[at:run.start()]) if run.start() > at else ())
            chars = run.group()
            out.extend([chars] if len(chars) < 3 else [chars[i:i + 2] for i in range(len(chars) - 1)])
            at = run.end()
        if at < len(word):
            out.extend(_unicode_words(word[at:]))
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _words(text: str) -> list[str]:
    """_TOKEN.findall(text.lower()) for ASCII text, by translate + split; see _unicode_words for text
    with letters or digits beyond ASCII (other characters, emoji and punctuation, separate words)."""
    if not text.isascii():
        if any(c.isalnum() for run in _NON_ASCII.findall(text) for c in run):
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
