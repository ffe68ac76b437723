"""data/labels/agreement.py and synthetic.py: the agreement metrics equal sklearn's, typed labels are checked."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

LABELS = Path(__file__).resolve().parents[1] / "data" / "labels"


def _script(name):
    sys.path.insert(0, str(LABELS))
    try:
        spec = importlib.util.spec_from_file_location(f"labels_{name}", LABELS / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(LABELS))


def test_kappa_and_f1_equal_sklearn():
    from sklearn.metrics import cohen_kappa_score, f1_score
    agreement = _script("agreement")
    rng = np.random.default_rng(3)
    kinds = agreement.KINDS
    a = [kinds[i] for i in rng.integers(0, 5, 300)]
    b = [x if rng.random() < 0.7 else kinds[rng.integers(0, 5)] for x in a]
    assert agreement.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert agreement.macro_f1(a, b, kinds) == pytest.approx(f1_score(a, b, average="macro"))
    need_a, need_b = [x in ("solution", "redirect") for x in a], [x in ("solution", "redirect") for x in b]
    assert agreement.f1(need_a, need_b) == pytest.approx(f1_score(need_a, need_b))
    m = agreement.metrics("customer", ["problem", "question", "praise", "other"], ["question", "problem", "praise", "praise"])
    assert m["needs_help_f1"] == 1.0 and m["accuracy"] == 0.25


def test_typed_labels_are_checked_line_by_line(tmp_path):
    sheet = tmp_path / "brand_9.txt"
    sheet.write_text("", encoding="utf-8")
    (tmp_path / "brand_9.key.json").write_text(json.dumps({"role": "brand", "ids": ["1", "2", "3"]}))
    typed = tmp_path / "brand_9.typed"
    typed.write_text("1 s\n2 maybe\n7 r\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(LABELS / "agreement.py"), "apply", str(sheet), str(typed)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"{typed}:2: unknown label 'maybe'" in run.stderr
    assert f"{typed}:3: number 7 is not on the sheet (1-3)" in run.stderr
    assert "no label for number(s) 2, 3" in run.stderr


def test_committed_written_posts_are_valid_and_modelled_on_training_rows_only():
    synthetic = _script("synthetic")
    rows = {role: synthetic.load_written(role) for role in synthetic.LABELS}
    if not any(rows.values()):
        pytest.skip("no written posts committed")
    later = {role: synthetic.load_written(role, "r2") for role in synthetic.LABELS}
    for role in synthetic.LABELS:   # a later batch is modelled on posts the first did not cover
        assert not {d["src"] for d in later[role]} & {d["src"] for d in rows[role]}
        texts = {d["text"].lower() for d in rows[role]}
        assert not any(d["text"].lower() in texts for d in later[role])
        rows[role] = rows[role] + later[role]
    for role, written in rows.items():
        for d in written:
            assert d["label"] in synthetic.LABELS[role] and d["how"] in ("same", "contrast") and d["text"].strip()
        texts = [d["text"].lower() for d in written]
        assert len(set(texts)) == len(texts)
    if not (synthetic.BUILD / "brand_reply_kind.csv").is_file():
        if not synthetic.DATA.is_dir():
            pytest.skip(f"real data not present at {synthetic.DATA} (only in the project's workplace)")
        subprocess.run([sys.executable, str(LABELS / "assemble.py")], check=True, capture_output=True, timeout=600)
    for role, written in rows.items():
        train_ids = {r["id"] for r in synthetic.train_rows(role)}
        assert {d["src"] for d in written} <= train_ids     # never a test-split post
