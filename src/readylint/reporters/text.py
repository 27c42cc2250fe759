"""The terminal report: ``path:line: ID check-id: message`` grouped by item, then a summary."""

from __future__ import annotations

from collections.abc import Iterator

import click

from readylint.models import InputError, ItemResult, RunResult
from readylint.reporters import ReportOptions, in_chunks
from readylint.terminal import printable


def _style(text: str, options: ReportOptions, **kwargs: object) -> str:
    return click.style(text, **kwargs) if options.color else text  # type: ignore[arg-type]


def _where(result: ItemResult, line: int | None) -> str:
    location = result.item.location
    if location.path is not None:
        at = line if line is not None else location.line
        return f"{location.path}:{at}" if at is not None else location.path
    return location.url or result.item.id


def _error_line(error: InputError, options: ReportOptions) -> str:
    where = printable(error.path or "")
    if where and error.line is not None:
        where = f"{where}:{error.line}"
    label = _style("error", options, fg="red", bold=True)
    message = printable(error.message)
    return (
        f"{_style(where, options, bold=True)}: {label}: {message}"
        if where
        else f"{label}: {message}"
    )


def summary(result: RunResult) -> str:
    """One line: how many items fail the practical test."""
    total = len(result.items)
    failing = total - result.ready_count
    count = result.finding_count
    scope = (
        ""
        if total == result.backlog_size
        else f" reported (of {result.backlog_size} in the backlog)"
    )
    if total == 0:
        text = "No items to check"
    elif failing == 0:
        text = f"All {total} items{scope} pass the practical test"
    else:
        text = f"{failing} of {total} items{scope} fail the practical test"
    text += f" ({count} finding{'' if count == 1 else 's'})"
    if result.errors:
        n = len(result.errors)
        text += f"; {n} input error{'' if n == 1 else 's'}"
    return text


def _lines(result: RunResult, options: ReportOptions) -> Iterator[str]:
    if not options.quiet:
        yield from (f"note: {printable(notice)}" for notice in result.notices)
    yield from (_error_line(e, options) for e in result.errors)
    for item_result in result.items:
        for finding in item_result.findings:
            color = "red" if finding.severity == "error" else "yellow"
            yield (
                f"{_style(printable(_where(item_result, finding.line)), options, bold=True)}: "
                f"{_style(printable(item_result.item.id), options, bold=True)} "
                f"{_style(finding.check, options, fg=color)}: {printable(finding.message)}"
            )
    if not options.quiet:
        yield _style(summary(result), options, bold=True)


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The report a thousand lines at a time."""
    return in_chunks(_lines(result, options))
