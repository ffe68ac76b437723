"""Long answers draft fast, and exactly as the word-a-time loop drafted them before (a frozen copy of it is the reference)."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from helpfirst.knowledge.text import strip_leading_mentions
from helpfirst.suggest.draft import (_EMOJI_SEQ, _LINK_AS, _URL, _X_LIGHT, Voice, _fill, _most_words, channel_limit,
                                     draft_reply, post_length)

# ---- the reference: draft.py's algorithm before the speed-up (commit 71814dd), the channel constants shared


def _ref_x_weight(text: str) -> int:
    total = 0
    for ch in text:
        c = ord(ch)
        total += 1 if any(lo <= c <= hi for lo, hi in _X_LIGHT) else 2
    return total


def _ref_x_text(text: str) -> int:
    total, pos = 0, 0
    for m in _EMOJI_SEQ.finditer(text):
        total += _ref_x_weight(text[pos:m.start()]) + 2
        pos = m.end()
    return total + _ref_x_weight(text[pos:])


def _ref_x_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for m in _URL.finditer(text):
        total += _ref_x_text(text[pos:m.start()]) + _LINK_AS["x"]
        pos = m.end()
    return total + _ref_x_text(text[pos:])


def _ref_graphemes(text: str) -> int:
    import regex

    return len(regex.findall(r"\X", text))


def ref_post_length(text: str, channel: str) -> int:
    if channel in ("x", "twitter"):
        return _ref_x_length(text)
    link = _LINK_AS.get(channel)
    if link:
        return len(_URL.sub("x" * link, text))
    return _ref_graphemes(text) if channel == "bluesky" else len(text)


def _ref_shorter(value: str, over: int) -> str:
    value = value.rstrip("…")
    words = value.split()
    if len(words) > 1:
        return " ".join(words[:-1]) + "…"
    cut = len(value) - max(1, (over + 1) // 2) - 1
    return value[:cut] + "…" if cut > 0 else ""


def ref_draft(voice: Voice, channel, mention, kind, title, url, answer=""):
    channel, limit = channel_limit(channel)
    mention = f"@{mention.lstrip('@')}" if mention else ""
    if kind == "answer":
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
            values["opening"] = voice.opening["faq"] if answer.strip() else voice.opening["unlinked"]
            if not answer.strip():
                values["title"] = f"“{title}”" if title else ""
        if (kind == "faq" or not url) and answer.strip():
            text_field = "answer" if "{answer}" in template else "title"
            values[text_field] = " ".join(answer.split())
    text = _fill(template, **values)
    if ref_post_length(text, channel) <= limit:
        return text
    values["closing"] = ""
    text = _fill(template, **values)
    while (over := ref_post_length(text, channel) - limit) > 0 and values[text_field]:
        values[text_field] = _ref_shorter(values[text_field], over)
        text = _fill(template, **values)
    if ref_post_length(text, channel) > limit:
        if url:
            text = _fill("{mention} {url}", mention=mention, url=url)
        else:
            while (over := ref_post_length(text, channel) - limit) > 0 and text:
                text = text[:len(text) - max(1, (over + 1) // 2)].rstrip()
    return text


# ---- random text: the pieces words are made of, the ones that count unusually first

PIECES = [
    "a", "Router", "wifi", "2FA", "e\u0301", "\u0301", "caf\u00e9", "naïve", "’", "—", "…", "...", "?", "!", "(ok)",
    "日本語", "ルーター", "接続", "한국어", "\u1100\u1161\u11a8", "\u1100", "\u11a8",  # CJK, Hangul syllable and jamo
    "👍", "👍🏽", "👨\u200d👩\u200d👧", "🇯🇵", "🇯", "❤\ufe0f", "☀", "\u200d", "\ufe0f", "🏳\ufe0f\u200d🌈",  # emoji and their parts
    "\u0600", "\u0d4e", "\u0903", "क्ष", "नमस्ते", "مرحبا", "привет", "Ελλάδα", "\u00a0x",  # prepend, spacing marks, conjuncts
    "https://help.acme.com/a/b?x=1", "http://t.co/abc", "https://例え.jp/パス", "@bob", "#tag",
    # both sides of every edge of X's light ranges
    *(chr(c) for lo, hi in _X_LIGHT for c in (lo - 1, lo, hi, hi + 1) if c >= 0 and not chr(c).isspace()),
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\t", "\u3000"]

@st.composite
def texts(draw, max_words=160):
    # mostly long enough to be cut (the skip must start where the loop would), some short
    least = draw(st.sampled_from([0, max_words // 3, max_words // 2, max_words // 2]))
    words = draw(st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join), min_size=least, max_size=max_words))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps)).rstrip() if draw(st.booleans()) else "".join(w + s for w, s in zip(words, seps))


TEMPLATES = [None, "{mention} {opening}{title}{url}{closing}", "{mention}{title} {url} {answer} {signature}",
             "{mention} {title}… {url}", "{opening} {mention} {url} {title} {signature}"]
CHANNELS = ["x", "twitter", "mastodon", "bluesky", "threads", None]


@settings(max_examples=250, deadline=None, database=None)
@given(channel=st.sampled_from(CHANNELS), kind=st.sampled_from(["faq", "article", "video", "answer"]),
       with_url=st.booleans(), title=texts(100), answer=texts(), template=st.sampled_from(TEMPLATES),
       signature=st.sampled_from(["", "^AB", "— 日本チーム", "👍"]), mention=st.sampled_from(["bob", None, "@日本"]))
def test_drafts_are_the_same_as_the_word_a_time_loop_made(channel, kind, with_url, title, answer, template, signature, mention):
    voice = Voice.from_dict({"template": template, "signature": signature})
    url = "https://help.acme.com/reset-router" if with_url else ""
    if kind == "answer":
        answer = "@old " + answer
    assert draft_reply(voice, channel, mention, kind, title, url, answer) == ref_draft(voice, channel, mention, kind, title, url, answer)


@settings(max_examples=300, deadline=None, database=None)
@given(text=texts(60))
def test_post_length_is_the_same_as_before(text):
    for channel in ("x", "mastodon", "bluesky", "other"):
        assert post_length(text, channel) == ref_post_length(text, channel), channel


@settings(max_examples=300, deadline=None, database=None)
@given(text=st.text(max_size=200))
def test_post_length_of_any_text_is_the_same_as_before(text):
    for channel in ("x", "mastodon", "bluesky", "other"):
        assert post_length(text, channel) == ref_post_length(text, channel), channel


@settings(max_examples=300, deadline=None, database=None)
@given(words=st.lists(st.lists(st.sampled_from(PIECES), min_size=1, max_size=4).map("".join), min_size=2, max_size=60),
       head=st.sampled_from(["", "@bob ", "@bob Here's the answer:", "\u0600", "👨\u200d"]),
       tail=st.sampled_from(["", " https://help.acme.com/x", "\u0301 thanks", "🇯"]),
       channel=st.sampled_from(["x", "mastodon", "bluesky", "other"]), limit=st.integers(2, 120))
def test_more_words_than_most_words_are_always_over_the_limit(words, head, tail, channel, limit):
    """The skip's premise, checked directly: a draft holding a prefix of more than `_most_words` words is over the limit."""
    most = _most_words(words, channel, limit)
    for m in range(most + 1, len(words) + 1):
        assert post_length(head + " ".join(words[:m]) + "…" + tail, channel) > limit, (m, most)


def test_a_5000_word_answer_drafts_as_its_first_300_words_do():
    """Far more words than fit: the draft is what the word-a-time loop makes of the first 300 (which it reaches)."""
    words = ("Open Settings > Wi-Fi and reset the router then wait a minute and try again " * 400).split()[:5000]
    voice = Voice.from_dict({})
    for channel, limit in (("x", 280), ("mastodon", 500), ("bluesky", 300)):
        got = draft_reply(voice, channel, "bob", "faq", "How to reset", "", " ".join(words))
        assert got == ref_draft(voice, channel, "bob", "faq", "How to reset", "", " ".join(words[:300]))
        assert got.startswith("@bob Here's the answer: Open Settings > Wi-Fi and reset the router") and got.endswith("…"), got
        assert limit - 12 <= post_length(got, channel) <= limit, (channel, post_length(got, channel))
    # a past reply of 5,000 words (its own mention goes) and a resource with a link and a 5,000-word title: the same
    got = draft_reply(voice, "x", "bob", "answer", "", "", "@old " + " ".join(words))
    assert got == ref_draft(voice, "x", "bob", "answer", "", "", "@old " + " ".join(words[:300]))
    got = draft_reply(voice, "bluesky", "bob", "article", " ".join(words), "https://help.acme.com/reset")
    assert got == ref_draft(voice, "bluesky", "bob", "article", " ".join(words[:300]), "https://help.acme.com/reset")
    assert "https://help.acme.com/reset" in got


def test_a_5000_word_answer_of_chinese_and_emoji_drafts():
    words = (["路由器", "重启", "👨\u200d👩\u200d👧", "https://help.acme.cn/a", "请", "稍等"] * 900)[:5000]
    voice = Voice.from_dict({})
    for channel in ("x", "mastodon", "bluesky"):
        got = draft_reply(voice, channel, "bob", "faq", "", "", " ".join(words))
        assert got == ref_draft(voice, channel, "bob", "faq", "", "", " ".join(words[:400]))
        assert post_length(got, channel) <= channel_limit(channel)[1] and got.endswith("…")


def test_ellipsis_words_are_skipped_as_the_loop_skips_them():
    """A word that is only ellipses goes with the word before it (the loop's rstrip("…")): the skip keeps that."""
    voice = Voice.from_dict({})
    for n in range(50, 56):
        words = " ".join((["wait…", "…", "and", "… …", "retry…", "ok"] * 60)[:n * 5])
        for channel in ("x", "bluesky", "mastodon"):
            got = draft_reply(voice, channel, "bob", "faq", "", "", words)
            assert got == ref_draft(voice, channel, "bob", "faq", "", "", words) and got.endswith("…"), (n, channel)


def test_words_that_join_the_spaces_around_them_are_skipped_no_further_than_the_loop_goes():
    """Bluesky: after a "prepend" character a space joins the grapheme before it, and a combining mark the one
    before that: words of U+0301 U+0600 are one grapheme each, spaces included (m words: m + 1 graphemes),
    so 300 of them fit; cutting at half the limit in words would have dropped half the draft."""
    voice = Voice.from_dict({"template": "{mention} {title}{url}"})
    for word in ("\u0301\u0600", "\u0600", "\u0301", "\u0600\u0301"):
        words = " ".join([word] * 500)
        for channel in ("bluesky", "x", "mastodon"):
            got = draft_reply(voice, channel, "bob", "faq", "", "", "\u0600" + words)
            assert got == ref_draft(voice, channel, "bob", "faq", "", "", "\u0600" + words), (word, channel)
            assert post_length(got, channel) <= channel_limit(channel)[1]
        most = _most_words(("\u0600" + words).split(), "bluesky", 300)
        for m in range(most + 1, most + 30):
            assert post_length("@bob \u0600" + " ".join([word] * m) + "…", "bluesky") > 300
    # the first of them: about 300 words fit, not 151
    assert post_length("\u0600 " + " ".join(["\u0301\u0600"] * 10), "bluesky") == 11
    got = draft_reply(voice, "bluesky", "bob", "faq", "", "", "\u0600" + " ".join(["\u0301\u0600"] * 500))
    assert got.count("\u0301\u0600") > 250, got.count("\u0301\u0600")
