"""Orchestration: choose checks, read a source, run the engine, decide the exit code.

The CLI calls these functions and nothing else does any work on its behalf.
"""

from __future__ import annotations

import fnmatch
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from readylint import __version__
from readylint.backlog import duplicate_ids, order_key
from readylint.catalog import load_checks
from readylint.config import Config, FailOn
from readylint.definitions import CheckDefinition
from readylint.engine import CheckOptions, Digest, Engine
from readylint.errors import ConfigError
from readylint.itemtable import ItemTable, Ordered
from readylint.keys import suggest
from readylint.models import BacklogItem, InFiles, ItemResult, RunResult, SourceResult
from readylint.paths import display_path
from readylint.sources import yaml_files
from readylint.sources.yaml_files import collect_files

if TYPE_CHECKING:
    from readylint.progress import Progress

DEFAULT_PATH = "backlog"


class Selection(NamedTuple):  # NamedTuple, not a dataclass: a tenth of the import cost
    """Which checks run, after the config and the command line have had their say."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    strict: bool = False  # --strict: ordering rationales must name the next items


def all_checks(config: Config) -> list[CheckDefinition]:
    """Built-in checks plus the directories in the config's ``check_paths``."""
    return load_checks([config.resolve(p) for p in config.check_paths])


def build_engine(config: Config, selection: Selection) -> tuple[Engine, list[CheckDefinition]]:
    """The engine for the selected checks, with the config's severities, limits and aliases."""
    checks = all_checks(config)
    ids = [c.id for c in checks]
    select = selection.select if selection.select is not None else config.select
    ignore = (*config.ignore, *selection.ignore)
    for name in (*(select or ()), *ignore, *config.checks):
        if name not in ids:
            hint = suggest(name, ids, cutoff=0.6)
            raise ConfigError(
                f"unknown check '{name}'"
                + (f" (did you mean '{hint}'?)" if hint else "")
                + f"; known checks: {', '.join(ids)}"
            )
    answer_fields = {c.answer.field for c in checks if c.answer is not None}
    for field in config.aliases:
        if field not in answer_fields:
            raise ConfigError(
                f"aliases: '{field}' is not an answer field; use one of {', '.join(sorted(answer_fields))}",
                path=config.source,
            )
    chosen = [c for c in checks if (select is None or c.id in select) and c.id not in ignore]
    engine = Engine(
        chosen,
        all_checks=checks,
        severities={k: v.severity for k, v in config.checks.items() if v.severity},
        min_words={k: v.min_words for k, v in config.checks.items() if v.min_words},
        aliases=dict(config.aliases),
        options={
            k: CheckOptions(
                strict=v.strict, compare_with=v.compare_with, require_labels=bool(v.require_labels)
            )
            for k, v in config.checks.items()
        },
        strict=selection.strict,
    )
    return engine, chosen


def yaml_paths(arguments: Sequence[str], config: Config) -> list[Path]:
    """The command-line paths, else the config's ``paths``, else ``backlog/``."""
    if arguments:
        return [Path(a) for a in arguments]
    if config.paths:
        return [config.resolve(p) for p in config.paths]
    return [Path(DEFAULT_PATH)]


def excluded(path: Path, config: Config) -> bool:
    """Whether a file matches one of the config's ``exclude`` glob patterns."""
    if not config.exclude:
        return False
    shown = display_path(path)
    try:
        relative = path.resolve().relative_to(config.root).as_posix()
    except ValueError:
        relative = shown
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(shown, p) for p in config.exclude)


def read_yaml_backlog(
    arguments: Sequence[str],
    config: Config,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> SourceResult:
    """Items and errors from the YAML files named on the command line or in the config.

    With ``engine``, each file's items are checked as the file is read (``read_files``).
    """
    listing = collect_files(yaml_paths(arguments, config))
    files = [f for f in listing.files if not excluded(f, config)]
    result = read_files(files, engine, progress)
    result.errors[:0] = listing.errors
    result.notices[:0] = listing.notices
    return result


def read_files(
    files: Sequence[Path], engine: Engine | None = None, progress: Progress | None = None
) -> SourceResult:
    """The files' items; with ``engine``, checked file by file on every core (``pipeline.py``)
    so that their texts are not all held at once, counted on ``progress`` (issue 6) as they
    are."""
    if engine is None:
        return yaml_files.read_files(files)
    from readylint import pipeline

    return pipeline.read_and_check(files, engine, progress=progress)


def lint(
    source: SourceResult,
    engine: Engine,
    checks: Sequence[CheckDefinition],
    *,
    top: int | None = None,
    report: Callable[[BacklogItem], bool] | None = None,
) -> RunResult:
    """Order the items, run the checks, and collect everything a reporter shows.

    ``top`` limits the report to the first N items in backlog order and ``report`` to the items
    it accepts; all items are still context for checks that look across the backlog.
    """
    read = source.items
    items: Sequence[BacklogItem]
    # as order_items; an array, not a list of 100,000 int objects, since it is kept to the end
    if isinstance(read, ItemTable):  # a large YAML backlog's: ordered by its columns
        order = read.backlog_order()
        items = Ordered(read, order)
    else:
        order = array("I", sorted(range(len(read)), key=lambda k: order_key(read[k])))
        items = [read[k] for k in order]
    errors = [*source.errors, *duplicate_ids(items)]
    positions = range(len(items) if top is None else min(top, len(items)))
    if isinstance(report, InFiles) and isinstance(items, Ordered):  # the named files' items
        positions = items.in_files(report.paths, positions)  # type: ignore[assignment]
    elif report is not None:
        positions = [i for i in positions if report(items[i])]  # type: ignore[assignment]
    results: Sequence[ItemResult]
    if source.digests is None:  # items read without the engine: both passes here
        from readylint.pipeline import digest_items

        results = engine.finish(items, digest_items(engine, items, positions), positions)
    else:  # the first pass ran as the items were read (pipeline.py, store.py)
        results = _finish_read(engine, items, source.digests, order, positions)
    return RunResult(
        version=__version__,
        items=results,
        errors=errors,
        notices=list(source.notices),
        checks=[c.info() for c in checks],
        backlog_size=len(items),
    )


# Above this many reported items, their results are kept packed (results.py) until reported.
PACK_ABOVE = 2000


def _finish_read(
    engine: Engine,
    items: Sequence[BacklogItem],
    digests: Sequence[Digest],
    order: Sequence[int],
    report: Iterable[int],
) -> Sequence[ItemResult]:
    """``Engine.finish`` over digests in reading order; ``order[k]`` is the k-th item's index
    in that order."""
    from readylint.pipeline import jobs_for_items
    from readylint.store import DigestStore, Reordered

    assert isinstance(digests, DigestStore)  # YAML's (pipeline.py) and Jira's (Digester)
    backlog_position = array("I", bytes(4 * len(order)))
    for position, index in enumerate(order):
        backlog_position[index] = position
    wanted = list(report)
    if digests.partial:  # items outside --top (Jira): their digests hold their prints only
        asked = [index for index in wanted if order[index] in digests.partial]
        if asked:
            raise ValueError(f"items {asked[:5]} were checked for their prints only")
    finished = engine.finish_rows(
        items,
        Reordered(digests, order),
        wanted,
        prints=digests.prints,
        positions=backlog_position,
        jobs=jobs_for_items(len(items)),
    )
    if len(wanted) <= PACK_ABOVE:
        return [ItemResult(items[index], index + 1, findings) for index, findings in finished]
    from readylint.results import PackedResults

    return PackedResults.of(items, finished)


def exit_code(result: RunResult, fail_on: FailOn) -> int:
    """2 when input could not be read, 1 for findings at or above ``fail_on``, else 0."""
    if result.errors:
        return 2
    if fail_on == "never":
        return 0
    levels = {"error"} if fail_on == "error" else {"error", "warning"}
    if not isinstance(result.items, list):  # a large run's results, counted as they were packed
        from readylint.results import PackedResults

        if isinstance(result.items, PackedResults):
            return 1 if result.items.fails(levels) else 0
    failed = any(f.severity in levels for r in result.items for f in r.findings)
    return 1 if failed else 0


# --- Jira source (issue 3) -------------------------------------------------------------------
# The Jira modules are imported only inside these functions: the YAML path never loads them.


class JiraOptions(NamedTuple):
    """The Jira options of ``readylint check``; each selection overrides the config's ``jira:``."""

    jql: str | None = None
    project: str | None = None
    board: int | None = None
    insecure: bool = False
    label_unready: str | None = None
    dry_run: bool = False

    def selects(self) -> bool:
        return self.jql is not None or self.project is not None or self.board is not None


def uses_jira(arguments: Sequence[str], config: Config, options: JiraOptions) -> bool:
    """Jira when a Jira selection is on the command line, or when the config selects one and
    neither PATHS nor the config's ``paths`` name YAML files."""
    if arguments and options.selects():
        raise ConfigError("give PATHS or a Jira selection (--jql, --project, --board), not both")
    settings = config.jira
    use = options.selects() or (
        not arguments
        and not config.paths
        and any(v is not None for v in (settings.jql, settings.project, settings.board))
    )
    if not use:
        extra = [
            name
            for name, on in (
                ("--insecure", options.insecure),
                ("--label-unready", options.label_unready is not None),
                ("--dry-run", options.dry_run),
            )
            if on
        ]
        if extra:
            raise ConfigError(
                f"{', '.join(extra)} only apply to a Jira source; add --jql, --project or --board"
            )
    if options.dry_run and options.label_unready is None:
        raise ConfigError("--dry-run only applies to --label-unready LABEL")
    return use


def read_jira_backlog(
    config: Config,
    engine: Engine,
    options: JiraOptions,
    top: int | None = None,
    progress: Progress | None = None,
) -> tuple[SourceResult, object]:
    """Items from Jira in rank order, with the engine's first pass over them (mostly done while
    pages travel; ``top``: only the first N are reported), and the open connection (for
    ``write_jira_labels``). ``progress``: the line that says how many issues were read."""
    from readylint.pipeline import Digester
    from readylint.sources.jira_source import JiraBacklog, JiraRequest, validate_label

    if options.label_unready is not None:
        validate_label(options.label_unready)
    backlog = JiraBacklog(
        config,
        JiraRequest(
            jql=options.jql, project=options.project, board=options.board, insecure=options.insecure
        ),
        progress=progress,
    )
    digester = Digester(engine, None if top is None else range(top))
    source = backlog.read(engine.known_keys, digester)
    source.items, source.digests = digester.finish()  # without their texts, as YAML's
    return source, backlog


def write_jira_labels(backlog: object, result: RunResult, options: JiraOptions) -> None:
    """``--label-unready``: label failing items and unlabel passing ones (or only say so)."""
    from readylint.sources.jira_source import JiraBacklog

    if options.label_unready is None:
        return  # with input errors, apply_labels says that it changes nothing (issue 7)
    assert isinstance(backlog, JiraBacklog)
    backlog.apply_labels(result, options.label_unready, dry_run=options.dry_run)
