"""``readylint report``: lint result in, HTML file (and a trend line) out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from readylint.errors import ReadylintError
from readylint.models import InputError, RunResult
from readylint.report import history
from readylint.report.data import Linker, ReportData, build


@dataclass(frozen=True)
class ReportRequest:
    """What the command line asked for.

    ``source`` names what was read (paths, or a tracker query) for the page; ``query`` is the
    tracker query recorded in the trend (None for YAML); ``repo`` is where ``git rev-parse HEAD``
    runs for the trend's commit.
    """

    output: Path
    source: str
    top: int = 3
    history: Path | None = None
    query: str | None = None
    repo: Path | None = None
    link_base: str | None = None
    now: datetime | None = None
    rows: int | None = None  # items given a heat-map row and to-do entries (None: all)


@dataclass(frozen=True)
class ReportOutcome:
    data: ReportData
    errors: list[InputError]  # history lines that could not be read


def timestamp(now: datetime | None = None) -> str:
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_report(result: RunResult, request: ReportRequest) -> ReportOutcome:
    """Build the page, write it, then append this run to the history file (if one is named).

    The history is appended only after the page is written, so a failed write records nothing.
    """
    try:
        from readylint.report.html import render
    except ImportError as exc:  # installed without its dependencies
        raise ReadylintError(
            f"readylint report needs Jinja2 ({exc}); install it: python -m pip install Jinja2"
        ) from None

    generated = timestamp(request.now)
    entries: list[history.Entry] = []
    errors: list[InputError] = []
    if request.history is not None:
        entries, errors = history.read(request.history)
        entry = history.summarise(
            result,
            time=generated,
            commit=history.git_commit(request.repo or Path.cwd()),
            query=request.query,
        )
        entries.append(entry)
    data = build(
        result,
        top=request.top,
        generated=generated,
        source=request.source,
        linker=Linker(
            output_dir=request.output.parent,
            base=request.link_base,
            root=history.git_root(request.repo or Path.cwd()) if request.link_base else None,
        ),
        history=entries,
        errors=[str(e) for e in errors],
        rows=request.rows,
    )
    try:
        request.output.write_text(render(data), encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(
            f"cannot write: {exc.strerror or exc}", path=request.output.as_posix()
        ) from None
    if request.history is not None:
        history.append(request.history, entries[-1])
    return ReportOutcome(data, errors)
