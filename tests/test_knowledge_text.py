"""Tokenising: the fast paths (translate + split, C-level maps) give exactly what the plain regex gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpfirst.knowledge.text import _TOKEN, _words, tokenize
from helpfirst.knowledge.urls import url_words

_ASCII = st.text(alphabet="abcXYZ09 '-_.\n\t@#", max_size=40)
_LETTERS = st.text(alphabet="abcXYZ09 '’é\u0130\u00df\u30eb\u30fc\u0416\u0301\u2122\u0915\u093e-_.\n\t@#", max_size=40)


@settings(max_examples=400, deadline=None)
@given(_ASCII)
def test_fast_word_split_equals_the_token_regex(text):
    assert _words(text) == _TOKEN.findall(text.lower())


@settings(max_examples=400, deadline=None)
@given(_LETTERS)
@example("é5'9")
@example("Me\u0301xico")
@example("a\u2122 é")
@example("\u0915\u093e\u092e")
def test_words_beyond_ascii_are_letters_digits_and_their_marks(text):
    # accents folded, an inner apostrophe followed by letters kept, symbols, punctuation and spaces never in a word;
    # the same word whether its accent is composed or not, and whatever else the text holds
    words = _words(text)
    assert all(w == w.casefold() and "\u0301" not in w and "'" not in (w[0], w[-1]) for w in words)
    assert all(not unicodedata.category(c).startswith(("P", "S", "Z")) or c == "'" for w in words for c in w)
    assert _words(text.replace("é", "e")) == words
    assert _words(unicodedata.normalize("NFD", text)) == _words(unicodedata.normalize("NFC", text))


def test_apostrophes_and_non_ascii_letters():
    assert _words("Don't 'quote' rock'n'roll café 90's") == ["don't", "quote", "rock'n", "roll", "cafe", "90's"]
    assert tokenize("The routers keep DROPPING!") == ["router", "keep", "drop"]


_NOISE = {"com", "org", "net", "www", "co", "uk", "us", "en", "html", "htm", "php", "aspx", "jsp", "http", "https"}
_CAMEL = r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcXYZ09/-_.camelCaseHTMLPage", max_size=40))
def test_url_words_are_the_letter_runs_of_the_camel_split_address(path):
    url = "https://help.example.com/" + path
    pieces = re.findall(r"[A-Za-z]+|[0-9]+", re.sub(_CAMEL, " ", "help example com " + path))
    expected = [t.lower() for t in pieces if len(t) >= 2 and not t.isdigit() and t.lower() not in _NOISE]
    assert url_words(url).split() == expected
