"""The JSON report: a stable contract other tools and the CI examples rely on."""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring  # the string encoder of ensure_ascii=False (C)
from typing import Any

from readylint.jsonstream import PRETTY_LIMIT, indented, json_array, one_line
from readylint.models import ItemResult, RunResult
from readylint.reporters import ReportOptions


def _item(r: ItemResult) -> dict[str, Any]:
    return {
        "id": r.item.id,
        "title": r.item.title,
        "rank": r.rank,
        "ready": r.ready,
        "location": {
            "path": r.item.location.path,
            "line": r.item.location.line,
            "url": r.item.location.url,
        },
        "findings": [
            {"check": f.check, "severity": f.severity, "message": f.message, "line": f.line}
            for f in r.findings
        ],
    }


def _optional(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _item_line(r: ItemResult) -> str:
    """``json.dumps(_item(r), ensure_ascii=False)``, written directly: the report's line for one
    item when it is large. Half the time of building ``_item``'s dicts and encoding them: the
    keys and the layout are written once here, not encoded again for every item (issue 6)."""
    item = r.item
    where = item.location
    text = encode_basestring
    findings = ", ".join(
        [
            f'{{"check": {text(f.check)}, "severity": {text(f.severity)}, '
            f'"message": {text(f.message)}, "line": {"null" if f.line is None else f.line}}}'
            for f in r.findings
        ]
    )
    return (
        f'{{"id": {text(item.id)}, "title": {text(item.title)}, "rank": {int.__repr__(r.rank)}, '
        f'"ready": {"true" if r.ready else "false"}, "location": {{"path": {_optional(where.path)}, '
        f'"line": {_number(where.line)}, "url": {_optional(where.url)}}}, "findings": [{findings}]}}'
    )


def _summary(result: RunResult) -> dict[str, int]:
    ready = result.ready_count
    return {"items": len(result.items), "ready": ready, "not_ready": len(result.items) - ready}


def _errors(result: RunResult) -> list[dict[str, Any]]:
    return [{"path": e.path, "line": e.line, "message": e.message} for e in result.errors]


def as_dict(result: RunResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "summary": _summary(result),
        "items": [_item(r) for r in result.items],
        "errors": _errors(result),
    }


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The report in pieces: pretty-printed when small, one item per line when large."""
    if len(result.items) <= PRETTY_LIMIT:
        yield indented(as_dict(result)) + "\n"
        return
    yield f'{{\n  "version": {one_line(result.version)},\n  "summary": {one_line(_summary(result))},\n'
    yield '  "items": '
    yield from json_array(result.items, indent=4, pretty=False, line=_item_line)
    yield f',\n  "errors": {one_line(_errors(result))}\n}}\n'
