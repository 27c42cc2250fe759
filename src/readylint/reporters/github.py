"""GitHub Actions workflow commands: one annotation per finding, grouped per item.

``::error file=<path>,line=<n>,title=<title>::<message>`` (``::warning`` for warnings), escaped as
``@actions/core`` does: data (the message) ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``;
properties (file, title) additionally ``:`` -> ``%3A`` and ``,`` -> ``%2C``. The message repeats
``path:line: ID check: text`` so the raw log reads like the text report.

GitHub shows at most 10 error and 10 warning annotations per step, so ``step_summary`` renders
every finding as a Markdown table for ``$GITHUB_STEP_SUMMARY`` (the CLI appends it), cut to stay
under the 1 MiB a step may write, with a count of what was left out.

Tracker items (Jira) have no file: their annotations carry no ``file``/``line`` (GitHub then shows
them on the run, not on a file) and the message names the issue key and browse URL.
"""

from __future__ import annotations

from collections.abc import Iterator

from readylint.models import ItemResult, RunResult
from readylint.reporters import ReportOptions, in_chunks
from readylint.reporters._common import finding_line, item_path, numbered
from readylint.reporters.markdown import cell

SUMMARY_LIMIT = 1_000_000  # bytes: under GitHub's 1 MiB per step, with room for other output


def escape_data(text: str) -> str:
    """Escape a workflow command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _where(result: ItemResult, line: int | None) -> str:
    location = result.item.location
    if location.path is None:
        return f"{result.item.id} ({location.url})" if location.url else result.item.id
    return f"{location.path}:{line}" if line is not None else location.path


def _lines(result: RunResult, options: ReportOptions) -> Iterator[str]:
    from readylint.reporters.text import summary

    for error in result.errors:
        props = []
        if error.path:
            props.append(f"file={escape_property(error.path)}")
            if error.line is not None:
                props.append(f"line={error.line}")
        props.append("title=readylint (input error)")
        yield f"::error {','.join(props)}::{escape_data(str(error))}"
    group: int | None = None
    for entry in numbered(result):
        if id(entry.result) != group:
            if group is not None:
                yield "::endgroup::"
            title = f"{entry.result.item.id} {entry.result.item.title} ({item_path(entry.result)})"
            yield f"::group::{escape_data(' '.join(title.split()))}"
            group = id(entry.result)
        item = entry.result.item
        finding = entry.finding
        line = finding_line(entry.result, finding)
        props = []
        if item.location.path is not None:
            props.append(f"file={escape_property(item.location.path)}")
            if line is not None:
                props.append(f"line={line}")
        props.append(f"title={escape_property(f'readylint ({finding.check}) {item.id}')}")
        message = f"{_where(entry.result, line)}: {item.id} {finding.check}: {finding.message}"
        yield f"::{finding.severity} {','.join(props)}::{escape_data(message)}"
    if group is not None:
        yield "::endgroup::"
    if not options.quiet:
        yield from (f"note: {notice}" for notice in result.notices)
        yield summary(result)


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The workflow commands a thousand lines at a time."""
    return in_chunks(_lines(result, options))


def step_summary(result: RunResult, limit: int = SUMMARY_LIMIT) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: every finding, truncated to ``limit`` bytes."""
    from readylint.reporters.text import summary

    head = [f"### readylint: {cell(summary(result))}", ""]
    for notice in result.notices:
        head.append(f"> {cell(notice)}")
        head.append("")
    if result.errors:
        head.append("**Input errors**")
        head.append("")
        head.extend(f"- {cell(str(e))}" for e in result.errors)
        head.append("")
    total = result.finding_count
    table = (
        ["| Item | Where | Check | Severity | Message |", "|---|---|---|---|---|"] if total else []
    )
    parts = ["\n".join(head + table)]
    size = len(parts[0].encode()) + 1
    reserve = 200  # room for the truncation note
    for entry in numbered(result):  # rows while they fit, so a large run builds few of them
        item = entry.result.item
        line = finding_line(entry.result, entry.finding)
        where = item_path(entry.result) + (f":{line}" if line is not None else "")
        ident = f"[{cell(item.id)}]({item.location.url})" if item.location.url else cell(item.id)
        row = (
            f"| {ident} | `{cell(where, code=True)}` | {cell(entry.finding.check)} | "
            f"{entry.finding.severity} | {cell(entry.finding.message)} |"
        )
        row_size = len(row.encode()) + 1
        if size + row_size + reserve > limit:
            break
        parts.append(row)
        size += row_size
    text = "\n".join(parts)
    left = total - (len(parts) - 1)
    if left:
        text += (
            f"\n\n…and {left} more finding{'' if left == 1 else 's'} not shown here "
            "(the step summary is limited to 1 MiB); the log and the SARIF or JUnit outputs "
            "have all of them."
        )
    return text + "\n"
