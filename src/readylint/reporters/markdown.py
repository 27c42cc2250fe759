"""A Markdown report for people, e.g. a pull-request comment: summary, a table of items with
pass/fail per check, then each failing item's messages.

Tracker items (Jira) link their key to the browse URL; file items name ``path:line``.
With ``--quiet`` the table lists only the items that have findings.
"""

from __future__ import annotations

from readylint.models import ItemResult, RunResult
from readylint.reporters import ReportOptions
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


def render(result: RunResult, options: ReportOptions) -> str:
    from readylint.reporters.text import summary

    checks = check_list(result)
    out = ["# readylint report", "", f"**{cell(summary(result))}**", ""]
    if result.notices and not options.quiet:
        out.extend(f"> {cell(n)}" for n in result.notices)
        out.append("")
    if result.errors:
        out.extend(["## Input errors", ""])
        out.extend(f"- `{cell(str(e), code=True)}`" for e in result.errors)
        out.append("")
    shown = [r for r in result.items if r.findings or not options.quiet]
    if shown and checks:
        out.append("| Rank | Item | Title | " + " | ".join(f"`{c.id}`" for c in checks) + " |")
        out.append("|---:|---|---|" + "|".join(":---:" for _ in checks) + "|")
        for item_result in shown:
            marks = []
            for check in checks:
                severities = {f.severity for f in item_result.findings if f.check == check.id}
                mark = "error" if "error" in severities else "warning" if severities else "pass"
                marks.append(_MARK[mark])
            out.append(
                f"| {item_result.rank} | {_ident(item_result)} | {cell(item_result.item.title)} | "
                + " | ".join(marks)
                + " |"
            )
        out.append("")
        legend = " · ".join(f"{mark} {name}" for name, mark in _MARK.items())
        out.extend([f"<sub>{legend}</sub>", ""])
    failing = [r for r in result.items if r.findings]
    if failing:
        out.extend(["## Findings", ""])
        for item_result in failing:
            item = item_result.item
            out.append(
                f"### {_ident(item_result)}: {cell(item.title)} "
                f"(`{cell(_where(item_result, item.location.line), code=True)}`)"
            )
            out.append("")
            for finding in item_result.findings:
                line = finding_line(item_result, finding)
                at = f" (line {line})" if line is not None and item.location.path else ""
                out.append(
                    f"- {_MARK[finding.severity]} **{finding.check}**{at}: {cell(finding.message)}"
                )
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
