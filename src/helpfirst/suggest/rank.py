"""Hybrid ranking: a linear model over per-candidate features (lexical, semantic, what-worked-before, brand prior).

Every feature of a brand's resource is on [0, 1] (scaled by its best value among the brand's
resources, or absolute where noted); the score is the weighted sum. The shipped weights were
learned on the IBM CDP tune part only (a conditional-logit model, hyper-parameters by nested
cross-validation: scripts/ibm_cdp_learn.py) and live in `model.json` beside this file.
"""

from __future__ import annotations

import json
import math
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..knowledge.lexical import lucene_idf
from ..knowledge.text import clean_post, tokenize_post
from .index import SuggestIndex

#: the features a linear model can weigh; the semantic ones need the semantic extra
LEXICAL_FEATURES = ("lex", "lex_c", "lex_a", "evidence", "ev_c", "ev_a", "ev_last", "desc", "desc_c", "desc_a", "knn", "knn_last",
                    "prior", "prior_share", "prior_top", "linked", "lex_new", "recent")
SEMANTIC_FEATURES = ("sem", "sem_knn", "sem_ev", "sem_max", "sem_last", "sem_desc")
FEATURES = LEXICAL_FEATURES + SEMANTIC_FEATURES


@dataclass
class Weights:
    """Feature weights of the linear model (0 = feature unused) and the features' own settings."""

    lex: float = 0.0  # query (customer + `agent` × agent turns) vs resource text (title, URL words, tags, body)
    lex_c: float = 0.0  # customer turns only vs resource text
    lex_a: float = 0.0  # agent turns only vs resource text (agents often name the product)
    evidence: float = 0.0  # query vs everything said before the resource was linked, all its cases as one document
    ev_c: float = 0.0  # customer turns only vs evidence
    ev_a: float = 0.0  # agent turns only vs evidence
    ev_last: float = 0.0  # the customer's last turn vs evidence
    desc: float = 0.0  # query vs what agents wrote in their replies that linked the resource (how they described it)
    desc_c: float = 0.0  # customer turns only vs those replies
    desc_a: float = 0.0  # agent turns only vs those replies
    knn: float = 0.0  # votes of the most similar past cases (BM25) for the resource they got
    knn_last: float = 0.0  # same, for the customer's last turn
    prior: float = 0.0  # how often the brand linked the resource (outcome-weighted), log(1 + n) scaled by the most linked
    prior_share: float = 0.0  # the resource's share of all the brand's links (absolute)
    prior_top: float = 0.0  # 1 for the brand's most linked resource
    linked: float = 0.0  # 1 for a resource linked at least once before
    lex_new: float = 0.0  # `lex` again for resources never linked before: nothing else speaks for them
    recent: float = 0.0  # how often the brand linked the resource close in time to the request (bursts: outages, news)
    sem: float = 0.0  # meaning: cosine of query and resource text (semantic extra)
    sem_knn: float = 0.0  # meaning: votes of the nearest past cases (semantic extra)
    sem_ev: float = 0.0  # meaning: mean cosine to all the past cases the resource solved (semantic extra)
    sem_max: float = 0.0  # meaning: cosine to the resource's closest past case (semantic extra)
    sem_last: float = 0.0  # meaning: votes of the nearest past cases for the customer's last turn (semantic extra)
    sem_desc: float = 0.0  # meaning: cosine of the query and the replies that linked the resource (semantic extra)
    answer: float = 1.0  # reusable answers: query vs the problem they solved
    agent: float = 1.0  # weight of the agent's turns in `lex`, `evidence`, `knn`, relative to the customer's
    knn_k: int = 10
    sem_knn_k: int = 10
    prior_shape: float = 0.0  # 0: log(1 + links); p > 0: links ** p
    recent_days: float = 7.0  # time scale of `recent`: a link this many days away counts 1/e
    lex_sat: float = 0.0  # > 0: resource-text BM25 s scaled as s / (s + lex_sat) (absolute); 0: by the best candidate
    sem_abs: bool = False  # sem_knn votes with the cosines themselves rather than scaled by the nearest case
    sem_power: float = 1.0  # sem_knn votes with cosine ** sem_power (> 1 favours the nearest cases)
    knn_sat: float = 0.0  # > 0: a past case's vote is s / (s + knn_sat) (absolute); 0: scaled by the best case

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Weights":
        """From a dict (unknown keys ignored; feature weights not given are 0)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def problem(cls, doc: object) -> str | None:
        """Why a weights document (a --weights file) cannot be used: not an object, an unknown field, a wrong type; None when it can."""
        if not isinstance(doc, dict):
            return "expected a JSON object of feature -> weight, e.g. {\"prior\": 1}"
        types = {f.name: str(f.type) for f in fields(cls)}
        for name, value in doc.items():
            if name not in types:
                return f"unknown field {name!r}; known fields: {', '.join(types)}"
            if types[name] == "bool":
                if not isinstance(value, bool):
                    return f"field {name!r}: expected true or false, not {json.dumps(value)}"
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return f"field {name!r}: expected a number, not {json.dumps(value)}"
            elif types[name] == "int" and (value != int(value) or value < 1):
                return f"field {name!r}: expected a whole number >= 1, not {json.dumps(value)}"
        return None

    def ceiling(self) -> float:
        """The score of a candidate rated best (1) by every feature: the sum of the positive weights."""
        return sum(max(v, 0.0) for v in self.used().values())

    @classmethod
    def only(cls, **weights: float) -> "Weights":
        """Just these features (no reusable answers): for baselines and single-signal measurements."""
        return cls(answer=0.0, **weights)

    def used(self) -> dict[str, float]:
        """The features with a non-zero weight."""
        return {name: getattr(self, name) for name in FEATURES if getattr(self, name)}


@lru_cache(maxsize=1)
def _shipped() -> dict:
    return json.loads((Path(__file__).with_name("model.json")).read_text())


def default_weights(semantic: bool) -> Weights:
    """The shipped (learned) weights for the ranking that will run."""
    return Weights.from_dict(_shipped()["semantic" if semantic else "lexical"]["weights"])


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
    """One ranked suggestion with its features."""

    kind: str  # resource | answer
    row: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)


@dataclass
class _Texts:
    cust: str
    agent: str
    last: str
    qc: list[str]
    qa: list[str]
    ql: list[str]


def _norm(x: np.ndarray) -> np.ndarray:
    m = float(x.max()) if x.size else 0.0
    return (x / m).astype(np.float32) if m > 0 else np.zeros(x.shape, np.float32)


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

    @staticmethod
    def _texts(query: Query) -> _Texts:
        cust = [p.text for p in query.posts if p.role == "customer"]
        agent = " ".join(p.text for p in query.posts if p.role != "customer")
        last = next((t for t in reversed(cust) if t.strip()), "")
        joined = " ".join(cust)
        return _Texts(joined, agent, last, tokenize_post(joined), tokenize_post(agent), tokenize_post(last))

    def rank(self, query: Query, k: int = 10, answers: bool = True) -> list[Candidate]:
        """The k best candidates, best first (empty when the brand has nothing); resources only when not `answers`.

        A resource's score does not depend on the past replies (they are scaled by the best resource, and
        merged by a stable sort), so without them the list is the resources of the full ranking, in order.
        """
        rows = self.index.brands[_key(query.brand)]
        texts = self._texts(query)
        resources = self._resources(query, rows, texts, k)
        if not answers:
            return resources
        best = resources[0].score if resources else self.weights.ceiling()
        candidates = resources + self._answers(rows, texts.qc, texts.qa, k, best)
        candidates.sort(key=lambda c: -c.score)
        return candidates[:k]

    def features(self, query: Query, want=None) -> tuple[int, dict[str, np.ndarray], np.ndarray]:
        """(first resource row, {feature: values over the brand's resources}, best past case per resource); all features when want is None."""
        rows = self.index.brands[_key(query.brand)]
        parts, best = self._features(query, rows, self._texts(query), set(FEATURES) if want is None else set(want))
        return rows.res[0], parts, best

    def _resources(self, query: Query, rows, texts: _Texts, k: int) -> list[Candidate]:
        lo, hi = rows.res
        n = hi - lo
        if n == 0:
            return []
        used = self.weights.used()
        parts, best_case = self._features(query, rows, texts, set(used) | {"lex", "knn", "evidence", "prior", "sem"})
        total = np.zeros(n, dtype=np.float32)
        for name, weight in used.items():
            if name in parts:
                total += weight * parts[name]
        # nothing speaks for a resource with no evidence at all: it is not offered
        alive = np.zeros(n, dtype=bool)
        for values in parts.values():
            alive |= values > 0
        order = np.argsort(-np.where(alive, total, -np.inf), kind="stable")[:k]
        out = []
        for i in order.tolist():
            if not alive[i]:
                break
            c = Candidate("resource", lo + i, float(total[i]), {name: float(v[i]) for name, v in parts.items()})
            c.parts["best_case"] = float(best_case[i])
            out.append(c)
        return out

    def _features(self, query: Query, rows, texts: _Texts, want: set[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        n = hi - lo
        parts: dict[str, np.ndarray] = {}

        lex_c, lex_a = ix.res_index.scores(texts.qc, lo, hi), ix.res_index.scores(texts.qa, lo, hi)
        lex = lex_c + w.agent * lex_a
        # a strong match of the resource's own words must be able to beat a popular resource: absolute scale
        parts["lex"] = (lex / (lex + w.lex_sat)).astype(np.float32) if w.lex_sat > 0 else _norm(lex)
        parts["lex_c"], parts["lex_a"] = _norm(lex_c), _norm(lex_a)
        if want & {"evidence", "ev_c", "ev_a"}:
            ev_c, ev_a = ix.ev_index.scores(texts.qc, lo, hi), ix.ev_index.scores(texts.qa, lo, hi)
            parts["evidence"], parts["ev_c"], parts["ev_a"] = _norm(ev_c + w.agent * ev_a), _norm(ev_c), _norm(ev_a)
        if want & {"desc", "desc_c", "desc_a"}:
            d_c, d_a = ix.desc_index.scores(texts.qc, lo, hi), ix.desc_index.scores(texts.qa, lo, hi)
            parts["desc"], parts["desc_c"], parts["desc_a"] = _norm(d_c + w.agent * d_a), _norm(d_c), _norm(d_a)
        if "ev_last" in want:
            parts["ev_last"] = _norm(ix.ev_index.scores(texts.ql, lo, hi))
        best_case = np.full(n, -1, dtype=np.int64)
        if chi > clo and want & {"knn", "knn_last"}:
            case_res, case_w = ix.case_res[clo:chi], ix.case_weight[clo:chi]
            sims = ix.case_index.scores(texts.qc, clo, chi) + w.agent * ix.case_index.scores(texts.qa, clo, chi)
            votes, best = _votes(sims, case_res, case_w, w.knn_k, n, lo, w.knn_sat)
            # absolute votes (knn_sat > 0) keep how close the nearest past cases really are
            parts["knn"] = votes / max(1.0, float(votes.max())) if w.knn_sat > 0 else _norm(votes)
            best_case = np.where(best >= 0, best + clo, -1)
            if "knn_last" in want:
                votes, _ = _votes(ix.case_index.scores(texts.ql, clo, chi), case_res, case_w, w.knn_k, n, lo, w.knn_sat)
                parts["knn_last"] = votes / max(1.0, float(votes.max())) if w.knn_sat > 0 else _norm(votes)
        links = np.asarray(ix.prior[lo:hi], dtype=np.float32)
        parts["prior"] = _norm(np.log1p(links) if w.prior_shape <= 0 else links ** w.prior_shape)
        total = float(links.sum())
        parts["prior_share"] = links / total if total > 0 else np.zeros(n, np.float32)
        parts["prior_top"] = ((links >= links.max()) & (links > 0)).astype(np.float32) if n else links
        parts["linked"] = (links > 0).astype(np.float32)
        parts["lex_new"] = parts["lex"] * (links <= 0)
        if "recent" in want:
            self._recent(query, rows, parts)
        if self.encoder is not None and want & set(SEMANTIC_FEATURES) and (texts.cust.strip() or texts.agent.strip()):
            self._semantic(rows, texts, parts, want)
        return parts, best_case

    def _recent(self, query: Query, rows, parts: dict[str, np.ndarray]) -> None:
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        when = _query_time(query)
        if when is None or chi <= clo:
            return
        near = np.exp(-np.abs(np.asarray(ix.case_time[clo:chi]) - when) / (86400.0 * w.recent_days)) * np.asarray(ix.case_weight[clo:chi])
        parts["recent"] = _norm(np.bincount(np.asarray(ix.case_res[clo:chi]) - lo, weights=near, minlength=hi - lo).astype(np.float32))

    def _semantic(self, rows, texts: _Texts, parts: dict[str, np.ndarray], want: set[str]) -> None:
        """sem, sem_desc, sem_knn, sem_ev, sem_max, sem_last from the query's embeddings."""
        # one query's products are memory-bound: BLAS threads spinning beside other work cost more than they
        # give (measured, 300,000 replies on the busy 2-core machine: CPU p50 49 ms -> 29 ms, p95 65 ms -> 35 ms)
        with _one_blas_thread():
            self._semantic_parts(rows, texts, parts, want)

    def _semantic_parts(self, rows, texts: _Texts, parts: dict[str, np.ndarray], want: set[str]) -> None:
        ix, w = self.index, self.weights
        (lo, hi), (clo, chi) = rows.res, rows.case
        n = hi - lo
        sentences = [_sentence(texts.cust, texts.agent)]
        if "sem_last" in want and texts.last.strip() and chi > clo:
            sentences.append(_sentence(texts.last, ""))
        vecs = self._embed_many(sentences)
        qvec = vecs[0]
        parts["sem"] = np.clip(ix.res_emb[lo:hi] @ qvec, 0, None)
        if "sem_desc" in want and ix.desc_emb is not None:
            parts["sem_desc"] = np.clip(ix.desc_emb[lo:hi] @ qvec, 0, None)
        if chi <= clo:
            return
        case_res, case_w = ix.case_res[clo:chi], ix.case_weight[clo:chi]
        # one pass over the brand's case vectors for both query vectors
        sims = np.clip(ix.case_emb[clo:chi] @ vecs.T, 0, None)
        abs_votes = -1.0 if w.sem_abs else 0.0
        for name, col in (("sem_knn", 0), ("sem_last", 1)):
            if col < sims.shape[1]:
                col_sims = sims[:, col] if w.sem_power == 1 else sims[:, col] ** w.sem_power
                votes, _ = _votes(col_sims, case_res, case_w, w.sem_knn_k, n, lo, abs_votes)
                # cosines are absolute already: sem_abs keeps how close the nearest cases really are
                parts[name] = votes / max(1.0, float(votes.max())) if w.sem_abs else _norm(votes)
        if want & {"sem_ev", "sem_max"}:
            # cases are stored by resource row: each resource's cases are one run
            targets = np.asarray(case_res, np.int64) - lo
            starts = np.concatenate([[0], np.flatnonzero(np.diff(targets)) + 1])
            first = sims[:, 0]
            parts["sem_ev"] = np.zeros(n, np.float32)
            parts["sem_ev"][targets[starts]] = np.add.reduceat(first, starts) / np.diff(np.append(starts, len(targets)))
            parts["sem_max"] = np.zeros(n, np.float32)
            parts["sem_max"][targets[starts]] = np.maximum.reduceat(first, starts)

    def _embed_many(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if len(self._vectors) + len(missing) > 4096:
            self._vectors.clear()
        for text in missing:
            # one at a time: in one batch the short text would be padded to the long one's length
            self._vectors[text] = self.encoder.encode([text])[0]
        return np.stack([self._vectors[t] for t in texts])

    def _answers(self, rows, qc: list[str], qa: list[str], k: int, best: float) -> list[Candidate]:
        """The brand's past replies that match the request, one per distinct reply text (with how often it was sent).

        A reply's match is absolute, not relative to the other replies: the idf-weighted share of the
        words the request and the reply's problem (+ the reply) have in common (`_overlap`: 1 = the same
        words, 0 = none). Its score is that share of what a resource rated best by every feature would
        get (the sum of the positive weights), times the outcome weight: a reply that matches only a
        word or two of the request stays far below a resource that matches well, and one that solved
        exactly this problem before outranks a resource that only happens to be the best of weak ones.
        """
        ix, w = self.index, self.weights
        alo, ahi = rows.ans
        if ahi <= alo or w.answer <= 0:
            return []
        sims, words = _overlap(ix.ans_index, ix.ans_norm, qc, qa, w.agent, alo, ahi)
        if float(sims.max()) <= 0:
            return []
        ideal = max(w.ceiling(), best, 0.0)
        scores = w.answer * ideal * sims * np.asarray(ix.ans_weight[alo:ahi], dtype=np.float32)
        groups = ix.ans_group[alo:ahi]
        # best first, ties by position; one suggestion per distinct reply text (its best-matching copy)
        hits = np.flatnonzero(scores > 0)  # only the replies sharing a word with the request
        # the best m by partition (not a sort of all hits), m doubled while copies of one text leave fewer than k
        m = 8 * k
        while True:
            top = hits if len(hits) <= m else hits[np.argpartition(-scores[hits], m - 1)[:m]]
            top = top[np.lexsort((top, -scores[top]))]  # best first, ties by position
            out, seen = [], set()
            for i in top.tolist():
                g = int(groups[i])
                if g not in seen:
                    seen.add(g)
                    out.append(i)
                    if len(out) >= k:
                        break
            if len(out) >= k or len(top) >= len(hits):
                break
            m *= 2
        shared = shared_words(ix.ans_index, words, [alo + i for i in out])
        return [Candidate("answer", alo + i, float(scores[i]), {"answer": float(sims[i]), "uses": float(ix.ans_uses[alo + i])},
                          found) for i, found in zip(out, shared, strict=True)]


def shared_words(bm, tokens: list[str], rows: list[int]) -> list[list[str]]:
    """For each document row, the tokens (in the order given) that it contains: one search per token."""
    found: list[list[str]] = [[] for _ in rows]
    if not rows:
        return found
    where = np.asarray(rows, dtype=np.int64)
    for token in tokens:
        t = bm.vocab.get(token)
        if t is None:
            continue
        col = bm.indices[int(bm.indptr[t]):int(bm.indptr[t + 1])]
        if not len(col):
            continue
        pos = np.minimum(np.searchsorted(col, where), len(col) - 1)
        for j in np.flatnonzero(np.asarray(col[pos]) == where).tolist():
            found[j].append(token)
    return found


def _overlap(bm, norms: np.ndarray, qc: list[str], qa: list[str], agent: float, lo: int, hi: int) -> tuple[np.ndarray, list[str]]:
    """Absolute match of the query with documents [lo, hi) of `bm`, on [0, 1]; and the query's words the index knows.

    The idf-weighted words both share, over the geometric mean of the query's and the document's idf
    mass (a cosine of binary idf-weighted word sets): 1 when they have the same words, small when
    they share a word or two of many. The query's customer words count 1, the agent's `agent`;
    query words no document has count with the highest idf, so unknown words lower the match too.
    """
    out = np.zeros(max(hi - lo, 0), dtype=np.float32)
    weight: dict[str, float] = {}
    for t in qc:
        weight[t] = 1.0
    for t in qa:
        weight[t] = max(weight.get(t, 0.0), agent)
    if hi <= lo or not weight:
        return out, []
    idf_unknown = float(lucene_idf(0, bm.num_docs))
    qmass = 0.0
    known = []
    for t, wt in weight.items():
        i = bm.vocab.get(t)
        if i is None:
            qmass += wt * idf_unknown
            continue
        s, e = int(bm.indptr[i]), int(bm.indptr[i + 1])
        df = e - s
        idf = float(lucene_idf(df, bm.num_docs))
        qmass += wt * idf
        col = bm.indices[s:e]
        a, z = np.searchsorted(col, [lo, hi])
        if a < z:
            out[np.asarray(col[a:z]) - lo] += wt * idf
            known.append(t)
    if qmass <= 0:
        return out, known
    dmass = np.asarray(norms[lo:hi], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        sims = np.where(dmass > 0, out / np.sqrt(qmass * dmass), 0.0)
    return np.clip(sims, 0.0, 1.0).astype(np.float32), known


@lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController  # comes with the semantic extra (via scikit-learn)
    except ImportError:
        return None
    return ThreadpoolController()


def _one_blas_thread():
    """A context in which numpy's BLAS runs on one thread (a no-op without threadpoolctl)."""
    controller = _blas_controller()
    return controller.limit(limits=1, user_api="blas") if controller is not None else nullcontext()


def _sentence(cust: str, agent: str) -> str:
    return " ".join((clean_post(cust) + " " + clean_post(agent)).split())


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
