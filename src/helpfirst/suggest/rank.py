"""Hybrid ranking: lexical (BM25 over resource text, past evidence and past cases), semantic, what-worked-before, brand prior.

Each signal is scaled to [0, 1] by its best value among the brand's candidates, then the signals
are added with weights (tuned on the IBM CDP tune split, see docs/suggest.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np

from ..knowledge.text import clean_post, tokenize_post
from .index import SuggestIndex


@dataclass
class Weights:
    """Fusion weights and neighbourhood sizes."""

    lex: float = 1.0  # query vs resource text (title, URL words, tags, body)
    evidence: float = 0.25  # query vs everything customers said before the resource was linked
    knn: float = 0.0  # votes of the most similar past conversations for the resource they got
    prior: float = 1.5  # how often the brand linked the resource (outcome-weighted)
    sem: float = 0.5  # meaning: query vs resource text (semantic extra)
    sem_knn: float = 1.0  # meaning: votes of the nearest past conversations (semantic extra)
    sem_ev: float = 0.0  # meaning: mean similarity to all the past conversations the resource solved (semantic extra)
    answer: float = 1.0  # reusable answers: query vs the problem they solved
    agent: float = 1.0  # weight of the agent's turns in the query, relative to the customer's
    knn_k: int = 10
    sem_knn_k: int = 10
    prior_shape: float = 0.0  # 0: log(1 + links); p > 0: links ** p
    lex_new: float = 0.5  # extra weight of the text match for resources never linked before (nothing else speaks for them)
    recent: float = 0.0  # how often the brand linked the resource close in time to the request (bursts: outages, news)
    recent_days: float = 7.0  # time scale of `recent`: a link this many days away counts 1/e
    lex_sat: float = 0.0
    sem_abs: bool = False  # sem_knn votes with the cosines themselves rather than scaled by the nearest case
    sem_power: float = 1.0  # sem_knn votes with cosine ** sem_power (> 1 favours the nearest cases)
    knn_sat: float = 0.0  # > 0: a past case's vote is s / (s + knn_sat) (absolute); 0: scaled by the best case  # > 0: resource-text BM25 s scaled as s / (s + lex_sat) (absolute); 0: by the best candidate

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Weights":
        """From a dict (unknown keys ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


#: weights tuned on the IBM CDP tune split (docs/suggest.md): lexical-only, and with the semantic model
LEXICAL_WEIGHTS = Weights(sem=0.0, sem_knn=0.0, sem_ev=0.0)
SEMANTIC_WEIGHTS = Weights(lex=0.5, evidence=0, knn=0.25, prior=0.25, sem=1.5, sem_knn=2, agent=0.5, knn_k=5, lex_new=0.25, sem_abs=True, knn_sat=15)


def default_weights(semantic: bool) -> Weights:
    """The tuned weights for the ranking that will run."""
    return SEMANTIC_WEIGHTS if semantic else LEXICAL_WEIGHTS


@dataclass
class QueryTurn:
    """One post of the conversation so far."""

    role: str  # customer | brand
    text: str
    created_at: str | None = None
    author: str | None = None


@dataclass
class Query:
    """A help request: the conversation so far, with the brand it is addressed to."""

    id: str
    brand: str
    posts: list[QueryTurn]
    channel: str | None = None
    customer: str | None = None


@dataclass
class Candidate:
    """One ranked suggestion with its signals."""

    kind: str  # resource | answer
    row: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)


def _norm(x: np.ndarray) -> np.ndarray:
    m = float(x.max()) if x.size else 0.0
    return x / m if m > 0 else np.zeros_like(x)


def _votes(sims: np.ndarray, targets: np.ndarray, weights: np.ndarray, k: int, n: int, lo: int,
           saturation: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Sum of the top-k similarities per target row (scaled by the best, or s / (s + saturation)); and the best case per target."""
    votes = np.zeros(n, dtype=np.float32)
    best = np.full(n, -1, dtype=np.int64)
    if sims.size == 0 or float(sims.max()) <= 0:
        return votes, best
    k = min(k, sims.size)
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    scale = float(sims[top[0]])
    for i in top.tolist():
        s = float(sims[i])
        if s <= 0:
            break
        t = int(targets[i]) - lo
        if saturation < 0:
            vote = s  # already on an absolute scale
        elif saturation > 0:
            vote = s / (s + saturation)
        else:
            vote = s / scale
        votes[t] += vote * float(weights[i])
        if best[t] < 0:
            best[t] = i
    return votes, best


class Ranker:
    """Scores a brand's resources and past answers for a query."""

    def __init__(self, index: SuggestIndex, weights: Weights | None = None, encoder=None) -> None:
        self.index = index
        self.encoder = encoder if index.semantic else None
        self.weights = weights or default_weights(self.encoder is not None)
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, text: str) -> np.ndarray:
        # the same conversation is often ranked again (a draft refreshed, a backtest sweep): embed it once
        vec = self._vectors.get(text)
        if vec is None:
            if len(self._vectors) > 4096:
                self._vectors.clear()
            vec = self._vectors[text] = self.encoder.encode([text])[0]
        return vec

    def rank(self, query: Query, k: int = 10) -> list[Candidate]:
        """The k best candidates, best first (empty when the brand has nothing)."""
        rows = self.index.brands[_key(query.brand)]
        cust = " ".join(p.text for p in query.posts if p.role == "customer")
        agent = " ".join(p.text for p in query.posts if p.role != "customer")
        qc, qa = tokenize_post(cust), tokenize_post(agent)
        candidates = self._resources(query, rows, cust, agent, qc, qa, k) + self._answers(rows, qc, qa, k)
        candidates.sort(key=lambda c: -c.score)
        return candidates[:k]

    def _resources(self, query: Query, rows, cust: str, agent: str, qc: list[str], qa: list[str], k: int) -> list[Candidate]:
        lo, hi = rows.res
        n = hi - lo
        if n == 0:
            return []
        parts, best_case = self._lexical(rows, qc, qa)
        w = self.weights
        if w.recent > 0:
            self._recent(query, rows, parts)
        if self.encoder is not None and (cust or agent):
            self._semantic(rows, " ".join((clean_post(cust) + " " + clean_post(agent)).split()), parts)
        total = np.zeros(n, dtype=np.float32)
        for name, values in parts.items():
            total += getattr(w, name) * values
        out = []
        for i in np.argsort(-total, kind="stable")[:k].tolist():
            if total[i] <= 0:
                break  # nothing speaks for this resource, nor for any after it
            c = Candidate("resource", lo + i, float(total[i]), {name: float(v[i]) for name, v in parts.items()})
            c.parts["best_case"] = float(best_case[i])
            out.append(c)
        return out

    def _lexical(self, rows, qc: list[str], qa: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """lex, evidence, knn, prior, lex_new for the brand's resources; and each one's most similar past case."""
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        n = hi - lo

        def bm25(index) -> np.ndarray:
            return index.scores(qc, lo, hi) + w.agent * index.scores(qa, lo, hi)

        lex = bm25(ix.res_index)
        # a strong match of the resource's own words must be able to beat a popular resource: absolute scale
        parts = {"lex": lex / (lex + w.lex_sat) if w.lex_sat > 0 else _norm(lex), "evidence": _norm(bm25(ix.ev_index))}
        best_case = np.full(n, -1, dtype=np.int64)
        if chi > clo:
            sims = ix.case_index.scores(qc, clo, chi) + w.agent * ix.case_index.scores(qa, clo, chi)
            votes, best = _votes(sims, ix.case_res[clo:chi], ix.case_weight[clo:chi], w.knn_k, n, lo, w.knn_sat)
            # absolute votes (knn_sat > 0) keep how close the nearest past cases really are
            parts["knn"] = votes / max(1.0, float(votes.max())) if w.knn_sat > 0 else _norm(votes)
            best_case = np.where(best >= 0, best + clo, -1)
        links = np.asarray(ix.prior[lo:hi], dtype=np.float32)
        parts["prior"] = _norm(np.log1p(links) if w.prior_shape <= 0 else links ** w.prior_shape)
        parts["lex_new"] = parts["lex"] * (links <= 0)
        return parts, best_case

    def _recent(self, query: Query, rows, parts: dict[str, np.ndarray]) -> None:
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        when = _query_time(query)
        if when is None or chi <= clo:
            return
        near = np.exp(-np.abs(np.asarray(ix.case_time[clo:chi]) - when) / (86400.0 * w.recent_days)) * np.asarray(ix.case_weight[clo:chi])
        parts["recent"] = _norm(np.bincount(np.asarray(ix.case_res[clo:chi]) - lo, weights=near, minlength=hi - lo).astype(np.float32))

    def _semantic(self, rows, text: str, parts: dict[str, np.ndarray]) -> None:
        """sem, sem_knn (and sem_ev when weighted) from the query's embedding."""
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        n = hi - lo
        qvec = self._embed(text)
        parts["sem"] = np.clip(ix.res_emb[lo:hi] @ qvec, 0, None)
        if chi <= clo:
            return
        sims = np.clip(ix.case_emb[clo:chi] @ qvec, 0, None)
        votes, _ = _votes(sims ** w.sem_power, ix.case_res[clo:chi], ix.case_weight[clo:chi], w.sem_knn_k, n, lo,
                          -1.0 if w.sem_abs else 0.0)
        # cosines are absolute already: sem_abs keeps how close the nearest cases really are
        parts["sem_knn"] = votes / max(1.0, float(votes.max())) if w.sem_abs else _norm(votes)
        if w.sem_ev > 0:
            targets = np.asarray(ix.case_res[clo:chi]) - lo
            mean = np.bincount(targets, weights=sims, minlength=n) / np.maximum(np.bincount(targets, minlength=n), 1)
            parts["sem_ev"] = _norm(mean.astype(np.float32))

    def _answers(self, rows, qc: list[str], qa: list[str], k: int) -> list[Candidate]:
        ix, w = self.index, self.weights
        alo, ahi = rows.ans
        if ahi <= alo or w.answer <= 0:
            return []
        sims = ix.ans_index.scores(qc, alo, ahi) + w.agent * ix.ans_index.scores(qa, alo, ahi)
        if float(sims.max()) <= 0:
            return []
        # an answer is a past case that solved this very problem: on the scale of a resource that
        # matches on every signal, so a close match competes with the brand's most linked page
        scale = w.answer * (w.lex + w.evidence + w.knn + w.prior)
        scores = scale * _norm(sims) * np.asarray(ix.ans_weight[alo:ahi], dtype=np.float32)
        top = np.argsort(-scores, kind="stable")[:k]
        return [Candidate("answer", alo + i, float(scores[i]), {"answer": float(sims[i])}) for i in top.tolist() if scores[i] > 0]


def _query_time(query: Query) -> float | None:
    """Epoch seconds of the latest post of the query that has a time."""
    from ..ingest.common import parse_iso

    latest = None
    for p in query.posts:
        if p.created_at:
            t = parse_iso(p.created_at)
            if t is not None:
                latest = max(latest or t.timestamp(), t.timestamp())
    return latest


def _key(brand: str) -> str:
    from ..knowledge.store import brand_key

    return brand_key(brand)
