"""`classify --mask-pii` masks only the text it writes: the signals are those of the original text."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import pyarrow as pa

import helpfirst.signals as S

PII = [" email me at jane.doe@example.com", " call me on 020 7946 0958", " card 4111 1111 1111 1111",
       " my number is +1 (555) 123-4567", " refund to 5500-0000-0000-0004 or mail a@b.com"]
SECRETS = ["jane.doe@example.com", "020 7946 0958", "4111 1111 1111 1111", "(555) 123-4567",
           "5500-0000-0000-0004", "a@b.com"]


def _pii_posts(shared_data, n=300) -> list[dict]:
    with (shared_data / "twcs-head5k" / "twcs-head5k.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["inbound"] == "True"][:n]
    posts = [{"id": r["tweet_id"], "text": r["text"] + PII[i % len(PII)], "role": "customer"}
             for i, r in enumerate(rows)]
    posts.append({"id": "a", "role": "customer",
                  "text": "My card 4111 1111 1111 1111 was charged twice, mail me at a@b.com"})
    return posts


def _classify(stdin: str, *args) -> list[dict]:
    res = subprocess.run([sys.executable, "-m", "helpfirst", "classify", "-", *args], input=stdin,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


def test_mask_pii_leaves_every_signal_unchanged_and_masks_the_text(shared_data):
    posts = _pii_posts(shared_data)
    stdin = "".join(json.dumps(p) + "\n" for p in posts)
    plain, masked = _classify(stdin), _classify(stdin, "--mask-pii")
    assert len(plain) == len(masked) == len(posts)
    texts = [m.pop("text") for m in masked]
    for p, m, text in zip(plain, masked, texts):
        assert m == p  # every signal field, value for value
        assert not any(secret in text for secret in SECRETS), text
    assert texts[-1] == "My card [card] was charged twice, mail me at [email]"
    assert plain[-1]["intent"] == "problem" and plain[-1]["needs_help"] is True


def test_classify_posts_mask_pii_only_adds_the_masked_text(shared_data):
    posts = _pii_posts(shared_data, 120)
    texts = pa.array([p["text"] for p in posts])
    roles = pa.array([p["role"] for p in posts])
    plain = S.classify_posts(texts, roles)
    masked = S.classify_posts(texts, roles, mask_pii=True)
    assert masked.column_names == ["text"] + plain.column_names
    assert masked.drop_columns(["text"]).equals(plain)
    assert "[email]" in masked.column("text")[0].as_py()
