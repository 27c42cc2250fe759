"""Backlog order: ranked items first (ascending), then unranked ones in path and file order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from readylint.itemtable import item_ids
from readylint.models import BacklogItem, InputError


def order_key(item: BacklogItem) -> tuple[bool, int, str, int]:
    """The sort key of backlog order (``order_items``)."""
    return (item.rank is None, item.rank or 0, item.location.path or "", item.order)


def order_items(items: Iterable[BacklogItem]) -> list[BacklogItem]:
    """Items in backlog order. The sort is stable, so equal ranks keep their reading order."""
    return sorted(items, key=order_key)


def duplicate_ids(items: Sequence[BacklogItem]) -> list[InputError]:
    """An error for every item whose id an earlier item (in backlog order) already uses."""
    first: dict[str, int] = {}
    errors: list[InputError] = []
    for index, ident in enumerate(item_ids(items)):  # items are built only for duplicates
        earlier = first.setdefault(ident, index)
        if earlier != index:
            item, other = items[index], items[earlier]
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
