"""Helpers shared by the machine-readable reporters: locations, fingerprints, ordering.

Tracker items (Jira) have a browse URL and no file: file-based formats use the item key as the
path and put the URL where the format has a place for it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from readylint.models import CheckInfo, Finding, ItemResult, RunResult


def item_path(result: ItemResult) -> str:
    """The file the item lives in, or its key when it has none (a tracker issue)."""
    return result.item.location.path or result.item.id


def finding_line(result: ItemResult, finding: Finding) -> int | None:
    """The finding's own line, else the item's first line, else ``None`` (a tracker issue)."""
    return finding.line if finding.line is not None else result.item.location.line


def item_fingerprint(check: str, item_id: str) -> str:
    """A stable hash of check id + item id: the same finding keeps it when lines move."""
    import hashlib  # here, not above: the JSON report needs none of it (OpenSSL, ~10 ms)

    return hashlib.sha256(f"{check}\0{item_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Numbered:
    """A finding with its item and its occurrence (1, 2, ...) among same-check findings."""

    result: ItemResult
    finding: Finding
    occurrence: int

    @property
    def fingerprint(self) -> str:
        return f"{item_fingerprint(self.finding.check, self.result.item.id)}:{self.occurrence}"


def numbered(run: RunResult) -> Iterator[Numbered]:
    """Every finding in report order, numbered per (item, check)."""
    for result in run.items:
        seen: dict[str, int] = {}
        for finding in result.findings:
            seen[finding.check] = seen.get(finding.check, 0) + 1
            yield Numbered(result, finding, seen[finding.check])


def check_list(run: RunResult) -> list[CheckInfo]:
    """The checks that ran, plus a minimal entry for any finding's check that is not among them."""
    checks = list(run.checks)
    known = {c.id for c in checks}
    for result in run.items:
        for finding in result.findings:
            if finding.check not in known:
                known.add(finding.check)
                checks.append(CheckInfo(finding.check, finding.check, "", finding.severity, "", ""))
    return checks


# Above this many items, the arrays of a JSON-based report (JSON, SARIF, GitLab) hold one
# element per line: the same document, written by the C encoder a piece at a time (pretty
# printing is ``json``'s Python encoder, some ten times slower), so that a 100,000-item report
# is neither slow nor held in memory.
PRETTY_LIMIT = 2000
ELEMENTS_PER_CHUNK = 1000


def json_array(values: Iterable[Any], *, indent: int, pretty: bool) -> Iterator[str]:
    """The JSON array of ``values``, in pieces, for a document indented by two spaces in which
    the array's elements sit ``indent`` spaces in: each element pretty-printed exactly as
    ``json.dumps(document, indent=2)`` would, or (``pretty`` false) on one line of its own."""
    inner = "\n" + " " * indent
    dump: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode
    if pretty:

        def dump(value: Any) -> str:
            return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", inner)

    batch = ["["]
    separator = inner
    for value in values:
        batch.append(separator + dump(value))
        separator = "," + inner
        if len(batch) >= ELEMENTS_PER_CHUNK:
            yield "".join(batch)
            batch = []
    batch.append("]" if separator == inner else f"\n{' ' * (indent - 2)}]")
    yield "".join(batch)


def marker() -> str:
    """A string no report holds, to stand for an array in ``json_with_array``."""
    return f"readylint-array-{os.urandom(12).hex()}"


def json_with_array(
    document: Any, hole: str, values: Iterable[Any], *, pretty: bool
) -> Iterator[str]:
    """``json.dumps(document, indent=2)`` plus a newline, in pieces, where the value ``hole`` (a
    ``marker()``, once in ``document``) stands for the array of ``values`` (``json_array``)."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    head, found, tail = text.partition(json.dumps(hole))
    if not found:
        raise ValueError("the document does not hold the marker")
    line = head[head.rfind("\n") + 1 :]
    yield head
    yield from json_array(values, indent=len(line) - len(line.lstrip(" ")) + 2, pretty=pretty)
    yield tail
