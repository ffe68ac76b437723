"""One very long word must not stall language detection: lingua reads a bounded prefix of a post."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa

from helpfirst.signals.language import LINGUA_CHARS, detect_language

SPANISH = ("hola, mi pedido no ha llegado todavía y nadie me responde, ¿me pueden ayudar por favor? "
           "ya escribí tres veces esta semana y sigo esperando una respuesta de su parte. ")


def test_a_long_word_is_detected_in_linear_time():
    # before the prefix: 'a' * 300,000 took about a minute in lingua (quadratic in the word's length);
    # a child process with a timeout fails fast instead of hanging the test run
    code = ("import pyarrow as pa\n"
            "from helpfirst.signals.language import detect_language\n"
            "print(detect_language(pa.array(['a' * 300_000, 'b' * 1_000_000, 'x' + 'é' * 500_000])).to_pylist())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert len(eval(proc.stdout)) == 3  # noqa: S307 - our own list of codes


def test_a_long_post_is_called_by_its_prefix():
    long = SPANISH * (3 * LINGUA_CHARS // len(SPANISH) + 1)
    assert len(long) > 3 * LINGUA_CHARS
    got = detect_language(pa.array([long, SPANISH, "my order never arrived and nobody answers me"])).to_pylist()
    assert got == ["es", "es", "en"]


def test_classify_a_long_word_finishes(tmp_path):
    src = tmp_path / "long.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "a" * 400_000, "role": "customer"}) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "classify", str(src)], capture_output=True,
                          text=True, timeout=30)  # was 109 s: 'a' * 400,000 in lingua
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["id"] == 1 and "error" not in row
