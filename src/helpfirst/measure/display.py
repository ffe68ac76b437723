"""What the scorecard's outputs share: the mark of a figure with nothing to measure, and untrusted
text made visible in the terminal.

Kept free of heavy imports: the terminal uses it without loading the report's libraries.
"""

from __future__ import annotations

import re

#: A figure with nothing to measure (a share of no conversations, a median of nothing): the JSON
#: keeps 0.0 or null, the terminal shows this en dash.
NONE = "\u2013"

#: Characters a terminal acts on instead of showing (C0 and C1 controls, DEL), the ones that
#: reorder or hide text (bidirectional embeddings, overrides and isolates) and line separators.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str | None) -> str:
    """Untrusted text for the terminal: control characters as Python escapes ('\\x1b', '\\n', '\\u202e')."""
    if not text:
        return text or ""
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
