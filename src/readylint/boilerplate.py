"""Group the same or nearly the same answer text across a backlog, in linear time.

Texts are normalised (case, whitespace, punctuation, Markdown). Identical normalised texts share
a group. Longer texts also get a MinHash signature of their 3-word shingles; locality-sensitive
hashing puts each text, per band, in a bucket with a representative, and a text joins the
representative's group when their signatures agree closely enough. Each text is compared with at
most one representative per band, so the work grows linearly with the backlog, never pairwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from readylint.text import strip_markdown

try:  # hashlib.blake2b itself, without hashlib's OpenSSL start-up (see cache.py)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without the _blake2 module
    from hashlib import blake2b

_HASHES = 24
_BANDS = 8
_ROWS = _HASHES // _BANDS
_SPAN = (1 << 64) // _HASHES  # width of one bin of the 64-bit hash space
_PUNCT = re.compile(r"[^\w\s]|_")


def normalise(text: str) -> str:
    """Lower case, no Markdown or punctuation, single spaces."""
    return " ".join(_PUNCT.sub(" ", strip_markdown(text).lower()).split())


def signature(words: list[str]) -> tuple[int, ...]:
    """A MinHash signature by one-permutation hashing with rotation densification.

    Each 3-word shingle is hashed once (64-bit, deterministic); the hash space is cut into
    ``_HASHES`` bins and each bin keeps its smallest offset. An empty bin borrows the value of the
    next non-empty bin to its right, offset by the distance, so short texts still compare well
    (Li, Owen and Zhang 2012; Shrivastava and Li 2014). One hash per shingle instead of one per
    shingle and signature position keeps this cheap on large backlogs.
    """
    shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    bins: list[int | None] = [None] * _HASHES
    for shingle in shingles:
        value = int.from_bytes(blake2b(shingle.encode(), digest_size=8).digest(), "big")
        index, offset = divmod(value, _SPAN)
        if index < _HASHES:
            current = bins[index]
            if current is None or offset < current:
                bins[index] = offset
    filled = [i for i, v in enumerate(bins) if v is not None]
    if len(filled) == _HASHES or not filled:
        return tuple(v or 0 for v in bins)
    result: list[int] = []
    for index, kept in enumerate(bins):
        if kept is not None:
            result.append(kept)
            continue
        distance = next(d for d in range(1, _HASHES) if bins[(index + d) % _HASHES] is not None)
        borrowed = bins[(index + distance) % _HASHES]
        assert borrowed is not None
        result.append(borrowed + distance * _SPAN)
    return tuple(result)


def similarity(one: tuple[int, ...], other: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return sum(1 for x, y in zip(one, other, strict=True) if x == y) / len(one)


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer: the group key (e.g. the answer field), the item's position, its text."""

    key: str
    position: int
    text: str
    line: int | None = None


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


def groups(
    entries: Iterable[Entry], *, min_items: int, threshold: float, min_words: int
) -> list[list[Entry]]:
    """Groups of entries with the same key whose texts are the same or nearly the same.

    Only groups spanning at least ``min_items`` distinct items are returned, each sorted by
    position, and the list sorted by each group's first position.
    """
    listed = list(entries)
    union = _UnionFind(len(listed))
    exact: dict[tuple[str, str], int] = {}
    buckets: dict[tuple[str, int, tuple[int, ...]], int] = {}
    signatures: dict[int, tuple[int, ...]] = {}
    for index, entry in enumerate(listed):
        plain = normalise(entry.text)
        if not plain:
            continue
        first = exact.setdefault((entry.key, plain), index)
        if first != index:
            union.union(first, index)
            continue
        words = plain.split()
        if len(words) < min_words:
            continue
        mine = signature(words)
        signatures[index] = mine
        for band in range(_BANDS):
            rows = mine[band * _ROWS : (band + 1) * _ROWS]
            representative = buckets.setdefault((entry.key, band, rows), index)
            if (
                representative != index
                and similarity(mine, signatures[representative]) >= threshold
            ):
                union.union(representative, index)
    members: dict[int, list[Entry]] = {}
    for index, entry in enumerate(listed):
        members.setdefault(union.find(index), []).append(entry)
    found = [
        sorted(group, key=lambda e: e.position)
        for group in members.values()
        if len({e.position for e in group}) >= min_items
    ]
    return sorted(found, key=lambda g: (g[0].position, g[0].key))
