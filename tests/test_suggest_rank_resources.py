"""The ranking of resources alone (the backtest's) is the full ranking's resources, in order, without scoring the past replies."""

from __future__ import annotations

import random

import pytest

from helpfirst.knowledge.models import Resource
from helpfirst.suggest.history import Conversation, Turn, learn
from helpfirst.suggest.index import SuggestIndex
from helpfirst.suggest.rank import Query, QueryTurn, Ranker, Weights, default_weights

WORDS = ("router wifi password reset invoice refund card charged twice login locked account app crash update "
         "delivery late parcel missing order cancel subscription plan upgrade screen black battery drains").split()
PAGES = ["wifi", "password", "billing", "refund", "login", "app", "delivery", "cancel", "plan", "battery"]


def _index() -> SuggestIndex:
    rnd = random.Random(7)
    resources = [Resource(p, "Acme", "article", f"https://help.acme.com/{p}", f"{p} help", " ".join(rnd.choices(WORDS, k=8)), [])
                 for p in PAGES]
    resources.append(Resource("other", "OtherCo", "article", "https://help.other.com/x", "router", "", []))
    convs = []
    for i in range(40):  # linked cases
        page = rnd.choice(PAGES[:7])
        convs.append(Conversation(f"l{i}", "Acme", [Turn("customer", " ".join(rnd.choices(WORDS, k=6)), float(i)),
                                                   Turn("brand", f"see https://help.acme.com/{page}", float(i) + 0.5)]))
    for i in range(300):  # replies that settled it without a link: reusable answers, some sent many times
        text = " ".join(rnd.choices(WORDS, k=7)) if i % 3 else "Restart the router and wait a minute please"
        convs.append(Conversation(f"a{i}", "Acme", [Turn("customer", " ".join(rnd.choices(WORDS, k=6)), 100.0 + i),
                                                   Turn("brand", f"@cust{i} {text}", 100.5 + i),
                                                   Turn("customer", "thanks, that worked!", 101.0 + i)]))
    return SuggestIndex.build(resources, learn(convs))


@pytest.mark.parametrize("weights", [None, Weights(lex=1.0, prior=0.5, knn=1.0), Weights.only(prior=1.0), Weights.only(lex=1.0)])
def test_resources_only_are_the_full_rankings_resources_in_order(weights):
    index = _index()
    ranker = Ranker(index, weights or default_weights(False))
    rows = index.brands["acme"]
    replies = rows.ans[1] - rows.ans[0]
    assert replies == 300
    rnd = random.Random(3)
    answered = 0
    for n in range(40):
        query = Query(str(n), "Acme", [QueryTurn("customer", " ".join(rnd.choices(WORDS, k=rnd.randint(1, 8))))])
        for k in (1, 3, 10):
            full = ranker.rank(query, k + replies)
            answered += any(c.kind == "answer" for c in full[:k])
            expected = [c for c in full if c.kind == "resource"][:k]
            got = ranker.rank(query, k, answers=False)
            assert [(c.row, c.score, c.parts) for c in got] == [(c.row, c.score, c.parts) for c in expected], (n, k)
            assert all(c.kind == "resource" for c in got)
    # the past replies do compete in the full ranking: leaving them out is what is being tested
    assert weights is not None and weights.answer == 0 or answered > 0


def test_a_brand_with_only_replies_has_no_resources_to_rank():
    convs = [Conversation("a", "Acme", [Turn("customer", "router drops", 0.0), Turn("brand", "restart it", 1.0),
                                        Turn("customer", "thanks, that worked!", 2.0)])]
    ranker = Ranker(SuggestIndex.build([], learn(convs)))
    query = Query("q", "Acme", [QueryTurn("customer", "my router drops")])
    assert [c.kind for c in ranker.rank(query, 5)] == ["answer"]
    assert ranker.rank(query, 5, answers=False) == []


def test_reply_groups_are_made_at_build_and_saved_with_the_index(tmp_path):
    """Copies of one reply (mentions, case and spacing aside) are one group of its brand, counted at build and
    saved, so no query reads reply texts; the same text at another brand is another group."""
    brands = ["Acme", "Beta"]
    convs = [Conversation(f"{b}-{j}", b, [Turn("customer", "router drops", 0.0), Turn("brand", f"@c{j} Restart   the router", 1.0),
                                          Turn("customer", "thanks, that worked!", 2.0)]) for b in brands for j in range(3)]
    convs.append(Conversation("Acme-x", "Acme", [Turn("customer", "router drops", 0.0), Turn("brand", "Unplug it for a minute", 1.0),
                                                  Turn("customer", "thanks, that worked!", 2.0)]))
    built = SuggestIndex.build([], learn(convs))
    built.save(tmp_path / "ix")
    index = SuggestIndex.load(tmp_path / "ix")
    assert len(set(index.ans_group.tolist())) == 3 and sorted(index.ans_uses.tolist()) == [1, 3, 3, 3, 3, 3, 3]
    ranker = Ranker(index)
    for b in brands:
        top = ranker.rank(Query("q", b, [QueryTurn("customer", "my router drops")]), 3)
        # one suggestion for the three copies of one reply, sent three times
        assert ("answer", 3.0) in [(c.kind, c.parts["uses"]) for c in top]
        assert sum(c.kind == "answer" and c.parts["uses"] == 3.0 for c in top) == 1


def test_the_words_a_past_reply_shares_are_found_for_each_suggestion():
    """Each reply suggestion names the query words its problem or text contains (one search per word for all of them)."""
    convs = [Conversation(f"c{j}", "Acme", [Turn("customer", text, 0.0), Turn("brand", reply, 1.0),
                                             Turn("customer", "thanks, that worked!", 2.0)])
             for j, (text, reply) in enumerate([("router keeps dropping wifi", "Restart the router"),
                                                 ("wifi password lost", "Reset the password from the app"),
                                                 ("printer jams", "Open the tray")])]
    ranker = Ranker(SuggestIndex.build([], learn(convs)))
    top = ranker.rank(Query("q", "Acme", [QueryTurn("customer", "my router drops the wifi, password?")]), 5)
    matched = {ranker.index.answers.column("text")[c.row - 0].as_py(): sorted(c.matched) for c in top if c.kind == "answer"}
    assert matched == {"Restart the router": ["drop", "router", "wifi"], "Reset the password from the app": ["password", "wifi"]}  # stems
