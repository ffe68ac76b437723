"""The bench scripts at tiny sizes: --results DIR, the counts they record, and how they word results."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SHARED = ROOT.parent / "shared" / "data"


def _module(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(BENCH))


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=900)


def test_every_bench_script_takes_results_dir():
    for script in ("bench_suggest.py", "bench_signals.py", "bench_accurate.py", "bench_audit.py",
                   "bench_signals_audit.py"):
        run = _run(script, "--help")
        assert run.returncode == 0, run.stderr
        assert "--results RESULTS" in run.stdout and "default bench/results" in " ".join(run.stdout.split()), script


def test_suggest_measures_every_query_asked_for_and_writes_to_results(tmp_path):
    committed = BENCH / "results" / "suggest-300.json"
    assert not committed.exists()
    run = _run("bench_suggest.py", "--resources", "100", "--replies", "300", "--queries", "2100", "--no-peer",
               "--results", str(tmp_path))
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "suggest-300.json").read_text())
    assert doc["queries_requested"] == doc["queries_measured"] == doc["lexical"]["n"] == 2100
    assert doc["warmup_queries"] == 20
    assert doc["git_commit"] and doc["date"].endswith("Z") and "load_average_before" in doc and doc["machine"]["cpus"]
    assert "queries: 2,100 measured of 2,100 asked for" in run.stdout
    assert not committed.exists()


def test_suggest_refuses_fewer_resources_than_brands(tmp_path):
    run = _run("bench_suggest.py", "--resources", "50", "--results", str(tmp_path))
    assert run.returncode == 2 and "--resources 50: at least 100" in run.stderr
    assert not any(tmp_path.iterdir())


def test_speed_is_worded_the_right_way_round():
    words = _module("bench_suggest").speed_words
    assert words(1.0, 2.5) == "2.5x faster"      # helpfirst 1 ms, peer 2.5 ms
    assert words(2.0, 1.6) == "1.2x slower"      # the peer/helpfirst ratio 0.8 is slower, not "x0.8 faster"
    assert words(1.0, 1.02) == "as fast (x1.0)"


def test_signals_audit_judges_the_target_only_at_its_size(tmp_path):
    assert _module("bench_signals_audit").target_met(3000, 1.0, 100.0) is None
    assert _module("bench_signals_audit").target_met(2_800_000, 119.0, 4000.0) is True
    assert _module("bench_signals_audit").target_met(2_800_000, 121.0, 4000.0) is False
    run = _run("bench_signals_audit.py", "--posts", "2000", "--skip-peer", "--data-dir", str(tmp_path / "data"),
               "--results", str(tmp_path / "res"))
    assert run.returncode == 0, run.stderr
    assert "not judged (this run: 2,000 posts; the target applies to 2,800,000 posts)" in run.stdout
    assert ": met" not in run.stdout
    doc = json.loads((tmp_path / "res" / "signals-audit-2000.json").read_text())
    assert doc["target_met"] is None and doc["target"]["posts"] == 2_800_000


def test_audit_bench_writes_to_results(tmp_path):
    run = _run("bench_audit.py", "--posts", "2000", "--data-dir", str(tmp_path / "data"), "--results", str(tmp_path / "res"))
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "res" / "audit-2000.json").read_text())["posts"] == 2000


@pytest.mark.skipif(not (SHARED / "twcs-head5k" / "twcs-head5k.csv").is_file(), reason="needs ../shared/data")
def test_signals_bench_writes_to_results(tmp_path):
    run = _run("bench_signals.py", "--posts", "100", "--no-peer", "--jobs", "1", "--results", str(tmp_path))
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "signals-100.json").read_text())
    assert doc["posts"] == 100 and doc["commit"] and doc["date"]


@pytest.mark.skipif(not (SHARED / "twcs-head5k" / "twcs-head5k.csv").is_file(), reason="needs ../shared/data")
def test_accurate_bench_records_its_run_and_prints_no_progress_bar(tmp_path):
    pytest.importorskip("sentence_transformers")
    run = _run("bench_accurate.py", "--posts", "20", "--skip-cli", "--results", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "Loading weights" not in run.stdout + run.stderr
    doc = json.loads((tmp_path / "accurate-20.json").read_text())
    assert doc["commit"] and doc["date"].endswith("Z") and doc["posts_requested"] == doc["posts"] == 20
    assert {"cpus", "platform", "load_before", "load_after"} <= set(doc["machine"])
