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
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, islice, repeat
from operator import add, and_, eq, not_, sub
from pathlib import Path

from readylint import cache
from readylint.models import number_in
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
_LIMIT = _HASHES * _SPAN  # the end of the last whole bin
_STARTS = tuple(index * _SPAN for index in range(_HASHES))
# A print packs 8 bytes of text hash and, for longer texts, the signature in 16-bit values
# (two different offsets agree in their low 16 bits once in 65,536: the estimate barely moves).
_PACK = struct.Struct(f"<{_HASHES}H")
_EXACT = 8
_BAND_BYTES = _ROWS * 2
_MAX_WORDS = 80  # longer answers are compared on their first 80 words
_LOW_HALVES = (0xFFFF,) * _HASHES
_PUNCT = re.compile(r"[^\w\s]|_")
# ``PUNCT_TO_SPACE`` for bytes, plus the separators (0x1C to 0x1F) that ``str.split`` takes as
# white space and ``bytes.split`` does not: ASCII text normalised in bytes, word for word.
_ASCII_TO_SPACE = bytes(
    0x20 if code in PUNCT_TO_SPACE or 0x1C <= code <= 0x1F else code for code in range(256)
)


def normalise(text: str) -> str:
    """Lower case, no Markdown or punctuation, single spaces."""
    lowered = strip_markdown(text).lower()
    if lowered.isascii():  # ``_PUNCT`` as a translation table: several times faster
        return " ".join(lowered.translate(PUNCT_TO_SPACE).split())
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
        hashes = [zlib.crc32(b" ".join(words))]
    else:
        shingles = map(b" ".join, zip(words, words[1:], words[2:], strict=False))
        hashes = sorted(map(zlib.crc32, shingles))
    whole = bisect_left(hashes, _LIMIT)  # the sliver of hash space above the last whole bin
    if not whole:
        return (0,) * _HASHES
    # The smallest hash at or after each bin's start is the bin's own smallest, or, for an empty
    # bin, that of the next filled bin to its right; past the last one, the first filled bin's
    # smallest one round the circle. Each less the bin's start: the offset plus the distance.
    del hashes[whole:]
    hashes.append(hashes[0] + _LIMIT)
    smallest = map(hashes.__getitem__, map(bisect_left, repeat(hashes), _STARTS))
    return tuple(map(sub, smallest, _STARTS))


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
    lowered = strip_markdown(text).lower()
    if lowered.isascii():  # ``normalise`` in bytes: a table lookup per byte, and no decoding
        data = b" ".join(lowered.encode().translate(_ASCII_TO_SPACE).split())
    else:
        data = normalise(text).encode()
    if not data:
        return None
    packed = blake2b(data, digest_size=_EXACT).digest()
    # ``data`` has single spaces only, and UTF-8 never puts a space byte inside a character.
    words = data.split(b" ")
    if len(words) >= min_words:
        packed += _PACK.pack(*map(and_, _signature(words[:_MAX_WORDS]), _LOW_HALVES))
    return Print(key, packed, line, excerpt)


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer at a backlog position (the test-friendly form: ``groups_of`` makes Prints)."""

    key: str
    position: int
    text: str
    line: int | None = None


# A table row (``PrintTable``): the 8-byte text hash, then each band of the signature as one
# 64-bit word: the field's number in the low 16 bits and the band's three 16-bit values above it,
# so a band's bucket key is read as one integer and grouping builds no objects per print.
_WORDS = 1 + _BANDS
_ROW = 8 * _WORDS
_HALVES = _ROW // 2  # 16-bit values per row
_ROW_PACK = struct.Struct(f"=8s{'H' * 4 * _BANDS}")
_FIELD = struct.Struct("=H")  # a band word's field number
_NO_LINE = -1


class PrintTable:
    """Many prints in columns: what a large backlog keeps of its answers until every file is
    read. One fixed-size row per print (``_ROW`` bytes), and per print its item, line and
    excerpt; items are numbered in the order they were added (``add``). Excerpts are kept
    zlib-compressed a batch at a time (``seal``): only those that a message quotes are read.
    """

    __slots__ = (
        "_chunk_starts",
        "_chunks",
        "_field_numbers",
        "_open",
        "items",
        "keys",
        "lines",
        "rows",
        "signed",
        "starts",
    )

    def __init__(self) -> None:
        self.keys: list[str] = []  # field names, by number
        self._field_numbers: dict[str, int] = {}
        self.rows = bytearray()
        self.signed = bytearray()  # 1: the row has a signature
        self.items = array("I")  # the item of each print
        self.lines = array("i")  # _NO_LINE: none
        self.starts = array("I", [0])  # item k's prints are starts[k]:starts[k + 1]
        self._chunks: list[bytes] = []  # compressed excerpts, "\n"-separated
        self._chunk_starts: list[int] = []  # the first print of each chunk
        self._open: list[str] = []  # excerpts not yet compressed

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def item_count(self) -> int:
        return len(self.starts) - 1

    def _field(self, key: str) -> int:
        return number_in(key, self.keys, self._field_numbers)

    def add(self, prints: Iterable[Print]) -> None:
        """Add one item with these prints (none: an item without answers to compare)."""
        item = self.item_count
        for found in prints:
            field = self._field(found.key)
            packed = found.packed
            signature = _PACK.unpack_from(packed, _EXACT) if len(packed) > _EXACT else _ZEROS
            values = iter(signature)
            self.rows += _ROW_PACK.pack(
                packed[:_EXACT], *chain.from_iterable(zip(repeat(field), values, values, values))
            )
            self.signed.append(len(packed) > _EXACT)
            self.items.append(item)
            self.lines.append(_NO_LINE if found.line is None else found.line)
            self._open.append(found.excerpt)
        self.starts.append(len(self.lines))

    def seal(self) -> None:
        """Compress the excerpts added since the last ``seal`` (they are rarely read again)."""
        if self._open:
            self._chunk_starts.append(len(self.lines) - len(self._open))
            self._chunks.append(zlib.compress("\n".join(self._open).encode(), 1))
            self._open = []

    def extend(self, other: PrintTable) -> None:
        """Append the items of another (sealed) table, e.g. one file's, numbering them on."""
        assert not other._open
        base, items = len(self), self.item_count
        numbers = [self._field(key) for key in other.keys]
        rows: bytes | bytearray = other.rows
        if numbers != list(range(len(numbers))):  # the other table numbered fields otherwise
            halves = array("H", rows)
            # Every band's word of a row holds the row's field (``add``): renumber the first
            # band's, in every row at once, and write it to each band.
            fields = array("H", map(numbers.__getitem__, halves[4::_HALVES]))
            for band in range(_BANDS):
                halves[4 * (band + 1) :: _HALVES] = fields
            rows = halves.tobytes()
        self.rows += rows
        self.signed += other.signed
        self.items.extend(map(add, other.items, repeat(items)))
        self.lines.extend(other.lines)
        self.starts.extend(map(add, islice(other.starts, 1, None), repeat(base)))
        self._chunk_starts.extend(start + base for start in other._chunk_starts)
        self._chunks.extend(other._chunks)

    def copy(self, other: PrintTable, item: int, lines: int, excerpts: Mapping[int, str]) -> None:
        """Add item ``item`` of ``other`` written ``lines`` lines further down (up if below 0):
        what ``add`` does with its prints (``other.item_prints``) moved, from the rows as they
        are. ``excerpts`` must hold the item's excerpts."""
        number = self.item_count
        source = other.rows
        for index in range(other.starts[item], other.starts[item + 1]):
            start = index * _ROW
            row: bytes | bytearray = source[start : start + _ROW]
            old = _FIELD.unpack_from(source, start + _EXACT)[0]  # in the first band's word
            field = self._field(other.keys[old])
            if field != old:  # each band's word holds the field's number: this table's
                halves = array("H", row)
                halves[4::4] = array("H", [field] * _BANDS)
                row = halves.tobytes()
            self.rows += row
            self.signed.append(other.signed[index])
            self.items.append(number)
            line = other.lines[index]
            self.lines.append(line if line == _NO_LINE else line + lines)
            self._open.append(excerpts[index])
        self.starts.append(len(self.lines))

    def key(self, index: int) -> str:
        return self.keys[memoryview(self.rows).cast("H")[index * _HALVES + 4]]

    def item_prints(self, item: int, excerpts: dict[int, str]) -> tuple[Print, ...]:
        """Item ``item``'s prints as ``add`` took them; ``excerpts`` must hold theirs."""
        found: list[Print] = []
        for index in range(self.starts[item], self.starts[item + 1]):
            row = _ROW_PACK.unpack_from(self.rows, index * _ROW)
            packed = row[0]
            if self.signed[index]:  # (field, three values) per band, after the text hash
                values = [value for at, value in enumerate(row[1:]) if at % 4]
                packed += _PACK.pack(*values)
            found.append(Print(self.key(index), packed, self.line(index), excerpts[index]))
        return tuple(found)

    def exact(self, index: int) -> bytes:
        return bytes(self.rows[index * _ROW : index * _ROW + _EXACT])

    def line(self, index: int) -> int | None:
        line = self.lines[index]
        return None if line == _NO_LINE else line

    def excerpts(self, indices: Iterable[int]) -> dict[int, str]:
        """The excerpts of these prints (each compressed batch is opened once)."""
        wanted: dict[int, list[int]] = {}
        sealed = len(self) - len(self._open)
        found: dict[int, str] = {}
        for index in indices:
            if index >= sealed:
                found[index] = self._open[index - sealed]
            else:
                wanted.setdefault(bisect_right(self._chunk_starts, index) - 1, []).append(index)
        for chunk, members in wanted.items():
            texts = self._batch(chunk)
            first = self._chunk_starts[chunk]
            for index in members:
                found[index] = texts[index - first]
        return found

    def _batch(self, chunk: int) -> list[str]:
        """The excerpts of one compressed batch, in order."""
        return zlib.decompress(self._chunks[chunk]).decode().split("\n")

    def excerpt_reader(self) -> ExcerptReader:
        """Every print's excerpt, looked up one print at a time (what ``copy`` takes)."""
        return ExcerptReader(self)

    def groups(
        self,
        *,
        min_items: int,
        threshold: float,
        positions: Sequence[int] | None = None,
        jobs: int = 1,
    ) -> list[list[tuple[int, int]]]:
        """``groups`` over this table: lists of (position, print number).

        ``positions`` gives each item's backlog position (default: its number); prints are
        compared in backlog order, so the result does not depend on the order items were added.
        ``jobs`` above 1 lets a large table be grouped by two processes (``_split_rows``).
        """
        count = self.item_count
        if positions is None:
            order: Sequence[int] = range(len(self))
            position_of: Sequence[int] = self.items
        else:
            by_position = array("I", bytes(4 * count))
            for item, position in enumerate(positions):
                by_position[position] = item
            ordered = array("I")
            starts = self.starts
            for item in by_position:
                ordered.extend(range(starts[item], starts[item + 1]))
            order = ordered
            position_of = array("I", (positions[item] for item in self.items))
        key = _groups_key(self, order, min_items, threshold)
        found = _kept_groups(key)
        if found is None:
            found = _split_rows(self, order, min_items=min_items, threshold=threshold, jobs=jobs)
            _keep_groups(key, found)
        result = [[(position_of[index], index) for index in group] for group in found]
        keys = self.keys
        halves = memoryview(self.rows).cast("H")
        return sorted(result, key=lambda g: (g[0][0], keys[halves[g[0][1] * _HALVES + 4]]))


class ExcerptReader(Mapping[int, str]):
    """A table's excerpts by print number, each compressed batch opened when first asked for.

    Copying a kept result (``PrintTable.copy``) reads its excerpts in order, so only the last
    ``HELD`` batches opened are held: a batch is a part of a large file, and holding them all
    took 95 MiB beside a 100,000-item file's kept result (benchmarks/README.md). Reads out of
    order (items moved in the file) may open a batch again; once the openings reach twice the
    number of batches, every batch opened from then on is held, so the work never exceeds three
    times opening them all once, and memory what opening them all took before."""

    HELD = 4
    __slots__ = ("_end", "_first", "_held", "_openings", "_table", "_texts")

    def __init__(self, table: PrintTable) -> None:
        self._table = table
        self._held: dict[int, list[str]] = {}  # batch number: its excerpts, oldest first
        self._openings = 0
        self._first = self._end = 0  # the prints of the batch read last: _first to _end
        self._texts: list[str] = []

    def __getitem__(self, index: int) -> str:
        if self._first <= index < self._end:
            return self._texts[index - self._first]
        table = self._table
        sealed = len(table) - len(table._open)
        if not 0 <= index < len(table):
            raise KeyError(index)
        if index >= sealed:
            return table._open[index - sealed]
        chunk = bisect_right(table._chunk_starts, index) - 1
        texts = self._held.get(chunk)
        if texts is None:
            texts = self._open_batch(chunk)
        self._first = table._chunk_starts[chunk]
        self._end = self._first + len(texts)
        self._texts = texts
        return texts[index - self._first]

    def _open_batch(self, chunk: int) -> list[str]:
        table, held = self._table, self._held
        self._openings += 1
        if len(held) >= self.HELD and self._openings <= 2 * len(table._chunks):
            del held[next(iter(held))]  # the oldest
        texts = held[chunk] = table._batch(chunk)
        return texts

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._table)))

    def __len__(self) -> int:
        return len(self._table)


_ZEROS = (0,) * _HASHES
_PART = 1 << 14  # prints per dictionary when grouping (see _group_rows)

# From this many prints, the groups are kept in the cache (``readylint.cache``) for the next
# run, under a hash of everything they are made from: a run over a backlog whose prints did not
# change (the files unchanged, or changed elsewhere than in their answers) takes them from there.
# At 100,000 items grouping costs about a second; hashing its input, 30 ms.
KEEP_GROUPS_FROM = 10_000
_GROUPS = "boilerplate-groups"


def _groups_key(
    table: PrintTable, order: Sequence[int], min_items: int, threshold: float
) -> tuple[object, ...] | None:
    """What the groups of these prints are kept under: None for a small table, or no cache."""
    if len(order) < KEEP_GROUPS_FROM:
        return None
    if cache.directory() is None:
        return None
    digest = blake2b(digest_size=16)
    for part in (table.rows, table.signed, table.items, array("I", order)):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    code = cache.content_stamp([(Path(__file__), "boilerplate.py")])
    return (digest.digest(), min_items, threshold, code)


def _kept_groups(key: tuple[object, ...] | None) -> list[list[int]] | None:
    """The groups an earlier run kept under ``key`` (``_groups_key``), if any."""
    if key is None:
        return None
    found = cache.load(_GROUPS, key)
    return found if isinstance(found, list) else None


def _keep_groups(key: tuple[object, ...] | None, found: list[list[int]]) -> None:
    if key is not None:
        cache.keep(_GROUPS, key, found)


def _group_rows(
    table: PrintTable, order: Sequence[int], *, min_items: int, threshold: float
) -> list[list[int]]:
    """The groups of a table's prints, as print numbers, each in ``order``; prints are taken
    in ``order`` (its first print of a text or of a band bucket is the one the others join)."""
    size = len(order)
    parent = array("i", range(size))  # a union-find over ranks in ``order``
    touched = bytearray(size)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
            touched[x] = touched[y] = 1

    words = memoryview(table.rows).cast("Q")
    halves = memoryview(table.rows).cast("H")
    signed_rows = table.signed
    # Ranks are split by key into parts of about _PART, each grouped on its own: equal keys
    # fall in one part, in rank order, so the result is the same as with one dictionary, whose
    # size (some 100 bytes an entry) would otherwise set the peak memory of a large run.
    parts = 1 + size // _PART
    keys = [array("Q") for _ in range(parts)]
    ranks = [array("I") for _ in range(parts)]
    for rank, index in enumerate(order):
        key = words[index * _WORDS]
        keys[key % parts].append(key)
        ranks[key % parts].append(rank)
    first_of_text = bytearray(size)
    for part in range(parts):
        exact: dict[int, int] = {}
        for key, rank in zip(keys[part], ranks[part], strict=True):
            first = exact.setdefault(key << 16 | halves[order[rank] * _HALVES + 4], rank)
            if first != rank:
                union(first, rank)
            else:
                first_of_text[rank] = 1
        del exact
    del keys, ranks
    # ranks that are the first of their exact text and have a signature
    signed = array("I", (r for r in range(size) if first_of_text[r] and signed_rows[order[r]]))
    del first_of_text
    parts = 1 + len(signed) // _PART
    for band in range(1, _WORDS):
        keys = [array("Q") for _ in range(parts)]
        ranks = [array("I") for _ in range(parts)]
        for rank in signed:
            key = words[order[rank] * _WORDS + band]
            keys[key % parts].append(key)
            ranks[key % parts].append(rank)
        for part in range(parts):
            buckets: dict[int, int] = {}
            for key, rank in zip(keys[part], ranks[part], strict=True):
                representative = buckets.setdefault(key, rank)
                if representative != rank and find(representative) != find(rank):
                    mine, theirs = order[rank] * _HALVES + 4, order[representative] * _HALVES + 4
                    agree = sum(map(eq, halves[mine : mine + 32], halves[theirs : theirs + 32]))
                    # the 8 field numbers agree (same bucket); similarity() over the 24 values
                    if (agree - _BANDS) / _HASHES >= threshold:
                        union(representative, rank)
            del buckets
    # Point every touched rank at its root and count each component, so that only components
    # large enough to be a group get a list of members.
    everything = min_items <= 1  # singletons count too
    count = array("I", bytes(4 * size))
    for rank in range(size):
        if everything or touched[rank]:
            root = parent[rank] = find(rank)
            count[root] += 1
    members: dict[int, list[int]] = {}
    for rank in range(size):
        if (everything or touched[rank]) and count[parent[rank]] >= min_items:
            members.setdefault(parent[rank], []).append(order[rank])
    items = table.items
    return [
        group for group in members.values() if len({items[index] for index in group}) >= min_items
    ]


# Above this many prints, a forked process groups about half of the fields (``_split_rows``).
SPLIT_ABOVE = 50_000
_SPLIT: tuple[PrintTable, Sequence[int]] | None = None  # what the forked process inherits


def _split_rows(
    table: PrintTable, order: Sequence[int], *, min_items: int, threshold: float, jobs: int
) -> list[list[int]]:
    """``_group_rows``, in two processes when ``jobs`` allows and the table is large.

    No group crosses fields (a field's number is part of every key), so the fields are dealt
    into two shares of about equal prints: a forked process groups one share while this one
    groups the other. The groups are the same as in one process; ``PrintTable.groups`` sorts
    them. The fork is the caller's choice (``jobs``): it must not happen while other threads
    run.
    """
    global _SPLIT
    if jobs < 2 or len(order) < SPLIT_ABOVE:
        return _group_rows(table, order, min_items=min_items, threshold=threshold)
    fields = memoryview(table.rows).cast("H")[4::_HALVES].tolist()  # each print's field
    counts = sorted(Counter(fields).items(), key=lambda pair: (-pair[1], pair[0]))
    share = bytearray(max(fields, default=0) + 1)  # 1: the forked process groups this field
    loads = [0, 0]
    for field, count in counts:
        side = 0 if loads[0] <= loads[1] else 1
        share[field] = side
        loads[side] += count
    if not loads[1]:  # a single field
        return _group_rows(table, order, min_items=min_items, threshold=threshold)
    by_share = [share[field] for field in fields]
    theirs = array("I", compress(order, map(by_share.__getitem__, order)))
    mine = array("I", compress(order, map(not_, map(by_share.__getitem__, order))))
    del fields, by_share
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _SPLIT = (table, theirs)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            other = pool.submit(_group_share, min_items, threshold)
            found = _group_rows(table, mine, min_items=min_items, threshold=threshold)
            return found + other.result()
    finally:
        _SPLIT = None


def _group_share(min_items: int, threshold: float) -> list[list[int]]:
    """In the forked process: ``_group_rows`` over the share it inherited."""
    assert _SPLIT is not None
    table, order = _SPLIT
    return _group_rows(table, order, min_items=min_items, threshold=threshold)


def groups(
    entries: Sequence[tuple[int, Print]], *, min_items: int, threshold: float
) -> list[list[tuple[int, Print]]]:
    """Groups of (position, print) entries with the same key whose texts are the same or nearly
    the same.

    Only groups spanning at least ``min_items`` distinct positions are returned, each sorted by
    position, and the list sorted by each group's first position. Entries are compared in the
    order given (see ``PrintTable.groups``, which does the work).
    """
    table = PrintTable()
    for _, found in entries:
        table.add((found,))
    found_groups = [
        sorted(((entries[index][0], index) for index in group), key=lambda e: e[0])
        for group in _group_rows(table, range(len(entries)), min_items=1, threshold=threshold)
    ]
    return sorted(
        (
            [entries[index] for _, index in group]
            for group in found_groups
            if len({position for position, _ in group}) >= min_items
        ),
        key=lambda g: (g[0][0], g[0][1].key),
    )


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
