"""Suppressions: an item may skip a check it knowingly fails, if it says why.

In YAML an item writes ``readylint-ignore: {trade-off: "regulatory deadline, no alternative"}``
(the source reads it into ``BacklogItem.suppressions``). Any source, Jira included, can also use a
label ``readylint-ignore-<check>``; a label cannot carry a reason, so the reason belongs in the
issue itself and the label alone is accepted.

Applied after the engine ran: suppressed findings are dropped, and the suppressions themselves are
checked by the pseudo-check ``suppression``: an entry without a reason is an error, an entry that
names no known check or suppresses nothing is a warning.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Sequence

from readylint.keys import normalise_key, suggest
from readylint.models import BacklogItem, CheckInfo, Finding, ItemResult, RunResult, Suppression

CHECK_ID = "suppression"
LABEL_PREFIX = "readylint-ignore-"

SUPPRESSION_CHECK = CheckInfo(
    id=CHECK_ID,
    title="Suppressions name a check and give a reason",
    question="Does every readylint-ignore entry name a check the item fails, and say why?",
    severity="error",
    rationale=(
        "A suppression is a decision to accept an item that fails a check. Without a reason, "
        "nobody can later tell whether the decision still holds; a suppression that suppresses "
        "nothing hides the next real finding."
    ),
    hint='write readylint-ignore: {check-id: "why this item is ready without it"}',
)


def _is_ignore_label(label: str) -> bool:
    return label.lower().startswith(LABEL_PREFIX) and len(label) > len(LABEL_PREFIX)


def _has_ignore_label(labels: tuple[str, ...]) -> bool:
    return any(map(_is_ignore_label, labels))


def item_suppressions(item: BacklogItem) -> list[Suppression]:
    """The item's own entries plus one per ``readylint-ignore-<check>`` label."""
    found = list(item.suppressions)
    for label in item.labels:
        if _is_ignore_label(label):
            found.append(Suppression(label[len(LABEL_PREFIX) :], "", None, from_label=True))
    return found


def apply(result: RunResult, known_checks: Collection[str]) -> RunResult:
    """Drop suppressed findings and add findings about the suppressions themselves."""
    by_norm = {normalise_key(c): c for c in known_checks}
    ran = {c.id for c in result.checks}
    changed: dict[int, ItemResult] = {}
    suppressed = 0
    packed = not isinstance(result.items, list)  # a large run's results.PackedResults
    if packed:  # the items with suppressions, found in the columns: no item built for the rest
        from readylint.results import PackedResults

        assert isinstance(result.items, PackedResults)
        marked: Iterable[int] = result.items.marked(_has_ignore_label)
    else:
        marked = range(len(result.items))
    for index in marked:
        item_result = result.items[index]
        entries = item_suppressions(item_result.item)
        if not entries:
            continue
        targets = {by_norm.get(normalise_key(e.check)) for e in entries} - {None}
        kept = [f for f in item_result.findings if f.check not in targets]
        suppressed += len(item_result.findings) - len(kept)
        failing = {f.check for f in item_result.findings}
        kept.extend(_judge(item_result.item, entries, by_norm, ran, failing))
        changed[index] = dataclasses.replace(item_result, findings=kept)
    if not changed:
        return result
    items: Sequence[ItemResult]
    if packed:  # large runs stay packed (issue 6)
        from readylint.results import PackedResults

        assert isinstance(result.items, PackedResults)
        items = result.items.replaced(changed)
    else:
        items = [changed.get(index, r) for index, r in enumerate(result.items)]
    notices = list(result.notices)
    if suppressed:
        notices.append(
            f"{suppressed} finding{'' if suppressed == 1 else 's'} suppressed by readylint-ignore"
        )
    checks = list(result.checks)
    if CHECK_ID not in ran:
        checks.append(SUPPRESSION_CHECK)
    return dataclasses.replace(result, items=items, notices=notices, checks=checks)


def _judge(
    item: BacklogItem,
    entries: list[Suppression],
    by_norm: dict[str, str],
    ran: set[str],
    failing: set[str],
) -> list[Finding]:
    findings: list[Finding] = []
    for entry in entries:
        line = entry.line if entry.line is not None else item.location.line
        check = by_norm.get(normalise_key(entry.check))
        where = (
            f"label '{LABEL_PREFIX}{entry.check}'"
            if entry.from_label
            else f"readylint-ignore entry '{entry.check}'"
        )
        if check is None:
            guess = suggest(entry.check, sorted(by_norm.values()), cutoff=0.6)
            findings.append(
                Finding(
                    CHECK_ID,
                    "warning",
                    f"The {where} names no known check"
                    + (f" (did you mean '{guess}'?)" if guess else "")
                    + "; use a check id from `readylint checks`",
                    line,
                )
            )
            continue
        if not entry.reason.strip() and not entry.from_label:
            findings.append(
                Finding(
                    CHECK_ID,
                    "error",
                    f"The {where} has no reason: write "
                    f'readylint-ignore: {{{check}: "why this item is ready without it"}}',
                    line,
                )
            )
        if check in ran and check not in failing:
            findings.append(
                Finding(
                    CHECK_ID,
                    "warning",
                    f"The {where} suppresses nothing: the item passes '{check}'; remove it",
                    line,
                )
            )
    return findings
