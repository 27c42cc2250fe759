"""Group the same or nearly the same answer text across a backlog, in linear time.

Texts are normalised (case, whitespace, punctuation, Markdown). Identical normalised texts share
a group. Longer texts also get a MinHash signature of their 3-word shingles; locality-sensitive
hashing puts each text, per band, in a bucket with a representative, and a text joins the
representative's group when their signatures agree closely enough. Each text is compared with at
most one representative per band, so the work grows linearly with the backlog, never pairwise.

Each answer is reduced to a small ``Print`` where it is read (possibly in a worker process), so
the texts themselves need not be kept until the whole backlog has been read.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readylint.text import PUNCT_TO_SPACE, strip_markdown

try:  # hashlib.blake2b itself, without hashlib's OpenSSL start-up (~2 ms of a one-item run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without the _blake2 module
    from hashlib import blake2b

_HASHES = 24
_BANDS = 8
_ROWS = _HASHES // _BANDS
_BITS = 32
_SPAN = (1 << _BITS) // _HASHES  # width of one bin of the 32-bit hash space
_MASK = (1 << _BITS) - 1
# A print packs 8 bytes of text hash and, for longer texts, the signature in 16-bit values
# (two different offsets agree in their low 16 bits once in 65,536: the estimate barely moves).
_PACK = struct.Struct(f"<{_HASHES}H")
_EXACT = 8
_BAND_BYTES = _ROWS * 2
_MAX_WORDS = 80  # longer answers are compared on their first 80 words
_PUNCT = re.compile(r"[^\w\s]|_")


# ``_PUNCT``'s replacement for ASCII text (the same characters: word characters and spaces
# stay) as a translation table, several times faster than a substitution.
_PUNCT_ASCII = PUNCT_TO_SPACE


def normalise(text: str) -> str:
    """Lower case, no Markdown or punctuation, single spaces."""
    lowered = strip_markdown(text).lower()
    if lowered.isascii():
        return " ".join(lowered.translate(_PUNCT_ASCII).split())
    return " ".join(_PUNCT.sub(" ", lowered).split())


def signature(words: Sequence[str]) -> tuple[int, ...]:
    """A MinHash signature by one-permutation hashing with rotation densification.

    Each 3-word shingle is hashed once (CRC-32: deterministic, unlike Python's ``hash`` of a
    str); the hash space is cut into ``_HASHES`` bins and each bin keeps its smallest offset. An
    empty bin borrows the value of the next non-empty bin to its right, offset by the distance,
    so short texts still compare well (Li, Owen and Zhang 2012; Shrivastava and Li 2014). The
    hashes are sorted once, so the smallest of each bin is found by bisection, not by a loop.
    """
    return _signature([word.encode() for word in words[:_MAX_WORDS]])


def _signature(words: Sequence[bytes]) -> tuple[int, ...]:
    """``signature`` of words already encoded as UTF-8 (at most ``_MAX_WORDS``)."""
    if len(words) < 3:
        shingles: Iterable[bytes] = [b" ".join(words)]
    else:
        shingles = map(b" ".join, zip(words, words[1:], words[2:], strict=False))
    hashes = sorted(set(map(zlib.crc32, shingles)), reverse=True)
    # The smallest hash of each bin: ascending order is reversed, so the smallest is set last.
    first = {value // _SPAN: value for value in hashes}
    first.pop(_HASHES, None)  # the sliver of hash space above the last whole bin
    if not first:
        return (0,) * _HASHES
    if len(first) == _HASHES:
        return tuple(first[i] - i * _SPAN for i in range(_HASHES))
    # Densify: an empty bin takes the nearest filled bin to its right (circularly), offset by
    # the distance. One walk from the right, starting from the leftmost filled bin wrapped round.
    start = min(first)
    carry, at = first[start] - start * _SPAN, start + _HASHES
    result = [0] * _HASHES
    for index in range(_HASHES - 1, -1, -1):
        value = first.get(index)
        if value is not None:
            carry, at = value - index * _SPAN, index
            result[index] = carry
        else:
            result[index] = (carry + (at - index) * _SPAN) & _MASK
    return tuple(result)


def similarity(one: Sequence[int], other: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return sum(1 for x, y in zip(one, other, strict=True) if x == y) / len(one)


@dataclass(frozen=True, slots=True)
class Print:
    """What grouping needs of one answer: its field, a packed hash of its normalised text plus
    (for texts of ``min_words`` or more) its MinHash signature, its line, and the excerpt a
    message quotes. Small on purpose: a large backlog keeps one per answer until the end."""

    key: str
    packed: bytes
    line: int | None
    excerpt: str

    @property
    def exact(self) -> bytes:
        return self.packed[:_EXACT]

    @property
    def signature(self) -> bytes | None:
        return self.packed[_EXACT:] or None


def fingerprint(
    key: str, text: str, line: int | None, *, min_words: int, excerpt: str
) -> Print | None:
    """The ``Print`` of one answer, or None when nothing is left after normalising."""
    plain = normalise(text)
    if not plain:
        return None
    data = plain.encode()
    packed = blake2b(data, digest_size=_EXACT).digest()
    # ``plain`` has single spaces only, and UTF-8 never puts a space byte inside a character.
    words = data.split(b" ")
    if len(words) >= min_words:
        packed += _PACK.pack(*(v & 0xFFFF for v in _signature(words[:_MAX_WORDS])))
    return Print(key, packed, line, excerpt)


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer at a backlog position (the test-friendly form: ``groups_of`` makes Prints)."""

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
    entries: Sequence[tuple[int, Print]], *, min_items: int, threshold: float
) -> list[list[tuple[int, Print]]]:
    """Groups of (position, print) entries with the same key whose texts are the same or nearly
    the same.

    Only groups spanning at least ``min_items`` distinct positions are returned, each sorted by
    position, and the list sorted by each group's first position. Buckets are built one band at
    a time, so only one band's buckets are in memory at once.
    """
    union = _UnionFind(len(entries))
    exact: dict[tuple[str, bytes], int] = {}
    signed: list[int] = []  # entries that are the first of their exact text and have a signature
    for index, (_, found) in enumerate(entries):
        first = exact.setdefault((found.key, found.exact), index)
        if first != index:
            union.union(first, index)
        elif len(found.packed) > _EXACT:
            signed.append(index)
    del exact
    unpacked: dict[int, tuple[int, ...]] = {}

    def values(index: int) -> tuple[int, ...]:
        known = unpacked.get(index)
        if known is None:
            known = unpacked[index] = _PACK.unpack_from(entries[index][1].packed, _EXACT)
        return known

    for band in range(_BANDS):
        low, high = _EXACT + band * _BAND_BYTES, _EXACT + (band + 1) * _BAND_BYTES
        buckets: dict[tuple[str, bytes], int] = {}
        for index in signed:
            found = entries[index][1]
            representative = buckets.setdefault((found.key, found.packed[low:high]), index)
            if (
                representative != index
                and union.find(representative) != union.find(index)
                and similarity(values(index), values(representative)) >= threshold
            ):
                union.union(representative, index)
    members: dict[int, list[tuple[int, Print]]] = {}
    for index, entry in enumerate(entries):
        members.setdefault(union.find(index), []).append(entry)
    found_groups = [
        sorted(group, key=lambda e: e[0])
        for group in members.values()
        if len({position for position, _ in group}) >= min_items
    ]
    return sorted(found_groups, key=lambda g: (g[0][0], g[0][1].key))


def groups_of(
    entries: Iterable[Entry], *, min_items: int, threshold: float, min_words: int
) -> list[list[Entry]]:
    """``groups`` over plain entries (texts), for callers that hold the texts anyway."""
    listed = list(entries)
    prints: list[tuple[int, Print]] = []
    back: dict[int, Entry] = {}
    for entry in listed:
        found = fingerprint(entry.key, entry.text, entry.line, min_words=min_words, excerpt="")
        if found is not None:
            back[id(found)] = entry
            prints.append((entry.position, found))
    return [
        [back[id(p)] for _, p in group]
        for group in groups(prints, min_items=min_items, threshold=threshold)
    ]
