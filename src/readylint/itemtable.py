"""The read items of a large backlog, kept in columns until a reporter asks for them (issue 6).

What the second pass and the reporters need of an item once its first pass ran (``pipeline.py``)
is small: its id, title, location, type, status, labels, rank, reading order and
``readylint-ignore`` entries; its fields and description were only for the first pass. As 100,000 ``BacklogItem`` and ``Location`` objects, with an int
object per line, rank and order, that is about 440 bytes an item. ``ItemTable`` keeps the ids
and titles as one UTF-8 buffer each, the numbers in arrays, and each repeated value (a file's
path, a type, a label set) once: about 100 bytes an item, and a file's table pickles as a few
buffers rather than a thousand objects. ``table[k]`` builds item k again, equal to the slim item
that was added; what is needed of every item (ids, backlog order) is read from the columns.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import islice, pairwise, repeat
from operator import add
from typing import Any, overload

from readylint.models import (
    BacklogItem,
    FieldValue,
    Location,
    Reordered,
    Suppression,
    number_in,
    sequence_index,
)

_NO_LINE = -1  # a location without a line
_NO_RANK = 0
_ODD_RANK = -1  # a rank below 1 or beyond 64 bits (not from YAML), kept in ``odd_ranks``
_LARGEST = 2**63 - 1
# The fields of every item built here: one empty dict, not one each (nothing adds to it).
_NO_FIELDS: dict[str, FieldValue] = {}


class _Strings:
    """Many strings as one UTF-8 buffer and their end offsets. ``surrogatepass``: an item made
    by other code than the sources (which never give one) may hold a lone surrogate, which plain
    UTF-8 cannot hold."""

    __slots__ = ("data", "ends")

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("q", [0])

    def __len__(self) -> int:
        return len(self.ends) - 1

    def append(self, text: str) -> None:
        self.data += text.encode("utf-8", "surrogatepass")
        self.ends.append(len(self.data))

    def extend(self, other: _Strings) -> None:
        base = len(self.data)
        self.data += other.data
        self.ends.extend(map(add, islice(other.ends, 1, None), repeat(base)))

    def __getitem__(self, index: int) -> str:
        ends = self.ends
        return self.data[ends[index] : ends[index + 1]].decode("utf-8", "surrogatepass")

    def all(self) -> list[str]:
        """Every string, in order (one pass, no per-index lookups)."""
        data, ends = self.data, self.ends
        return [data[start:end].decode("utf-8", "surrogatepass") for start, end in pairwise(ends)]

    def __getstate__(self) -> tuple[bytes, bytes]:
        return bytes(self.data), self.ends.tobytes()

    def __setstate__(self, state: tuple[bytes, bytes]) -> None:
        self.data = bytearray(state[0])
        self.ends = array("q")
        self.ends.frombytes(state[1])


class ItemTable(Sequence[BacklogItem]):
    """Slim items in the order they were added, in columns (see the module docstring)."""

    __slots__ = (
        "_numbers",
        "ids",
        "labels",
        "lines",
        "odd_ranks",
        "orders",
        "places",
        "ranks",
        "statuses",
        "suppressions",
        "titles",
        "types",
        "values",
    )

    def __init__(self, items: Iterable[BacklogItem] = ()) -> None:
        self.ids = _Strings()
        self.titles = _Strings()
        # Each distinct location (path, url), type, status and label set, once, tagged with
        # what it is: ("place", path, url), ("type", type), ("status", status), ("labels", set).
        self.values: list[tuple[Any, ...]] = []
        self._numbers: dict[tuple[Any, ...], int] = {}
        # Per item: numbers into ``values`` (a (path, url) pair; a type; a status; labels).
        self.places = array("I")
        self.types = array("I")
        self.statuses = array("I")
        self.labels = array("I")
        self.lines = array("q")  # _NO_LINE: none
        self.ranks = array("q")  # _NO_RANK: none; _ODD_RANK: see odd_ranks
        self.odd_ranks: dict[int, int] = {}
        self.orders = array("q")
        self.suppressions: dict[int, tuple[Suppression, ...]] = {}  # only items that have some
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return len(self.orders)

    def _number(self, value: tuple[Any, ...]) -> int:
        return number_in(value, self.values, self._numbers)

    def append(self, item: BacklogItem) -> None:
        """Add one item; what only the first pass reads (fields, description and the lines of
        the title and description) is not kept."""
        index = len(self)
        location = item.location
        self.ids.append(item.id)
        self.titles.append(item.title)
        self.places.append(self._number(("place", location.path, location.url)))
        self.types.append(self._number(("type", item.type)))
        self.statuses.append(self._number(("status", item.status)))
        self.labels.append(self._number(("labels", item.labels)))
        self.lines.append(_NO_LINE if location.line is None else location.line)
        rank = item.rank
        if rank is None:
            self.ranks.append(_NO_RANK)
        elif 0 < rank <= _LARGEST:
            self.ranks.append(rank)
        else:
            self.ranks.append(_ODD_RANK)
            self.odd_ranks[index] = rank
        self.orders.append(item.order)
        if item.suppressions:
            self.suppressions[index] = item.suppressions

    def extend(self, other: ItemTable, first_order: int) -> None:
        """Append another table's items (one file's, say), numbering their reading order on
        from ``first_order``."""
        base = len(self)
        numbers = array("I", (self._number(value) for value in other.values))
        self.ids.extend(other.ids)
        self.titles.extend(other.titles)
        for mine, theirs in (
            (self.places, other.places),
            (self.types, other.types),
            (self.statuses, other.statuses),
            (self.labels, other.labels),
        ):
            mine.extend(map(numbers.__getitem__, theirs))
        self.lines.extend(other.lines)
        self.ranks.extend(other.ranks)
        self.odd_ranks.update((k + base, rank) for k, rank in other.odd_ranks.items())
        self.orders.extend(range(first_order, first_order + len(other)))
        self.suppressions.update((k + base, found) for k, found in other.suppressions.items())

    def line(self, index: int) -> int | None:
        """Item ``index``'s line, without building the item."""
        line = self.lines[index]
        return None if line == _NO_LINE else line

    def rank(self, index: int) -> int | None:
        rank = self.ranks[index]
        if rank == _NO_RANK:
            return None
        return self.odd_ranks[index] if rank == _ODD_RANK else rank

    @overload
    def __getitem__(self, index: int) -> BacklogItem: ...
    @overload
    def __getitem__(self, index: slice) -> list[BacklogItem]: ...
    def __getitem__(self, index: int | slice) -> BacklogItem | list[BacklogItem]:
        if isinstance(index, slice):
            return [self[k] for k in range(len(self))[index]]
        index = sequence_index(index, len(self))
        values = self.values
        _, path, url = values[self.places[index]]
        line = self.lines[index]
        return BacklogItem(
            self.ids[index],
            self.titles[index],
            Location(path, None if line == _NO_LINE else line, url),
            values[self.types[index]][1],
            values[self.statuses[index]][1],
            values[self.labels[index]][1],
            None,
            None,
            self.rank(index),
            _NO_FIELDS,
            None,
            self.orders[index],
            self.suppressions.get(index, ()),
        )

    def __iter__(self) -> Iterator[BacklogItem]:
        return (self[k] for k in range(len(self)))

    def all_ids(self) -> list[str]:
        return self.ids.all()

    def marked(self, labels_wanted: Callable[[tuple[str, ...]], bool]) -> list[int]:
        """Positions, in order, of the items with ``readylint-ignore`` entries or a label set
        ``labels_wanted`` accepts: each distinct label set is asked once, no item is built."""
        wanted = {
            number
            for number, value in enumerate(self.values)
            if value[0] == "labels" and labels_wanted(value[1])
        }
        found = set(self.suppressions)
        if wanted:
            found.update(k for k, number in enumerate(self.labels) if number in wanted)
        return sorted(found)

    def backlog_order(self) -> array[int]:
        """Positions in backlog order (``backlog.order_key``), read from the columns."""
        paths = [(value[1] or "") if value[0] == "place" else "" for value in self.values]
        ranks, places, orders, odd = self.ranks, self.places, self.orders, self.odd_ranks

        def key(k: int) -> tuple[bool, int, str, int]:
            rank = ranks[k]
            if rank == _ODD_RANK:
                return (False, odd[k], paths[places[k]], orders[k])
            return (rank == _NO_RANK, rank, paths[places[k]], orders[k])

        return array("I", sorted(range(len(self)), key=key))

    # Pickled (a worker's file, a kept result) without ``_numbers``, which ``values`` gives.
    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _PICKLED)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(_PICKLED, state, strict=True):
            setattr(self, name, value)
        self._numbers = {value: number for number, value in enumerate(self.values)}


_PICKLED = tuple(name for name in ItemTable.__slots__ if name != "_numbers")


class Ordered(Reordered[BacklogItem]):
    """A table's items in another order (backlog order): ``self[k]`` is ``table[order[k]]``."""

    __slots__ = ("table",)

    def __init__(self, table: ItemTable, order: Sequence[int]) -> None:
        super().__init__(table, order)
        self.table = table

    def all_ids(self) -> list[str]:
        ids = self.table.all_ids()
        return [ids[k] for k in self.order]

    def in_files(self, paths: Collection[str], positions: Iterable[int]) -> list[int]:
        """Those of ``positions`` whose items were read from ``paths`` (``models.InFiles``),
        from the columns: each distinct location is asked once, no item is built."""
        table = self.table
        wanted = {
            number
            for number, value in enumerate(table.values)
            if value[0] == "place" and value[1] in paths
        }
        places, order = table.places, self.order
        return [k for k in positions if places[order[k]] in wanted]


def marked_positions(
    items: Sequence[BacklogItem], labels_wanted: Callable[[tuple[str, ...]], bool]
) -> list[int]:
    """``ItemTable.marked`` of any sequence of items: from the columns of a table, without
    building the items."""
    if isinstance(items, ItemTable):
        return items.marked(labels_wanted)
    if isinstance(items, Ordered):
        found = set(items.table.marked(labels_wanted))
        return [k for k, at in enumerate(items.order) if at in found] if found else []
    return [k for k, item in enumerate(items) if item.suppressions or labels_wanted(item.labels)]


def item_ids(items: Sequence[BacklogItem]) -> list[str]:
    """The ids of these items in order; from the columns of a table, without building items."""
    if isinstance(items, (ItemTable, Ordered)):
        return items.all_ids()
    return [item.id for item in items]
