"""`python -m helpfirst` runs the CLI."""

from .cli import main

main()
