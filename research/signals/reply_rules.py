"""Rule baseline for brand reply_kind (solution > redirect > clarify > acknowledge > other).

Written from GUIDE.md and the TRAIN split only (never tuned on test).
`cues(text)` returns the named cue groups that fire; `rule_kind(text)` applies the precedence.
"""
from __future__ import annotations

import re

from common import norm

P = lambda *alts: re.compile("|".join(alts), re.I)  # noqa: E731

CUES = {
    # sends the person to another channel / place / form
    "redirect": P(
        r"\bd\.?m\b", r"\bdms?\b", r"direct message", r"private (message|request)", r"\bpm\b",
        r"send (us|me) (a|an) (note|message|email|e-mail)", r"send (a|an) (note|dm|message) our way",
        r"\b(call|ring|phone) (us|our|the)\b", r"give (us|them|our \w+ team) a (call|ring)",
        r"\bcontact (us|our|the|your|them)\b", r"\breach out to (us|our|the|your)\b", r"\bemail us\b",
        r"(create|submit|open|raise|log) a (support |new )?(ticket|request|case)",
        r"(visit|go to|pop into|pop in to|take it (back )?to) (a|your|the|our)( \w+)? (store|branch|shop|centre|center|location|desk)",
        r"speak (to|with) (a|the|our|your)", r"check your (dms?|messages|inbox|direct)",
        r"(responded|replied) (to you )?(via|in|to your) (dm|direct)", r"mensajes directos",
        r"\bhelp (site|center|centre)\b", r"(number|phone) on the back", r"our \w+ team on\b",
        r"you('d| would)? need to (contact|speak|call|get in touch)", r"get in touch with",
        r"\bfollow (and|&|/) ?dm\b", r"let'?s take this to", r"over (dm|direct message)",
        r"\bfill (out|in) (the|this|our) form", r"community (forum|ideas)|\bideas\b",
    ),
    # an answer or concrete steps, or a specific help page (strong: beats a redirect cue)
    "solution": P(
        r"\b(try|trying)\b(?! to help)", r"have you (tried|checked)", r"\bsteps?\b", r"\bguide\b",
        r"\barticle\b", r"status page", r"\bgo to\b(?! (a|your|the|our)( \w+)? (store|branch|shop))",
        r"\bsettings?\b", r"\brestart", r"\breboot", r"\bclear(ing)? (your )?(cache|cookies|data)",
        r"\b(re)?install", r"\bupdate (the|your) (app|software|device)", r"\blog(ging)? (out|back in)",
        r"\bsign(ing)? (out|back in)", r"\bturn(ing)? (it )?(off|on)\b", r"\btap\b", r"\bclick\b(?! on the link provided to send)",
        r"(info|information|details) (is |are )?(posted|available)",
        r"you (can|could|may|will|'ll) (find|use|select|change|cancel|see|check|download|request|manage|open|add|get|pick)",
        r"\byou('ll| will) need to (?!contact|speak|call|get in touch)", r"\bshould (be able|now|work)",
        r"\bit('s| is| was) (not )?(possible|available|currently|due)", r"\bisn'?t (possible|available)",
        r"\bmake sure\b", r"\bthe (fix|workaround)\b", r"\bworkaround\b", r"\bplease (update|try|check that)\b",
    ),
    # weak solution cues: only count when no redirect cue fires
    "solution_weak": P(
        r"\bhere:?\s*URL", r"more info", r"\b(currently|available|unavailable|suspended|launched|released)\b",
        r"\byou should (hear|receive|get|see)\b", r"\bwill be (refunded|credited|delivered|back|available)",
        r"^\W*(@USER\s*)*(yes|no|yep|nope)\b", r"\bnot (supported|available|possible)\b",
    ),
    # pleasantries, thanks for praise, banter
    "other": P(
        r"\bglad\b", r"\b(you'?re|you are) (most )?welcome", r"\bpleasure\b", r"\benjoy", r"\bhave a (great|good|wonderful|nice|lovely)",
        r"\bthanks? (you )?for (flying|choosing|sharing|the (love|shout|kind)|being|joining|your kind)", r"\blove\b",
        r"\bhappy (to hear|travels|holidays|halloween)", r"\bawesome\b", r"\bkeep us posted\b", r"\bcheers\b",
    ),
    # asks for details in the thread
    "clarify": P(
        r"\b(which|what|where|when|how long|how many)\b[^.!?]*\?", r"\b(can|could|would) you (please )?"
        r"(tell|confirm|provide|send|share|give|let us know|clarify|describe|explain)\b",
        r"\b(do|did|does|is|are|was|were|has|have) (you|it|this|that|the)\b[^.!?]*\?",
        r"\b(tell|let) (us|me) (know )?(more|which|what|where|when|if)\b", r"more (detail|info)",
        r"\bmind (sharing|telling|letting)", r"\bwhat happened\b",
    ),
    # apology, empathy, passed on, aware/working on it
    "acknowledge": P(
        r"\bsorry\b", r"\bapolog", r"\bwe hear you\b", r"\bpass(ed|ing)? (this|it|that|your \w+|along|on)",
        r"\bshar(e|ed|ing) (this|it|that|your \w+) with", r"\bforward(ed)?\b", r"\baware\b",
        r"\b(looking|look) into\b", r"\bworking on\b", r"\bfollow up\b", r"\bunderstand (your|the|how)\b",
        r"\bfrustrat", r"\bnot (the|what) (experience|we)", r"\binconvenience\b", r"\bthat'?s not (good|right|ok)",
        r"\bappreciate (you|your) (letting|feedback|patience)", r"\bthe team (will|should)\b",
    ),
}


def cues(text: str) -> dict[str, bool]:
    t = norm(text)
    return {k: bool(rx.search(t)) for k, rx in CUES.items()}


def rule_kind(text: str) -> str:
    t = norm(text)
    c = cues(text)
    has_url = "URL" in t
    if c["solution"]:
        return "solution"
    if c["redirect"]:
        return "redirect"
    if has_url:
        return "solution"  # a link with no redirect cue: a specific page
    if c["clarify"] or ("?" in t and not (c["other"] or c["acknowledge"])):
        return "clarify"
    if c["solution_weak"]:
        return "solution"
    if c["acknowledge"]:
        return "acknowledge"
    if c["other"]:
        return "other"
    return "solution" if len(t.split()) >= 12 else "other"  # unmatched long replies are mostly answers


def cue_matrix(texts):
    """Binary features (one column per cue group, the rule's label one-hot, has URL, has '?')."""
    import numpy as np
    kinds = ["solution", "redirect", "clarify", "acknowledge", "other"]
    rows = []
    for x in texts:
        c = cues(x)
        r = rule_kind(x)
        t = norm(x)
        rows.append([float(c[k]) for k in CUES] + [float(r == k) for k in kinds]
                    + [float("URL" in t), float("?" in t)])
    return np.asarray(rows, dtype=np.float32)
