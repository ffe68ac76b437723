"""scripts/train_accurate.py --tune refuses to re-tune an out-of-fold-tuned model in sample."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_accurate.py"
SHIPPED = ROOT / "src" / "helpfirst" / "signals" / "models" / "accurate" / "accurate.json"


def test_plain_tune_of_the_shipped_oof_model_is_refused_and_changes_nothing(tmp_path):
    cfg = tmp_path / "accurate.json"
    shutil.copyfile(SHIPPED, cfg)
    assert json.loads(cfg.read_text())["training"]["tuned_on"].startswith("out-of-fold")
    before = cfg.read_bytes()
    run = subprocess.run([sys.executable, str(SCRIPT), "--tune", "--no-score", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert f"{cfg}: tuned on out-of-fold probabilities of 3 folds" in run.stderr
    assert "--ensemble DIR_F0 DIR_F1 DIR_F2 --oof --no-score" in run.stderr
    assert cfg.read_bytes() == before


def test_a_model_tuned_on_its_own_validation_part_may_be_re_tuned(tmp_path):
    spec = importlib.util.spec_from_file_location("train_accurate", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cfg = json.loads(SHIPPED.read_text())
    del cfg["training"]["tuned_on"]
    (tmp_path / "accurate.json").write_text(json.dumps(cfg))
    mod.refuse_in_sample_retune(tmp_path)   # no SystemExit
