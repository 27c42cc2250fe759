"""A Markdown report for people, e.g. a pull-request comment: summary, a table of items with
pass/fail per check, then each failing item's messages.

Tracker items (Jira) link their key to the browse URL; file items name ``path:line``.
With ``--quiet`` the table lists only the items that have findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import repeat

from readylint.models import ItemResult, RunResult
from readylint.reporters import ReportOptions, in_chunks
from readylint.reporters._common import check_list, finding_line, item_path

_MARK = {"pass": "✅", "error": "❌", "warning": "⚠️"}


def cell(text: str, *, code: bool = False) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    flat = " ".join(text.split())
    if code:
        return flat.replace("`", "'").replace("|", "\\|")
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _ident(result: ItemResult) -> str:
    item = result.item
    return f"[{cell(item.id)}]({item.location.url})" if item.location.url else cell(item.id)


def _where(result: ItemResult, line: int | None) -> str:
    return item_path(result) + (f":{line}" if line is not None else "")


def _lines(result: RunResult, options: ReportOptions) -> Iterator[str]:
    from readylint.reporters.text import summary

    checks = check_list(result)
    yield from ("# readylint report", "", f"**{cell(summary(result))}**", "")
    if result.notices and not options.quiet:
        yield from (f"> {cell(n)}" for n in result.notices)
        yield ""
    if result.errors:
        yield from ("## Input errors", "")
        yield from (f"- `{cell(str(e), code=True)}`" for e in result.errors)
        yield ""
    any_findings = result.finding_count > 0
    if checks and (any_findings or (result.items and not options.quiet)):
        yield "| Rank | Item | Title | " + " | ".join(f"`{c.id}`" for c in checks) + " |"
        yield "|---:|---|---|" + "|".join(":---:" for _ in checks) + "|"
        for item_result in result.items:
            if options.quiet and not item_result.findings:
                continue
            marks = []
            for check in checks:
                severities = {f.severity for f in item_result.findings if f.check == check.id}
                mark = "error" if "error" in severities else "warning" if severities else "pass"
                marks.append(_MARK[mark])
            yield (
                f"| {item_result.rank} | {_ident(item_result)} | {cell(item_result.item.title)} | "
                + " | ".join(marks)
                + " |"
            )
        yield ""
        legend = " · ".join(f"{mark} {name}" for name, mark in _MARK.items())
        yield from (f"<sub>{legend}</sub>", "")
    if any_findings:
        yield from ("## Findings", "")
        for item_result in result.items:
            if not item_result.findings:
                continue
            item = item_result.item
            yield (
                f"### {_ident(item_result)}: {cell(item.title)} "
                f"(`{cell(_where(item_result, item.location.line), code=True)}`)"
            )
            yield ""
            for finding in item_result.findings:
                line = finding_line(item_result, finding)
                at = f" (line {line})" if line is not None and item.location.path else ""
                yield f"- {_MARK[finding.severity]} **{finding.check}**{at}: {cell(finding.message)}"
            yield ""


def _without_trailing_blanks(lines: Iterable[str]) -> Iterator[str]:
    blanks = 0
    for line in lines:
        if not line:
            blanks += 1
            continue
        yield from repeat("", blanks)
        blanks = 0
        yield line


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The report a thousand lines at a time (two passes over the items: table, findings)."""
    return in_chunks(_without_trailing_blanks(_lines(result, options)))
