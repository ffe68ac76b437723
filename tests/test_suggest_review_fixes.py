"""Review fixes: a cached index whose saved reports are damaged is rebuilt, not a traceback; option names reach
the importer and the loader as data (no rewriting of their messages); the short-link note agrees with learning."""

from __future__ import annotations

import json

import pytest

from tests.test_suggest_cli import files, history_rows, run, suggest_lines, write_jsonl  # noqa: F401  (files: fixture)

QUERY = {"id": "q1", "brand": "Acme", "customer": "dana", "posts": [{"role": "customer", "text": "my wifi keeps dropping on the router"}]}


def _damage(meta: dict, how: str) -> None:
    stats = meta["stats"]
    reports = stats["reports"]
    if how == "reports not a dict":
        stats["reports"] = ["kb", "history"]
    elif how == "reports missing":
        del stats["reports"]
    elif how == "history report missing":
        del reports["history"]
    elif how == "kb report not a dict":
        reports["kb"] = "kb"
    elif how == "count missing":
        del reports["history"]["rows_read"]
    elif how == "count of the wrong type":
        reports["kb"]["rows_loaded"] = "4"
    elif how == "errors not a list":
        reports["history"]["errors"] = 7
    elif how == "files not a list of files":
        reports["kb"]["files"] = ["kb.jsonl"]
    elif how == "rejection missing keys":
        reports["history"]["rejections"] = [{"file": "h.jsonl"}]
    elif how == "rejection not a dict":
        reports["history"]["rejections"] = ["h.jsonl:3: duplicate"]
    elif how == "rejection line of the wrong type":
        reports["history"]["rejections"][0]["line"] = "seven"
    elif how == "stats count missing":
        del stats["cases"]
    elif how == "short links not a count":
        stats["short_link_replies"] = "2"
    elif how == "replies by brand not a dict":
        stats["replies_by_brand"] = 6
    else:
        raise AssertionError(how)


DAMAGE = ["reports not a dict", "reports missing", "history report missing", "kb report not a dict", "count missing",
          "count of the wrong type", "errors not a list", "files not a list of files", "rejection missing keys",
          "rejection not a dict", "rejection line of the wrong type", "stats count missing", "short links not a count",
          "replies by brand not a dict"]


def _reports(built) -> tuple[dict, dict]:
    return built.kb_report.to_dict(), built.history_report.to_dict()


@pytest.mark.parametrize("how", DAMAGE)
def test_a_cached_index_with_damaged_saved_reports_is_rebuilt(files, monkeypatch, how):
    from helpfirst.suggest.service import build_or_load

    folder, kb, history = files
    monkeypatch.setenv("HELPFIRST_CACHE", str(folder / "cache"))
    rows = history_rows()
    write_jsonl(history, rows + [rows[0]])   # one duplicate id: a listed rejection to damage
    inputs = ([kb, folder / "nope.jsonl"], [history])
    first = build_or_load(*inputs)
    assert not first.cached and first.history_report.rejections
    assert build_or_load(*inputs).cached
    meta_path = first.path / "meta.json"
    meta = json.loads(meta_path.read_text())
    _damage(meta, how)
    meta_path.write_text(json.dumps(meta))
    again = build_or_load(*inputs)   # was a KeyError / TypeError / AttributeError for most of these
    assert not again.cached
    assert [m for m in again.messages if "the saved index could not be read" in m and m.endswith("it is rebuilt")], again.messages
    assert _reports(again) == _reports(first)
    cached = build_or_load(*inputs)
    assert cached.cached and not cached.messages and _reports(cached) == _reports(first)


def test_the_command_line_rebuilds_an_index_whose_saved_reports_are_damaged(files):
    folder, kb, history = files
    queries = write_jsonl(folder / "q.jsonl", [QUERY])
    args = ("suggest", "--kb", str(kb), "--history", str(history), "--input", str(queries), "--json", "--semantic", "off")
    env = {"HELPFIRST_CACHE": str(folder / "cache")}
    first = run(*args, env=env)
    expected = suggest_lines(first)
    (index,) = (folder / "cache" / "suggest").iterdir()
    meta = json.loads((index / "meta.json").read_text())
    meta["stats"]["reports"]["history"] = {"rows_read": 13}
    (index / "meta.json").write_text(json.dumps(meta))
    second = run(*args, env=env)
    assert suggest_lines(second) == expected
    assert "the saved index could not be read" in second.stderr and "it is rebuilt" in second.stderr
    assert "index: reused" not in second.stderr
    assert "index: reused" in run(*args, env=env).stderr


def _unrecognised(folder):
    """A file no importer recognises, in a folder whose name is the text the old code rewrote in messages."""
    odd = folder / "give it with --format"
    odd.mkdir()
    path = odd / "weird.txt"
    path.write_text("hello world\nfoo\n")
    return path


def test_each_command_names_its_own_format_option_and_paths_stay_as_given(files):
    folder, kb, _history = files
    weird = _unrecognised(folder)
    hint = "could not recognise the format from its first line; give it with"
    queries = write_jsonl(folder / "q.jsonl", [QUERY])
    proc = run("suggest", "--kb", str(kb), "--history", str(weird), "--input", str(queries), "--json", "--semantic", "off",
               "--index", str(folder / "ix"))
    suggest_lines(proc)
    # the path is the file's own (it was rewritten to '.../give it with --history-format/weird.txt')
    assert f"{weird}: {hint} --history-format (" in proc.stderr
    ev = run("eval", "suggest", "--kb", str(kb), "--history", str(weird), "--json", "--semantic", "off")
    assert "Traceback" not in ev.stderr and f"{weird}: {hint} --history-format (" in ev.stderr + ev.stdout
    audit = run("audit", str(weird))
    assert audit.returncode != 0 and f"{weird}: {hint} --format (" in audit.stderr and "--history-format" not in audit.stderr


def test_the_importer_and_the_loader_are_told_the_option_names(tmp_path):
    """No message is rewritten after the fact: the option names reach the importer and the resource loader as data."""
    from helpfirst.ingest import ImportOptions, ImportReport, read_posts
    from helpfirst.knowledge.models import LoadReport
    from helpfirst.knowledge.sources import LoadOptions, load_resources

    weird = _unrecognised(tmp_path)
    report = ImportReport()
    assert list(read_posts([weird], ImportOptions(format_option="--source-format"), report)) == []
    assert report.errors == [f"{weird}: could not recognise the format from its first line; give it with --source-format "
                             "(twcs, x-v2, mastodon, jsonl, csv)"]
    report = ImportReport()
    list(read_posts([weird], ImportOptions(), report))
    assert report.errors[0].endswith("give it with --format (twcs, x-v2, mastodon, jsonl, csv)")

    kb = write_jsonl(tmp_path / "kb.jsonl", [{"id": "a", "url": "https://help.acme.com/a", "title": "A"}])
    loaded = LoadReport()
    assert list(load_resources([kb], LoadOptions(no_brand="no brand: name it in the record"), loaded)) == []
    assert [(r.field, r.reason) for r in loaded.rejections] == [("brand", "no brand: name it in the record")]
    loaded = LoadReport()
    list(load_resources([kb], LoadOptions(), loaded))
    assert [r.reason for r in loaded.rejections] == ["no brand (give it in the record or with --brand)"]


def _x_history(folder):
    """An X API v2 page of TwitterSupport: one reply links a t.co that expands to a status page the knowledge base
    lists, next to a t.co the archive did not expand; another links only an unexpanded t.co."""
    tweets = [
        {"id": "10", "text": "@TwitterSupport my account is locked", "author_id": "100", "created_at": "2024-03-01T09:00:00.000Z",
         "conversation_id": "10"},
        {"id": "11", "text": "@dana Our guide: https://t.co/guide1 (more at https://t.co/other1)", "author_id": "1",
         "created_at": "2024-03-01T09:05:00.000Z", "conversation_id": "10", "referenced_tweets": [{"type": "replied_to", "id": "10"}],
         "entities": {"urls": [{"url": "https://t.co/guide1", "expanded_url": "https://twitter.com/TwitterSupport/status/123"}]}},
        {"id": "20", "text": "@TwitterSupport cannot log in", "author_id": "101", "created_at": "2024-03-01T10:00:00.000Z",
         "conversation_id": "20"},
        {"id": "21", "text": "@kim See https://t.co/unknown2", "author_id": "1", "created_at": "2024-03-01T10:05:00.000Z",
         "conversation_id": "20", "referenced_tweets": [{"type": "replied_to", "id": "20"}]},
    ]
    users = [{"id": "1", "username": "TwitterSupport"}, {"id": "100", "username": "dana"}, {"id": "101", "username": "kim"}]
    path = folder / "x.json"
    path.write_text(json.dumps({"data": tweets, "includes": {"users": users}}))
    return path


def test_the_short_link_note_and_learning_agree_on_a_kb_listed_page_on_a_social_host(tmp_path):
    from helpfirst.ingest import ImportOptions
    from helpfirst.knowledge.models import Resource
    from helpfirst.suggest.history import learn, read_conversations, read_expansions, short_link_only
    from helpfirst.suggest.service import kb_lists

    history = _x_history(tmp_path)
    resources = [Resource("guide", "TwitterSupport", "article", "https://twitter.com/TwitterSupport/status/123",
                          "Our pinned guide to locked accounts", "", [])]
    conversations, report = read_conversations([history], ImportOptions(brands=frozenset({"TwitterSupport"})))
    assert report.rows_loaded == 4 and not report.errors
    expansions, listed = read_expansions([history]), kb_lists(resources)
    lessons = learn(conversations, expansions=expansions, listed=listed)
    assert [c.url for c in lessons.cases] == ["https://twitter.com/TwitterSupport/status/123"]
    assert lessons.short_link_replies == 1   # only the reply whose sole link is an unexpanded t.co
    replies = [(conv.brand, t.text) for conv in conversations for t in conv.turns if t.role == "brand"]
    short = [text for brand, text in replies if short_link_only(text, expansions, brand, listed)]
    # the reply learned as a case is not also in the short-link note (it was: its listed page is on a social host)
    assert short == ["@kim See https://t.co/unknown2"]
