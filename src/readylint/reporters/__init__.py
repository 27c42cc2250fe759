"""Reporters: pure functions from a RunResult to text. None prints, none decides exit codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from readylint.models import RunResult


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    quiet: bool = False


Reporter = Callable[[RunResult, ReportOptions], str]


def _text(result: RunResult, options: ReportOptions) -> str:
    from readylint.reporters.text import render

    return render(result, options)


def _json(result: RunResult, options: ReportOptions) -> str:
    from readylint.reporters.json import render

    return render(result, options)


# Reporter modules are imported only when chosen, so the common path stays light.
REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "json": _json,
}
