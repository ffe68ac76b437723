"""helpfirst: measure whether a brand actually helps the people who ask it for help."""

__version__ = "0.1.0"
