"""A large run's item results, packed until a reporter asks for them (issue 6).

Built as ``ItemResult`` objects, 100,000 items with three findings each hold some 70 MB, much of
it second-pass messages that differ from item to item ("... the next items are PAY-12, ...").
``PackedResults`` takes the results one at a time and keeps, per batch of ``BATCH`` items, their
findings as one zlib-compressed pickle of plain tuples (messages many findings share are pickled
once per batch); reporters read the items in order, so each batch is unpacked once per pass. What
the summary and the exit code need (error/warning per item, the number of findings) is counted
while packing, so they cost no pass over the findings.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import overload

from readylint.itemtable import marked_positions
from readylint.models import SEVERITIES, BacklogItem, Finding, ItemResult, sequence_index

BATCH = 1024
_BITS: dict[str, int] = {severity: 1 << number for number, severity in enumerate(SEVERITIES)}
_ERROR = _BITS["error"]

FindingRow = tuple[str, str, str, int | None]


def _severities(findings: Iterable[Finding]) -> int:
    bits = 0
    for found in findings:
        bits |= _BITS[found.severity]
    return bits


def _listing(
    results: Iterable[ItemResult], items: list[BacklogItem]
) -> Iterator[tuple[int, int, list[Finding]]]:
    """Each result as (position of its item in ``items``, rank, findings), listing the items."""
    for result in results:
        items.append(result.item)
        yield len(items) - 1, result.rank, result.findings


class PackedResults(Sequence[ItemResult]):
    """Item results in backlog order, packed (see the module docstring). Read-only: a changed
    result is given back as a new sequence (``replaced``)."""

    __slots__ = (
        "_at",
        "_batches",
        "_changed",
        "_flags",
        "_items",
        "_open",
        "_ranks",
        "finding_count",
    )

    def __init__(self, results: Iterable[ItemResult]) -> None:
        items: list[BacklogItem] = []
        self._start(items)
        self._pack_all(_listing(results, items))

    @classmethod
    def of(
        cls, items: Sequence[BacklogItem], rows: Iterable[tuple[int, list[Finding]]]
    ) -> PackedResults:
        """The results of ``Engine.finish_rows`` over ``items`` (a backlog in order), which are
        kept as they are (an ``itemtable.Ordered`` builds each item when it is read)."""
        packed = cls.__new__(cls)
        packed._start(items)
        packed._pack_all((index, index + 1, findings) for index, findings in rows)
        return packed

    def _start(self, items: Sequence[BacklogItem]) -> None:
        self._items = items
        self._at = array("I")  # per result: its item's position in _items
        self._ranks = array("I")
        self._flags = bytearray()  # per item: the _BITS of the severities of its findings
        self._batches: list[bytes] = []
        self._changed: dict[int, ItemResult] = {}
        self._open: tuple[int, list[list[FindingRow]]] = (-1, [])  # the last batch unpacked
        self.finding_count = 0

    def _pack_all(self, results: Iterable[tuple[int, int, list[Finding]]]) -> None:
        batch: list[list[FindingRow]] = []
        for at, rank, findings in results:
            self._at.append(at)
            self._ranks.append(rank)
            self._flags.append(_severities(findings))
            self.finding_count += len(findings)
            batch.append([(f.check, f.severity, f.message, f.line) for f in findings])
            if len(batch) == BATCH:
                self._pack(batch)
                batch = []
        if batch:
            self._pack(batch)

    def _pack(self, batch: list[list[FindingRow]]) -> None:
        import pickle  # only large runs pack (1 ms of a one-item run otherwise)

        self._batches.append(zlib.compress(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL), 1))

    def __len__(self) -> int:
        return len(self._at)

    @property
    def items(self) -> Iterator[BacklogItem]:
        """The reported items, in order, without unpacking their findings."""
        items = self._items
        return (items[at] for at in self._at)

    @overload
    def __getitem__(self, index: int) -> ItemResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[ItemResult]: ...
    def __getitem__(self, index: int | slice) -> ItemResult | list[ItemResult]:
        if isinstance(index, slice):
            return [self[k] for k in range(len(self))[index]]
        index = sequence_index(index, len(self))
        changed = self._changed.get(index)
        if changed is not None:
            return changed
        number, rows = self._open
        if number != index // BATCH:
            number = index // BATCH
            import pickle

            rows = pickle.loads(zlib.decompress(self._batches[number]))
            self._open = (number, rows)
        findings = [Finding(*row) for row in rows[index % BATCH]]  # type: ignore[arg-type]
        return ItemResult(self._items[self._at[index]], self._ranks[index], findings)

    def __iter__(self) -> Iterator[ItemResult]:
        return (self[k] for k in range(len(self)))

    def marked(self, labels_wanted: Callable[[tuple[str, ...]], bool]) -> list[int]:
        """The results, by index, whose items have ``readylint-ignore`` entries or a label set
        ``labels_wanted`` accepts (``itemtable.marked_positions``), without building the items."""
        found = set(marked_positions(self._items, labels_wanted))
        marked = [k for k, at in enumerate(self._at) if at in found] if found else []
        if self._changed:  # a replaced result is asked itself
            marked = sorted(
                {*marked}.difference(self._changed).union(
                    k
                    for k, result in self._changed.items()
                    if result.item.suppressions or labels_wanted(result.item.labels)
                )
            )
        return marked

    @property
    def ready_count(self) -> int:
        return len(self) - sum(self._flags.count(v) for v in range(4) if v & _ERROR)

    def fails(self, severities: Collection[str]) -> bool:
        """Whether any item has a finding of one of these severities."""
        mask = 0
        for severity in severities:
            mask |= _BITS.get(severity, 0)
        return any(self._flags.count(v) for v in range(1, 4) if v & mask)

    def with_findings(self, findings: Iterable[list[Finding]]) -> PackedResults:
        """The same items with these findings instead, one list per result, in order."""
        packed = PackedResults.__new__(PackedResults)
        packed._start(self._items)
        packed._pack_all(zip(self._at, self._ranks, findings, strict=True))
        return packed

    def replaced(self, changes: Mapping[int, ItemResult]) -> PackedResults:
        """The same results with those at the given positions replaced."""
        copy = PackedResults(())
        copy._items = self._items
        copy._at = self._at
        copy._ranks = self._ranks
        copy._batches = self._batches
        copy._flags = bytearray(self._flags)
        copy._changed = {**self._changed, **changes}
        copy.finding_count = self.finding_count
        for index, result in changes.items():
            copy.finding_count += len(result.findings) - len(self[index].findings)
            copy._flags[index] = _severities(result.findings)
        return copy


def backlog_items(results: Sequence[ItemResult]) -> Iterable[BacklogItem]:
    """The items of these results, without unpacking findings when they are packed."""
    if isinstance(results, PackedResults):
        return results.items
    return (result.item for result in results)
