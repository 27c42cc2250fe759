"""Text rendered from check definitions: the checks table, ``explain`` and item skeletons."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from readylint.definitions import CheckDefinition
from readylint.errors import ReadylintError
from readylint.keys import suggest


def checks_table(checks: Sequence[CheckDefinition], *, markdown: bool = False) -> str:
    """All checks as a table: plain text for terminals, Markdown for the README."""
    if markdown:
        rows = ["| Check | Severity | Question | Where readylint looks |", "|---|---|---|---|"]
        rows += [
            f"| `{c.id}` | {c.severity} | {c.question.strip()} | {c.where()} |" for c in checks
        ]
        return "\n".join(rows) + "\n"
    width = max(len(c.id) for c in checks)
    lines = [f"{'CHECK':<{width}}  SEVERITY  TITLE"]
    lines += [f"{c.id:<{width}}  {c.severity:<8}  {c.title}" for c in checks]
    return "\n".join(lines) + "\n"


def find(checks: Sequence[CheckDefinition], check_id: str) -> CheckDefinition:
    for check in checks:
        if check.id == check_id:
            return check
    ids = [c.id for c in checks]
    hint = suggest(check_id, ids, cutoff=0.6)
    raise ReadylintError(
        f"unknown check '{check_id}'"
        + (f" (did you mean '{hint}'?)" if hint else "")
        + f"; known checks: {', '.join(ids)}"
    )


def explain_check(checks: Sequence[CheckDefinition], check_id: str) -> str:
    check = find(checks, check_id)
    out = [
        f"{check.id} ({check.severity}): {check.title}",
        "",
        f"Question: {check.question.strip()}",
        "",
        "Why it matters:",
        f"  {' '.join(check.rationale.split())}",
        "",
        f"Where readylint looks: {check.where()}.",
        f"What to write: {check.hint}.",
    ]
    if check.answer is not None:
        out.append(
            f"Fewer than {check.answer.min_words} words is too thin; placeholders (TBD, N/A, ...) fail."
        )
    if check.exempt_last:
        out.append("The last item of the backlog is exempt.")
    for title, examples in (("Passes", check.examples.passing), ("Fails", check.examples.failing)):
        out += ["", f"{title}:"]
        for example in examples:
            notes = [
                n for n in (example.note, example.expect and f"reports: {example.expect}") if n
            ]
            out.append(f"  # {'; '.join(notes)}" if notes else "  #")
            out += [f"  {line}" for line in dump_yaml([example.item]).splitlines()]
    return "\n".join(out)


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as ``|`` blocks, the way people write descriptions."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = (
        "|" if "\n" in value.strip("\n") or (value.endswith("\n") and "\n" in value[:-1]) else None
    )
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=96)


def skeleton(checks: Sequence[CheckDefinition], item_id: str, title: str) -> str:
    """A new item with every answer field left empty and a one-line hint beside each."""
    head = dump_yaml([{"id": item_id, "title": title}])
    lines = head.rstrip("\n").splitlines()
    for check in checks:
        if check.answer is not None:
            lines.append(f"  # {check.question.strip()}")
            lines.append(f'  {check.answer.field}: ""  # {check.hint}')
    return "\n".join(lines) + "\n"
