"""An output file in folders that do not exist yet is written, its folders made, as audit --report
does: synth --out and classify --out (docs/cli.md says so of --report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def helpfirst(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpfirst", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_synth_makes_the_folders_of_its_output(tmp_path: Path):
    for name in ("missing_dir/x.csv", "a/b/c/x.jsonl"):
        proc = helpfirst("synth", "--posts", 200, "-o", name, "--format", name.rsplit(".", 1)[1].replace("csv", "twcs"),
                         cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / name).stat().st_size > 0


def test_classify_makes_the_folders_of_its_output(tmp_path: Path):
    src = tmp_path / "posts.jsonl"
    src.write_text(json.dumps({"id": 1, "text": "my parcel never arrived", "role": "customer"}) + "\n")
    proc = helpfirst("classify", src, "-o", "missing_dir/sub/x.jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "missing_dir/sub/x.jsonl").read_text())["id"] == 1


def test_a_folder_that_cannot_be_made_is_one_error(tmp_path: Path):
    (tmp_path / "file").write_text("not a folder")
    proc = helpfirst("synth", "--posts", 200, "-o", "file/x.csv", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: file/x.csv: cannot write ("), proc.stderr
