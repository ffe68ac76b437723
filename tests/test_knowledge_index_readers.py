"""A knowledge base's search index is replaced, never rewritten in place: a `kb search` that has the
old index memory-mapped keeps reading it whole while an add saves a new one (rewriting the .npy
files in place truncated the pages under the reader: SIGBUS or wrong scores)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_mapped_index_survives_a_save_into_its_folder(tmp_path):
    child = textwrap.dedent(f"""
        from pathlib import Path
        from helpfirst.knowledge.lexical import Bm25Index
        folder = Path({str(tmp_path)!r})
        big = Bm25Index.build([["reset", "password", f"w{{i}}", f"v{{i % 7}}"] for i in range(200_000)])
        big.save(folder, "resources")
        mapped = Bm25Index.load(folder, "resources")
        before = mapped.scores(["reset", "w5", "v3"]).sum()
        Bm25Index.build([["tiny"]]).save(folder, "resources")   # an add saves a far smaller index
        after = mapped.scores(["reset", "w5", "v3"]).sum()
        print(before == after, Bm25Index.load(folder, "resources").num_docs)
    """)
    run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, (run.returncode, run.stderr[-500:])
    assert run.stdout.split() == ["True", "1"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".part"))]
