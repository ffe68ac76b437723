"""A vectorised approximation of VADER's compound score (lexicon part), for batch throughput.

Per text only C-level string work runs (lower, translate, two re.sub), then one CountVectorizer
over a fixed vocabulary and one sparse mat-vec:
  - the VADER lexicon (7.5k entries, emoticons included) and its emoji lexicon (each emoji's
    valence = sum of the lexicon valences of the words of its description);
  - negation: a word within 3 tokens after a VADER negator (not, never, no, *n't, ...) is scored
    as valence * -0.74 (vocabulary entry "neg_w");
  - boosters: a word right after a VADER booster/dampener gets valence +/- 0.293 ("b_w");
  - punctuation emphasis exactly as VADER (!, ?), then compound = s / sqrt(s^2 + 15).
Not reproduced: ALL-CAPS emphasis, "but" weighting, idioms, "least", distance damping.
compare(): agreement with vaderSentiment on real texts.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer


class VaderVec:
    def __init__(self):
        import vaderSentiment.vaderSentiment as V
        d = Path(V.__file__).parent
        lex = {}
        for line in (d / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
            parts = line.strip().split("\t")
            if len(parts) >= 2:
                lex[parts[0].lower()] = float(parts[1])
        emo = {}
        for line in (d / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                val = sum(lex.get(w, 0.0) for w in parts[1].lower().split())
                if val:
                    emo[parts[0]] = val
        self.emoji_map = {ord(ch): f" emo{ord(ch):x} " for ch in emo}
        boosters = {k: v for k, v in V.BOOSTER_DICT.items() if " " not in k}
        negs = [n for n in V.NEGATE if "'" not in n] + ["no"]
        self.rx_boost = re.compile(r"(?<!\S)(" + "|".join(map(re.escape, sorted(boosters, key=len, reverse=True)))
                                   + r")\s+(?=[^\s])")
        self.rx_neg = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, negs)) + r"|\w+n[’']t)(?!\S)\s*"
                                 r"((?:\S+\s*){1,3})")
        self.rx_strip = re.compile(r"(?<!\S)[^\w\s]+(?=\w)|(?<=\w)[^\w\s]+(?!\S)")
        vocab, vals = {}, []

        def add(term, v):
            if term not in vocab:
                vocab[term] = len(vals)
                vals.append(v)
        for w, v in lex.items():
            if " " in w:
                continue
            add(w, v)
            add("neg_" + w, v * V.N_SCALAR)
            add("b_" + w, v + math.copysign(V.B_INCR, v))
            add("neg_b_" + w, (v + math.copysign(V.B_INCR, v)) * V.N_SCALAR)
        for ch, v in emo.items():
            add(f"emo{ord(ch):x}", v)
            add(f"neg_emo{ord(ch):x}", v)
        self.vals = np.asarray(vals, dtype=np.float64)
        self.cv = CountVectorizer(vocabulary=vocab, token_pattern=r"\S+", lowercase=False,
                                  preprocessor=self._pre, dtype=np.float64)

    def _pre(self, text: str) -> str:
        t = text.lower().translate(self.emoji_map)
        t = self.rx_strip.sub(" ", t)
        t = self.rx_boost.sub(r"\1 b_", t)
        if "n't" in t or "n’t" in t or "not" in t or "no" in t or "never" in t or "without" in t:
            t = self.rx_neg.sub(lambda m: " " + " ".join("neg_" + w for w in m.group(1).split()) + " ", t)
        return t

    def compound(self, texts) -> np.ndarray:
        X = self.cv.transform(texts)
        s = X @ self.vals
        ep = np.fromiter((min(t.count("!"), 4) for t in texts), dtype=np.float64, count=len(texts)) * 0.292
        q = np.fromiter((t.count("?") for t in texts), dtype=np.float64, count=len(texts))
        qm = np.where(q > 3, 0.96, np.where(q > 1, q * 0.18, 0.0))
        s = s + np.sign(s) * (ep + qm)
        return np.clip(s / np.sqrt(s * s + 15), -1, 1)


def compare():
    """Agreement with vaderSentiment on the real texts we have (complaints + labels)."""
    import time
    from common import load_complaints, load_intent, load_reply_kind, log_result, vader
    texts = (load_complaints().text.tolist() + load_intent().text.tolist() + load_reply_kind().text.tolist())
    an = vader()
    t0 = time.perf_counter()
    ref = np.array([an.polarity_scores(t)["compound"] for t in texts])
    t_ref = time.perf_counter() - t0
    vv = VaderVec()
    t0 = time.perf_counter()
    got = vv.compound(texts)
    t_vec = time.perf_counter() - t0

    def cls(x):
        return np.where(x >= 0.05, 1, np.where(x <= -0.05, -1, 0))
    log_result({"task": "sentiment_agreement", "what": "vader_vec vs vaderSentiment", "n": len(texts),
                "pearson_r": round(float(np.corrcoef(ref, got)[0, 1]), 4),
                "mae": round(float(np.mean(np.abs(ref - got))), 4),
                "label3_agreement": round(float(np.mean(cls(ref) == cls(got))), 4),
                "exact_within_0.01": round(float(np.mean(np.abs(ref - got) < 0.01)), 4),
                "ref_posts_per_s": int(len(texts) / t_ref), "vec_posts_per_s": int(len(texts) / t_vec)})
    if __name__ == "__main__":
        idx = np.argsort(-np.abs(ref - got))[:12]
        for i in idx:
            print(f"{ref[i]:+.3f} {got[i]:+.3f} {texts[i][:150]!r}")


if __name__ == "__main__":
    compare()
