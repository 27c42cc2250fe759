"""Baselines: adopt readylint on an existing backlog without fixing every item first.

``readylint check --write-baseline FILE`` records today's findings; ``--baseline FILE`` then hides
them, so only new findings fail the run, and names the entries that no longer occur so the file
can shrink. Entries are keyed by item id and check id, never by line or message, so editing an
item does not invalidate its entry. The file is JSON::

    {
      "readylint_baseline": 1,
      "findings": [
        {"item": "LAR-103", "check": "trade-off", "count": 1, "message": "Missing trade-off: ..."}
      ]
    }

``count`` is how many findings of that check the item had (a check may report an item more than
once); ``message`` is the first of them, for people reading the file, and is not compared.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from readylint import jsonstream
from readylint.errors import ReadylintError
from readylint.models import Finding, ItemResult, RunResult
from readylint.results import PackedResults

FORMAT_VERSION = 1
Key = tuple[str, str]  # (item id, check id)


Entry = tuple[str, int, str]  # (check id, count, first message) of one item


def _findings_by_item(result: RunResult) -> tuple[list[str], list[tuple[Entry, ...]]]:
    """The id of each item with findings, and its entries sorted by check id. Entries are
    shared between items (most are the same few), so a large run holds a tuple an item, not a
    key and a count for each finding (70 MiB for the 290,000 findings of 100,000 items)."""
    ids: list[str] = []
    rows: list[tuple[Entry, ...]] = []
    shared: dict[Any, Any] = {}
    for item_result in result.items:
        findings = item_result.findings
        if not findings:
            continue
        counts: Counter[str] = Counter()
        first: dict[str, str] = {}
        for finding in findings:
            counts[finding.check] += 1
            first.setdefault(finding.check, finding.message)
        entries = tuple(
            shared.setdefault(entry, entry)
            for entry in ((check, counts[check], first[check]) for check in sorted(counts))
        )
        rows.append(shared.setdefault(entries, entries))
        ids.append(item_result.item.id)
    return ids, rows


def _merged(entries: Iterable[tuple[Entry, ...]]) -> list[Entry]:
    """The entries of items that share an id, as one item's: counts added, first message."""
    found: dict[str, tuple[int, str]] = {}
    for check, count, message in chain.from_iterable(entries):
        earlier = found.get(check)
        found[check] = (count, message) if earlier is None else (earlier[0] + count, earlier[1])
    return [(check, *found[check]) for check in sorted(found)]


def _entries(ids: list[str], rows: list[tuple[Entry, ...]]) -> Iterator[dict[str, Any]]:
    """The baseline's entries, sorted by item id, then check id."""
    order = sorted(range(len(ids)), key=ids.__getitem__)  # stable: backlog order within an id
    start = 0
    while start < len(order):
        item, end = ids[order[start]], start + 1
        while end < len(order) and ids[order[end]] == item:
            end += 1
        if end == start + 1:
            entries: Iterable[Entry] = rows[order[start]]
        else:
            entries = _merged(rows[order[k]] for k in range(start, end))
        for check, count, message in entries:
            yield {"item": item, "check": check, "count": count, "message": message}
        start = end


def write(path: Path, result: RunResult) -> int:
    """Write the baseline for ``result`` to ``path`` (a piece at a time: one entry per line
    when the run is large); returns the number of findings it records."""
    ids, rows = _findings_by_item(result)
    hole = jsonstream.marker()
    document = {"readylint_baseline": FORMAT_VERSION, "findings": hole}
    pretty = len(result.items) <= jsonstream.PRETTY_LIMIT
    try:
        with path.open("w", encoding="utf-8") as handle:
            for chunk in jsonstream.json_with_array(
                document, hole, _entries(ids, rows), pretty=pretty
            ):
                handle.write(chunk)
    except OSError as exc:
        raise ReadylintError(
            f"cannot write baseline: {exc.strerror or exc}", path=str(path)
        ) from None
    return sum(count for row in rows for _, count, _ in row)


def _entry(entry: object) -> tuple[str, str, int] | None:
    """(item, check, count) of a well-formed entry, else None."""
    if not isinstance(entry, dict):
        return None
    item, check, count = entry.get("item"), entry.get("check"), entry.get("count", 1)
    if isinstance(item, str) and isinstance(check, str) and isinstance(count, int) and count >= 1:
        return item, check, int(count)
    return None


Counts = tuple[tuple[str, int], ...]  # an item's (check id, count) entries, by check id


class Recorded:
    """A baseline's counts by item id (``load``): each item's entries as one tuple, shared
    between items (most hold the same few), not a key for each (item id, check id): 290,000
    entries of 100,000 items took 46 MiB as a Counter of keys. Built with ``add``, entry by
    entry, then ``seal``."""

    __slots__ = ("_by_item", "_item", "_open", "_shared")

    def __init__(self) -> None:
        self._by_item: dict[str, Counts] = {}
        self._shared: dict[Counts, Counts] = {}
        self._item: str | None = None  # the item whose entries are being added
        self._open: dict[str, int] = {}

    @classmethod
    def of(cls, counts: Mapping[Key, int]) -> Recorded:
        recorded = cls()
        for (item, check), count in counts.items():
            recorded.add(item, check, count)
        recorded.seal()
        return recorded

    def add(self, item: str, check: str, count: int) -> None:
        """Add ``count`` findings of ``check`` for ``item`` (to any added before for them)."""
        if item != self._item:
            self._close()
            self._item = item
        self._open[check] = self._open.get(check, 0) + count

    def _close(self) -> None:
        item, counts = self._item, self._open
        if item is None:
            return
        earlier = self._by_item.get(item)
        if earlier is not None:  # the item's entries were not all together in the file
            for check, count in earlier:
                counts[check] = counts.get(check, 0) + count
        entries = tuple(sorted(counts.items()))
        self._by_item[item] = self._shared.setdefault(entries, entries)
        self._item, self._open = None, {}

    def seal(self) -> None:
        """Done adding."""
        self._close()
        self._shared = {}

    def get(self, item: str) -> Counts:
        """The item's entries, by check id (none: empty)."""
        return self._by_item.get(item, ())

    def items(self) -> Iterator[tuple[str, Counts]]:
        """(item id, its entries), by item id."""
        return ((item, self._by_item[item]) for item in sorted(self._by_item))

    def counts(self) -> Counter[Key]:
        """Every count by (item id, check id)."""
        return Counter({(item, check): n for item, row in self.items() for check, n in row})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recorded) and self._by_item == other._by_item

    __hash__ = None  # type: ignore[assignment]


_HEAD = ("{\n", f'  "readylint_baseline": {FORMAT_VERSION},\n', '  "findings": [\n')


def _load_lines(path: Path) -> Recorded | None:
    """The counts of a baseline in the layout ``write`` gives a large one (an entry to a line),
    read a line at a time; None for any other layout or any fault, which ``load`` then reads
    whole (a 100,000-item baseline read whole holds some 400 MB at once)."""
    counts = Recorded()
    checks: dict[str, str] = {}  # one copy of each check id
    decode = json.JSONDecoder().decode
    with path.open(encoding="utf-8") as handle:
        if tuple(handle.readline() for _ in _HEAD) != _HEAD:
            return None
        comma = True  # the line before ended with a comma (or there was none)
        for line in handle:
            if line == "  ]\n":
                if comma:  # a comma after the last entry, or no entry
                    return None
                break
            body = line.rstrip("\n")
            if not comma or not body.startswith("    {"):
                return None
            comma = body.endswith(",")
            try:
                found = _entry(decode(body[:-1] if comma else body))
            except ValueError:
                return None
            if found is None:
                return None
            item, check, count = found
            counts.add(item, checks.setdefault(check, check), count)
        else:
            return None
        if handle.read().strip() != "}":
            return None
    counts.seal()
    return counts


def load(path: Path) -> Recorded:
    """The baseline's counts by item id and check id; bad files raise one clear error."""
    shown = path.as_posix()
    try:
        counts = _load_lines(path)
        if counts is not None:
            return counts
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(f"cannot read baseline: {exc.strerror or exc}", path=shown) from None
    except UnicodeDecodeError as exc:
        raise ReadylintError(
            f"baseline is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "rewrite it with --write-baseline",
            path=shown,
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadylintError(
            f"baseline is not valid JSON: {exc.msg}; rewrite it with --write-baseline",
            path=shown,
            line=exc.lineno,
        ) from None
    if not isinstance(document, dict) or document.get("readylint_baseline") != FORMAT_VERSION:
        raise ReadylintError(
            f'not a readylint baseline (expected "readylint_baseline": {FORMAT_VERSION}); '
            "write one with --write-baseline",
            path=shown,
        )
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise ReadylintError("baseline 'findings' must be a list", path=shown)
    recorded = Recorded()
    for number, entry in enumerate(entries, 1):
        found = _entry(entry)
        if found is None:
            raise ReadylintError(
                f"baseline entry {number} needs 'item' and 'check' texts and a positive 'count'",
                path=shown,
            )
        recorded.add(*found)
    recorded.seal()
    return recorded


def apply(
    result: RunResult,
    baseline: Recorded,
    *,
    name: str,
    known_items: Collection[str] | None = None,
) -> RunResult:
    """Hide findings the baseline holds; add notices for entries that no longer occur.

    An entry is stale when its item is reported and has fewer findings of that check than
    recorded, or when ``known_items`` (every item id read) lacks its item. Entries for checks
    that did not run, or for items outside the report, are left alone. Items that share an id
    share its entries, taken in backlog order.
    """
    hidden = 0
    reported: set[str] = set()
    left: dict[str, dict[str, int]] = {}  # reported items whose entries are not all used yet

    def kept(item_result: ItemResult) -> list[Finding]:
        nonlocal hidden
        item = item_result.item.id
        if item in reported:
            counts = left.pop(item, None)
        else:
            reported.add(item)
            entries = baseline.get(item)
            counts = dict(entries) if entries else None
        if counts is None:
            return list(item_result.findings)
        findings = []
        for finding in item_result.findings:
            if counts.get(finding.check, 0) > 0:  # the baseline holds this finding: take it
                counts[finding.check] -= 1
                hidden += 1
            else:
                findings.append(finding)
        if any(counts.values()):
            left[item] = counts
        return findings

    items = _with_findings(result.items, map(kept, result.items))
    ran = {c.id for c in result.checks}
    known = (
        known_items
        if known_items is None or isinstance(known_items, (set, frozenset))
        else set(known_items)
    )
    stale: list[str] = []
    for item, entries in baseline.items():
        remaining = left.get(item, {}) if item in reported else dict(entries)
        for check, total in entries:
            still = remaining.get(check, 0)
            if still <= 0 or check not in ran:
                continue
            if item in reported:
                stale.append(f"{item} {check} ({still} of {total} no longer occur)")
            elif known is not None and item not in known:
                stale.append(f"{item} {check} (the item is gone)")
    return _applied(result, items, name, hidden, stale)


def apply_written(result: RunResult, recorded: int, *, name: str) -> RunResult:
    """``apply`` of the baseline ``write`` just wrote for ``result`` (``recorded``: the number of
    findings it returned). That baseline holds every finding, so each is hidden and no entry is
    stale: the result ``apply`` gives, without reading the baseline's counts back."""
    items = _with_findings(result.items, ([] for _ in range(len(result.items))))
    return _applied(result, items, name, recorded, [])


def _with_findings(
    results: Sequence[ItemResult], findings: Iterator[list[Finding]]
) -> Sequence[ItemResult]:
    """The results with these findings, one list each, in order (packed ones stay packed)."""
    if isinstance(results, PackedResults):
        return results.with_findings(findings)
    return [dataclasses.replace(r, findings=f) for r, f in zip(results, findings, strict=True)]


def _applied(
    result: RunResult, items: Sequence[ItemResult], name: str, hidden: int, stale: list[str]
) -> RunResult:
    """``result`` with ``items``, and notices of what the baseline ``name`` hid and of its
    entries that no longer occur (``stale``)."""
    notices = list(result.notices)
    if hidden:
        notices.append(
            f"baseline {name}: {hidden} known finding{'' if hidden == 1 else 's'} hidden"
        )
    if stale:
        notices.append(
            f"baseline {name}: {len(stale)} entr{'y' if len(stale) == 1 else 'ies'} no longer "
            f"occur{'s' if len(stale) == 1 else ''}: {'; '.join(stale)}; "
            f"run --write-baseline {name} to shrink it"
        )
    return dataclasses.replace(result, items=items, notices=notices)
