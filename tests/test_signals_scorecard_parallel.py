"""Large archives are classified by worker processes: the same signals, in the same order."""

from __future__ import annotations

import pyarrow as pa
import pytest

from helpfirst.measure import signals_scorecard
from helpfirst.signals import classify_posts, get_model
from helpfirst.signals.base import PostClassifier, SignalsUnavailable, register_model

TEXTS = [
    "@Acme my order never arrived", "@101 Sorry! Please DM us your order number.", "@Acme thanks, that worked!",
    "@Acme ¿dónde está mi pedido?", "@102 Restart the app: Settings > Apps > Acme > Force stop.",
    "@Acme how do I change my password?", "", "@Acme the app crashes every time I open it 😡",
]


class _ThisProcessModel(PostClassifier):
    """A model registered in this process only (a worker process does not know it)."""

    name = "this-process-test"

    def _scores(self, texts, customer, brand):
        n = len(texts)
        return {"complaint": [0.5] * n, "intent": ["question"] * n, "reply_kind": ["solution"] * n}


class _OwnThreadsModel(_ThisProcessModel):
    """The same, running its own thread pool like the accurate tier's torch."""

    name = "own-threads-test"
    single_process = True


def test_workers_give_the_serial_signals_in_order(monkeypatch):
    n = 3000
    texts = [f"{TEXTS[i % len(TEXTS)]} #{i}" for i in range(n)]
    roles = ["brand" if TEXTS[i % len(TEXTS)].startswith("@10") else "customer" for i in range(n)]
    roles[7] = "bot"
    posts = pa.table({"text": texts, "author_role": roles})
    serial = classify_posts(posts.column("text"), posts.column("author_role"))
    monkeypatch.setattr(signals_scorecard, "PARALLEL_MIN_POSTS", 100)  # the threshold only: real workers run
    parallel = signals_scorecard.classify_threaded(posts, jobs=2)
    assert parallel.num_rows == n
    assert parallel.equals(serial)


def test_a_failing_worker_is_an_error_not_a_hang(monkeypatch):
    # a model registered in this process only: the workers (fresh interpreters) cannot build it
    register_model(_ThisProcessModel.name, _ThisProcessModel)
    posts = pa.table({"text": ["@Acme help"] * 300, "author_role": ["customer"] * 300})
    monkeypatch.setattr(signals_scorecard, "PARALLEL_MIN_POSTS", 100)
    with pytest.raises(RuntimeError, match=r"signals worker \d failed \(exit status 1\): .*unknown signals model .this-process-test."):
        signals_scorecard.classify_threaded(posts, model=_ThisProcessModel.name, jobs=2)


def test_an_unknown_model_fails_before_any_worker_starts(monkeypatch):
    posts = pa.table({"text": ["@Acme help"] * 300, "author_role": ["customer"] * 300})
    monkeypatch.setattr(signals_scorecard, "PARALLEL_MIN_POSTS", 100)
    with pytest.raises(SignalsUnavailable, match="no-such-model"):
        signals_scorecard.classify_threaded(posts, model="no-such-model", jobs=2)


def test_a_single_process_model_is_never_sent_to_workers(monkeypatch):
    # a worker is a fresh interpreter that does not know this model: were it started, it would fail
    register_model(_OwnThreadsModel.name, _OwnThreadsModel)
    posts = pa.table({"text": ["@Acme help"] * 300, "author_role": ["customer"] * 299 + ["brand"]})
    monkeypatch.setattr(signals_scorecard, "PARALLEL_MIN_POSTS", 100)
    got = signals_scorecard.classify_threaded(posts, model=_OwnThreadsModel.name, jobs=2)
    assert got.num_rows == 300
    assert get_model(_OwnThreadsModel.name).single_process
    assert got.column("intent").to_pylist() == ["question"] * 299 + [None]
    assert got.column("reply_kind").to_pylist() == [None] * 299 + ["solution"]
