"""Large archives are classified by worker processes: the same signals, in the same order."""

from __future__ import annotations

import pyarrow as pa
import pytest

from helpfirst.measure import signals_scorecard
from helpfirst.signals import classify_posts

TEXTS = [
    "@Acme my order never arrived", "@101 Sorry! Please DM us your order number.", "@Acme thanks, that worked!",
    "@Acme ¿dónde está mi pedido?", "@102 Restart the app: Settings > Apps > Acme > Force stop.",
    "@Acme how do I change my password?", "", "@Acme the app crashes every time I open it 😡",
]


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
    posts = pa.table({"text": ["@Acme help"] * 300, "author_role": ["customer"] * 300})
    monkeypatch.setattr(signals_scorecard, "PARALLEL_MIN_POSTS", 100)
    with pytest.raises(RuntimeError, match=r"signals worker \d failed \(exit status 1\): .*unknown signals model .no-such-model."):
        signals_scorecard.classify_threaded(posts, model="no-such-model", jobs=2)
