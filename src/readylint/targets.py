"""Which items to report when files are named: pre-commit passes only the changed files.

With ``paths`` in the configuration, the backlog is always every YAML file under those paths
(minus ``exclude``), so ordering and other cross-item checks see all of it; files named on the
command line only choose which items are reported. A named file outside the backlog is skipped
with a notice, even when named explicitly (ruff's ``--force-exclude`` behaviour, which is what a
pre-commit hook needs). Without ``paths`` the named files are the backlog, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from readylint import app
from readylint.config import Config
from readylint.engine import Engine
from readylint.models import BacklogItem, InFiles, SourceResult
from readylint.paths import display_path
from readylint.sources.yaml_files import collect_files

if TYPE_CHECKING:
    from readylint.progress import Progress

Report = Callable[[BacklogItem], bool]


def read_backlog(
    arguments: Sequence[str],
    config: Config,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> tuple[SourceResult, Report | None]:
    """The whole backlog and, when ``arguments`` name part of it, a filter for those items.

    With ``engine``, items are checked as their files are read (see ``app.read_files``)."""
    if not arguments or not config.paths:
        return app.read_yaml_backlog(arguments, config, engine, progress), None
    backlog = collect_files(config.resolve(p) for p in config.paths)
    files = [f for f in backlog.files if not app.excluded(f, config)]
    in_backlog = {f.resolve() for f in files}
    named = collect_files(Path(a) for a in arguments)
    chosen: set[str] = set()
    skipped: list[str] = []
    for path in named.files:
        if path.resolve() in in_backlog:
            chosen.add(display_path(path))
        else:
            skipped.append(display_path(path))
    result = app.read_files(files, engine, progress)
    result.errors[:0] = [*backlog.errors, *named.errors]
    result.notices[:0] = list(dict.fromkeys([*backlog.notices, *named.notices]))
    if skipped:
        where = ", ".join(config.paths)
        excludes = f" or matches exclude ({', '.join(config.exclude)})" if config.exclude else ""
        result.notices.append(
            f"skipped {len(skipped)} file{'' if len(skipped) == 1 else 's'} outside the backlog "
            f"(not under paths: {where}{excludes}): {', '.join(sorted(skipped))}"
        )
    return result, InFiles(frozenset(chosen))


def both(first: Report | None, second: Report | None) -> Report | None:
    """A filter accepting what both accept (``None`` accepts everything)."""
    if first is None:
        return second
    if second is None:
        return first
    return lambda item: first(item) and second(item)
