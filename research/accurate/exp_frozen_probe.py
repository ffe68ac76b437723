"""Frozen-encoder probe (stop 17): out-of-fold needs_help F1 of a logistic regression on an encoder's mean-pooled
embeddings of the training split's real customer posts (5 folds; the best threshold per C, the same for every encoder, so
only the comparison between encoders means anything).

    .venv/bin/python research/accurate/exp_frozen_probe.py MODEL_FOLDER OUT.npy
"""
import csv, hashlib, sys, time, json
import numpy as np
from sentence_transformers import SentenceTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.metrics import f1_score

model_path, out = sys.argv[1], sys.argv[2]
rows = [r for r in csv.DictReader(open('/work/main/data/labels/build/customer_intent.csv', encoding='utf-8')) if r['split'] == 'train']
texts = [r['text'] for r in rows]
y = np.array([r['intent'] in ('question', 'problem') for r in rows])
m = SentenceTransformer(model_path, device='cpu')
m.max_seq_length = 96
t = time.time()
X = m.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
enc = time.time() - t
np.save(out, X)
groups = [hashlib.sha1(r['id'].encode()).hexdigest()[:2] for r in rows]  # ids only; root grouping not needed for a relative probe
res = {}
for C in (0.3, 1, 3, 10):
    p = np.zeros(len(y))
    for tr, te in GroupKFold(5).split(X, y, groups):
        p[te] = LogisticRegression(C=C, max_iter=2000, class_weight='balanced').fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    res[C] = round(max(f1_score(y, p >= th) for th in np.arange(0.2, 0.8, 0.02)), 4)
print(json.dumps({"model": model_path, "n": len(y), "encode_s": round(enc, 1), "posts_per_s": round(len(y) / enc, 1), "oof_f1_best_th_by_C": res}))
