"""--map pairs: a field mapped twice is an error, not the last mapping silently winning (review 3)."""

from __future__ import annotations

import pytest

from helpfirst.ingest import parse_column_map


def test_pairs_become_a_mapping():
    assert parse_column_map(["text=body", " id = message_id ", "author=user.name"]) == {
        "text": "body", "id": "message_id", "author": "user.name"}
    assert parse_column_map([]) == {}


def test_a_field_mapped_twice_is_an_error_naming_both_pairs():
    with pytest.raises(ValueError) as caught:
        parse_column_map(["text=body", "text=msg"])
    assert str(caught.value) == "--map 'text=msg': text is already mapped (--map 'text=body'); map each field once"


def test_the_same_mapping_given_twice_is_an_error_too():
    with pytest.raises(ValueError, match="text is already mapped"):
        parse_column_map(["text=body", " text = body"])


def test_a_pair_without_equals_sign():
    with pytest.raises(ValueError, match=r"--map 'text': expected FIELD=SOURCE_COLUMN, e\.g\. --map text=body"):
        parse_column_map(["text"])


def test_the_option_named_is_the_one_given():
    with pytest.raises(ValueError, match=r"^--history-map 'id=b'"):
        parse_column_map(["id=a", "id=b"], option="--history-map")
