"""The signals API: registry, role masking and the model-column contract."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import helpfirst.signals as S
from helpfirst.signals.base import assemble_columns


class _Keyword(S.PostClassifier):
    """A tiny real classifier: 'broken' -> problem, '?' -> question; replies with 'DM' -> redirect."""

    name = "keyword"

    def _scores(self, texts, customer, brand):
        t = np.asarray(texts.to_pylist(), dtype=object)
        broken = np.array(["broken" in x for x in t])
        ask = np.array(["?" in x for x in t])
        intent = np.where(broken, "problem", np.where(ask, "question", "other"))
        return {"complaint": broken.astype(np.float32), "intent": intent,
                "reply_kind": np.where(np.array(["DM" in x for x in t]), "redirect", "other")}


def test_class_lists_and_heads():
    assert S.INTENTS == ("question", "problem", "feedback", "praise", "other")
    assert S.REPLY_KINDS == ("solution", "redirect", "clarify", "acknowledge", "other")
    assert set(S.HEADS) == {"complaint", "intent", "needs_help", "reply_kind"}
    assert S.SIGNALS_SCHEMA.names == list(S.SIGNALS)


def test_registry_builds_once_and_masks_roles():
    calls = []

    def factory():
        calls.append(1)
        return _Keyword()

    S.register_model("keyword-test", factory)
    assert "keyword-test" in S.available_models()
    m = S.get_model("keyword-test")
    assert S.get_model("keyword-test") is m and len(calls) == 1
    out = m.predict(pa.array(["my router is broken", "DM us", "auto reply", "how do I?"]),
                    pa.array(["customer", "brand", "bot", "customer"]))
    assert out.schema == S.MODEL_SCHEMA
    assert out.column("intent").to_pylist() == ["problem", None, None, "question"]
    assert out.column("needs_help").to_pylist() == [True, None, None, True]
    assert out.column("complaint").to_pylist() == [1.0, None, None, 0.0]
    assert out.column("reply_kind").to_pylist() == [None, "redirect", None, None]


def test_unknown_model_is_a_clear_error():
    with pytest.raises(S.SignalsUnavailable, match="unknown signals model 'nope'.*fast"):
        S.get_model("nope")


def test_length_mismatch_is_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        _Keyword().predict(pa.array(["a", "b"]), pa.array(["customer"]))


def test_null_roles_get_no_model_columns():
    cust, brand = S.role_masks(pa.array(["customer", None, "Brand", "brand"]))
    assert cust.tolist() == [True, False, False, False]
    assert brand.tolist() == [False, False, False, True]
    t = assemble_columns({"complaint": np.ones(4), "intent": np.array(["praise"] * 4),
                          "reply_kind": np.array(["clarify"] * 4)}, cust, brand)
    assert t.column("needs_help").to_pylist() == [False, None, None, None]
    assert t.column("reply_kind").to_pylist() == [None, None, None, "clarify"]


def test_classify_posts_validates_signal_names():
    with pytest.raises(ValueError, match="unknown signals"):
        S.classify_posts(["a"], ["customer"], signals=["intent", "mood"])


def test_model_free_signals_load_no_model():
    t = S.classify_posts(["My internet is down again!!", "thanks, sorted"], ["customer", "brand"],
                         model="no-such-model", signals=["urgency", "sentiment", "language"])
    assert t.column_names == ["sentiment", "language", "urgency"]  # SIGNALS order, whatever was asked
    assert t.column("language").to_pylist() == ["en", "en"]
    assert t.column("urgency")[0].as_py() > t.column("urgency")[1].as_py()


def test_classify_posts_all_signals_on_real_posts_in_any_batch_size(shared_data):
    import csv
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:500]
    texts = pa.array([r["text"] for r in rows])
    roles = pa.array(["customer" if r["inbound"] == "True" else "brand" for r in rows])
    whole = S.classify_posts(texts, roles)
    assert whole.schema == S.SIGNALS_SCHEMA and whole.num_rows == 500
    assert whole.equals(S.classify_posts(pa.chunked_array([texts]), roles.to_pylist(), batch_size=37))
    masked = S.classify_posts(texts, roles, mask_pii=True, signals=["intent"])
    assert masked.column_names == ["text", "intent"]
    assert masked.column("intent").equals(whole.column("intent"))
    waited = S.classify_posts(texts, roles, signals=["urgency"], waited_minutes=[600.0] * 500,
                              turn_index=pa.array([2] * 500))
    assert np.all(waited.column("urgency").to_numpy() > whole.column("urgency").to_numpy())
