#!/bin/sh
# The second half of the runs, one after another (the machine has 2 cores; nothing runs beside them).
set -x
cd "$(dirname "$0")"
PY=../.venv/bin/python
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
$PY export_fast.py
$PY exp_intent.py hash
$PY finetune.py complaint
for k in 0 1 2 3 4; do $PY finetune.py complaint --fold $k; done
$PY finetune.py needs_help
$PY finetune.py intent
$PY finetune.py reply_kind
$PY distill.py --synth 5000
$PY bench_throughput.py minilm
