"""Review fixes of suggest / eval suggest / kb: partial inputs, FAQ drafts, bad weights and queries, limits, help texts."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from helpfirst.cli import app
from tests.test_suggest_cli import files, history_rows, run, suggest_lines, write_jsonl  # noqa: F401  (files: fixture)

QUERY = {"id": "q1", "brand": "Acme", "customer": "dana", "posts": [{"role": "customer", "text": "my wifi keeps dropping on the router"}]}


def queries(path, *rows):
    return write_jsonl(path, list(rows) or [QUERY])


def test_suggest_answers_with_what_is_left_when_a_kb_file_is_missing(files):
    folder, kb, history = files
    proc = run("suggest", "--kb", str(folder / "nope.jsonl"), "--kb", str(kb), "--input", str(queries(folder / "q.jsonl")),
               "--json", "--semantic", "off", "--index", str(folder / "ix"))
    out = suggest_lines(proc)
    assert [o["id"] for o in out] == ["q1"] and out[0]["suggestions"][0]["resource_id"] == "wifi"
    assert "nope.jsonl: no such file" in proc.stderr and "knowledge: 4 read, 4 loaded" in proc.stderr


def test_suggest_and_eval_go_on_when_a_history_file_is_missing(files):
    folder, kb, history = files
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--history", str(folder / "nope.csv"),
               "--input", str(queries(folder / "q.jsonl")), "--json", "--semantic", "off", "--index", str(folder / "ix"))
    out = suggest_lines(proc)
    assert out[0]["suggestions"] and "nope.csv: no such file" in proc.stderr
    assert "history: 14 posts read, 14 loaded" in proc.stderr
    proc = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--history", str(folder / "nope.csv"),
               "--split", "0.5", "--json", "--semantic", "off")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["metrics"]["n"] >= 1 and "nope.csv: no such file" in proc.stderr


def test_nothing_left_is_one_clear_failure(files):
    folder, kb, history = files
    proc = run("suggest", "--kb", str(folder / "a.jsonl"), "--history", str(folder / "b.csv"),
               "--input", str(queries(folder / "q.jsonl")), "--index", str(folder / "ix"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    assert "a.jsonl: no such file" in proc.stderr and "b.csv: no such file" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "error: nothing to suggest from: no resource and no past reply could be loaded"


def test_faq_draft_carries_the_answer_and_its_link(tmp_path):
    body = "Band steering makes some laptops hop between bands. Turn band steering off in the router app, then restart it."
    kb = write_jsonl(tmp_path / "kb.jsonl", [
        {"id": "faq1", "brand": "Acme", "kind": "faq", "title": "Why does wifi drop?", "body": body},
        {"id": "faq2", "brand": "Acme", "kind": "faq", "title": "How do refunds work?", "url": "https://help.acme.com/refunds",
         "body": "Refunds go back to the card you paid with within five days. " * 12},
    ])
    q = queries(tmp_path / "q.jsonl",
                {"id": "a", "brand": "Acme", "customer": "sam", "posts": [{"role": "customer", "text": "why does my wifi drop"}]},
                {"id": "b", "brand": "Acme", "customer": "kim", "posts": [{"role": "customer", "text": "how do refunds work"}]})
    out = suggest_lines(run("suggest", "--kb", str(kb), "--input", str(q), "--json", "--semantic", "off", "--index", str(tmp_path / "ix")))
    assert out[0]["draft"] == f"@sam Here's the answer: {body} Let us know if it works for you!"
    long = out[1]["draft"]
    assert long.startswith("@kim Here's the answer: Refunds go back to the card") and long.endswith("… https://help.acme.com/refunds")
    assert len(long.replace("https://help.acme.com/refunds", "x" * 23)) <= 280


def test_bad_weights_files_are_clear_errors(files, tmp_path):
    folder, kb, history = files
    q = queries(folder / "q.jsonl")
    for doc, expected in [({"prior": "x"}, "field 'prior': expected a number, not \"x\""),
                          ({"nonsense_feature": 1}, "unknown field 'nonsense_feature'"),
                          ({"knn_k": 2.5}, "field 'knn_k': expected a whole number"),
                          ([1, 2], "expected a JSON object")]:
        w = tmp_path / "w.json"
        w.write_text(json.dumps(doc))
        proc = run("suggest", "--kb", str(kb), "--input", str(q), "--weights", str(w), "--semantic", "off", "--index", str(folder / "ix"))
        assert proc.returncode == 1 and proc.stderr.strip() == f"error: {w}: " + proc.stderr.strip().split(f"{w}: ", 1)[1]
        assert expected in proc.stderr and "UFunc" not in proc.stderr
    w.write_text(json.dumps({"prior": 1, "answer": 0, "knn_k": 3}))
    assert suggest_lines(run("suggest", "--kb", str(kb), "--input", str(q), "--weights", str(w), "--json", "--semantic", "off",
                             "--index", str(folder / "ix")))[0]["suggestions"]


def test_bad_channel_and_created_at_are_per_line_errors(files):
    folder, kb, history = files
    post = {"role": "customer", "text": "my wifi keeps dropping"}
    q = queries(folder / "q.jsonl",
                {"id": "a", "brand": "Acme", "channel": "myspace", "posts": [post]},
                {"id": "b", "brand": "Acme", "posts": [{**post, "created_at": "not a date"}]},
                {"id": "c", "brand": "Acme", "channel": "Mastodon", "posts": [{**post, "created_at": "2024-03-01T10:00:00Z"}]})
    proc = run("suggest", "--kb", str(kb), "--input", str(q), "--json", "--semantic", "off", "--index", str(folder / "ix"))
    assert [o["id"] for o in suggest_lines(proc)] == ["c"]
    assert f"rejected: {q}:1: field 'channel': unknown channel \"myspace\"" in proc.stderr
    assert f"rejected: {q}:2: field 'posts[0].created_at': not an ISO 8601 date-time" in proc.stderr
    assert "3 queries read: 1 answered, 0 without suggestions, 2 rejected" in proc.stderr


def test_bluesky_draft_over_the_limit_is_flagged(tmp_path):
    url = "https://help.acme.com/" + "/".join(f"segment{i}" for i in range(30))
    assert len(url) > 280
    kb = write_jsonl(tmp_path / "kb.jsonl", [{"id": "long", "brand": "Acme", "kind": "article", "url": url, "title": "Wifi dropping"}])
    q = queries(tmp_path / "q.jsonl", *[{"id": ch, "brand": "Acme", "channel": ch, "customer": "a_rather_long_handle_name",
                                        "posts": [{"role": "customer", "text": "wifi dropping"}]} for ch in ("bluesky", "x")])
    proc = run("suggest", "--kb", str(kb), "--input", str(q), "--json", "--semantic", "off", "--index", str(tmp_path / "ix"))
    bluesky, x = suggest_lines(proc)
    assert len(bluesky["draft"]) > 300 and url in bluesky["draft"] and bluesky["draft"].startswith("@a_rather_long_handle_name ")
    assert f"{len(bluesky['draft'])} characters, over bluesky's limit of 300" in bluesky["draft_warning"]
    assert f"warning: {q}:1: the draft is {len(bluesky['draft'])} characters" in proc.stderr
    assert x["draft_warning"] is None and f"{q}:2" not in proc.stderr


def test_kb_list_and_search_name_an_unknown_brand(files):
    folder, kb, history = files
    store = folder / "store"
    assert run("kb", "add", str(kb), "--kb", str(store)).returncode == 0
    for args in (["list"], ["search", "wifi"]):
        proc = run("kb", *args, "--kb", str(store), "--brand", "Nobody")
        assert proc.returncode == 1
        assert proc.stderr.strip() == f"error: unknown brand 'Nobody': {store} has no resource of it (brands: Acme)"
    assert "wifi" in run("kb", "search", "wifi", "--kb", str(store), "--brand", "acme", "--json").stdout


def test_text_output_to_a_pipe_keeps_drafts_on_one_line(files):
    folder, kb, history = files
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries(folder / "q.jsonl")),
               "--semantic", "off", "--index", str(folder / "ix"), env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    drafts = [line for line in proc.stdout.splitlines() if line.startswith("  draft: ")]
    assert len(drafts) == 1 and len(drafts[0]) > 80 and drafts[0].endswith("Let us know if it works for you!")
    urls = [line for line in proc.stdout.splitlines() if line.startswith("  1. ")]
    assert urls[0].split()[-1].startswith("https://help.acme.com/")


def test_help_shows_text_in_square_brackets():
    runner = CliRunner()
    kb_help = " ".join(runner.invoke(app, ["kb", "list", "--help"], env={"COLUMNS": "300"}).output.split())
    assert "Knowledge base folder [default: $HELPFIRST_KB or ./helpfirst-kb]." in kb_help
    suggest_help = " ".join(runner.invoke(app, ["suggest", "--help"], env={"COLUMNS": "300"}).output.split())
    assert "(reused while the inputs are unchanged) [default: a cache folder]." in suggest_help
    assert "posts: [{role, text, created_at}]" in suggest_help
