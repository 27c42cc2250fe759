"""The records that flow through readylint: source -> items -> engine -> findings -> reporter.

Items and findings are plain slotted dataclasses rather than pydantic models: a large backlog
creates hundreds of thousands of them and validation happens once, in the source that builds
them. Configuration and check files, which are user-written documents, use pydantic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, overload

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, slots=True)
class Location:
    """Where an item lives: a file and line for YAML, a browse URL for a tracker issue."""

    path: str | None = None
    line: int | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One item field as written: its text (lists and mappings flattened to lines) and line."""

    text: str
    line: int | None
    key: str  # the key as the author spelled it, for messages


@dataclass(frozen=True, slots=True)
class Suppression:
    """An item's request to skip one check (``readylint-ignore``), with the author's reason.

    ``reason`` is empty when none was written; ``suppress.py`` turns that into a finding.
    """

    check: str
    reason: str
    line: int | None = None
    from_label: bool = False  # a ``readylint-ignore-<check>`` label, which cannot hold a reason


@dataclass(slots=True)
class BacklogItem:
    """One backlog item, as any source produces it.

    ``fields`` maps the normalised key (see ``keys.normalise_key``) of every field that is not
    one of the core keys (id, title, type, ...) to its value. Sources never interpret these:
    which fields answer which question is decided by the check definitions.
    """

    id: str
    title: str
    location: Location
    type: str = "story"
    status: str | None = None
    labels: tuple[str, ...] = ()
    description: str | None = None
    description_line: int | None = None
    rank: int | None = None  # the rank declared by the source (1 = first), if any
    fields: dict[str, FieldValue] = field(default_factory=dict)
    title_line: int | None = None
    order: int = 0  # position in the source's reading order, for stable sorting of unranked items
    # ``readylint-ignore`` entries as the source read them (see suppress.py; labels work too).
    suppressions: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A check's verdict on one item: what is missing and what to write."""

    check: str
    severity: Severity
    message: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class InputError:
    """Input that could not be read: a file, a line or a tracker key, and one line of text."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: error: {self.message}" if where else f"error: {self.message}"


@dataclass(slots=True)
class SourceResult:
    """What a source read: items (in its own order), input errors, and notices for the user.

    A large YAML backlog's items are an ``itemtable.ItemTable``, the others a list."""

    items: Sequence[BacklogItem] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # When the source already ran the engine's first pass (``pipeline.py``): one digest per item,
    # aligned with ``items``, whose texts were then dropped (a ``store.DigestStore``).
    digests: Sequence[Any] | None = None


@dataclass(frozen=True, slots=True)
class InFiles:
    """A filter of the items to report (``app.lint``'s ``report``): those read from these files,
    by ``location.path``. Being data, not a function, it is applied to a large backlog's columns
    without building every item (``itemtable.Ordered.in_files``)."""

    paths: frozenset[str]

    def __call__(self, item: BacklogItem) -> bool:
        return item.location.path in self.paths


class ItemSink(Protocol):
    """Takes a source's items as they are read, a page at a time (``pipeline.Digester``), and
    does a little of its own work whenever the source waits for the network. The items are the
    sink's: the source keeps none of them."""

    def take(self, start: int, items: Sequence[BacklogItem]) -> None:
        """Items ``start`` onwards of this read; ``start`` 0 again means the source is reading
        again from the start (the backlog changed during the read)."""

    def idle(self) -> bool:
        """Do a few milliseconds of work; False when there is none left to do."""


@dataclass(slots=True)
class ItemResult:
    """One item's verdict. ``rank`` is the 1-based position in backlog order."""

    item: BacklogItem
    rank: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass(slots=True)
class RunResult:
    """Everything a reporter needs; reporters never see sources, configs or the engine."""

    version: str
    # The reported items, in backlog order (a large run's are a ``results.PackedResults``).
    items: Sequence[ItemResult]
    errors: list[InputError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    checks: list[CheckInfo] = field(default_factory=list)  # the checks that ran
    backlog_size: int = 0  # items read, including those outside --top

    @property
    def ready_count(self) -> int:
        counted = getattr(self.items, "ready_count", None)  # PackedResults counts as it packs
        if counted is not None:
            return int(counted)
        return sum(1 for r in self.items if r.ready)

    @property
    def finding_count(self) -> int:
        counted = getattr(self.items, "finding_count", None)
        if counted is not None:
            return int(counted)
        return sum(len(r.findings) for r in self.items)


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What reporters may show about a check (SARIF rules, JUnit suites, Markdown headers)."""

    id: str
    title: str
    question: str
    severity: Severity
    rationale: str
    hint: str


def sequence_index(index: int, size: int) -> int:
    """``index`` into a sequence of ``size`` items as ``list`` reads it (negative from the end),
    or IndexError."""
    if index < 0:
        index += size
    if not 0 <= index < size:
        raise IndexError(index)
    return index


K = TypeVar("K")


def number_in(key: K, table: list[K], numbers: dict[K, int]) -> int:
    """``key``'s number in ``table`` of distinct keys (``numbers`` maps them back), appending it
    the first time: how the compact stores keep each repeated value once."""
    number = numbers.get(key)
    if number is None:
        number = numbers[key] = len(table)
        table.append(key)
    return number


T = TypeVar("T")


class Reordered(Sequence[T]):
    """A sequence's elements in another order: ``self[k]`` is ``base[order[k]]``."""

    __slots__ = ("base", "order")

    def __init__(self, base: Sequence[T], order: Sequence[int]) -> None:
        self.base = base
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self.base[k] for k in self.order[index]]
        return self.base[self.order[index]]

    def __iter__(self) -> Iterator[T]:
        base = self.base
        return (base[k] for k in self.order)
