"""`helpfirst audit --mask-pii`: no e-mail address, phone or card number of a post reaches the
terminal, the JSON document or the HTML report; the figures stay those of the unmasked run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PII = ["kim@example.com", "415-555-0134", "+44 20 7946 0958", "4111 1111 1111 1111", "415-555-0199"]
LINES = [
    {"id": "c1", "author": "dana", "author_role": "customer", "brand": "AcmeHelp", "created_at": "2024-03-04T09:00:00Z",
     "text": "@AcmeHelp how do I reset my router password? my email is kim@example.com phone 415-555-0134"},
    {"id": "b1", "parent_id": "c1", "author": "AcmeHelp", "author_role": "brand", "brand": "AcmeHelp",
     "created_at": "2024-03-04T09:10:00Z", "text": "@dana Please DM us, or call us on +44 20 7946 0958"},
    {"id": "c3", "author": "sam", "author_role": "customer", "brand": "AcmeHelp", "created_at": "2024-03-04T11:00:00Z",
     "text": "@AcmeHelp you charged my card 4111 1111 1111 1111 twice for order 123456789"},
    # rejected: the reason quotes the field, and with it the phone number
    {"id": "c2", "author": "lee", "author_role": "customer", "brand": "AcmeHelp",
     "created_at": "2024-03-04 call me 415-555-0199", "text": "@AcmeHelp hi"},
]


def _archive(tmp_path: Path) -> Path:
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in LINES), encoding="utf-8")
    return path


def _audit(*args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "helpfirst", "audit", *args], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_masked_everywhere_the_audit_writes(tmp_path):
    path = _archive(tmp_path)
    report = tmp_path / "r.html"
    terminal = _audit(str(path), "--mask-pii", "--report", str(report))
    as_json = _audit(str(path), "--mask-pii", "--json")
    html = report.read_text(encoding="utf-8")
    for shown in (terminal.stdout + terminal.stderr, as_json.stdout, html):
        for value in PII:
            assert value not in shown
    assert "my email is [email] phone [phone]" in html  # the request, in the worst-served list
    assert "call us on [phone]" in html  # the brand's reply
    assert "my card [card] twice for order 123456789" in html
    doc = json.loads(as_json.stdout)
    assert doc["rejections"][0]["reason"].endswith("'2024-03-04 call me [phone]'")
    assert "call me [phone]" in " ".join(terminal.stdout.split())


def test_without_the_option_the_text_is_as_written(tmp_path):
    path = _archive(tmp_path)
    report = tmp_path / "r.html"
    plain = _audit(str(path), "--json", "--report", str(report))
    masked = _audit(str(path), "--json", "--mask-pii")
    assert "kim@example.com phone 415-555-0134" in report.read_text(encoding="utf-8")
    plain_doc, masked_doc = json.loads(plain.stdout), json.loads(masked.stdout)
    assert "415-555-0199" in plain_doc["rejections"][0]["reason"]
    # masking changes what is shown, not what is measured
    assert plain_doc["brands"] == masked_doc["brands"] and plain_doc["totals"] == masked_doc["totals"]
