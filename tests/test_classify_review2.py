"""`helpfirst classify` after the second acceptance review: deep nesting, --out over the input,
role case and float turn_index, masked error lines. The real CLI in a real process on real files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

GOOD = {"id": 1, "text": "my order is late and nobody answers", "role": "customer"}


def run(*args, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", "classify", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _deep(depth: int, pid: str = "deep") -> str:
    return '{"id": "%s", "text": "x", "role": "customer", "meta": %s%s}' % (pid, "[" * depth, "]" * depth)


def test_a_very_deep_line_is_rejected_alone_and_among_good_lines(tmp_path):
    # 100,000 levels crashed Arrow's JSON reader (segfault, no output at all)
    alone = run(_write(tmp_path / "deep.jsonl", [_deep(100_000)]))
    assert alone.returncode == 1, alone.stderr
    [line] = alone.stdout.splitlines()
    out = json.loads(line)
    assert out["line"] == 1 and "nested" in out["error"]
    assert "deep.jsonl:1: " in alone.stderr and "nested" in alone.stderr

    lines = [json.dumps({**GOOD, "id": 1}), _deep(100_000), json.dumps({**GOOD, "id": 3})]
    mixed = run(_write(tmp_path / "mixed.jsonl", lines), "--jobs", 1)
    assert mixed.returncode == 0, mixed.stderr
    out = [json.loads(x) for x in mixed.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, None, 3]
    assert out[0]["intent"] and out[2]["intent"] and out[1]["line"] == 2 and "nested" in out[1]["error"]
    assert "3 lines read: 2 classified, 1 rejected" in mixed.stderr


def test_a_3000_deep_line_beside_a_bad_line_does_not_end_the_run(tmp_path):
    # the chunk goes line by line (one bad line); json.loads hit the recursion limit and the
    # RecursionError ended the whole run with nothing written
    lines = [json.dumps(GOOD), _deep(3000, "d3"), "not json", json.dumps({**GOOD, "id": 4})]
    res = run(_write(tmp_path / "d3.jsonl", lines))
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(out) == 4 and "error" not in out[0] and "error" not in out[3]
    assert out[1]["line"] == 2 and "nested" in out[1]["error"]
    assert out[2]["line"] == 3 and "not JSON" in out[2]["error"]
    assert "RecursionError" not in res.stderr


def test_moderate_nesting_and_many_brackets_in_strings_are_fine(tmp_path):
    # a deep but reasonable extra field is ignored, and brackets inside strings are not nesting
    lines = [json.dumps({**GOOD, "meta": json.loads("[" * 100 + "]" * 100)}),
             json.dumps({**GOOD, "id": 2, "text": "[[[{{{" * 400 + " where is my refund?"}),
             json.dumps({**GOOD, "id": 3, "meta": [[1]] * 2000})]
    res = run(_write(tmp_path / "ok.jsonl", lines))
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3] and all("error" not in o for o in out)


def test_out_over_the_input_is_refused_and_the_input_kept(tmp_path):
    src = _write(tmp_path / "posts.jsonl", [json.dumps(GOOD), json.dumps({**GOOD, "id": 2})])
    before = src.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(src)
    for args, cwd in (([src, "-o", src], None), (["posts.jsonl", "-o", "./posts.jsonl"], tmp_path),
                      ([src, "-o", tmp_path / "link.jsonl"], None), (["-", "-o", src], None)):
        if args[0] == "-":  # standard input redirected from the file
            with src.open(encoding="utf-8") as fh:
                res = subprocess.run([sys.executable, "-m", "helpfirst", "classify", *map(str, args)], stdin=fh,
                                     capture_output=True, text=True, timeout=300)
        else:
            res = run(*args, cwd=cwd)
        assert res.returncode == 1, (args, res.stderr)
        assert "is the input file" in res.stderr and res.stdout == ""
        assert src.read_bytes() == before, args
    # a different file is still fine
    res = run(src, "-o", tmp_path / "out.jsonl")
    assert res.returncode == 0, res.stderr
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2 and src.read_bytes() == before


def test_audit_report_over_an_archive_is_refused(tmp_path):
    from .conftest import write_twcs

    data = write_twcs(tmp_path / "a.csv", [(1, "cust", True, 0, "@brand my order is late", None),
                                           (2, "brand", False, 10, "@cust sorry, DM us", 1)])
    before = data.read_bytes()
    res = subprocess.run([sys.executable, "-m", "helpfirst", "audit", "a.csv", "--no-signals", "--report", "./a.csv"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert res.returncode == 1 and "--report a.csv: that is the archive a.csv" in res.stderr, res.stderr
    assert data.read_bytes() == before


def test_role_in_any_case_and_integral_float_turn_index(tmp_path):
    # audit reads author_role in any case; pandas writes an integer column with nulls as floats
    lines = [json.dumps({**GOOD, "role": "Customer"}), json.dumps({**GOOD, "id": 2, "role": " BRAND "}),
             json.dumps({**GOOD, "id": 3, "turn_index": 4.0}), json.dumps({**GOOD, "id": 4, "turn_index": 4.5}),
             json.dumps({**GOOD, "id": 5, "turn_index": 4, "role": "customer"}),
             json.dumps({**GOOD, "id": 6, "role": "clerk"})]
    res = run(_write(tmp_path / "roles.jsonl", lines))
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o.get("error") is None for o in out] == [True, True, True, False, True, False], out
    assert out[0]["intent"] is not None and out[1]["reply_kind"] is not None  # read as customer / brand
    assert out[2]["urgency"] == out[4]["urgency"]  # 4.0 is turn 4
    assert "turn_index" in out[3]["error"] and "role" in out[5]["error"]
    # a file of capitalised roles only (the whole-chunk Arrow path) reads them too, in and out of workers
    many = [json.dumps({**GOOD, "id": i, "role": ["Customer", "BRAND", "Bot"][i % 3]}) for i in range(60)]
    for extra in ([], ["--batch-size", 16, "--jobs", 2]):
        res = run(_write(tmp_path / "many.jsonl", many), *extra)
        assert res.returncode == 0, res.stderr
        assert "60 lines read: 60 classified, 0 rejected" in res.stderr


def test_numbers_too_large_are_bad_lines_not_a_crash(tmp_path):
    lines = [json.dumps({**GOOD, "turn_index": 10**30}), json.dumps({**GOOD, "id": 2, "waited_minutes": 10**400}),
             json.dumps(GOOD)]
    res = run(_write(tmp_path / "big.jsonl", lines))
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert "turn_index" in out[0]["error"] and "waited_minutes" in out[1]["error"] and "error" not in out[2]


def test_mask_pii_masks_error_lines_and_quoted_values_stay_readable(tmp_path):
    role = "write to john.doe@example.com or call +44 20 7946 0958 please"
    lines = [json.dumps({**GOOD, "role": role}), json.dumps({**GOOD, "id": 2, "role": {"mail": "a.b@example.org"}}),
             json.dumps({**GOOD, "id": 3, "role": "x" * 100}), '{"id": 4, "text": "hi", "role": "\\ud800x"}',
             json.dumps(GOOD)]
    src = _write(tmp_path / "pii.jsonl", lines)
    masked = run(src, "--mask-pii")
    assert masked.returncode == 0, masked.stderr
    errors = [json.loads(x)["error"] for x in masked.stdout.splitlines()[:4]]
    for shown in (masked.stderr, *errors):
        assert "john.doe" not in shown and "7946" not in shown and "a.b@example.org" not in shown
    assert errors[0].endswith('got "write to [email] or call [phone] plea\u2026"'), errors[0]
    assert '{"mail": "[email]"}' in errors[1]
    assert f'pii.jsonl:1: {errors[0]}' in masked.stderr
    # a long value is cut with an ellipsis and keeps its closing quote; a lone surrogate is escaped
    assert errors[2].endswith('got "' + "x" * 37 + '\u2026"'), errors[2]
    assert errors[3].endswith('got "\\ud800x"'), errors[3]
    plain = run(src)
    first = json.loads(plain.stdout.splitlines()[0])["error"]
    assert first.endswith('got "write to john.doe@example.com or call\u2026"'), first


# --- the nesting-depth scan is linear: an unclosed string full of escaped quotes stalled it ---

def _json_depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_json_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_json_depth, value.values()), default=0)
    return 0


def test_depth_scan_equals_json_nesting_depth():
    from hypothesis import given, settings, strategies as st

    from helpfirst.signals.classify import _depth, _too_deep

    tricky = st.text(alphabet=st.sampled_from(list('[]{}"\\/ ax\n\u00e9\U0001f600')), max_size=12)
    values = st.recursive(st.none() | st.booleans() | st.integers() | tricky,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky, inner, max_size=3),
                          max_leaves=30)

    @settings(max_examples=400, deadline=None)
    @given(values, st.booleans())
    def check(value, ascii_only):
        line = json.dumps(value, ensure_ascii=ascii_only) + "\n"
        assert json.loads(line) == value
        assert _depth(line) == _json_depth(value)
        assert not _too_deep(line)

    check()
    # past the bracket-count shortcut: strings full of brackets, quotes and backslashes beside real nesting
    noise = '[{\\"}]\\\\' * 100
    for depth in (499, 500, 501, 700):
        line = ('{"id": 1, "text": %s, "m": %s%s%s}\n'
                % (json.dumps(noise), "[" * depth, json.dumps(noise), "]" * depth))
        assert _depth(line) == depth + 1  # the object, then depth arrays
        assert _too_deep(line) == (depth + 1 > 500)


def test_an_unclosed_string_of_escaped_quotes_is_rejected_quickly(tmp_path):
    # 501 '[' then '"' and 200,000 escaped quotes, never closed: the old string pattern rescanned to
    # the end of the line from every escaped quote (quadratic: 14 s at 20,000, minutes here), three times
    good = [json.dumps({**GOOD, "id": 1}), json.dumps({**GOOD, "id": 3})]
    for tail in ("", "\\"):  # also with a lone backslash before the newline
        bad = "[" * 501 + '"' + '\\"' * 200_000 + tail
        res = run(_write(tmp_path / "adv.jsonl", [good[0], bad, good[1]]))
        assert res.returncode == 0, res.stderr
        out = [json.loads(x) for x in res.stdout.splitlines()]
        assert [o["id"] for o in out] == [1, None, 3]
        assert "error" not in out[0] and "error" not in out[2] and out[0]["intent"] and out[2]["intent"]
        assert out[1]["line"] == 2 and "nested more than 500 levels" in out[1]["error"]
        assert "adv.jsonl:2: arrays and objects nested more than 500 levels deep" in res.stderr
        assert "3 lines read: 2 classified, 1 rejected" in res.stderr
    # an unclosed string after shallow nesting is read as a JSON parser reads it: not JSON
    res = run(_write(tmp_path / "open.jsonl", [good[0], '{"id": 2, "text": "' + "[" * 600 + '\\"' * 1000]))
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert "error" not in out[0] and out[1]["line"] == 2 and "not JSON" in out[1]["error"]


def test_a_control_character_in_a_string_is_named_once_with_its_column(tmp_path):
    # json's message for it ends in " at" ("Invalid control character at"): the error said "at at column"
    res = run(_write(tmp_path / "ctl.jsonl", [json.dumps(GOOD), '{"id": 2, "text": "a\tb", "role": "customer"}']))
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert "error" not in out[0]
    assert out[1]["error"] == "not JSON (Invalid control character at column 21)", out[1]
    assert "ctl.jsonl:2: not JSON (Invalid control character at column 21)" in res.stderr
