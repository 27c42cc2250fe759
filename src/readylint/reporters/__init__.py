"""Reporters: pure functions from a RunResult to text. None prints, none decides exit codes.

Every format is written a piece at a time (``STREAMERS``): a 100,000-item run's report is some
100 to 400 MB of text, which must not be held in memory whole, nor built as a tree of objects
first (issue 6). ``REPORTERS`` gives each format as one string, for tests and small uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from readylint.models import RunResult


class ReportOptions(NamedTuple):  # not a dataclass: a tenth of the import cost (issue 6)
    color: bool = False
    quiet: bool = False


Reporter = Callable[[RunResult, ReportOptions], str]
Streamer = Callable[[RunResult, ReportOptions], Iterator[str]]

LINES_PER_CHUNK = 1000


def in_chunks(lines: Iterable[str], size: int = LINES_PER_CHUNK) -> Iterator[str]:
    """Each line followed by a newline, ``size`` lines to a piece: ``"\\n".join`` of all the
    lines plus a final newline (nothing for no lines), written without holding them all."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            batch.append("")
            yield "\n".join(batch)
            batch = []
    if batch:
        batch.append("")
        yield "\n".join(batch)


def _text(result: RunResult, options: ReportOptions) -> Iterator[str]:
    from readylint.reporters.text import chunks

    return chunks(result, options)


def _json(result: RunResult, options: ReportOptions) -> Iterator[str]:
    from readylint.reporters.json import chunks

    return chunks(result, options)


def _lazy(module: str) -> Streamer:
    """The ``chunks`` of ``readylint.reporters.<module>``, imported on first use."""

    def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
        from importlib import import_module

        function: Streamer = import_module(f"readylint.reporters.{module}").chunks
        return function(result, options)

    chunks.__name__ = f"_{module}"
    return chunks


# Reporter modules are imported only when chosen, so the common path stays light.
STREAMERS: dict[str, Streamer] = {
    "text": _text,
    "json": _json,
    # CI formats (issue 4): one module each, see their docstrings for what Jira runs show.
    "sarif": _lazy("sarif"),
    "junit": _lazy("junit"),
    "github": _lazy("github"),
    "gitlab": _lazy("gitlab"),
    "markdown": _lazy("markdown"),
}


def _joined(streamer: Streamer) -> Reporter:
    def render(result: RunResult, options: ReportOptions) -> str:
        return "".join(streamer(result, options))

    render.__name__ = streamer.__name__
    return render


REPORTERS: dict[str, Reporter] = {name: _joined(s) for name, s in STREAMERS.items()}
