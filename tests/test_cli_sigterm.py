"""SIGTERM (`timeout`, `kill`, a service manager) ends a command as Ctrl-C does: 'terminated', exit
status 143, and no hidden half-written `.part` file left beside the output (they piled up)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def test_sigterm_during_synth_leaves_no_part_file(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("previous\n")
    proc = subprocess.Popen([sys.executable, "-m", "helpfirst", "synth", "--posts", "3000000", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".x.csv.*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".x.csv.*.part")), "synth never started writing"
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, (proc.returncode, err)
    assert "terminated" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]
    assert out.read_text() == "previous\n"


def test_ctrl_c_while_the_cli_loads_is_quiet(tmp_path):
    """A SIGINT before the CLI has finished importing: 'interrupted' and 130, no traceback."""
    code = ("import signal, os, sys; sys.argv = ['helpfirst', '--help']; "
            "import helpfirst.readahead as r; real = r.start\n"
            "def start(argv):\n    real(argv); os.kill(os.getpid(), signal.SIGINT)\n"
            "r.start = start\nfrom helpfirst.__main__ import run\nrun()")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 130, (run.returncode, run.stderr)
    assert run.stderr.strip() == "interrupted"
