"""`brand_threads` counts the threads the brand opened: a brand post that replies to a post missing
from the export, or sits on a reply loop, is a root of the thread structure but opened nothing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from helpfirst.cli import app


def post(pid, author, role, minute, text, parent=None):
    row = {"id": pid, "author": author, "author_role": role, "created_at": f"2024-01-16T10:{minute:02d}:00Z", "text": text}
    if parent is not None:
        row["parent_id"] = parent
    return json.dumps(row)


def test_only_brand_posts_without_a_parent_open_threads(tmp_path):
    rows = [
        post("b1", "Acme", "brand", 0, "Our app is back up, thanks for your patience"),  # opens a thread
        post("c1", "ann", "customer", 1, "@Acme still down for me", parent="b1"),
        post("b2", "Acme", "brand", 2, "@bob sorry to hear that", parent="gone"),  # replies to a missing post
        post("l1", "jon", "customer", 3, "@Acme loop", parent="l2"),  # a reply loop, cut
        post("l2", "Acme", "brand", 4, "@jon loop", parent="l1"),
        post("c2", "kim", "customer", 5, "@Acme hello"),
        post("r2", "Acme", "brand", 6, "@kim hi", parent="c2"),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(path), "--json", "--no-signals"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["threads"]["orphan_threads"] == 1 and report["threads"]["reply_loops_cut"] == 2
    assert report["brands"]["Acme"]["vanity"]["brand_threads"] == 1
    assert report["brands"]["Acme"]["vanity"]["brand_posts"] == 4
