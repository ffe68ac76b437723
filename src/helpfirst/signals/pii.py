"""Masking of e-mail addresses, phone numbers and payment card numbers in post text.

- e-mail: ``name@domain.tld`` -> ``[email]``
- card: 13-19 digits, optionally grouped by single spaces or dashes, that pass the Luhn check ->
  ``[card]`` (digit runs that fail it, such as order numbers, are kept)
- phone: ``+`` and a country code followed by at least three groups of digits (the first may be a
  single digit: ``+33 1 23 45 67 89``, ``+44 (0)20 7946 0958``); a North-American
  ``(555) 123-4567`` / ``555-123-4567`` / ``555.123.4567``, with or without a leading ``1``
  (``1-800-275-2273``); or a national number that starts with 0 and has 10-11 digits in groups,
  the area code possibly in brackets (``020 7946 0958``, ``(020) 7946 0958``, ``07700 900123``)
  -> ``[phone]``.
  Plain digit runs with no ``+``, no leading 0 and no grouping are not phones (order and tracking
  numbers look like that).

E-mails and phones are replaced with pyarrow.compute regexes over the whole array; card candidates
are found the same way, and only the few posts that contain one are Luhn-checked in Python.
"""
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
CARD = r"\b\d(?:[ -]?\d){12,18}\b"
PHONE = (r"(\+\d{1,3}[ .-]?(\(\d{1,4}\)[ .-]?)?\d{1,4}([ .-]?\d{2,4}){2,4}\b"  # +33 1 23 45 67 89
         r"|(\b1[ .-]?)?(\(\d{3}\) ?|\b\d{3}[.-])\d{3}[.-]\d{4}\b"  # (555) 123-4567, 1-800-275-2273
         r"|\(0\d{1,4}\) ?\d{3,4}[ -]?\d{3,4}\b"  # (020) 7946 0958
         r"|\b0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}\b|\b0\d{9,10}\b)")  # 020 7946 0958, 07700900123
_CARD_RE = re.compile(CARD)


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a digit string (spaces and dashes ignored) is valid."""
    d = [int(c) for c in digits if c.isdigit()]
    if not 13 <= len(d) <= 19:
        return False
    total = 0
    for i, v in enumerate(reversed(d)):
        if i % 2:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


def _mask_cards(text: str) -> str:
    return _CARD_RE.sub(lambda m: "[card]" if luhn_ok(m.group(0)) else m.group(0), text)


def mask_pii(texts) -> pa.Array:
    """The texts with e-mail addresses, Luhn-valid card numbers and phone numbers masked."""
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    if not isinstance(arr, pa.Array):
        arr = pa.array(list(arr), pa.string())
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    has_card = np.asarray(pc.fill_null(pc.match_substring_regex(arr, CARD), False), bool)
    idx = np.flatnonzero(has_card)
    if len(idx):
        fixed = pa.array([_mask_cards(t) for t in arr.take(pa.array(idx)).to_pylist()], pa.string())
        arr = pc.replace_with_mask(arr, pa.array(has_card), fixed)
    arr = pc.replace_substring_regex(arr, EMAIL, "[email]")
    return pc.replace_substring_regex(arr, PHONE, "[phone]")
