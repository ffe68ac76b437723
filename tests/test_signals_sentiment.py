"""Sentiment over Arrow agrees with vaderSentiment's own scores on real posts."""
from __future__ import annotations

import csv

import numpy as np
import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from helpfirst.signals.sentiment import sentiment


def _real_texts(shared_data, n=3000) -> list[str]:
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        twcs = [r["text"] for r in csv.DictReader(fh)]
    with (shared_data / "complaints" / "train.csv").open(encoding="utf-8", newline="") as fh:
        comp = [r["text"] for r in csv.DictReader(fh)]
    return twcs[: n // 2] + comp[: n // 2]


def test_agrees_with_vadersentiment_on_real_posts(shared_data):
    texts = _real_texts(shared_data)
    ref = np.array([SentimentIntensityAnalyzer().polarity_scores(t)["compound"] for t in texts])
    got = sentiment(pa.array(texts)).to_numpy()
    assert len(got) == len(texts)
    assert np.mean(np.abs(ref - got) < 0.001) >= 0.99
    assert np.corrcoef(ref, got)[0, 1] > 0.99
    label = lambda x: np.sign(np.where(np.abs(x) < 0.05, 0, x))  # noqa: E731
    assert np.mean(label(ref) == label(got)) >= 0.995


def test_rules_on_known_sentences():
    texts = ["I love it", "I do not love it", "I LOVE it", "The food is good but the service is awful",
             "not bad at all", "It is not very good", "great!!!", ""]
    an = SentimentIntensityAnalyzer()
    got = sentiment(pa.array(texts)).to_pylist()
    for t, g in zip(texts, got):
        assert abs(an.polarity_scores(t)["compound"] - g) < 1e-3, t
    assert got[0] > 0 > got[1] and got[2] > got[0] and got[-1] == 0.0


def test_slices_nulls_and_type():
    arr = pa.array(["great", "terrible", None, "awful service", "thanks so much!"])
    full = sentiment(arr)
    assert full.type == pa.float32()
    assert full[2].as_py() == 0.0
    assert sentiment(arr.slice(3, 2)).to_pylist() == full.slice(3, 2).to_pylist()
    assert sentiment(pa.chunked_array([arr.slice(0, 2), arr.slice(2)])).to_pylist() == full.to_pylist()
