"""A Ctrl-C that arrives while the CLI is still loading ends it quietly: 'interrupted', status 130."""

from __future__ import annotations

import subprocess
import sys


def test_ctrl_c_while_the_cli_loads_is_quiet(tmp_path):
    """A SIGINT before the CLI has finished importing: 'interrupted' and 130, no traceback."""
    code = ("import signal, os, sys; sys.argv = ['helpfirst', '--help']; "
            "import helpfirst.readahead as r; real = r.start\n"
            "def start(argv):\n    real(argv); os.kill(os.getpid(), signal.SIGINT)\n"
            "r.start = start\nfrom helpfirst.__main__ import run\nrun()")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 130, (run.returncode, run.stderr)
    assert run.stderr.strip() == "interrupted"
