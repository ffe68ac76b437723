"""`python -m helpfirst` runs the CLI."""

import sys

from .readahead import start

start(sys.argv[1:])  # an audit's archive is parsed while the CLI loads (see readahead)

from .cli import main  # noqa: E402

main()
