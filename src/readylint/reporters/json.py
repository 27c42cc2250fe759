"""The JSON report: a stable contract other tools and the CI examples rely on."""

from __future__ import annotations

import json
from typing import Any

from readylint.models import RunResult
from readylint.reporters import ReportOptions


def as_dict(result: RunResult) -> dict[str, Any]:
    return {
        "version": result.version,
        "summary": {
            "items": len(result.items),
            "ready": result.ready_count,
            "not_ready": len(result.items) - result.ready_count,
        },
        "items": [
            {
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
            for r in result.items
        ],
        "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in result.errors],
    }


def render(result: RunResult, options: ReportOptions) -> str:
    return json.dumps(as_dict(result), indent=2, ensure_ascii=False) + "\n"
