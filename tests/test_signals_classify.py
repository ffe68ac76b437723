"""`helpfirst classify` end to end: the real CLI on real posts and on broken files."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import helpfirst.signals as S

from .conftest import run_python_or_fail

FIELDS = ["id", "intent", "needs_help", "complaint", "reply_kind", "sentiment", "language", "urgency"]


def run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "classify", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=300)


def _real_posts(shared_data, n=600) -> list[dict]:
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:n]
    return [{"id": r["tweet_id"], "text": r["text"], "role": "customer" if r["inbound"] == "True" else "brand",
             "author": r["author_id"]} for r in rows]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_real_posts_one_line_each_in_order(shared_data, tmp_path):
    posts = _real_posts(shared_data)
    src = _write(tmp_path / "posts.jsonl", [json.dumps(p) for p in posts])
    res = run(src)
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["id"] for o in out] == [p["id"] for p in posts]
    for p, o in zip(posts, out):
        assert list(o) == FIELDS
        if p["role"] == "customer":
            assert o["intent"] in S.INTENTS and o["reply_kind"] is None
            assert o["needs_help"] == (o["intent"] in ("question", "problem")) and 0 <= o["complaint"] <= 1
        else:
            assert o["reply_kind"] in S.REPLY_KINDS and o["intent"] is o["needs_help"] is o["complaint"] is None
        assert -1 <= o["sentiment"] <= 1 and 0 <= o["urgency"] <= 1
    assert sum(o["language"] == "en" for o in out) > 0.9 * len(out)
    # the labels' definitions in action: DM requests are redirects, thanks are not problems
    kinds = [o["reply_kind"] for p, o in zip(posts, out) if "DM" in p["text"] and p["role"] == "brand"]
    assert kinds.count("redirect") > 0.6 * len(kinds)
    assert f"{len(posts):,} lines read: {len(posts):,} classified, 0 rejected" in res.stderr


def test_bad_lines_are_reported_and_keep_their_place(shared_data, tmp_path):
    good = _real_posts(shared_data, 3)
    lines = [json.dumps(good[0]), "{not json", json.dumps({"id": 7, "role": "customer"}),
             json.dumps({"id": 8, "text": "   ", "role": "customer"}),
             json.dumps({"id": 9, "text": 42, "role": "brand"}),
             json.dumps({"id": 10, "text": "hello", "role": "agent"}),
             json.dumps({"text": "no id here", "role": "customer"}), "",
             json.dumps(["a", "list"]), json.dumps({"id": 11, "text": "late?", "role": "customer", "waited_minutes": -5}),
             json.dumps(good[1]), json.dumps({**good[2], "role": "bot"}),
             '{"id": "s", "text": "broken \\ud800 surrogate", "role": "customer"}']
    src = _write(tmp_path / "mixed.jsonl", lines)
    res = run(src)
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(out) == len(lines)
    errors = {o["line"]: o for o in out if "error" in o}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 13]
    assert "surrogate" in errors[13]["error"] and errors[13]["id"] == "s"
    assert errors[3]["id"] == 7 and "'text' is missing" in errors[3]["error"]
    assert "'text' is empty" in errors[4]["error"] and "must be a string" in errors[5]["error"]
    assert "'role' must be one of customer, brand, bot" in errors[6]["error"]
    assert "'id' is missing" in errors[7]["error"] and errors[7]["id"] is None
    assert "empty line" in errors[8]["error"] and "JSON object" in errors[9]["error"]
    assert "waited_minutes" in errors[10]["error"]
    assert out[0]["id"] == good[0]["id"] and out[10]["id"] == good[1]["id"]
    assert out[11]["intent"] is None and out[11]["reply_kind"] is None and out[11]["sentiment"] is not None
    for n in errors:
        assert f"{src}:{n}: " in res.stderr
    assert "13 lines read: 3 classified, 10 rejected" in res.stderr


def test_nothing_classifiable_exits_1(tmp_path):
    res = run(_write(tmp_path / "bad.jsonl", ["nope", json.dumps({"id": 1, "text": "", "role": "brand"})]))
    assert res.returncode == 1
    assert "nothing could be classified" in res.stderr and len(res.stdout.splitlines()) == 2
    res = run(tmp_path / "missing.jsonl")
    assert res.returncode == 1 and "missing.jsonl: cannot open" in res.stderr


def test_stdin_json_summary_batches_and_masking(shared_data, tmp_path):
    posts = _real_posts(shared_data, 300)
    posts.append({"id": "pii", "text": "@Brand my card 4111 1111 1111 1111 was charged twice, mail me at a.b@c.com",
                  "role": "customer"})
    text = "".join(json.dumps(p) + "\n" for p in posts)
    whole = run("-", "--json", stdin=text)
    assert whole.returncode == 0, whole.stderr
    summary = json.loads(whole.stderr.strip().splitlines()[-1])
    assert summary["lines_read"] == summary["classified"] == len(posts) and summary["rejected"] == 0
    small = run("--batch-size", "17", "--out", tmp_path / "o.jsonl", stdin=text)
    assert small.returncode == 0 and small.stdout == ""
    assert (tmp_path / "o.jsonl").read_text(encoding="utf-8") == whole.stdout
    masked = run("--mask-pii", stdin=text)
    last = json.loads(masked.stdout.splitlines()[-1])
    assert last["text"] == "@Brand my card [card] was charged twice, mail me at [email]"
    assert list(last) == ["id", "text"] + FIELDS[1:]


def test_unknown_model_is_one_line(tmp_path):
    res = run("--model", "huge", stdin=json.dumps({"id": 1, "text": "hi", "role": "customer"}) + "\n")
    assert res.returncode == 1 and "unknown signals model 'huge'" in res.stderr
    assert "Traceback" not in res.stderr


def test_whole_chunk_and_line_by_line_parsing_agree(shared_data, tmp_path):
    """A chunk of valid posts is read by Arrow's JSON reader; one bad line sends the chunk through
    the line-by-line parser. Both give the same output lines."""
    posts = _real_posts(shared_data, 200)
    lines = [json.dumps({"id": i, "text": p["text"], "role": p["role"], "meta": {"n": [1, 2]}})
             for i, p in enumerate(posts)]
    clean = run(_write(tmp_path / "clean.jsonl", lines))
    mixed = run(_write(tmp_path / "mixed.jsonl", lines + ["{oops"]))
    assert clean.returncode == mixed.returncode == 0
    assert mixed.stdout.splitlines()[:-1] == clean.stdout.splitlines()
    assert json.loads(clean.stdout.splitlines()[5])["id"] == 5  # integer ids stay integers
    ascii_escaped = run(_write(tmp_path / "escaped.jsonl", [json.dumps(json.loads(x), ensure_ascii=True) for x in lines]))
    assert ascii_escaped.stdout == clean.stdout


def test_workers_after_lingua_ran_in_this_process(shared_data):
    """lingua's thread pool does not survive a fork (a forked child that detects languages hangs);
    after lingua ran in a process, classify_lines spawns its workers instead."""
    posts = _real_posts(shared_data, 40) + [{"id": "es", "text": "Hola, mi teléfono no funciona desde ayer",
                                             "role": "customer"}] * 30
    script = f"""
import json
from helpfirst.signals.classify import ClassifyStats, classify_lines
from helpfirst.signals.language import detect_language
assert detect_language(["Hola, mi teléfono no funciona desde ayer"] * 300).to_pylist()[0] == "es"
stats = ClassifyStats()
out = list(classify_lines([json.dumps(p) + "\\n" for p in {posts!r}], batch_size=10, jobs=2, stats=stats))
print(len(out), stats.classified, json.loads(out[-1])["language"])
"""
    stdout = run_python_or_fail(script, 120, "classify_lines hung in its workers after lingua had run in the parent")
    assert stdout.split() == ["70", "70", "es"]


def test_byte_order_mark_at_the_start_is_accepted(tmp_path):
    lines = [json.dumps({"id": 1, "text": "my parcel never came", "role": "customer"}),
             json.dumps({"id": 2, "text": "please DM us", "role": "brand"})]
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + "".join(line + "\n" for line in lines).encode("utf-8"))
    plain = run(_write(tmp_path / "plain.jsonl", lines))
    for res in (run(src), run("-", stdin="\ufeff" + src.read_text(encoding="utf-8-sig"))):
        assert res.returncode == 0, res.stderr
        assert "BOM" not in res.stderr and "2 lines read: 2 classified, 0 rejected" in res.stderr
        assert res.stdout == plain.stdout
    # a bad line sends the chunk through the line-by-line parser: the first line is still accepted
    with src.open("a", encoding="utf-8") as fh:
        fh.write("{oops\n")
    res = run(src)
    assert "BOM" not in res.stderr and "3 lines read: 2 classified, 1 rejected" in res.stderr
    assert res.stdout.splitlines()[:2] == plain.stdout.splitlines()
    # only at the start: inside the file it is still a bad line, named as such
    res = run(_write(tmp_path / "inner.jsonl", [lines[0], "\ufeff" + lines[1]]))
    assert "inner.jsonl:2: not JSON" in res.stderr


def test_null_id_and_text_are_called_null(tmp_path):
    src = _write(tmp_path / "nulls.jsonl", [json.dumps({"id": None, "text": "hi", "role": "customer"}),
                                            json.dumps({"id": 2, "text": None, "role": "customer"})])
    res = run(src)
    assert f"{src}:1: field 'id' is null (it must be a non-empty string or an integer)" in res.stderr
    assert f"{src}:2: field 'text' is null (it must be a non-empty string)" in res.stderr
    assert "missing" not in res.stderr


def test_languages_option_restricts_the_output(shared_data, tmp_path):
    posts = _real_posts(shared_data, 150)
    src = _write(tmp_path / "posts.jsonl", [json.dumps(p) for p in posts])
    res = run(src, "--languages", "fr,de")
    assert res.returncode == 0, res.stderr
    langs = [json.loads(line)["language"] for line in res.stdout.splitlines()]
    assert len(langs) == len(posts) and set(langs) <= {"fr", "de", None} and langs.count(None) < len(langs)
