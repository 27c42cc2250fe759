"""What ``readylint check`` reports and fails on, beyond the checks themselves (issue 4):
which items (named files, ``--changed-since``), suppressions, and the baseline.

The CLI calls ``report_filter`` before linting and ``refine`` after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from readylint import app, suppress, targets
from readylint.config import Config
from readylint.engine import Engine
from readylint.itemtable import item_ids
from readylint.models import RunResult, SourceResult

if TYPE_CHECKING:
    from readylint.progress import Progress


def read_and_filter(
    arguments: Sequence[str],
    config: Config,
    changed_since: str | None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> tuple[SourceResult, targets.Report | None]:
    """The whole backlog, and a filter for the items to report (named files, changed items).

    With ``engine``, items are checked as their files are read (see ``app.read_files``)."""
    source, report = targets.read_backlog(arguments, config, engine, progress)
    if changed_since:
        from readylint import gitdiff

        report = targets.both(report, gitdiff.predicate(source.items, changed_since))
    return source, report


def refine(
    result: RunResult,
    source: SourceResult,
    config: Config,
    *,
    baseline_file: Path | None = None,
    write_baseline: Path | None = None,
) -> RunResult:
    """Apply suppressions, write and/or apply a baseline."""
    result = suppress.apply(result, [c.id for c in app.all_checks(config)])
    if write_baseline is None and baseline_file is None:
        return result
    from readylint import baseline  # json and the baseline code only when asked for

    if write_baseline is not None:
        count = baseline.write(write_baseline, result)
        click.echo(
            f"readylint: wrote {count} finding{'' if count == 1 else 's'} to baseline "
            f"{write_baseline.as_posix()}",
            err=True,
        )
        result = baseline.apply_written(result, count, name=write_baseline.as_posix())
    elif baseline_file is not None:
        known = set(item_ids(source.items))
        result = baseline.apply(
            result, baseline.load(baseline_file), name=baseline_file.as_posix(), known_items=known
        )
    return result
