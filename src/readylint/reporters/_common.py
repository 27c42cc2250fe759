"""Helpers shared by the machine-readable reporters: locations, fingerprints, ordering.

Tracker items (Jira) have a browse URL and no file: file-based formats use the item key as the
path and put the URL where the format has a place for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from readylint.models import CheckInfo, Finding, ItemResult, RunResult


def item_path(result: ItemResult) -> str:
    """The file the item lives in, or its key when it has none (a tracker issue)."""
    return result.item.location.path or result.item.id


def finding_line(result: ItemResult, finding: Finding) -> int | None:
    """The finding's own line, else the item's first line, else ``None`` (a tracker issue)."""
    return finding.line if finding.line is not None else result.item.location.line


def item_fingerprint(check: str, item_id: str) -> str:
    """A stable hash of check id + item id: the same finding keeps it when lines move."""
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
