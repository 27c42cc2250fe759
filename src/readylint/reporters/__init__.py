"""Reporters: pure functions from a RunResult to text. None prints, none decides exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from readylint.models import RunResult


class ReportOptions(NamedTuple):  # not a dataclass: a tenth of the import cost (issue 6)
    color: bool = False
    quiet: bool = False


Reporter = Callable[[RunResult, ReportOptions], str]


def _text(result: RunResult, options: ReportOptions) -> str:
    from readylint.reporters.text import render

    return render(result, options)


def _json(result: RunResult, options: ReportOptions) -> str:
    from readylint.reporters.json import render

    return render(result, options)


def _lazy(module: str) -> Reporter:
    """A reporter whose module ``readylint.reporters.<module>`` is imported on first use."""

    def render(result: RunResult, options: ReportOptions) -> str:
        from importlib import import_module

        function: Reporter = import_module(f"readylint.reporters.{module}").render
        return function(result, options)

    render.__name__ = f"_{module}"
    return render


# Reporter modules are imported only when chosen, so the common path stays light.
REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "json": _json,
    # CI formats (issue 4): one module each, see their docstrings for what Jira runs show.
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "github": _lazy("github"),
    "gitlab": _lazy("gitlab"),
    "markdown": _lazy("markdown"),
}


def _json_chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    from readylint.reporters.json import chunks

    return chunks(result, options)


# Formats that can be written a piece at a time (large backlogs): emit() prefers these.
STREAMERS: dict[str, Callable[[RunResult, ReportOptions], Iterator[str]]] = {"json": _json_chunks}
