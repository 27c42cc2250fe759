"""A per-file budget for YAML aliases, so that reusing one large value is not a denial of service.

An alias (``*name``) makes the composer return the same node again: reading it costs as much as
the value it names. One value is already bounded (``yaml_files.MAX_VALUE_NODES``), but a file of
1,000 items that each alias a value just under that bound made readylint do 100 million node
visits for 345 KB of YAML (101 s). Here each item's expanded cost is computed once, bottom-up
over the node graph (each distinct node visited once), and the items of a file may together
expand to no more than the file's own nodes plus ``EXTRA_COST``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

EXTRA_COST = 1_000_000  # node visits (a scalar also costs one per 64 characters) beyond the file
# An anchor as libyaml (and PyYAML) scans one: "&" where a token may start (after a blank, a line
# break or a flow or block indicator), a name of ASCII letters, digits, "-" and "_", then a blank,
# a line break, the end, or one of ?:,]}%@` (anything else is a scanner error).
_BEFORE_ANCHOR = frozenset(" \t\n\r\x85\u2028\u2029\ufeff[{,:?-")
_ANCHOR_NAME = re.compile(r"[0-9A-Za-z_-]+(?:[\s?:,\]}%@`]|\Z)")
_CYCLE = 1 << 62  # the cost of a node that contains itself (``&a [*a]``)


def may_hold_anchor(text: str) -> bool:
    """Whether ``text`` may hold an anchor: True for every text PyYAML composed with one. Most
    "&" in answers are not ("R&D", "&nbsp;", "a && b"), so their files are not walked."""
    at = text.find("&")
    while at >= 0:
        if (at == 0 or text[at - 1] in _BEFORE_ANCHOR) and _ANCHOR_NAME.match(text, at + 1):
            return True
        at = text.find("&", at + 1)
    return False


def overflowing_item(text: str, items: Sequence[yaml.Node]) -> int | None:
    """The index of the first item whose aliases take the file past its budget, or None."""
    if not may_hold_anchor(text):
        return None  # no anchor, so no alias: every node is read once
    distinct, shared = _distinct(items)
    if not shared:
        return None  # "&" in text only (R&D, &nbsp;): no node is reached twice
    costs: dict[int, int] = {}
    budget = sum(_self_cost(n) for n in distinct) + EXTRA_COST
    spent = 0
    for index, item in enumerate(items):
        spent += _cost(item, costs)
        if spent > budget:
            return index
    return None


def _self_cost(node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode):
        return 1 + len(str(node.value)) // 64
    return 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _distinct(roots: Sequence[yaml.Node]) -> tuple[list[yaml.Node], bool]:
    """Every node reachable from ``roots`` once, and whether any is reached twice (an alias)."""
    seen: set[int] = set()
    found: list[yaml.Node] = []
    shared = False
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        found.append(node)
        stack.extend(_children(node))
    return found, shared


def _cost(root: yaml.Node, costs: dict[int, int]) -> int:
    """The expanded cost of ``root`` (aliases counted each time), memoised by node identity."""
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        key = id(node)
        if ready:
            visiting.discard(key)
            total = _self_cost(node)
            for child in _children(node):
                total = min(_CYCLE, total + costs[id(child)])
            costs[key] = total
            continue
        if key in costs:
            continue
        if key in visiting:  # a node inside itself: reading it never ends
            costs[key] = _CYCLE
            continue
        visiting.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in costs)
    return costs[id(root)]
