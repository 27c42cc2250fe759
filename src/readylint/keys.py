"""Key names: case-insensitive, with spaces, hyphens and underscores treated alike."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s_\-]+")

# Keys every source understands; everything else is a field that checks may read.
CORE_KEYS: dict[str, str] = {
    "id": "id",
    "key": "id",
    "title": "title",
    "summary": "title",
    "type": "type",
    "issue_type": "type",
    "status": "status",
    "rank": "rank",
    "labels": "labels",
    "description": "description",
}


@lru_cache(maxsize=4096)
def normalise_key(key: str) -> str:
    """``Customer need``, ``customer-need`` and ``customer_need`` all become ``customer_need``."""
    return _SEPARATORS.sub("_", key.strip().lower()).strip("_")


def suggest(key: str, known: Iterable[str], cutoff: float = 0.85) -> str | None:
    """The known key closest to ``key``, if it is a plausible misspelling of it."""
    norm = normalise_key(key)
    if len(norm) < 4:
        return None
    import difflib  # only when a key is unknown: keeps the start of every run light

    matches = difflib.get_close_matches(norm, list(known), n=1, cutoff=cutoff)
    return matches[0] if matches else None
