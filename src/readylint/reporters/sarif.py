"""SARIF 2.1.0, as GitHub code scanning accepts it (see docs/ci or the README's CI section).

One rule per check; one result per finding with a repository-relative location (paths are shown
relative to the working directory, so run readylint from the repository root) and stable
``partialFingerprints`` from check id + item id, never line numbers, so an alert survives edits
above it. ``primaryLocationLineHash`` is set to that fingerprint because it is the one GitHub
matches alerts by. Input errors become ``toolExecutionNotifications``.

Tracker items (Jira): the artifact URI is the issue key, there is no region, and the browse URL
is the result's ``hostedViewerUri``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from readylint import jsonstream
from readylint.models import CheckInfo, InputError, RunResult
from readylint.reporters import ReportOptions
from readylint.reporters._common import Numbered, check_list, finding_line, item_path, numbered

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "readylint/item-check/v1"
_LEVEL = {"error": "error", "warning": "warning"}


@lru_cache(maxsize=256)  # a file's items are reported together
def _uri(path: str) -> str:
    if PurePosixPath(path).is_absolute():
        return "file://" + quote(path)
    return quote(path, safe="/")


def _rule(check: CheckInfo) -> dict[str, Any]:
    full = check.question or check.title
    help_text = " ".join(
        p for p in (check.rationale, f"What to write: {check.hint}." if check.hint else "") if p
    )
    rule: dict[str, Any] = {
        "id": check.id,
        "name": check.id,
        "shortDescription": {"text": (check.title or check.id)[:1024]},
        "fullDescription": {"text": full[:1024]},
        "help": {
            "text": help_text or full,
            "markdown": f"**{check.title or check.id}**\n\n{check.question}\n\n{check.rationale}"
            + (f"\n\n*What to write:* {check.hint}" if check.hint else ""),
        },
        "defaultConfiguration": {"level": _LEVEL[check.severity]},
        "properties": {
            "tags": ["backlog", "readiness"],
            "problem.severity": _LEVEL[check.severity],
        },
    }
    return rule


def _result(entry: Numbered, index: int) -> dict[str, Any]:
    item = entry.result.item
    path = item_path(entry.result)
    line = finding_line(entry.result, entry.finding)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    fingerprint = entry.fingerprint
    if item.location.path is not None:
        physical["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
    if line is not None:
        physical["region"] = {"startLine": line}
    result: dict[str, Any] = {
        "ruleId": entry.finding.check,
        "ruleIndex": index,
        "level": _LEVEL[entry.finding.severity],
        "message": {"text": f"{entry.finding.message} ({item.id}: {item.title})"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"name": item.id, "kind": "object"}],
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint,
            FINGERPRINT_KEY: fingerprint,
        },
    }
    if item.location.url:
        result["hostedViewerUri"] = item.location.url
    return result


def _notification(error: InputError) -> dict[str, Any]:
    note: dict[str, Any] = {"level": "error", "message": {"text": error.message}}
    if error.path:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(error.path)}}
        if error.line is not None:
            physical["region"] = {"startLine": error.line}
        note["locations"] = [{"physicalLocation": physical}]
    return note


def _document(run: RunResult, checks: list[CheckInfo], results: object) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "readylint",
                        "version": run.version,
                        "semanticVersion": run.version,
                        "rules": [_rule(c) for c in checks],
                    }
                },
                "automationDetails": {"id": "readylint/"},
                "invocations": [
                    {
                        "executionSuccessful": not run.errors,
                        "toolExecutionNotifications": [_notification(e) for e in run.errors],
                    }
                ],
                "originalUriBaseIds": {
                    "%SRCROOT%": {
                        "description": {
                            "text": "The directory readylint ran in (the repository root)."
                        }
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def chunks(run: RunResult, options: ReportOptions) -> Iterator[str]:
    """The log in pieces: pretty-printed when small, one result per line when large."""
    checks = check_list(run)
    index = {c.id: i for i, c in enumerate(checks)}
    hole = jsonstream.marker()
    results = (_result(e, index[e.finding.check]) for e in numbered(run))
    return jsonstream.json_with_array(
        _document(run, checks, hole),
        hole,
        results,
        pretty=len(run.items) <= jsonstream.PRETTY_LIMIT,
    )
