"""Throughput on this machine (2 cores): posts/second for each signal candidate.

Usage: python bench_throughput.py WHAT [--n N] [--jobs J]
  WHAT: vectorizers | vader | lingua | minilm
Texts: the `text` of /tmp/s.jsonl (helpfirst synth --posts 100000 --format jsonl --out /tmp/s.jsonl).
Models are fitted on the complaints data (fitting is not timed; speed depends on the vectorizer,
not on which labels it was fitted to). Multi-process runs use fork + a Pool of J workers over
chunks of 5,000 texts, the way a batched signals stage would; the wall time includes the pool.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from multiprocessing import get_context

import numpy as np

from common import load_complaints, log_result

ap = argparse.ArgumentParser()
ap.add_argument("what")
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--src", default="/tmp/s.jsonl")
ap.add_argument("--repeat", type=int, default=3, help="report the best of N runs (the machine is shared)")
ARGS = ap.parse_args()


def texts(n=None):
    out = []
    with open(ARGS.src, encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
    n = n or ARGS.n
    while len(out) < n:
        out += out
    return out[:n]


_FN = None


def _work(chunk):
    return _FN(chunk)


def timed(label, fn, data, jobs=1, chunk=5000, extra=None):
    """Run fn over data (in `jobs` forked processes when jobs > 1) and log posts/s."""
    global _FN
    _FN = fn
    fn(data[:200])  # warm up (lazy init)
    runs = []
    for _ in range(ARGS.repeat):
        t0 = time.perf_counter()
        if jobs == 1:
            fn(data)
        else:
            parts = [data[i:i + chunk] for i in range(0, len(data), chunk)]
            with get_context("fork").Pool(jobs) as pool:
                pool.map(_work, parts, chunksize=1)
        runs.append(time.perf_counter() - t0)
    dt = min(runs)
    rec = {"task": "throughput", "what": label, "src": os.path.basename(ARGS.src), "jobs": jobs, "n": len(data),
           "seconds": round(dt, 2), "posts_per_s": int(len(data) / dt),
           "median_posts_per_s": int(len(data) / sorted(runs)[len(runs) // 2]),
           "load_avg_1m": os.getloadavg()[0], **(extra or {})}
    log_result(rec)
    return dt


# ---------------------------------------------------------------- vectorizers
def bench_vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.feature_extraction.text import TfidfTransformer

    from common import norm, tfidf_union

    comp = load_complaints()
    X = comp.text.tolist()
    y = comp.complaint.values
    data = texts()
    low = lambda s: norm(s).lower()  # noqa: E731
    tok = r"(?u)\b\w+\b|[!?]"
    cands = {
        "tfidf word1-2 + char_wb2-5 (exp a)": tfidf_union(),
        "tfidf word1-2 only": tfidf_union(char=None),
        "tfidf char_wb2-5 only": make_union(TfidfVectorizer(preprocessor=low, analyzer="char_wb",
                                                            ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
        "tfidf word1-2 + char3-5 (char, not wb)": make_union(
            TfidfVectorizer(preprocessor=low, ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=tok),
            TfidfVectorizer(preprocessor=low, analyzer="char", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
        "hashing 2^20 word1-2 + char_wb2-5 + idf": make_pipeline(make_union(
            HashingVectorizer(preprocessor=low, ngram_range=(1, 2), n_features=2**20, alternate_sign=False,
                              norm=None, token_pattern=tok),
            HashingVectorizer(preprocessor=low, analyzer="char_wb", ngram_range=(2, 5), n_features=2**20,
                              alternate_sign=False, norm=None)), TfidfTransformer(sublinear_tf=True)),
        "hashing 2^20 word1-2 + idf": make_pipeline(
            HashingVectorizer(preprocessor=low, ngram_range=(1, 2), n_features=2**20, alternate_sign=False,
                              norm=None, token_pattern=tok), TfidfTransformer(sublinear_tf=True)),
    }
    from fasthash import HashFeatures
    hf = HashFeatures(bits=20)
    Xh = hf.transform(X, canonical=True)
    hclf = LogisticRegression(C=10, solver="liblinear").fit(Xh, y)
    W = np.zeros((Xh.shape[1], 12), dtype=np.float32)
    W[:, 0] = hclf.coef_[0]
    import pyarrow as pa

    def hash_fn(ts):
        return [hf.transform(pa.array(ts[i:i + 10000])) @ W for i in range(0, len(ts), 10000)]
    for jobs in (1, ARGS.jobs):
        timed("fasthash word1-2 + byte2-5 (2x2^20) + X@W (12 head columns)", hash_fn, data, jobs=jobs)
    only = os.environ.get("ONLY")
    for label, vec in cands.items():
        if only and only not in label:
            continue
        vec.fit(X)
        clf = LogisticRegression(C=3, solver="liblinear").fit(vec.transform(X), y)
        # 4 heads at once (complaint, intent x5 ... ) cost the same sparse product; one is timed here
        fn = lambda ts, vec=vec, clf=clf: clf.predict_proba(vec.transform(ts))  # noqa: E731
        sub = data[:20000] if "char" in label and ARGS.n > 20000 else data
        for jobs in (1, ARGS.jobs):
            timed(label, fn, sub, jobs=jobs)
    t0 = time.perf_counter()
    for t in data[:50000]:
        norm(t)
    log_result({"task": "throughput", "what": "norm() preprocessing alone", "jobs": 1, "n": 50000,
                "posts_per_s": int(50000 / (time.perf_counter() - t0))})


# ---------------------------------------------------------------- sentiment
def bench_vader():
    from common import vader
    from vader_vec import VaderVec
    data = texts()
    an = vader()
    timed("vader compound (vaderSentiment, per text)", lambda ts: [an.polarity_scores(t)["compound"] for t in ts],
          data[:20000], jobs=1)
    timed("vader compound (vaderSentiment, per text)", lambda ts: [an.polarity_scores(t)["compound"] for t in ts],
          data[:40000], jobs=ARGS.jobs)
    vv = VaderVec()
    for jobs in (1, ARGS.jobs):
        timed("vader lexicon approx., CountVectorizer (vader_vec.py)", vv.compound, data, jobs=jobs)
    from vader_arrow import VaderArrow
    va = VaderArrow()
    chunks = lambda ts: [va.compound(ts[i:i + 10000]) for i in range(0, len(ts), 10000)]  # noqa: E731
    for jobs in (1, ARGS.jobs):
        timed("VADER rules over Arrow arrays (vader_arrow.py)", chunks, data, jobs=jobs)


# ---------------------------------------------------------------- language
RESULTS = {}


def bench_lingua():
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    data = texts()
    restricted = [getattr(IsoCode639_1, c) for c in
                  ("EN", "ES", "FR", "DE", "PT", "IT", "NL", "JA", "AR", "TR", "ID", "HI")]
    builds = {
        "lingua all langs, low accuracy": LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode(),
        "lingua all langs, full": LanguageDetectorBuilder.from_all_languages(),
        "lingua 12 langs, low accuracy": LanguageDetectorBuilder.from_iso_codes_639_1(*restricted).with_low_accuracy_mode(),
        "lingua 12 langs, full": LanguageDetectorBuilder.from_iso_codes_639_1(*restricted),
    }
    from common import load_complaints as _lc, load_intent, load_reply_kind, norm
    real = [norm(t).replace("URL", "").replace("@USER", "").strip() for t in
            _lc().text.tolist() + load_intent().text.tolist() + load_reply_kind().text.tolist()]
    for label, b in builds.items():
        t0 = time.perf_counter()
        det = b.with_preloaded_language_models().build()
        load = round(time.perf_counter() - t0, 1)
        langs = [str(x) for x in det.detect_languages_in_parallel_of(real)]
        from collections import Counter
        log_result({"task": "language", "what": label, "n": len(real),
                    "top": [(str(k), v) for k, v in Counter(langs).most_common(4)]})
        RESULTS[label] = langs
        n = 20000 if "full" in label else 100000
        timed(label + " (detect_languages_in_parallel_of)", det.detect_languages_in_parallel_of,
              data[:n], jobs=1, extra={"model_load_s": load})
        timed(label + " (per text)", lambda ts, det=det: [det.detect_language_of(t) for t in ts],
              data[:n // 4], jobs=1)
        del det
    full = RESULTS["lingua all langs, full"]
    for label, langs in RESULTS.items():
        log_result({"task": "language", "what": f"{label}: agreement with all langs/full on real posts",
                    "n": len(full), "agreement": round(sum(a == b for a, b in zip(langs, full)) / len(full), 4)})


# ---------------------------------------------------------------- MiniLM
def bench_minilm():
    import torch
    torch.set_num_threads(2)
    from common import minilm, norm
    m = minilm()
    data = [norm(t) for t in texts(4096)]
    for bs in (64, 256):
        timed(f"MiniLM encode batch {bs} (torch {torch.__version__}, 2 threads)",
              lambda ts, bs=bs: m.encode(ts, batch_size=bs, show_progress_bar=False), data, jobs=1)


if __name__ == "__main__":
    {"vectorizers": bench_vectorizers, "vader": bench_vader, "lingua": bench_lingua,
     "minilm": bench_minilm}[ARGS.what]()
