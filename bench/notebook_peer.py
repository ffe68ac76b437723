"""Per-post signals of a TWCS file the usual notebook way: pandas, VADER row by row, scikit-learn.

The reference peer of `helpfirst audit` with its signals on (bench/bench_signals_audit.py). It
imports nothing from helpfirst and does what a data scientist would write in a notebook:

1. `pd.read_csv` the file;
2. `df.text.apply(analyzer.polarity_scores)` with vaderSentiment (compound score per row);
3. a TF-IDF (word 1-2-grams) + logistic regression model per task, fitted on the labelled train
   split in data/labels/build (customer intent, brand reply kind), then `predict` on every
   customer post (intent) and every brand post (reply kind);
4. per brand author: posts, mean sentiment, and the share of replies of each kind.

It does less than the audit (no threading, conversations, outcomes, FRT), so the ratio flatters it.

    python bench/notebook_peer.py twcs.csv [--rows N] [--labels data/labels/build]

`--rows N` reads only the first N rows (for a timing sample). Prints one JSON document: rows,
seconds per stage, and the per-brand summary of the first brands.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

ROOT = Path(__file__).resolve().parents[1]


def fit(texts: pd.Series, labels: pd.Series):
    """TF-IDF word 1-2-grams + logistic regression, as in most notebooks."""
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(max_iter=2000, C=3.0)
    model.fit(vec.fit_transform(texts), labels)
    return vec, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--rows", type=int, default=None, help="read only the first N rows")
    parser.add_argument("--labels", type=Path, default=ROOT / "data" / "labels" / "build")
    args = parser.parse_args(argv)
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    intent = pd.read_csv(args.labels / "customer_intent.csv", dtype=str)
    kind = pd.read_csv(args.labels / "brand_reply_kind.csv", dtype=str)
    intent, kind = intent[intent.split == "train"], kind[kind.split == "train"]
    intent_vec, intent_model = fit(intent.text, intent.intent)
    kind_vec, kind_model = fit(kind.text, kind.reply_kind)
    seconds["train"] = time.perf_counter() - start

    start = time.perf_counter()
    df = pd.read_csv(args.path, dtype={"tweet_id": str, "author_id": str, "text": str}, nrows=args.rows,
                     keep_default_na=False)
    seconds["read_csv"] = time.perf_counter() - start

    start = time.perf_counter()
    analyzer = SentimentIntensityAnalyzer()
    df["sentiment"] = df["text"].apply(lambda t: analyzer.polarity_scores(t)["compound"])
    seconds["vader"] = time.perf_counter() - start

    start = time.perf_counter()
    inbound = df["inbound"].astype(str).str.lower() == "true"
    df["intent"] = None
    df["reply_kind"] = None
    df.loc[inbound, "intent"] = intent_model.predict(intent_vec.transform(df.loc[inbound, "text"]))
    df.loc[~inbound, "reply_kind"] = kind_model.predict(kind_vec.transform(df.loc[~inbound, "text"]))
    df["needs_help"] = df["intent"].isin(["question", "problem"])
    seconds["classify"] = time.perf_counter() - start

    start = time.perf_counter()
    brands = df[~inbound].groupby("author_id").agg(posts=("text", "size"), sentiment=("sentiment", "mean"))
    kinds = pd.crosstab(df.loc[~inbound, "author_id"], df.loc[~inbound, "reply_kind"], normalize="index")
    summary = brands.join(kinds).sort_values("posts", ascending=False)
    seconds["aggregate"] = time.perf_counter() - start

    doc = {
        "rows": int(len(df)),
        "customer_posts": int(inbound.sum()),
        "help_requests_posts": int(df["needs_help"].sum()),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "brands": json.loads(summary.head(5).to_json(orient="index")),
    }
    sys.stdout.write(json.dumps(doc) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
