"""The first-pass results of a whole backlog, kept in columns until the second pass (issue 6).

A large backlog keeps every item's first-pass result (``engine.Digest``) until all files are read.
As objects that is a list, a ``Finding`` and a line number per finding, and several Prints per
item: about 2.5 kB an item. Here each finding is three integers (the check's slot, the number of
its (check, severity, message) in a table of distinct ones, its line), and so are the facts of an
order-dependent check (``engine.Pending``): its slot, the number of its facts apart from the line
in a table of distinct ones (most items share a few), and its line. The prints are rows of a
``boilerplate.PrintTable``. ``DigestStore[k]`` gives item k's ``Digest`` back, built when the
second pass asks. A digest made with its prints only (``Engine.digest(prints_only=True)``, for
an item outside ``--top``) comes back as one, with no results.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice, repeat
from operator import add
from typing import overload

from readylint.boilerplate import PrintTable
from readylint.engine import _NOTHING, CheckResult, Digest, Pending
from readylint.models import Finding, Reordered, Severity, number_in, sequence_index

__all__ = ["DigestStore", "Reordered"]

_NO_LINE = -(2**31)  # a finding without a line
_NOT_APPLIED = -1  # the code of a slot whose check does not apply to the item (result None)
# Codes below _NOT_APPLIED are Pending facts: -2 is the first of ``DigestStore.facts``.

# A Pending without its line: (findings, where, references, denial, evidence, restates, flagged).
Facts = tuple[
    tuple[Finding, ...],
    str,
    tuple[tuple[str, str | None], ...],
    str | None,
    bool,
    str | None,
    str | None,
]


class DigestStore(Sequence[Digest]):
    """Digests of items in the order they were added, in columns (see the module docstring)."""

    __slots__ = (
        "_fact_numbers",
        "_numbers",
        "checks",
        "facts",
        "partial",
        "prints",
        "rows",
        "starts",
        "templates",
    )

    def __init__(self, checks: int) -> None:
        self.checks = checks  # the engine's number of active checks (slots per digest)
        self.templates: list[tuple[str, Severity, str]] = []  # distinct (check, severity, text)
        self._numbers: dict[tuple[str, Severity, str], int] = {}
        self.rows = array("i")  # (slot, code, line) per finding, not-applied slot or Pending
        self.starts = array("I", [0])  # item k's rows are rows[3 * starts[k] : 3 * starts[k + 1]]
        self.facts: list[Facts] = []  # distinct Pending facts, without their lines
        self._fact_numbers: dict[Facts, int] = {}
        self.prints = PrintTable()
        self.partial: set[int] = set()  # the items whose digests hold their prints only

    def _template(self, key: tuple[str, Severity, str]) -> int:
        return number_in(key, self.templates, self._numbers)

    def _facts(self, facts: Facts) -> int:
        return number_in(facts, self.facts, self._fact_numbers)

    def add(self, digest: Digest, *, prints_only: bool = False) -> None:
        """Append one item's digest (made with ``prints_only``, or whole)."""
        if prints_only:
            self.partial.add(len(self))
        rows = self.rows
        for slot, result in enumerate(digest.results):
            if result is None:
                rows.extend((slot, _NOT_APPLIED, 0))
            elif isinstance(result, Pending):
                code = -2 - self._facts(
                    (
                        tuple(result.findings),
                        result.where,
                        result.references,
                        result.denial,
                        result.evidence,
                        result.restates,
                        result.flagged,
                    )
                )
                rows.extend((slot, code, _NO_LINE if result.line is None else result.line))
            else:
                for found in result:
                    code = self._template((found.check, found.severity, found.message))
                    rows.extend((slot, code, _NO_LINE if found.line is None else found.line))
        self.starts.append(len(rows) // 3)
        self.prints.add(digest.prints)

    def copy(self, other: DigestStore, index: int, lines: int, excerpts: Mapping[int, str]) -> None:
        """Append item ``index`` of ``other`` written ``lines`` lines further down (up if below
        0), with its prints: what ``add`` does with that item's digest, moved
        (``Digest.moved``), from the rows as they are. ``excerpts`` must hold its prints'."""
        if index in other.partial:
            self.partial.add(len(self))
        rows, source, templates = self.rows, other.rows, other.templates
        for at in range(3 * other.starts[index], 3 * other.starts[index + 1], 3):
            slot, code, line = source[at], source[at + 1], source[at + 2]
            if code >= 0:
                code = self._template(templates[code])
            elif code < _NOT_APPLIED:
                facts = other.facts[-2 - code]
                if lines and facts[0]:  # findings that hold whatever the order, with lines
                    facts = (
                        tuple(
                            f
                            if f.line is None
                            else Finding(f.check, f.severity, f.message, f.line + lines)
                            for f in facts[0]
                        ),
                        *facts[1:],
                    )
                code = -2 - self._facts(facts)
            else:  # not applied: no line
                rows.extend((slot, code, line))
                continue
            rows.extend((slot, code, line if line == _NO_LINE else line + lines))
        self.starts.append(len(rows) // 3)
        self.prints.copy(other.prints, index, lines, excerpts)

    def extend(self, other: DigestStore) -> None:
        """Append another store's items (e.g. one file's, from a worker process)."""
        numbers = [self._template(key) for key in other.templates]
        facts = [self._facts(key) for key in other.facts]
        rows = other.rows
        if numbers != list(range(len(numbers))) or facts != list(range(len(facts))):
            # Each row's code, renumbered as this store numbers it, all rows at once: codes
            # run from -1 - len(facts) (the last facts) through -1 (not applied) to the
            # last template, so code + len(facts) + 1 indexes this table.
            renumber = [-2 - number for number in reversed(facts)] + [_NOT_APPLIED] + numbers
            rows = array("i", rows)
            shifted = map(add, rows[1::3], repeat(len(facts) + 1))
            rows[1::3] = array("i", map(renumber.__getitem__, shifted))
        self.partial.update(k + len(self) for k in other.partial)
        offset = len(self.rows) // 3
        self.rows.extend(rows)
        self.starts.extend(map(add, islice(other.starts, 1, None), repeat(offset)))
        self.prints.extend(other.prints)

    def __len__(self) -> int:
        return len(self.starts) - 1

    @overload
    def __getitem__(self, index: int) -> Digest: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Digest]: ...
    def __getitem__(self, index: int | slice) -> Digest | Sequence[Digest]:
        if isinstance(index, slice):
            return [self[k] for k in range(len(self))[index]]
        index = sequence_index(index, len(self))
        if index in self.partial:
            return Digest([])
        results: list[CheckResult | None] = [_NOTHING] * self.checks
        rows, templates = self.rows, self.templates
        for at in range(3 * self.starts[index], 3 * self.starts[index + 1], 3):
            slot, code = rows[at], rows[at + 1]
            if code >= 0:
                check, severity, message = templates[code]
                line = rows[at + 2]
                found = Finding(check, severity, message, None if line == _NO_LINE else line)
                result = results[slot]
                if result is _NOTHING:
                    results[slot] = [found]
                else:
                    assert isinstance(result, list)
                    result.append(found)
            elif code == _NOT_APPLIED:
                results[slot] = None
            else:
                findings, where, references, denial, evidence, restates, flagged = self.facts[
                    -2 - code
                ]
                line = rows[at + 2]
                results[slot] = Pending(
                    list(findings),
                    where,
                    None if line == _NO_LINE else line,
                    references,
                    denial,
                    evidence,
                    restates,
                    flagged,
                )
        return Digest(results)

    def __iter__(self) -> Iterator[Digest]:
        return (self[k] for k in range(len(self)))
