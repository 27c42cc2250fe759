"""JSON documents written a piece at a time, pretty-printed as ``json.dumps(indent=2)`` writes
them, or, when large, with one element of their big array per line (issue 6)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring  # the string encoder of ensure_ascii=False (C)
from typing import Any

# Above this many items, the arrays of a JSON report (JSON, SARIF, GitLab, a baseline) hold one
# element per line: the same document, written by the C encoder a piece at a time (pretty
# printing is ``json``'s Python encoder, some ten times slower), so that a 100,000-item report
# is neither slow nor held in memory.
PRETTY_LIMIT = 2000
ELEMENTS_PER_CHUNK = 1000
one_line = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False)


def indented(value: Any, inner: str = "\n") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, with ``inner[1:]`` put before each of
    its lines but the first (``inner`` is a newline and spaces): a value pretty-printed where it
    sits in a document. Twice as fast as ``json``'s own pretty printer, a Python generator per
    value (C does only the one-line form): strings are escaped by ``json``'s C function, and
    containers are joined, not yielded piece by piece."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict or kind is list or kind is tuple:
        if not value:
            return "{}" if kind is dict else "[]"
        deeper = inner + "  "
        if kind is not dict:
            parts = [indented(v, deeper) for v in value]
            return f"[{deeper}{(',' + deeper).join(parts)}{inner}]"
        if all(type(k) is str for k in value):
            parts = [f"{encode_basestring(k)}: {indented(v, deeper)}" for k, v in value.items()]
            return f"{{{deeper}{(',' + deeper).join(parts)}{inner}}}"
    elif kind is int:
        return int.__repr__(value)
    elif value is None:
        return "null"
    elif kind is bool:
        return "true" if value else "false"
    elif not isinstance(value, list | tuple | dict):
        return one_line(value)  # a float, or a subclass of str or int: as json writes it
    # A mapping with keys that are not strings, or a subclass of dict or list: json's own way.
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", inner)


def json_array(
    values: Iterable[Any],
    *,
    indent: int,
    pretty: bool,
    line: Callable[[Any], str] | None = None,
) -> Iterator[str]:
    """The JSON array of ``values``, in pieces, for a document indented by two spaces in which
    the array's elements sit ``indent`` spaces in: each element pretty-printed exactly as
    ``json.dumps(document, indent=2)`` would, or (``pretty`` false) on one line of its own, as
    ``line`` writes it (by default the encoder: ``json.dumps(value, ensure_ascii=False)``)."""
    inner = "\n" + " " * indent
    dump: Callable[[Any], str] = line or one_line
    if pretty:

        def dump(value: Any) -> str:
            return indented(value, inner)

    batch = ["["]
    separator = inner
    for value in values:
        batch.append(separator + dump(value))
        separator = "," + inner
        if len(batch) >= ELEMENTS_PER_CHUNK:
            yield "".join(batch)
            batch = []
    batch.append("]" if separator == inner else f"\n{' ' * (indent - 2)}]")
    yield "".join(batch)


def marker() -> str:
    """A string no report holds, to stand for an array in ``json_with_array``."""
    return f"readylint-array-{os.urandom(12).hex()}"


def json_with_array(
    document: Any, hole: str, values: Iterable[Any], *, pretty: bool
) -> Iterator[str]:
    """``json.dumps(document, indent=2)`` plus a newline, in pieces, where the value ``hole`` (a
    ``marker()``, once in ``document``) stands for the array of ``values`` (``json_array``)."""
    text = indented(document) + "\n"
    head, found, tail = text.partition(json.dumps(hole))
    if not found:
        raise ValueError("the document does not hold the marker")
    line = head[head.rfind("\n") + 1 :]
    yield head
    yield from json_array(values, indent=len(line) - len(line.lstrip(" ")) + 2, pretty=pretty)
    yield tail
