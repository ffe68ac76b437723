"""ingest.check_text (was the private _not_text, imported by suggest and the CLI): the one judge of whether an input's first
bytes are UTF-8 text, naming the input as shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpfirst.ingest import ImportFailed, check_text


def test_check_text_is_public_and_names_the_input():
    with pytest.raises(ImportFailed, match=r"^<stdin>: is gzip-compressed"):
        check_text("<stdin>", b"\x1f\x8b\x08rest")
    assert check_text(Path("a.csv"), b"id,text\n") is None


def test_nul_bytes_are_refused_naming_the_input():
    with pytest.raises(ImportFailed, match=r"^/dev/fd/63: holds NUL bytes"):
        check_text("/dev/fd/63", bytes(4096))
