"""`python -m helpfirst` and the `helpfirst` command run the CLI."""

import os
import sys


def run() -> None:
    """Start the archive's read-ahead, load the CLI and run it; a Ctrl-C while loading ends quietly."""
    try:
        from .readahead import start

        start(sys.argv[1:])  # an audit's archive is parsed while the CLI loads (see readahead)

        from .cli import main
    except KeyboardInterrupt:
        # the read-ahead's DuckDB thread may be running: end without the interpreter's teardown
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    main()


if __name__ == "__main__":
    run()
