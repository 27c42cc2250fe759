"""GitLab Code Quality (``artifacts:reports:codequality``): a JSON array of issues with
description, check_name, fingerprint, severity, location.path and location.lines.begin.

Severities: error -> ``major``, warning -> ``minor``; input errors -> ``blocker`` with check_name
``input-error``. Fingerprints come from check id + item id (+ occurrence), never lines. Paths are
shown relative to the working directory: run readylint from ``$CI_PROJECT_DIR``.

Tracker items (Jira): ``location.path`` is the issue key and ``lines.begin`` is 1 (GitLab requires
a line); the description ends with the browse URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from readylint import jsonstream
from readylint.models import RunResult
from readylint.reporters import ReportOptions
from readylint.reporters._common import finding_line, item_path, numbered

SEVERITY = {"error": "major", "warning": "minor"}


def _issues(result: RunResult) -> Iterator[dict[str, Any]]:
    for error in result.errors:
        key = f"input-error\0{error.path}\0{error.line}\0{error.message}"
        yield {
            "description": f"Input error: {error.message}",
            "check_name": "input-error",
            "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
            "severity": "blocker",
            "location": {
                "path": error.path or "readylint",
                "lines": {"begin": error.line or 1},
            },
        }
    for entry in numbered(result):
        item = entry.result.item
        description = f"{item.id} {entry.finding.check}: {entry.finding.message}"
        if item.location.path is None and item.location.url:
            description += f" ({item.location.url})"
        line = finding_line(entry.result, entry.finding)
        yield {
            "description": description,
            "check_name": entry.finding.check,
            "fingerprint": hashlib.sha256(entry.fingerprint.encode()).hexdigest()[:32],
            "severity": SEVERITY[entry.finding.severity],
            "location": {"path": item_path(entry.result), "lines": {"begin": line or 1}},
        }


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The array in pieces: pretty-printed when small, one issue per line when large."""
    yield from jsonstream.json_array(
        _issues(result), indent=2, pretty=len(result.items) <= jsonstream.PRETTY_LIMIT
    )
    yield "\n"
