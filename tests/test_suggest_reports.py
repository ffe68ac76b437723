"""Fixer round: suggest / eval suggest report the same input problems on every run, the backtest scores
what suggest shows, short links expand from any X API layout, help-centre links on social hosts are learned."""

from __future__ import annotations

import json

from tests.test_suggest_cli import files, history_rows, run, suggest_lines, write_jsonl  # noqa: F401  (files: fixture)

QUERY = {"id": "q1", "brand": "Acme", "customer": "dana", "posts": [{"role": "customer", "text": "my wifi keeps dropping on the router"}]}


def _summary(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("1 queries read")]


def test_a_cached_suggest_run_reports_the_same_missing_files_rejections_and_counts(files):
    folder, kb, history = files
    rows = history_rows()
    write_jsonl(history, rows + [rows[0]])   # one duplicate id: one rejection
    queries = write_jsonl(folder / "q.jsonl", [QUERY])
    args = ("suggest", "--kb", str(kb), "--kb", str(folder / "nope.jsonl"), "--history", str(history),
            "--history", str(folder / "nohist.jsonl"), "--input", str(queries), "--json", "--semantic", "off")
    env = {"HELPFIRST_CACHE": str(folder / "cache")}
    first, second = run(*args, env=env), run(*args, env=env)
    suggest_lines(first), suggest_lines(second)
    assert "nope.jsonl" in first.stderr and "nohist.jsonl" in first.stderr and "1 rejected; learned" in first.stderr
    assert "index: reused" not in first.stderr and "index: reused" in second.stderr
    assert [x for x in _summary(second.stderr) if not x.startswith("index: reused")] == _summary(first.stderr)


def _answer_heavy_history(folder):
    """Training: 12 solved replies without a link about double charges (past answers) and linked refunds;
    test: later double-charge requests answered with the refunds page."""
    from datetime import timedelta

    from tests.test_suggest_cli import T0

    rows, minute = [], 0

    def conv(cid, turns):
        nonlocal minute
        parent = None
        for i, (role, author, text) in enumerate(turns):
            pid = f"{cid}-{i}"
            rows.append({"id": pid, "conversation_id": cid, "parent_id": parent, "author": author, "author_role": role,
                         "brand": "Acme", "created_at": (T0 + timedelta(minutes=minute)).isoformat(), "text": text, "channel": "x"})
            parent, minute = pid, minute + 5

    for n in range(12):
        conv(f"a{n}", [("customer", f"u{n}", f"@Acme I was charged twice on my card for order {n}, double charge"),
                       ("brand", "Acme", f"@u{n} Sorry about the double charge on your card, variant {n}: we reversed it"),
                       ("customer", f"u{n}", "@Acme thanks, that fixed it")])
    for n in range(8):
        conv(f"l{n}", [("customer", f"v{n}", "@Acme charged twice on my card, double charge"),
                       ("brand", "Acme", f"@v{n} See https://help.acme.com/refunds")])
    return write_jsonl(folder / "answers.jsonl", rows)


def test_eval_suggest_ranks_resources_only_so_past_replies_never_take_their_places(files):
    folder, kb, _history = files
    history = _answer_heavy_history(folder)
    proc = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--split", "0.5", "--json", "--semantic", "off")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # what suggest shows for such a request puts the past replies first; the backtest still finds the page
    assert doc["metrics"]["n"] == 4 and doc["metrics"]["recall@1"] == 1.0, doc


def test_eval_suggest_reports_missing_files_and_rejections_in_text_and_json(files):
    folder, kb, history = files
    kb.write_text(kb.read_text() + '{"id": "bad", "brand": "Acme"}\n')   # no url: rejected
    rows = history_rows()
    write_jsonl(history, rows + [rows[0]])   # a duplicate id: rejected
    args = ("eval", "suggest", "--kb", str(kb), "--kb", str(folder / "nope.jsonl"), "--history", str(history),
            "--history", str(folder / "nohist.jsonl"), "--split", "0.5", "--semantic", "off")
    text = run(*args)
    assert text.returncode == 0, text.stderr
    assert "nope.jsonl: no such file" in text.stderr and "nohist.jsonl: no such file" in text.stderr
    assert "duplicate id" in text.stderr
    assert "knowledge: 5 read, 4 loaded, 1 rejected; history: 15 posts read, 14 loaded, 1 rejected" in text.stderr
    doc = json.loads(run(*args, "--json").stdout)
    assert (doc["resources_rejected"], doc["history_rejected"], doc["history_read"]) == (1, 1, 15)
    assert any("nope.jsonl" in e for e in doc["errors"]) and any("nohist.jsonl" in e for e in doc["errors"])


def test_eval_suggest_that_cannot_run_still_names_missing_and_unrecognised_files(tmp_path):
    (tmp_path / "weird.txt").write_text("hello world\nfoo\n")
    proc = run("eval", "suggest", "--kb", str(tmp_path / "nope.jsonl"), "--history", str(tmp_path / "nohist.jsonl"),
               "--history", str(tmp_path / "weird.txt"), "--json")
    assert proc.returncode == 1
    assert "nope.jsonl: no such file" in proc.stderr and "nohist.jsonl: no such file" in proc.stderr
    assert "weird.txt: could not recognise the format" in proc.stderr and "0 conversation(s)" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["error"].startswith("the history has 0") and len(doc["errors"]) == 3


def _xv2_page(n: int, entities: dict) -> dict:
    """An X API v2 page: n customer questions about cancelling, each answered by Acme with a t.co link."""
    tweets, users = [], [{"id": "1", "username": "Acme"}]
    for i in range(n):
        q, a = str(1000 + 2 * i), str(1001 + 2 * i)
        users.append({"id": str(100 + i), "username": f"user{i}"})
        tweets.append({"id": q, "text": "@Acme how do I cancel my subscription", "author_id": str(100 + i),
                       "created_at": f"2024-03-01T09:{i:02d}:00.000Z", "conversation_id": q})
        tweets.append({"id": a, "text": f"@user{i} Here: https://t.co/s{i}", "author_id": "1",
                       "created_at": f"2024-03-01T10:{i:02d}:00.000Z", "conversation_id": q,
                       "referenced_tweets": [{"type": "replied_to", "id": q}],
                       "entities": {"urls": [{"url": f"https://t.co/s{i}", **entities}]}})
    return {"data": tweets, "includes": {"users": users}}


def _cancel_kb(folder):
    return write_jsonl(folder / "ckb.jsonl", [{"id": "c1", "brand": "Acme", "kind": "article", "url": "https://help.acme.com/cancel",
                                               "title": "Cancel your subscription", "body": "Open Account, then Cancel."}])


def test_short_links_expand_from_a_pretty_printed_x_api_page(tmp_path):
    kb = _cancel_kb(tmp_path)
    history = tmp_path / "page.json"
    history.write_text(json.dumps(_xv2_page(4, {"expanded_url": "https://help.acme.com/cancel"}), indent=2))
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I cancel"}]}])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--brand", "Acme", "--input", str(queries), "--json",
               "--semantic", "off", "--index", str(tmp_path / "ix"))
    suggest_lines(proc)
    assert "learned 4 linked cases" in proc.stderr


def test_unwound_url_wins_over_expanded_url(tmp_path):
    kb = _cancel_kb(tmp_path)
    history = write_jsonl(tmp_path / "page.jsonl", [_xv2_page(4, {"expanded_url": "https://bit.ly/acmecancel",
                                                                    "unwound_url": "https://help.acme.com/cancel"})])
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "how do I cancel"}]}])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--brand", "Acme", "--input", str(queries), "--json",
               "--semantic", "off", "--index", str(tmp_path / "ix"))
    out = suggest_lines(proc)
    assert "learned 4 linked cases" in proc.stderr and "0 resources only history knew" in proc.stderr
    assert [s["resource_id"] for s in out[0]["suggestions"]] == ["c1"]


def _social_history(folder, links: list[str]):
    from datetime import timedelta

    from tests.test_suggest_cli import T0

    rows = []
    for n, link in enumerate(links):
        t = T0 + timedelta(hours=n)
        rows.append({"id": f"t{n}a", "conversation_id": f"t{n}", "author": f"u{n}", "author_role": "customer", "brand": "TwitterSupport",
                     "created_at": t.isoformat(), "text": "@TwitterSupport my account is locked, please help"})
        rows.append({"id": f"t{n}b", "conversation_id": f"t{n}", "parent_id": f"t{n}a", "author": "TwitterSupport", "author_role": "brand",
                     "brand": "TwitterSupport", "created_at": (t + timedelta(minutes=5)).isoformat(), "text": f"@u{n} See {link}"})
    return write_jsonl(folder / "thist.jsonl", rows)


def test_links_to_a_networks_help_centre_are_learned_and_backtested(tmp_path):
    kb = write_jsonl(tmp_path / "tkb.jsonl", [
        {"id": "lock", "brand": "TwitterSupport", "kind": "article", "title": "Locked and limited accounts",
         "url": "https://help.twitter.com/en/managing-your-account/locked-and-limited-accounts"},
        {"id": "thread", "brand": "TwitterSupport", "kind": "article", "title": "Our pinned guide to locked accounts",
         "url": "https://twitter.com/TwitterSupport/status/123"}])
    history = _social_history(tmp_path, ["https://help.twitter.com/en/managing-your-account/locked-and-limited-accounts"] * 4
                              + ["https://twitter.com/TwitterSupport/status/123"] * 2 + ["https://twitter.com/someone"])
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "TwitterSupport", "posts": [{"role": "customer", "text": "account locked"}]}])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(tmp_path / "ix"))
    suggest_lines(proc)
    # the help centre (4) and the KB-listed status page (2) are cases; a profile the KB does not list is not
    assert "learned 6 linked cases" in proc.stderr and "0 resources only history knew" in proc.stderr
    ev = run("eval", "suggest", "--kb", str(kb), "--history", str(history), "--split", "0.5", "--json", "--semantic", "off")
    assert ev.returncode == 0, ev.stderr
    assert json.loads(ev.stdout)["metrics"]["n"] == 3


def test_a_networks_help_centre_not_in_the_kb_is_still_a_help_page(tmp_path):
    kb = write_jsonl(tmp_path / "tkb.jsonl", [{"id": "other", "brand": "TwitterSupport", "kind": "article", "title": "Other",
                                               "url": "https://help.example.com/other"}])
    history = _social_history(tmp_path, ["https://help.twitter.com/en/safety", "https://www.facebook.com/help/123",
                                         "https://help.instagram.com/149494825257596", "https://www.facebook.com/acme"])
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "q", "brand": "TwitterSupport", "posts": [{"role": "customer", "text": "account locked"}]}])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(tmp_path / "ix"))
    suggest_lines(proc)
    assert "learned 3 linked cases" in proc.stderr and "3 resources only history knew" in proc.stderr


def test_error_messages_name_the_options_suggest_has(tmp_path, files):
    folder, kb, history = files
    md = tmp_path / "md"
    md.mkdir()
    (md / "a.md").write_text("---\ntitle: Pair\nurl: https://help.acme.com/pair\n---\nHold both buttons.\n")
    queries = write_jsonl(tmp_path / "q.jsonl", [QUERY])
    proc = run("suggest", "--kb", str(md), "--kb", str(kb), "--brand", "Acme", "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(tmp_path / "ix1"))
    suggest_lines(proc)
    assert "no brand" in proc.stderr and "or with --brand" not in proc.stderr and "helpfirst kb add PATH --brand B" in proc.stderr
    (tmp_path / "weird.txt").write_text("hello world\nfoo\n")
    proc = run("suggest", "--kb", str(kb), "--history", str(tmp_path / "weird.txt"), "--input", str(queries), "--json",
               "--semantic", "off", "--index", str(tmp_path / "ix2"))
    suggest_lines(proc)
    assert "give it with --history-format" in proc.stderr and "with --format" not in proc.stderr


def test_a_brand_whose_history_replies_teach_nothing_is_not_called_unknown(tmp_path, files):
    folder, kb, _history = files
    from datetime import timedelta

    from tests.test_suggest_cli import T0

    rows = []
    for n in range(3):
        t = T0 + timedelta(hours=n)
        rows.append({"id": f"b{n}a", "conversation_id": f"b{n}", "author": f"u{n}", "author_role": "customer", "brand": "Beta",
                     "created_at": t.isoformat(), "text": "@Beta my phone will not charge"})
        rows.append({"id": f"b{n}b", "conversation_id": f"b{n}", "parent_id": f"b{n}a", "author": "Beta", "author_role": "brand",
                     "brand": "Beta", "created_at": (t + timedelta(minutes=5)).isoformat(), "text": f"@u{n} Please DM us https://twitter.com/messages"})
    history = write_jsonl(tmp_path / "beta.jsonl", rows)
    queries = write_jsonl(tmp_path / "q.jsonl", [QUERY, {"id": "b", "brand": "Beta", "posts": [{"role": "customer", "text": "phone not charging"}]},
                                                 {"id": "z", "brand": "Zeta", "posts": [{"role": "customer", "text": "hello"}]}])
    proc = run("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(tmp_path / "ix"))
    suggest_lines(proc)
    beta = next(line for line in proc.stderr.splitlines() if ":2:" in line)
    assert "unknown brand" not in beta and "none of its 3 replies in the history" in beta
    zeta = next(line for line in proc.stderr.splitlines() if ":3:" in line)
    assert "unknown brand 'Zeta'" in zeta and "no reply of it in the history" in zeta


def test_a_repeated_query_id_is_answered_again_with_a_warning(files):
    folder, kb, history = files
    queries = write_jsonl(folder / "q.jsonl", [QUERY, {**QUERY, "posts": [{"role": "customer", "text": "refund please"}]}])
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", "--index", str(folder / "ix"))
    assert [o["id"] for o in suggest_lines(proc)] == ["q1", "q1"]
    assert "warning: " in proc.stderr and ":2: id 'q1' repeats line 1" in proc.stderr


def test_query_roles_user_and_no_role_are_the_customer_and_a_bad_role_is_rejected(files):
    folder, kb, history = files
    post = {"text": "my wifi keeps dropping on the router"}
    queries = write_jsonl(folder / "q.jsonl", [
        {"id": "none", "brand": "Acme", "posts": [post]},
        {"id": "null", "brand": "Acme", "posts": [{**post, "role": None}]},
        {"id": "user", "brand": "Acme", "posts": [{**post, "role": "User"}]},
        {"id": "assistant", "brand": "Acme", "posts": [{**post, "role": "customer"}, {"role": "assistant", "text": "try a restart"}]},
        {"id": "bad", "brand": "Acme", "posts": [{**post, "role": 5}]},
    ])
    proc = run("suggest", "--kb", str(kb), "--input", str(queries), "--json", "--semantic", "off", "--index", str(folder / "ix"))
    out = suggest_lines(proc)
    assert [o["id"] for o in out] == ["none", "null", "user", "assistant"]
    assert out[0]["suggestions"] == out[1]["suggestions"] == out[2]["suggestions"]
    assert "q.jsonl:5: field 'posts[0].role': unknown role 5" in proc.stderr


def test_kb_list_and_search_never_cut_urls_when_piped(tmp_path):
    long = "https://help.acme.com/articles/" + "a-very-long-article-name-" * 4 + "end"
    src = write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "brand": "Acme", "kind": "article", "url": long, "title": "Router drops"}])
    store = tmp_path / "kb"
    assert run("kb", "add", str(src), "--kb", str(store)).returncode == 0
    listed = run("kb", "list", "--kb", str(store))
    found = run("kb", "search", "router", "--kb", str(store))
    assert listed.returncode == found.returncode == 0
    assert long in listed.stdout and long in found.stdout


def test_an_unknown_history_format_is_an_option_error(files):
    folder, kb, history = files
    queries = write_jsonl(folder / "q.jsonl", [QUERY])
    for args in (("suggest", "--input", str(queries), "--index", str(folder / "ix")), ("eval", "suggest")):
        proc = run(*args, "--kb", str(kb), "--history", str(history), "--history-format", "foo", "--semantic", "off")
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.startswith("error: --history-format: unknown format 'foo'")
