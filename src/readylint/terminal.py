"""Text from backlog items, shown on a terminal without letting it drive the terminal.

Item ids, titles and quoted answers come from files anyone can commit and from Jira, where a
JSON string can hold any character. Control characters (escape sequences that recolour, move the
cursor, set the window title or rewrite earlier lines; a carriage return or line break that
forges a finding line) and bidirectional overrides ("Trojan Source") are shown escaped, e.g.
``\\x1b``, so every finding stays one visible line.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters and bidirectional overrides escaped (tabs kept)."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
