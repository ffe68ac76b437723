"""Urgency (0-1): how soon a post needs a human, from its words, its tone and how long it waited.

Each cue x_i is a number in 0..1 and urgency is their noisy-OR: 1 - prod(1 - w_i * x_i), so any one
strong cue makes a post urgent, several weak ones add up, and the result stays in 0..1.

| cue | x_i | w_i |
|---|---|---|
| anger | max(0, -sentiment) (VADER compound) | 0.35 |
| shouting | min(1, ("!" count + 2 * ALL-CAPS words of 3+ letters) / 4); 0 on a positive post | 0.15 |
| outage | OUTAGE pattern matches (service down, not working, no signal, can't log in, ...) | 0.35 |
| safety | SAFETY pattern matches (danger, fire, injured, stranded, hacked, fraud, ...) | 0.5 |
| money | MONEY pattern matches (charged, refund, overcharged, bill, payment, ...), or a currency amount (CURRENCY: "$3", "£ 20") on a post that is not positive | 0.3 |
| repeated ask | REPEAT pattern matches (still, again, "3rd time", no reply, ignored, "??"), or "!!" (BANGS) on a post that is not positive | 0.3 |
| waited | min(1, ln(1 + minutes waited) / ln(1 + 1440)): a day saturates | 0.3 |
| turn | min(1, turn_index / 4): the person's 5th message in a thread saturates | 0.2 |

A post is positive when its sentiment is at least POSITIVE (0.5, the sentiment from which the
outcome rules read a reply as thanks): "Thanks!!" and "THANK YOU!!!" are not urgent, while the words
of a money or repeated-ask problem ("charged twice", "still no reply") count whatever the tone. A
lower bar (VADER's 0.05) would also silence "please help!!!", which VADER reads as positive.

``waited_minutes`` (time since the person's first unanswered message) and ``turn_index`` (0 for the
first message of the person in the thread) are optional context; missing or null values count 0.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

OUTAGE = (r"\b(outage|down|offline|crash(ed|es|ing)?|not (working|loading|connecting)|"
          r"(isn'?t|is not|aren'?t|are not|won'?t|will not|doesn'?t|does not|can'?t|cannot|can not)"
          r" (work|load|connect|log ?in|sign ?in|access|open|start|turn on)|no (service|signal|internet|"
          r"power|connection|wifi|wi-fi|network|water|heat)|stopped working|locked out|broken)\b")
SAFETY = (r"\b(danger(ous)?|unsafe|emergency|fire|smoke|injur(y|ed|ies)|hurt|bleeding|hospital|"
          r"ambulance|police|accident|stranded|threat(en(ed|ing))?|harass(ed|ment)?|stolen|hack(ed)?|"
          r"fraud(ulent)?|scam(med)?|identity theft|unauthori[sz]ed|gas leak|overdose)\b")
MONEY = (r"\b(charged|overcharg(e|ed|ing)|double charged|refund(ed|s)?|billing|bill(ed)?|payment|"
         r"paid|debit(ed)?|fee|fees|money|compensation|chargeback)\b")
CURRENCY = r"[$£€]\s?\d"
REPEAT = (r"(\b(still|again|yet again|once more|keep (getting|having)|every time|for (days|weeks|months)|"
          r"no (one|body) (has )?(responded|replied|answered|helped)|no (response|reply|answer)|"
          r"ignor(ed|ing)|(\d+|second|third|fourth|fifth)(st|nd|rd|th)? time)\b|\?\s*\?)")
BANGS = r"!\s*!"
#: sentiment from which a post is positive: its "!", caps, "!!" and prices are enthusiasm, not urgency
POSITIVE = 0.5
WEIGHTS = {"anger": 0.35, "shouting": 0.15, "outage": 0.35, "safety": 0.5, "money": 0.3,
           "repeat": 0.3, "waited": 0.3, "turn": 0.2}
WAIT_SATURATES_MIN = 1440.0
TURN_SATURATES = 4.0


def cues(texts, sentiment=None, waited_minutes=None, turn_index=None) -> dict[str, np.ndarray]:
    """Each urgency cue (0..1, float64) per text; ``sentiment`` is computed when not given."""
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    if not isinstance(arr, pa.Array):
        arr = pa.array(list(arr), pa.string())
    arr = pc.fill_null(arr, "")
    n = len(arr)
    if sentiment is None:
        from helpfirst.signals.sentiment import sentiment as _sentiment
        sentiment = _sentiment(arr)
    sent = _floats(sentiment, n)
    low = pc.utf8_lower(arr)

    def has(pattern: str) -> np.ndarray:
        return np.asarray(pc.match_substring_regex(low, pattern), np.float64)

    bangs = np.asarray(pc.count_substring(arr, "!"), np.float64)
    caps = np.asarray(pc.count_substring_regex(arr, r"\b\p{Lu}{3,}\b"), np.float64)
    waited = _floats(waited_minutes, n)
    turns = _floats(turn_index, n)
    tense = (sent < POSITIVE).astype(np.float64)  # 0 on positive posts: enthusiasm is not urgency
    return {
        "anger": np.clip(-sent, 0.0, 1.0),
        "shouting": tense * np.minimum(1.0, (bangs + 2.0 * caps) / 4.0),
        "outage": has(OUTAGE), "safety": has(SAFETY),
        "money": np.maximum(has(MONEY), tense * has(CURRENCY)),
        "repeat": np.maximum(has(REPEAT), tense * has(BANGS)),
        "waited": np.minimum(1.0, np.log1p(np.maximum(waited, 0.0)) / np.log1p(WAIT_SATURATES_MIN)),
        "turn": np.clip(turns / TURN_SATURATES, 0.0, 1.0),
    }


def urgency(texts, sentiment=None, waited_minutes=None, turn_index=None) -> pa.Array:
    """Urgency of each post, float32 in 0..1 (noisy-OR of the weighted cues; module docstring)."""
    c = cues(texts, sentiment, waited_minutes, turn_index)
    keep = np.ones(len(next(iter(c.values()))))
    for name, w in WEIGHTS.items():
        keep *= 1.0 - w * c[name]
    return pa.array(np.round(1.0 - keep, 4).astype(np.float32), pa.float32())


def _floats(values, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        values = pc.fill_null(values.cast(pa.float64()), 0.0).to_numpy(zero_copy_only=False)
    out = np.asarray(values, np.float64)
    if out.shape != (n,):
        raise ValueError(f"urgency context has {out.shape[0] if out.ndim else 1} values for {n} posts")
    return np.nan_to_num(out, nan=0.0)
