"""kb, suggest and eval as a user runs them: real files, real processes, exact output formats, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)

RESOURCES = [
    {"id": "wifi", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/wifi-keeps-dropping", "title": "Wi-Fi keeps dropping",
     "body": "Turn band steering off and move the router away from the microwave.", "tags": ["wifi", "router"]},
    {"id": "refund", "brand": "Acme", "kind": "faq", "url": "https://help.acme.com/refunds", "title": "Refunds and double charges",
     "body": "Refunds go back to the card you paid with within five days.", "tags": ["billing"]},
    {"id": "pair", "brand": "Acme", "kind": "video", "url": "https://www.youtube.com/watch?v=pair1", "title": "Pair your earbuds",
     "body": "Hold both buttons for five seconds until the light blinks.", "tags": ["earbuds", "bluetooth"]},
    {"id": "order", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/track-order", "title": "Track your order", "body": "", "tags": []},
]

# (conversation, [(role, author, minutes, text)])
HISTORY = [
    ("c1", [("customer", "sam", 0, "@Acme my internet connection keeps cutting out every evening"),
            ("brand", "Acme", 5, "@sam Sorry! This fixes most cases: https://web.archive.org/web/2024/https://help.acme.com/wifi-keeps-dropping/?utm_source=tw"),
            ("customer", "sam", 30, "@Acme that worked, thanks!")]),
    ("c2", [("customer", "kim", 60, "@Acme connection cutting out again on my laptop, so annoying"),
            ("brand", "Acme", 70, "@kim Please try this: http://help.acme.com/wifi-keeps-dropping")]),
    ("c3", [("customer", "lee", 120, "@Acme I was charged twice for my order"),
            ("brand", "Acme", 125, "@lee Refunds go back automatically: https://help.acme.com/refunds")]),
    ("c4", [("customer", "ana", 180, "@Acme my earbuds keep disconnecting from the phone"),
            ("brand", "Acme", 190, "@ana Forget the device in Bluetooth settings and pair again holding both buttons"),
            ("customer", "ana", 200, "@Acme that fixed it, thank you so much")]),
    ("c5", [("customer", "bo", 240, "@Acme internet cutting out since the update"),
            ("brand", "Acme", 250, "@bo This should help https://help.acme.com/wifi-keeps-dropping")]),
    ("c6", [("customer", "cy", 300, "@Acme double charge on my card this month"),
            ("brand", "Acme", 306, "@cy See https://help.acme.com/refunds")]),
]


def run(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def history_rows() -> list[dict]:
    rows = []
    for conv, turns in HISTORY:
        parent = None
        for i, (role, author, minutes, text) in enumerate(turns):
            pid = f"{conv}-{i}"
            rows.append({"id": pid, "conversation_id": conv, "parent_id": parent, "author": author, "author_role": role,
                         "brand": "Acme", "created_at": (T0 + timedelta(minutes=minutes)).isoformat(), "text": text, "channel": "x"})
            parent = pid
    return rows


@pytest.fixture
def files(tmp_path):
    kb = write_jsonl(tmp_path / "kb.jsonl", RESOURCES)
    history = write_jsonl(tmp_path / "history.jsonl", history_rows())
    return tmp_path, kb, history


def suggest_lines(proc: subprocess.CompletedProcess) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_kb_add_is_idempotent_then_list_and_search(tmp_path, files):
    _, kb_file, _ = files
    store = tmp_path / "store"
    first = run("kb", "add", str(kb_file), "--kb", str(store), "--json")
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"], doc["added"], doc["total"]) == (4, 4, 0, 4, 4)
    again = json.loads(run("kb", "add", str(kb_file), "--kb", str(store), "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"], again["total"]) == (0, 0, 4, 4)
    listed = [json.loads(line) for line in run("kb", "list", "--kb", str(store), "--json").stdout.splitlines()]
    assert sorted(r["id"] for r in listed) == ["order", "pair", "refund", "wifi"]
    hits = [json.loads(line) for line in run("kb", "search", "router dropping wifi", "--kb", str(store), "--json").stdout.splitlines()]
    assert hits[0]["id"] == "wifi" and hits[0]["score"] > 0
    table = run("kb", "list", "--kb", str(store))
    assert table.returncode == 0 and "Wi-Fi keeps dropping" in table.stdout


def test_kb_add_markdown_with_brand_and_kind(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("---\ntitle: How to pair\nurl: https://help.acme.com/pair\n---\nHold both buttons.\n")
    (tmp_path / "docs" / "b.md").write_text("---\ntitle: no address, no body\n---\n")
    proc = run("kb", "add", str(tmp_path / "docs"), "--brand", "Acme", "--kind", "faq", "--kb", str(tmp_path / "store"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["read"], doc["loaded"], doc["rejected"]) == (2, 2, 0)  # a title is text enough
    listed = [json.loads(line) for line in run("kb", "list", "--kb", str(tmp_path / "store"), "--json").stdout.splitlines()]
    assert {r["kind"] for r in listed} == {"faq"} and {r["brand"] for r in listed} == {"Acme"}


def test_kb_add_bad_input_is_one_line_per_problem(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "brand": "Acme", "url": "https://help.acme.com/x"}\n{"id": "y", "brand": "Acme"}\n{oops\n')
    proc = run("kb", "add", str(bad), str(tmp_path / "missing.csv"), "--kb", str(tmp_path / "store"))
    assert proc.returncode == 0
    err = proc.stderr
    assert f"{bad}:2: field 'url'" in err and f"{bad}:3:" in err and "missing.csv: no such file" in err
    assert "3 read: 1 loaded" in err and "2 rejected" in err
    assert "Traceback" not in err
    nothing = run("kb", "add", str(tmp_path / "missing.csv"), "--kb", str(tmp_path / "store2"))
    assert nothing.returncode == 1
    assert run("kb", "add", str(bad), "--kind", "poster", "--kb", str(tmp_path / "s3")).returncode == 1


def test_suggest_output_format_ranking_and_draft(files):
    folder, kb, history = files
    queries = write_jsonl(folder / "queries.jsonl", [
        {"id": "q1", "brand": "Acme", "posts": [{"role": "customer", "text": "@Acme my connection keeps cutting out", "created_at": "2024-03-02T10:00:00Z", "author": "dana"}]},
        {"id": "q2", "brand": "acme", "channel": "mastodon", "posts": [{"role": "customer", "text": "I got a double charge for one order"},
                                                                        {"role": "brand", "text": "@eve sorry, which card?"},
                                                                        {"role": "customer", "text": "the visa one"}]},
        {"id": "q3", "brand": "Acme", "channel": "bluesky", "posts": [{"role": "customer", "text": "how do I pair my new earbuds? bluetooth won't find them"}]},
    ])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--k", "3", "--json",
               "--index", str(folder / "index"), "--semantic", "off")
    out = suggest_lines(proc)
    assert [o["id"] for o in out] == ["q1", "q2", "q3"]
    for o in out:
        assert set(o) == {"id", "suggestions", "draft", "draft_warning"}
        assert 1 <= len(o["suggestions"]) <= 3
        for s in o["suggestions"]:
            assert set(s) == {"resource_id", "url", "score", "reason"} and s["reason"]
        scores = [s["score"] for s in o["suggestions"]]
        assert scores == sorted(scores, reverse=True)
    assert out[0]["suggestions"][0]["resource_id"] == "wifi"
    assert "linked 3× before" in out[0]["suggestions"][0]["reason"]
    assert out[1]["suggestions"][0]["resource_id"] == "refund"
    assert out[2]["suggestions"][0]["resource_id"] in ("pair", "reply:c4-1")
    assert out[0]["draft"].startswith("@dana ") and "https://help.acme.com/wifi-keeps-dropping" in out[0]["draft"]
    assert out[1]["draft"].startswith("@eve ") and len(out[1]["draft"]) <= 500
    assert len(out[2]["draft"]) <= 300
    assert "3 queries read: 3 answered" in proc.stderr
    # the second run loads the saved index instead of reading everything again
    again = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--k", "3", "--json",
                "--index", str(folder / "index"), "--semantic", "off")
    assert suggest_lines(again) == out
    assert "index: reused" in again.stderr and "index: reused" not in proc.stderr
    # and it reports the same inputs as the build did (the counts were saved with the index)
    summary = [line for line in proc.stderr.splitlines() if line.startswith("knowledge:")]
    assert summary and summary == [line for line in again.stderr.splitlines() if line.startswith("knowledge:")]


def test_suggest_reusable_answer_from_history(files):
    folder, kb, history = files
    queries = write_jsonl(folder / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "my earbuds keep disconnecting from my phone"}]}])
    out = suggest_lines(run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off",
                            "--index", str(folder / "ix")))
    ids = [s["resource_id"] for s in out[0]["suggestions"]]
    assert "reply:c4-1" in ids[:2]  # the reply that solved it without a link, confirmed by the customer


def test_suggest_bad_queries_are_reported_and_the_rest_answered(files):
    folder, kb, history = files
    queries = folder / "queries.jsonl"
    queries.write_text("\n".join([
        json.dumps({"id": "ok", "brand": "Acme", "posts": [{"role": "customer", "text": "refund please, charged twice"}]}),
        json.dumps({"id": "nobrand", "brand": "Globex", "posts": [{"role": "customer", "text": "help"}]}),
        json.dumps({"id": "empty", "brand": "Acme", "posts": []}),
        "{not json",
        json.dumps({"id": "badrole", "brand": "Acme", "posts": [{"role": "robot", "text": "x"}]}),
        json.dumps({"brand": "Acme", "posts": []}),
    ]) + "\n")
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(folder / "ix"))
    out = suggest_lines(proc)
    assert [o["id"] for o in out] == ["ok", "nobrand", "empty"]
    assert out[1] == {"id": "nobrand", "suggestions": [], "draft": None, "draft_warning": None} and out[2]["suggestions"] == []
    err = proc.stderr
    assert "unknown brand 'Globex'" in err and f"{queries}:2:" in err
    assert "empty conversation" in err and f"{queries}:3:" in err
    assert f"{queries}:4:" in err and "not valid JSON" in err
    assert "field 'posts[0].role'" in err and f"{queries}:6: field 'id'" in err
    assert "6 queries read: 1 answered, 0 matched nothing, 2 without suggestions, 3 rejected" in err


def test_suggest_missing_inputs_are_one_line(files):
    folder, kb, history = files
    proc = run("suggest", "--kb", str(folder / "nope.jsonl"), "--input", str(kb))
    assert proc.returncode == 1 and "nope.jsonl: no such file" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("suggest", "--kb", str(kb), "--input", str(folder / "none.jsonl"))
    assert proc.returncode == 1 and "none.jsonl: no such file" in proc.stderr


def test_eval_suggest_backtest(files):
    folder, kb, history = files
    proc = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--split", "0.5", "--json", "--semantic", "off")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    m = doc["metrics"]
    # 5 linked conversations by time: c1 c2 c3 learned, c5 c6 tested; both answers were linked before
    assert (doc["train_linked"], doc["test_conversations"], m["n"]) == (2, 3, 3)
    assert m["recall@5"] == 1.0 and m["recall@1"] >= doc["baseline_most_linked"]["recall@1"]
    assert {"recall@1", "recall@5", "mrr@10"} <= set(m)
    table = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--semantic", "off")
    assert table.returncode == 0 and "recall@1" in table.stdout


def test_ibm_cdp_converter_and_suggest(tmp_path, shared_data):
    script = Path(__file__).resolve().parents[1] / "scripts" / "ibm_cdp.py"
    proc = subprocess.run([sys.executable, str(script), "convert", "--data", str(shared_data / "ibm-cdp"), "--out", str(tmp_path / "cdp"), "--part", "tune"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    fold = tmp_path / "cdp" / "tune-0"
    kb = [json.loads(line) for line in (fold / "kb.jsonl").read_text().splitlines()]
    assert all(r["title"] == "" and r["body"] == "" and r["url"] for r in kb) and len(kb) > 2000
    queries = (fold / "queries.jsonl").read_text().splitlines()
    out = suggest_lines(run("suggest", "--kb", str(fold / "kb.jsonl"), "--history", str(fold / "history.jsonl"), "--input",
                            str(fold / "queries.jsonl"), "--json", "--semantic", "off", "--index", str(tmp_path / "ix")))
    assert len(out) == len(queries)
    gold = {g["id"]: g["doc_id"] for g in map(json.loads, (fold / "gold.jsonl").read_text().splitlines())}
    hits = sum(1 for o in out if gold[o["id"]] in [s["resource_id"] for s in o["suggestions"][:5]])
    # the brand's most-linked resource alone finds about half at 5 on this fold; the ranking must not do worse
    assert hits / len(out) >= 0.45
