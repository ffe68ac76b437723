"""The --brand mention fill (a post's `brand` from the first --brand handle its text @mentions) is for
rows that do not say who the brand is (docs/formats.md, "Handles, brands and mentions"): canonical
rows with an EMPTY author_role. A row whose author_role is given keeps an empty brand, and the
conversation brand comes from the metrics rule (docs/metrics.md, "Conversation brand": the first
KNOWN brand mentioned, known = --brand handles plus authors of brand posts). Real CLI, real files.
"""

from __future__ import annotations

import csv
import json

import pytest

from helpfirst.ingest import ImportOptions, ImportReport, read_posts

from .test_cli import run

ROWS = [
    {"id": "z0", "author": "Zed", "author_role": "brand", "brand": "Zed", "created_at": "2024-03-04T08:00:00Z",
     "text": "hello"},
    # a customer row: Zed is mentioned first and is a known brand (it authors a brand post)
    {"id": "r1", "author": "u1", "author_role": "customer", "brand": "", "created_at": "2024-03-04T10:00:00Z",
     "text": "@Zed @Acme help"},
    # no role: the --brand rules apply, and Acme is the only --brand handle it mentions
    {"id": "r2", "author": "u2", "author_role": "", "brand": "", "created_at": "2024-03-04T10:00:00Z",
     "text": "@Zed @Acme help"},
]


def _write(tmp_path, fmt: str):
    if fmt == "jsonl":
        path = tmp_path / "posts.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    else:
        path = tmp_path / "posts.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(ROWS[0]))
            writer.writeheader()
            writer.writerows(ROWS)
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_importer_fills_brand_only_for_rows_without_a_role(tmp_path, fmt):
    report = ImportReport()
    batches = list(read_posts([_write(tmp_path, fmt)], ImportOptions(brands=frozenset({"Acme"})), report, fmt=fmt))
    brand = {r["id"]: r["brand"] for b in batches for r in b.to_pylist()}
    assert brand == {"z0": "Zed", "r1": None, "r2": "Acme"}


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_audit_gives_a_customer_row_the_first_known_brand_it_mentions(tmp_path, fmt):
    proc = run("audit", str(_write(tmp_path, fmt)), "--brand", "Acme", "--json", "--no-signals")
    assert proc.returncode == 0, proc.stderr
    brands = json.loads(proc.stdout)["brands"]
    assert {name: figures["conversations"] for name, figures in brands.items()} == {"Acme": 1, "Zed": 1}
