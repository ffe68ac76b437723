"""Reply drafts in the brand's voice that fit the channel: the mention, a short lead-in, the link."""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..knowledge.models import brand_key
from ..knowledge.text import strip_leading_mentions

#: characters a post may have, by channel, counted as each channel counts them (see `post_length`)
LIMITS = {"x": 280, "twitter": 280, "mastodon": 500, "bluesky": 300}
_LINK_AS = {"x": 23, "twitter": 23, "mastodon": 23}
DEFAULT_CHANNEL = "x"

DEFAULT_VOICE = {
    "template": "{mention} {opening} {title} {url} {closing} {signature}",
    "opening": {
        "article": "This article should help:",
        "video": "This short video walks you through it:",
        "board": "We collected tips for this here:",
        "faq": "Here's the answer:",
        # a resource without a link and without an answer text: names it, promises no link
        "unlinked": "Our help center has an article on this:",
    },
    "closing": "Let us know if it works for you!",
    "signature": "",
}

#: a handle as the networks spell it: a username of letters, digits and _ (X, Mastodon), with . or - inside
#: (Bluesky's domain handles), optionally @server (Mastodon); a leading @ is allowed. Anything else put
#: after the @ of a draft would be text the brand never wrote
HANDLE = re.compile(r"@?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?(?:@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)?")
HANDLE_RULE = "letters, digits and _, with . or - inside, optionally @server: bob_99, alice@mastodon.social, alice.bsky.social"

#: a link runs to the next space or directional mark (twitter-text stops there too)
_URL = re.compile(r"https?://[^\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


class VoiceError(Exception):
    """A brand-voice file that cannot be used; one line naming it."""


@dataclass
class Voice:
    """How one brand writes: template with {mention} {opening} {title} {url} {answer} {closing} {signature}."""

    template: str
    opening: dict[str, str]
    closing: str
    signature: str

    @classmethod
    def from_dict(cls, d: dict) -> "Voice":
        """A voice from a mapping; missing keys come from the default voice."""
        merged = {**DEFAULT_VOICE, **{k: v for k, v in d.items() if v is not None}}
        opening = merged["opening"]
        if isinstance(opening, str):
            # one opening for every kind that has a link; the link-less one keeps promising no link
            opening = {k: opening for k in DEFAULT_VOICE["opening"] if k != "unlinked"}
            opening = {**DEFAULT_VOICE["opening"], **opening}
        else:
            opening = {**DEFAULT_VOICE["opening"], **opening}
        return cls(str(merged["template"]), opening, str(merged["closing"]), str(merged["signature"]))


def load_voices(path: Path | None) -> dict[str, Voice]:
    """Brand voices from a JSON file: {"default": {...}, "BrandHandle": {...}} (keys as brand_key makes them)."""
    voices = {"default": Voice.from_dict({})}
    if path is None:
        return voices
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))  # a byte order mark is skipped
    except OSError as exc:
        raise VoiceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except RecursionError:
        raise VoiceError(f"{path}: not valid JSON (nested too deeply)") from None
    except ValueError as exc:
        raise VoiceError(f"{path}: not valid JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not all(isinstance(v, dict) for v in doc.values()):
        raise VoiceError(f"{path}: expected an object of brand -> {{template, opening, closing, signature}}")
    base = doc.get("default", {})
    spelled: dict[str, str] = {}
    # the default first: a brand's voice inherits its template, and a fault in it is the default's
    for brand in sorted(doc, key=lambda b: b != "default"):
        key = brand_key(brand)  # looked up by the query's brand_key
        if key in spelled:
            raise VoiceError(f"{path}: {spelled[key]!r} and {brand!r} name the same brand; give its voice once")
        spelled[key] = brand
        _check_spec(path, key, doc[brand])
        voices[key] = Voice.from_dict({**base, **doc[brand]})
        _check_template(path, key, voices[key].template)
    return voices


#: the fields a voice template may name
FIELDS = ("mention", "opening", "title", "url", "answer", "closing", "signature")


def _check_spec(path: Path, brand: str, spec: dict) -> None:
    """VoiceError naming the brand and the key for a key no voice has or a value that is not text (null keeps the default)."""
    for name, value in spec.items():
        if name not in DEFAULT_VOICE:
            raise VoiceError(f"{path}: the voice of {brand!r} has an unknown key {name!r} (a voice has {', '.join(DEFAULT_VOICE)})")
        if value is None or isinstance(value, str):
            continue
        kinds = DEFAULT_VOICE["opening"]
        if name != "opening" or not isinstance(value, dict):
            what = "a string, or an object of kind -> string" if name == "opening" else "a string"
            raise VoiceError(f"{path}: the {name} of {brand!r} must be {what}, not {json.dumps(value)[:60]}")
        for kind, text in value.items():
            if kind not in kinds:
                raise VoiceError(f"{path}: the opening of {brand!r} names an unknown kind {kind!r} (kinds: {', '.join(kinds)})")
            if not isinstance(text, str):
                raise VoiceError(f"{path}: the opening of {brand!r} for {kind!r} must be a string, not {json.dumps(text)[:60]}")


def _check_template(path: Path, brand: str, template: str) -> None:
    """VoiceError naming the brand unless the template has only plain {field} placeholders of FIELDS, {mention} and {url} among them.

    str.format would follow {url.__class__} or {url[0]} into the value and run a format spec as
    large as {title:>999999999}: a draft is made of the fields' text and nothing else.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise VoiceError(f"{path}: the template of {brand!r} is broken ({exc}); template: {template!r}") from None
    names = set()
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELDS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            plain = ", ".join(f"{{{f}}}" for f in FIELDS)
            raise VoiceError(f"{path}: the template of {brand!r} has {shown}: only plain placeholders of {plain} "
                             f"(no attribute or index access, conversion or format spec); template: {template!r}")
        names.add(name)
    missing = [f"{{{name}}}" for name in ("mention", "url") if name not in names]
    if missing:
        # without them every draft would lack the customer's handle or the link the opening promises
        raise VoiceError(f"{path}: the template of {brand!r} has no {' and no '.join(missing)}: a draft needs the customer's "
                         f"handle ({{mention}}) and the resource's link ({{url}}); template: {template!r}")


def channel_limit(channel: str | None) -> tuple[str, int]:
    """(channel, characters allowed) for a query's channel; the default channel when none is given."""
    channel = (channel or DEFAULT_CHANNEL).lower()
    return channel, LIMITS.get(channel, LIMITS[DEFAULT_CHANNEL])


#: X's weighted length (twitter-text config v3: scale 100, defaultWeight 200, emoji parsing on, URLs 23):
#: code points in these ranges weigh 1, every other code point 2, an emoji sequence 2 as a whole
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_EMOJI_BASE = "\u2600-\u27bf\U0001f000-\U0001faff"
_EMOJI_SEQ = re.compile(f"[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_BASE}][\U000e0020-\U000e007e]+\U000e007f"  # flags: pairs, tag sequences
                        f"|[{_EMOJI_BASE}](?:[\ufe0f\U0001f3fb-\U0001f3ff])*"
                        f"(?:\u200d[{_EMOJI_BASE}](?:[\ufe0f\U0001f3fb-\U0001f3ff])*)+"
                        f"|[{_EMOJI_BASE}][\ufe0f\U0001f3fb-\U0001f3ff]+")


#: the code points that weigh 2 (every one outside the light ranges), counted by the regex engine, not a Python loop
_X_HEAVY = re.compile("[^" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _X_LIGHT) + "]")


def _x_weight(text: str) -> int:
    return len(text) + len(_X_HEAVY.findall(text))


def _x_length(text: str) -> int:
    """X's weighted length: NFC, each URL 23, code points 1 or 2 by range, an emoji sequence (flags, ZWJ, skin tones) 2."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for m in _URL.finditer(text):
        total += _x_text(text[pos:m.start()]) + _LINK_AS["x"]
        pos = m.end()
    return total + _x_text(text[pos:])


def _x_text(text: str) -> int:
    total, pos = 0, 0
    for m in _EMOJI_SEQ.finditer(text):
        total += _x_weight(text[pos:m.start()]) + 2
        pos = m.end()
    return total + _x_weight(text[pos:])


def _graphemes(text: str) -> int:
    """User-perceived characters (Bluesky counts these); code points when the `regex` module is missing (never fewer)."""
    pattern = _grapheme_pattern()
    return len(pattern.findall(text)) if pattern is not None else len(text)


@lru_cache(maxsize=1)
def _grapheme_pattern():
    try:
        import regex
    except ImportError:
        return None
    return regex.compile(r"\X")


def post_length(text: str, channel: str) -> int:
    """Length as the channel counts it.

    X: weighted (twitter-text v3): CJK, emoji and most non-Latin characters count 2, links 23.
    Mastodon: characters (code points: never fewer than the server counts, whether it counts code
    points or graphemes), links 23. Bluesky: graphemes (its limit is 300 of them), links as written.
    """
    if channel in ("x", "twitter"):
        return _x_length(text)
    link = _LINK_AS.get(channel)
    if link:
        return len(_URL.sub("x" * link, text))
    return _graphemes(text) if channel == "bluesky" else len(text)


def _shorter(value: str, over: int) -> str:
    """`value` cut at its end: a word at a time, or for text without spaces (Chinese, Japanese) about `over` characters."""
    value = value.rstrip("…")
    words = value.split()
    if len(words) > 1:
        return " ".join(words[:-1]) + "…"
    cut = len(value) - max(1, (over + 1) // 2) - 1
    return value[:cut] + "…" if cut > 0 else ""


def _most_words(words: list[str], channel: str, limit: int) -> int:
    """How many of `words` a draft could hold within `limit`: a draft with a prefix of more of them is over it, as `post_length` counts.

    In a draft the words of the value after its first each come after a space, and a word counts at
    least what it counts alone (what follows it can only add): on X (a URL 23, an emoji sequence 2,
    neither spans a space, NFC joins nothing to a space) and Mastodon the space and the word count
    1 + its length alone. Bluesky counts graphemes: a space may join the grapheme before it (after a
    "prepend" character) and the word after it (one starting with a combining mark), but the breaks
    inside a word stay: a word adds at least its graphemes alone - 1. And m words are at least m - 1
    graphemes: a word that joins both spaces around it starts with a combining mark and ends with a
    prepend character, so it has a break inside, and only the run of such words after the value's
    first word goes uncounted (e.g. U+0301 U+0600 words: one grapheme each, spaces included).
    Without `regex` Bluesky counts code points: more.
    """
    total = 0
    for m, word in enumerate(words[1:], start=2):
        if channel == "bluesky":
            total += _graphemes(word) - 1
            if max(total + 1, m - 1) > limit:
                return m - 1
        else:
            total += 1 + post_length(word, channel)
            if total > limit:
                return m - 1
    return len(words)


def _skip_long(value: str, channel: str, limit: int) -> str:
    """What `_shorter`, applied again and again to an over-long draft, makes of `value` once it could fit (see `_most_words`).

    Every step of `_shorter` with more than one word keeps a prefix of the words of
    `value.rstrip("…")` and adds "…": one word fewer, or two when the word it would end on is all
    ellipses (its own rstrip drops that one). Every skipped step has more words than any draft within
    the limit can hold, so the loop would have gone on past it; `value` itself when none is skipped.
    """
    words = value.rstrip("…").split()
    m = len(words) - 1  # the first step
    most = max(_most_words(words, channel, limit), 2)  # at least 2: every skipped step is a word step
    if m <= most:
        return value
    while m > most:
        m -= 2 if not words[m - 1].rstrip("…") else 1
    return " ".join(words[:m]) + "…"


def _fill(template: str, **values: str) -> str:
    return " ".join(template.format(**values).split())


def draft_reply(voice: Voice, channel: str | None, mention: str | None, kind: str, title: str, url: str, answer: str = "") -> str:
    """A reply within the channel's limit; the closing goes first, then the title (or answer) is shortened, never the link or mention.

    An FAQ's answer (its body) takes the place of its title, or fills {answer} when the template has it.
    When the mention and the link alone are over the limit the reply is longer than it: see `post_length`.
    """
    channel, limit = channel_limit(channel)
    mention = f"@{mention.lstrip('@')}" if mention else ""
    if kind == "answer":
        # a past reply: its own mention goes, the current customer's comes in
        answer = strip_leading_mentions(answer).strip()
        template = "{mention} {answer} {signature}" if not url or url in answer else "{mention} {answer} {url} {signature}"
        values = dict(mention=mention, opening="", title="", url="" if url in answer else url, answer=answer,
                      closing="", signature=voice.signature)
        text_field = "answer"
    else:
        template = voice.template
        values = dict(mention=mention, opening=voice.opening.get(kind, voice.opening["article"]), title=title, url=url,
                      answer="", closing=voice.closing, signature=voice.signature)
        text_field = "title"
        if not url:
            # nothing to link to: the resource's own answer text, else its title named without promising a link
            values["opening"] = voice.opening["faq"] if answer.strip() else voice.opening["unlinked"]
            if not answer.strip():
                values["title"] = f"“{title}”" if title else ""
        if (kind == "faq" or not url) and answer.strip():
            # an FAQ's answer is what the customer needs; the question would only repeat theirs
            text_field = "answer" if "{answer}" in template else "title"
            values[text_field] = " ".join(answer.split())
    text = _fill(template, **values)
    if post_length(text, channel) <= limit:
        return text
    values["closing"] = ""
    text = _fill(template, **values)
    if post_length(text, channel) > limit:
        # the loop below drops a word a time and measures each time: start it where it could first fit
        values[text_field] = _skip_long(values[text_field], channel, limit)
        text = _fill(template, **values)
    while (over := post_length(text, channel) - limit) > 0 and values[text_field]:
        values[text_field] = _shorter(values[text_field], over)
        text = _fill(template, **values)
    if post_length(text, channel) > limit:
        if url:
            text = _fill("{mention} {url}", mention=mention, url=url)
        else:
            while (over := post_length(text, channel) - limit) > 0 and text:
                text = text[:len(text) - max(1, (over + 1) // 2)].rstrip()
    return text
