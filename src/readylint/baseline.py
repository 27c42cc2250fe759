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
from collections.abc import Collection
from pathlib import Path
from typing import Any

from readylint.errors import ReadylintError
from readylint.models import ItemResult, RunResult

FORMAT_VERSION = 1
Key = tuple[str, str]  # (item id, check id)


def as_dict(result: RunResult) -> dict[str, Any]:
    """The baseline document for a run's findings, sorted so it diffs well."""
    counts: Counter[Key] = Counter()
    messages: dict[Key, str] = {}
    for item_result in result.items:
        for finding in item_result.findings:
            key = (item_result.item.id, finding.check)
            counts[key] += 1
            messages.setdefault(key, finding.message)
    return {
        "readylint_baseline": FORMAT_VERSION,
        "findings": [
            {
                "item": item,
                "check": check,
                "count": counts[(item, check)],
                "message": messages[(item, check)],
            }
            for item, check in sorted(counts)
        ],
    }


def write(path: Path, result: RunResult) -> int:
    """Write the baseline for ``result`` to ``path``; returns the number of findings recorded."""
    document = as_dict(result)
    try:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(
            f"cannot write baseline: {exc.strerror or exc}", path=str(path)
        ) from None
    return sum(entry["count"] for entry in document["findings"])


def load(path: Path) -> Counter[Key]:
    """The baseline's counts by (item id, check id); bad files raise one clear error."""
    shown = path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(f"cannot read baseline: {exc.strerror or exc}", path=shown) from None
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
    counts: Counter[Key] = Counter()
    for number, entry in enumerate(entries, 1):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("item"), str)
            and isinstance(entry.get("check"), str)
            and isinstance(entry.get("count", 1), int)
            and entry.get("count", 1) >= 1
        ):
            raise ReadylintError(
                f"baseline entry {number} needs 'item' and 'check' texts and a positive 'count'",
                path=shown,
            )
        counts[(entry["item"], entry["check"])] += int(entry.get("count", 1))
    return counts


def apply(
    result: RunResult,
    baseline: Counter[Key],
    *,
    name: str,
    known_items: Collection[str] | None = None,
) -> RunResult:
    """Hide findings the baseline holds; add notices for entries that no longer occur.

    An entry is stale when its item is reported and has fewer findings of that check than
    recorded, or when ``known_items`` (every item id read) lacks its item. Entries for checks
    that did not run, or for items outside the report, are left alone.
    """
    remaining = Counter(baseline)
    items: list[ItemResult] = []
    hidden = 0
    for item_result in result.items:
        kept = []
        for finding in item_result.findings:
            key = (item_result.item.id, finding.check)
            if remaining[key] > 0:
                remaining[key] -= 1
                hidden += 1
            else:
                kept.append(finding)
        items.append(dataclasses.replace(item_result, findings=kept))
    reported = {r.item.id for r in result.items}
    ran = {c.id for c in result.checks}
    known = set(known_items) if known_items is not None else None
    stale: list[str] = []
    for (item, check), left in sorted(remaining.items()):
        if left <= 0 or check not in ran:
            continue
        if item in reported:
            stale.append(f"{item} {check} ({left} of {baseline[(item, check)]} no longer occur)")
        elif known is not None and item not in known:
            stale.append(f"{item} {check} (the item is gone)")
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
