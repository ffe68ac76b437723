"""Feature builders and the tune-C-by-CV-on-train-only evaluation used by every experiment."""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from common import SEED, embed, engineered, hstack, tfidf_union

C_GRID = {"lr": [0.3, 1, 3, 10, 30, 100], "svm": [0.01, 0.03, 0.1, 0.3, 1, 3]}


class Features:
    """fit(train_texts) / transform(texts) for a named feature set."""

    def __init__(self, kind: str, tag: str = "x"):
        self.kind, self.tag = kind, tag
        self.parts = set(kind.split("+"))

    def fit(self, texts):
        if self.parts & {"tfidf", "word", "tfidfurl"}:
            from common import norm_url
            self.vec = tfidf_union(char=None if "word" in self.parts else (2, 5),
                                   pre=norm_url if "tfidfurl" in self.parts else None)
            self.vec.fit(texts)
        if "eng" in self.parts:
            self.scaler = StandardScaler().fit(engineered(texts))
        if self.parts & {"hash", "hashidf", "hashword"}:
            from fasthash import HashFeatures
            self.hf = HashFeatures(bits=20, char=None if "hashword" in self.parts else (2, 5))
            X = self.hf.transform(texts, canonical=True)
            # keep only the hashed columns seen in training (same L2 model, far fewer parameters)
            self.used = np.unique(X.indices)
            if "hashidf" in self.parts:
                df = np.bincount(X.indices, minlength=X.shape[1])
                self.idf = (np.log((1 + X.shape[0]) / (1 + df)) + 1).astype(np.float32)[self.used]
        return self

    def transform(self, texts, name: str):
        blocks = []
        if hasattr(self, "hf"):
            X = self.hf.transform(texts, canonical=True)[:, self.used]
            if hasattr(self, "idf"):
                X = X @ sp.diags(self.idf)
            blocks.append(X.tocsr())
        if hasattr(self, "vec"):
            blocks.append(self.vec.transform(texts))
        if "eng" in self.parts:
            blocks.append(self.scaler.transform(engineered(texts)).astype(np.float32))
        if "minilm" in self.parts:
            blocks.append(embed(list(texts), name))
        if "cues" in self.parts:
            from reply_rules import cue_matrix
            blocks.append(cue_matrix(texts))
        if len(blocks) == 1 and not (hasattr(self, "vec") or hasattr(self, "hf")):
            return blocks[0]
        return hstack(*blocks)


def make_clf(family: str, class_weight, n_classes=2):
    if family == "lr":  # liblinear for binary; multinomial lbfgs for >2 classes (sklearn >= 1.8)
        return LogisticRegression(max_iter=5000, class_weight=class_weight,
                                  solver="liblinear" if n_classes == 2 else "lbfgs")
    return LinearSVC(class_weight=class_weight, dual=False, max_iter=5000)


def fit_tuned(family: str, X, y, scoring="f1_macro", n_jobs=2):
    """Tune C and class_weight by 5-fold stratified CV on (X, y) only; refit on all of it."""
    grid = {"C": C_GRID[family], "class_weight": [None, "balanced"]}
    gs = GridSearchCV(make_clf(family, None, len(np.unique(y))), grid, scoring=scoring,
                      cv=StratifiedKFold(5, shuffle=True, random_state=SEED), n_jobs=n_jobs)
    gs.fit(X, y)
    return gs.best_estimator_, gs.best_params_, gs.best_score_


def scores(y_true, y_pred, pos_label=None) -> dict:
    out = {"macro_f1": round(f1_score(y_true, y_pred, average="macro"), 4),
           "accuracy": round(accuracy_score(y_true, y_pred), 4)}
    if pos_label is not None:
        out["f1_pos"] = round(f1_score(y_true, y_pred, pos_label=pos_label), 4)
    return out


def run(kind, family, tr_texts, ytr, te_texts, yte, name, pos_label=None, scoring="f1_macro"):
    t0 = time.perf_counter()
    ytr, yte = np.array(list(ytr)), np.array(list(yte))  # plain numpy (pandas may hand Arrow arrays)
    feats = Features(kind).fit(tr_texts)
    Xtr = feats.transform(tr_texts, name + "-tr")
    Xte = feats.transform(te_texts, name + "-te")
    clf, params, cv = fit_tuned(family, Xtr, ytr, scoring=scoring)
    pred = clf.predict(Xte)
    res = {"features": kind, "clf": family, **{k: str(v) for k, v in params.items()},
           "cv_train": round(cv, 4), **scores(yte, pred, pos_label),
           "n_features": int(Xtr.shape[1]), "seconds": round(time.perf_counter() - t0, 1)}
    return res, clf, feats, pred
