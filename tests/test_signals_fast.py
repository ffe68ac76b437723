"""The fast tier: the pinned hash, the featuriser against a plain-Python reference, the shipped model
files, their quality on held-out data, and the export/reload round trip."""
from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import helpfirst.signals as S
from helpfirst.signals.fast import MODEL_DIR, FastModel
from helpfirst.signals.hashing import MIX, P, SEEDS, HashFeatures, char_ngrams, normalise, word_ngrams

REPO = Path(__file__).resolve().parents[1]
M64 = (1 << 64) - 1


def test_hash_is_pinned():
    """Changing the hash or the normalisation breaks every shipped model: bump FORMAT and retrain."""
    a = normalise(pa.array(["My router is DOWN again!! @Comcast http://t.co/x 42"]))
    assert a[0].as_py() == " my router is down again!! @user url 0 "
    assert word_ngrams(a, 20)[1].tolist() == [
        545932, 573045, 802394, 797535, 335842, 829604, 519984, 982775, 916252, 595527, 610473,
        221283, 610473, 468639, 313427, 889019, 1016054, 721232, 79288]
    assert char_ngrams(normalise(pa.array(["Hi you"])), 20)[1].tolist() == [
        295486, 55674, 168526, 912800, 453397, 478540, 579136, 198881, 918252, 584935, 95036, 893446,
        479340, 6248, 835666, 10341]


def _bucket(h: int, seed: int, bits: int) -> int:
    return (((h ^ seed) * int(MIX)) & M64) >> (64 - bits)


def _poly(bs: bytes) -> int:
    h = 0
    for c in bs:
        h = (h * int(P) + c) & M64
    return h


def _reference(norm: str, bits: int) -> tuple[Counter, Counter]:
    """The n-grams of one normalised text, enumerated one by one in plain Python."""
    b = norm.encode("utf-8")
    chars = Counter()
    for n in range(2, 6):
        for i in range(len(b) - n + 1):
            g = b[i:i + n]
            if b" " in g[1:-1] or g == b"  ":
                continue
            chars[_bucket(_poly(g), int(SEEDS[n]), bits)] += 1
    w = re.sub(r"([!?])", r" \1 ", norm)
    w = re.sub(r"[^\w!?@]+", " ", w)
    toks = [t.encode("utf-8") for t in w.split(" ") if t]
    hs = [_poly(t) for t in toks]
    words = Counter(_bucket(h, int(SEEDS[1]), bits) for h in hs)
    words.update(_bucket(((h1 * int(MIX)) + h2) & M64, int(SEEDS[2]), bits) for h1, h2 in zip(hs, hs[1:]))
    return words, chars


def test_featuriser_matches_a_plain_python_reference():
    texts = ["Why is my bill £40 higher?? @VirginMedia", "", "ok", "Café crème, très bon 😀 !",
             "DM us your account number https://t.co/abc and we'll look", "a  b\n\tc", None,
             "no service in 90210 since 3 days... still nothing"]
    arr = pa.array(texts)
    norm = normalise(arr).to_pylist()
    for bits in (20, 12):
        wd, wf = word_ngrams(normalise(arr), bits)
        cd, cf = char_ngrams(normalise(arr), bits)
        assert np.all(np.diff(wd) >= 0) and np.all(np.diff(cd) >= 0)  # grouped by post, no sort needed
        for i, t in enumerate(norm):
            words, chars = _reference(t, bits)
            assert Counter(wf[wd == i].tolist()) == words, texts[i]
            assert Counter(cf[cd == i].tolist()) == chars, texts[i]


def test_blocks_scale_each_post_by_its_ngram_count():
    hf = HashFeatures(bits=12)
    (wd, wf, ws), (cd, cf, cs) = hf.blocks(pa.array(["one two three", "x"]))
    assert ws[0] == pytest.approx(1 / np.sqrt(5))  # 3 unigrams + 2 bigrams
    assert cf.min() >= 1 << 12 and wf.max() < 1 << 12  # the byte block sits after the word block


# ---------------------------------------------------------------- the shipped model


def test_shipped_files_are_small_and_pickle_free():
    meta = json.loads((MODEL_DIR / "fast.json").read_text(encoding="utf-8"))
    assert meta["format"] == 1 and set(meta["heads"]) == set(S.HEADS)
    assert (MODEL_DIR / "fast.npz").stat().st_size < 4_000_000  # 3.0 MB since v8 (both batches of written posts)
    with np.load(MODEL_DIR / "fast.npz", allow_pickle=False) as z:
        assert z["W"].dtype == np.float16 and z["rows"].dtype == np.int32
        assert z["W"].shape[1] == len(z["b"]) == 12
    assert meta["heads"]["intent"]["classes"] == sorted(S.INTENTS)
    assert meta["heads"]["reply_kind"]["classes"] == sorted(S.REPLY_KINDS)


def _complaints_holdout(shared_data):
    spec = importlib.util.spec_from_file_location("train_fast", REPO / "scripts" / "train_fast.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    import pandas as pd
    comp = pd.read_csv(shared_data / "complaints" / "train.csv", dtype={"tweet_id": str}, keep_default_na=False)
    comp["complaint"] = comp["complaint"].astype(int)
    return mod, *mod.complaint_split(comp)


def test_shipped_model_scores_on_the_complaints_holdout(shared_data):
    """The holdout was never trained on (scripts/train_fast.py); the score is the README's ~0.82."""
    from sklearn.metrics import f1_score
    _, _, test = _complaints_holdout(shared_data)
    out = S.get_model("fast").predict(pa.array(test.text.tolist()), pa.array(["customer"] * len(test)))
    p = np.asarray(out.column("complaint").to_pylist())
    assert f1_score(test.complaint.values, p >= 0.5, average="macro") >= 0.80


def test_model_columns_follow_the_roles(shared_data):
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:400]
    roles = ["customer" if r["inbound"] == "True" else "brand" for r in rows]
    roles[5] = "bot"
    out = S.get_model("fast").predict(pa.array([r["text"] for r in rows]), pa.array(roles))
    intent, reply = out.column("intent").to_pylist(), out.column("reply_kind").to_pylist()
    needs = out.column("needs_help").to_pylist()
    for role, i, r, nh in zip(roles, intent, reply, needs):
        assert (i is not None) == (role == "customer") and (r is not None) == (role == "brand")
        if role == "customer":
            assert i in S.INTENTS and nh == (i in ("question", "problem"))
        if role == "brand":
            assert r in S.REPLY_KINDS
    assert len(set(intent) - {None}) >= 3 and len(set(reply) - {None}) >= 3
    c = [v for v in out.column("complaint").to_pylist() if v is not None]
    assert 0.0 <= min(c) < 0.5 < max(c) <= 1.0


def test_batches_and_chunks_do_not_change_scores(shared_data):
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        texts = pa.array([r["text"] for r in csv.DictReader(fh)][:3000])
    m = S.get_model("fast")
    whole = m.raw_scores(texts, "customer")
    parts = np.vstack([m.raw_scores(texts.slice(i, 700), "customer") for i in range(0, 3000, 700)])
    np.testing.assert_allclose(whole, parts, rtol=1e-5, atol=1e-5)


def test_export_and_reload_round_trip(shared_data, tmp_path):
    """Train small heads with scikit-learn, export to fast.json/npz, reload: same predictions."""
    mod, train, test = _complaints_holdout(shared_data)
    train = train.iloc[:600]
    hf = HashFeatures(bits=20)
    X = hf.csr(train.text.tolist())
    rng = np.random.default_rng(0)
    y_int = np.asarray(S.INTENTS)[rng.integers(0, 5, len(train))]
    y_int[train.complaint.values == 1] = "problem"
    y_rk = np.asarray(S.REPLY_KINDS)[rng.integers(0, 5, len(train))]
    heads = {"complaint": mod.Head(hf, 10).fit(X, train.complaint.values),
             "intent": mod.Head(hf, 10).fit(X, y_int),
             "needs_help": mod.Head(hf, 10).fit(X, np.isin(y_int, ["question", "problem"]).astype(int)),
             "reply_kind": mod.Head(hf, 10).fit(X, y_rk)}
    mod.export(heads, hf, {"head_weight": 1.0, "threshold": 0.5}, tmp_path, {"test": True})
    model = FastModel.load(tmp_path)
    Xt = hf.csr(test.text.tolist())
    texts = pa.array(test.text.tolist())
    cust = model.raw_scores(texts, "customer")
    ref = np.hstack([heads["complaint"].decision(Xt), heads["intent"].decision(Xt),
                     heads["needs_help"].decision(Xt)])
    np.testing.assert_allclose(cust, ref, atol=0.02)  # float16 weights
    out = model.customer_outputs(texts)
    assert np.mean((out["complaint"] >= 0.5) == (heads["complaint"].predict(Xt) == 1)) >= 0.99
    assert np.mean(out["needs_help"] == (heads["needs_help"].predict(Xt) == 1)) >= 0.99
    brand = model.raw_scores(texts, "brand")
    assert np.mean(np.asarray(sorted(S.REPLY_KINDS))[brand.argmax(1)] == heads["reply_kind"].predict(Xt)) >= 0.99


def test_missing_model_files_are_a_clear_error(tmp_path):
    with pytest.raises(S.SignalsUnavailable, match="train them with scripts/train_fast.py"):
        FastModel.load(tmp_path)


def test_written_posts_join_only_the_heads_their_source_trains():
    """scripts/train_fast.py --synthetic: a written post is added to a head's fit only when the real
    post it was modelled on is one of that head's training rows; needs_help follows its intent."""
    spec = importlib.util.spec_from_file_location("train_fast", REPO / "scripts" / "train_fast.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.path.insert(0, str(REPO / "data" / "labels"))
    import synthetic
    cust, brand = synthetic.load_written("customer"), synthetic.load_written("brand")
    if not cust or not brand:
        pytest.skip("no written posts committed")
    sets = {"complaint": (["a"], np.array([1])), "intent": (["x", "y"], np.array(["problem", "praise"], dtype=object)),
            "needs_help": (["x", "y"], np.array([1, 0])), "reply_kind": (["z"], np.array(["solution"], dtype=object))}
    some_c = {d["src"] for d in cust[:10]}
    some_b = {d["src"] for d in brand[:6]}
    out = mod.with_written(sets, some_c, some_b)
    assert out["complaint"] == sets["complaint"]                     # no written complaint labels
    added = [d for d in cust if d["src"] in some_c]
    assert out["intent"][0] == ["x", "y"] + [d["text"] for d in added]
    assert list(out["intent"][1][2:]) == [d["label"] for d in added]
    assert list(out["needs_help"][1][2:]) == [int(d["label"] in ("question", "problem")) for d in added]
    assert len(out["reply_kind"][0]) == 1 + sum(d["src"] in some_b for d in brand)
    assert mod.with_written(sets, set(), set())["intent"][0] == ["x", "y"]   # no source trains: nothing added
