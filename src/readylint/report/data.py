"""The data behind the readiness page: plain values, computed from a RunResult, no HTML.

Everything the template shows is decided here, so the tests can check counts, order and links
without parsing HTML. Item text stays raw; the template escapes it (Jinja2 autoescape).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit

from readylint.models import CheckInfo, Finding, ItemResult, RunResult
from readylint.report.history import Entry

Status = Literal["pass", "warning", "fail"]

#: How each status is written for people who do not see the colour (icons are decorative).
STATUS_TEXT: dict[Status, str] = {"pass": "pass", "warning": "warning", "fail": "fail"}
STATUS_ICON: dict[Status, str] = {"pass": "\u2713", "warning": "!", "fail": "\u2717"}


@dataclass(frozen=True)
class Link:
    """Where an item (or one of its findings) lives: shown text and, when safe, an href."""

    label: str
    href: str | None = None


@dataclass(frozen=True)
class Cell:
    """One heat-map cell: an item's verdict on one check."""

    check: str
    status: Status
    messages: tuple[str, ...] = ()

    @property
    def icon(self) -> str:
        return STATUS_ICON[self.status]

    @property
    def text(self) -> str:
        """The accessible text of the cell: the status, then what to write."""
        if not self.messages:
            return f"{self.check}: {STATUS_TEXT[self.status]}"
        return f"{self.check}: {STATUS_TEXT[self.status]}. " + " ".join(self.messages)


@dataclass(frozen=True)
class Todo:
    """One finding in the list of what to write."""

    check: str
    severity: str
    message: str
    link: Link


@dataclass(frozen=True)
class Row:
    """One item: a heat-map row and, when it has findings, an entry in the list of what to write."""

    rank: int
    id: str
    title: str
    ready: bool
    next_up: bool
    link: Link
    cells: tuple[Cell, ...]
    todos: tuple[Todo, ...]

    @property
    def verdict(self) -> str:
        if not self.ready:
            return "not ready"
        return "ready, with warnings" if self.todos else "ready"


@dataclass(frozen=True)
class CheckColumn:
    """A check as a heat-map column and a bar: how many items fail it and how many warn."""

    id: str
    title: str
    question: str
    severity: str
    failures: int  # items with an error finding from this check
    warnings: int  # items with only warning findings from this check


@dataclass(frozen=True)
class ReportData:
    """Everything the page shows, in the order it shows it."""

    version: str
    generated: str  # ISO 8601, UTC
    source: str  # what was read: paths or a tracker query
    headline: str
    total: int
    ready: int
    backlog_size: int
    next_count: int
    next_ready: int
    checks: tuple[CheckColumn, ...]
    rows: tuple[Row, ...]
    errors: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    history: tuple[Entry, ...] = ()  # the trend, oldest first, this run last

    @property
    def ready_percent(self) -> int:
        return round(100 * self.ready / self.total) if self.total else 0

    @property
    def rows_left_out(self) -> int:
        """Items counted but given no row (``build``'s ``rows``): a page for people, not a dump."""
        return self.total - len(self.rows)

    @property
    def todo_rows(self) -> tuple[Row, ...]:
        """Items with findings, in backlog order: the unready ones, then those with warnings."""
        return tuple(r for r in self.rows if not r.ready) + tuple(
            r for r in self.rows if r.ready and r.todos
        )

    @property
    def failures_by_count(self) -> tuple[CheckColumn, ...]:
        """Checks by how often they fail (most first); ties keep the catalogue order."""
        return tuple(sorted(self.checks, key=lambda c: (-c.failures, -c.warnings)))


def headline(ready: int, total: int, backlog_size: int) -> str:
    """ "7 of 20 items pass the practical test", with the scope when only part was reported."""
    if total == 0:
        return "No items to check"
    scope = "" if total == backlog_size else f" (the first {total} of {backlog_size})"
    if total == 1:
        verb = "passes" if ready else "does not pass"
        return f"The 1 item{scope} {verb} the practical test"
    if ready == total:
        return f"All {total} items{scope} pass the practical test"
    return f"{ready} of {total} items{scope} pass the practical test"


def _status(findings: Sequence[Finding]) -> Status:
    if any(f.severity == "error" for f in findings):
        return "fail"
    return "warning" if findings else "pass"


def safe_href(url: str | None) -> str | None:
    """An item URL usable as a link: only http(s); anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None


@dataclass(frozen=True)
class Linker:
    """Turns item locations into links.

    With ``base`` (the web address of the repository root, e.g.
    ``https://github.com/org/repo/blob/main/``), a YAML location becomes
    ``base + path below root + #Lline``; without it, a path relative to the directory of the HTML
    file, so the links work when the page sits in the repository or next to the backlog.
    """

    output_dir: Path | None = None
    base: str | None = None
    root: Path | None = None  # the repository root that ``base`` addresses (default: cwd)

    def __call__(self, result: ItemResult, line: int | None = None) -> Link:
        location = result.item.location
        if location.path is None:
            return Link(location.url or result.item.id, safe_href(location.url))
        at = line if line is not None else location.line
        label = f"{location.path}:{at}" if at is not None else location.path
        return Link(label, self.href(location.path, at))

    def href(self, path: str, line: int | None) -> str | None:
        if self.base is not None:
            base = safe_href(self.base)
            if base is None:
                return None
            root = (self.root or Path.cwd()).resolve()
            try:
                below = Path(path).resolve().relative_to(root).as_posix()
            except ValueError:  # a file outside the repository has no address there
                return None
            target = base.rstrip("/") + "/" + quote(below)
            return f"{target}#L{line}" if line is not None else target
        if self.output_dir is None:
            return quote(Path(path).as_posix())
        try:
            relative = os.path.relpath(Path(path).resolve(), self.output_dir.resolve())
        except ValueError:  # another drive on Windows
            return Path(path).resolve().as_uri()
        return quote(posixpath.normpath(Path(relative).as_posix()))


def _columns(result: RunResult) -> list[CheckInfo | str]:
    """The checks that ran, in catalogue order, plus any check a finding names but the list lacks."""
    columns: list[CheckInfo | str] = list(result.checks)
    known = {c.id for c in result.checks}
    for item in result.items:
        for finding in item.findings:
            if finding.check not in known:
                known.add(finding.check)
                columns.append(finding.check)
    return columns


def build(
    result: RunResult,
    *,
    top: int,
    generated: str,
    source: str,
    linker: Linker | None = None,
    history: Sequence[Entry] = (),
    errors: Sequence[str] = (),
    rows: int | None = None,
) -> ReportData:
    """The page's data. ``top`` is how many items, in backlog order, make the next refinement;
    ``rows`` how many get a heat-map row and their entries in the list of what to write (None:
    all). The counts, the chart and the headline cover every item."""
    link = linker or Linker()
    columns = _columns(result)
    ids = [c if isinstance(c, str) else c.id for c in columns]
    shown: list[Row] = []
    failures = dict.fromkeys(ids, 0)
    warnings = dict.fromkeys(ids, 0)
    total = ready = next_count = next_ready = 0
    for position, item_result in enumerate(result.items):
        by_check: dict[str, list[Finding]] = {}
        for finding in item_result.findings:
            by_check.setdefault(finding.check, []).append(finding)
        total += 1
        ready += item_result.ready
        if position < top:
            next_count += 1
            next_ready += item_result.ready
        show = rows is None or position < rows
        cells = []
        for check_id in ids:
            findings = by_check.get(check_id, [])
            status = _status(findings)
            if status == "fail":
                failures[check_id] += 1
            elif status == "warning":
                warnings[check_id] += 1
            if show:
                cells.append(Cell(check_id, status, tuple(f.message for f in findings)))
        if not show:
            continue
        shown.append(
            Row(
                rank=item_result.rank,
                id=item_result.item.id,
                title=item_result.item.title,
                ready=item_result.ready,
                next_up=position < top,
                link=link(item_result),
                cells=tuple(cells),
                todos=tuple(
                    Todo(f.check, f.severity, f.message, link(item_result, f.line))
                    for f in sorted(item_result.findings, key=lambda f: f.severity != "error")
                ),
            )
        )
    checks = tuple(
        CheckColumn(
            id=c,
            title=c,
            question="",
            severity="error",
            failures=failures[c],
            warnings=warnings[c],
        )
        if isinstance(c, str)
        else CheckColumn(
            id=c.id,
            title=c.title,
            question=c.question,
            severity=c.severity,
            failures=failures[c.id],
            warnings=warnings[c.id],
        )
        for c in columns
    )
    return ReportData(
        version=result.version,
        generated=generated,
        source=source,
        headline=headline(ready, total, result.backlog_size),
        total=total,
        ready=ready,
        backlog_size=result.backlog_size,
        next_count=next_count,
        next_ready=next_ready,
        checks=checks,
        rows=tuple(shown),
        errors=(*(str(e) for e in result.errors), *errors),
        notices=tuple(result.notices),
        history=tuple(history),
    )
