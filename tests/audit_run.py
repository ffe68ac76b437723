"""Running `helpfirst audit --json` in a subprocess for the importer tests, and the one-line records they feed it."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run_audit_cli(*paths_and_args: object) -> subprocess.CompletedProcess:
    """Run `python -m helpfirst audit ... --json --no-signals` with no HELPFIRST_* variables set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPFIRST_")}
    return subprocess.run(
        [sys.executable, "-m", "helpfirst", "audit", *map(str, paths_and_args), "--json", "--no-signals"],
        capture_output=True, text=True, env=env, timeout=600,
    )


def audit_doc(*paths_and_args: object, ok: bool = True) -> dict:
    """The audit's JSON, checked: exit code 0 (unless not ok), no traceback, rows_read = loaded + rejected."""
    proc = run_audit_cli(*paths_and_args)
    if ok:
        assert proc.returncode == 0, proc.stderr
    assert proc.stdout, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["rows_read"] == doc["rows_loaded"] + doc["rows_rejected"]
    return doc


def canonical_line(i: int, text: str = "help @Shop") -> str:
    """A canonical JSON Lines record by dana, id i, posted at 09:0i."""
    return json.dumps({"id": str(i), "author": "dana", "author_role": "customer",
                       "created_at": f"2024-02-01T09:0{i}:00Z", "text": text})


def xv2_line(i: int) -> str:
    """An x-v2 page of one tweet by dana, id i, posted at 09:0i."""
    return json.dumps({"data": [{"id": str(i), "text": "@Shop help", "author_id": "7",
                                 "created_at": f"2024-02-01T09:0{i}:00.000Z"}],
                       "includes": {"users": [{"id": "7", "username": "dana"}]}})


def mastodon_line(i: int) -> str:
    """A Mastodon status by dana, id i, posted at 09:0i."""
    return json.dumps({"id": str(i), "created_at": f"2024-02-01T09:0{i}:00.000Z", "in_reply_to_id": None,
                       "account": {"acct": "dana"}, "content": "<p>@Shop help</p>"})
