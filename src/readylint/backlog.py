"""Backlog order: ranked items first (ascending), then unranked ones in path and file order."""

from __future__ import annotations

from collections.abc import Iterable

from readylint.models import BacklogItem, InputError


def order_items(items: Iterable[BacklogItem]) -> list[BacklogItem]:
    """Items in backlog order. The sort is stable, so equal ranks keep their reading order."""
    return sorted(
        items,
        key=lambda i: (i.rank is None, i.rank or 0, i.location.path or "", i.order),
    )


def duplicate_ids(items: Iterable[BacklogItem]) -> list[InputError]:
    """An error for every item whose id an earlier item (in backlog order) already uses."""
    first: dict[str, BacklogItem] = {}
    errors: list[InputError] = []
    for item in items:
        other = first.setdefault(item.id, item)
        if other is not item:
            where = other.location.path or other.location.url or "?"
            if other.location.line is not None:
                where = f"{where}:{other.location.line}"
            errors.append(
                InputError(
                    f"duplicate id '{item.id}' (also used at {where}); ids must be unique",
                    item.location.path or item.location.url,
                    item.location.line,
                )
            )
    return errors
