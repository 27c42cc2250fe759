"""The command line: parses options, calls app functions, writes output. No business logic."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from readylint import __version__, adopt, app, cache, outputs, progress
from readylint.config import Config, load_config
from readylint.engine import Engine
from readylint.errors import ReadylintError
from readylint.models import SourceResult
from readylint.outputs import AUTO, FORMAT_CHOICES, FORMAT_ENV
from readylint.paths import display_path
from readylint.terminal import printable

# Items the readiness page shows by default: a page for people (its heat map and to-do list at
# 100,000 items would be some 450 MB of HTML, more than a browser opens).
REPORT_ROWS = 1000


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


_Decorator = Callable[[Callable[..., int]], Callable[..., int]]


def _options(*options: _Decorator) -> _Decorator:
    """Apply several click options as one decorator (shared by ``check`` and ``report``)."""

    def apply(function: Callable[..., int]) -> Callable[..., int]:
        for option in reversed(options):
            function = option(function)
        return function

    return apply


# Which checks run: --select and --ignore.
_selection_options = _options(
    click.option("--select", help="Run only these checks (comma-separated ids)."),
    click.option("--ignore", help="Skip these checks (comma-separated ids)."),
)

# Jira source (issue 3): credentials come only from JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT.
_jira_options = _options(
    click.option("--jql", help="Read the issues of a JQL query from Jira (JIRA_URL or jira.url)."),
    click.option(
        "--project",
        metavar="KEY",
        help="Read a Jira project's backlog: project = KEY AND statusCategory != Done, by rank.",
    ),
    click.option(
        "--board", type=click.IntRange(min=1), help="Read a Jira board's backlog, in board order."
    ),
    click.option("--insecure", is_flag=True, help="Do not verify Jira's TLS certificate (warns)."),
)


# Validation cache (issue 6, cache.py): --no-cache validates the check files and config again.
def _cache_off(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        cache.set_enabled(False)  # main() turns it back on when the command is done


_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_cache_off,
    help="Validate check files and configuration again; do not use or write the cache "
    f"(env: {cache.OFF_ENV}=1).",
)


def _selection(select: str | None, ignore: str | None, *, strict: bool = False) -> app.Selection:
    return app.Selection(
        select=_csv(select) if select is not None else None, ignore=_csv(ignore), strict=strict
    )


def _use_color(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="readylint")
def cli() -> None:
    """Check backlog items against the practical test of readiness for refinement.

    An item is ready when a person can explain its customer need, its business reason, the
    trade-off it implies, its expected outcome, and why it comes before the next three items.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES, case_sensitive=False),
    envvar=FORMAT_ENV,
    default=AUTO,
    show_default=True,
    help=f"Report format; auto is github inside GitHub Actions, else text (env: {FORMAT_ENV}).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--top", type=click.IntRange(min=1), help="Report only the first N items in backlog order."
)
@_selection_options
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    help="Lowest severity that makes the run fail (exit 1). Default: error.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: nearest .readylint.yaml or pyproject.toml).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report (honours NO_COLOR and FORCE_COLOR).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings and errors only, no summary.")
# -- CI and adoption options (issue 4; logic in outputs.py and adopt.py) ---------------------
@click.option(
    "--output-format",
    "output_formats",
    multiple=True,
    metavar="FORMAT:FILE",
    help="Also write the report in FORMAT to FILE (repeatable), e.g. sarif:readylint.sarif.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fail only on findings not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record today's findings in FILE (item id + check), then report as if they were fixed.",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Report only items whose YAML changed since git REF (the whole backlog is context).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Ordering rationales must name the next items they are compared with (see compare_with).",
)
@_jira_options
@click.option(
    "--label-unready",
    metavar="LABEL",
    help="Add LABEL to Jira items that fail and remove it from items that pass.",
)
@click.option(
    "--dry-run", is_flag=True, help="With --label-unready: print the changes, change nothing."
)
@_cache_option
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: Path | None,
    top: int | None,
    select: str | None,
    ignore: str | None,
    fail_on: str | None,
    config_path: Path | None,
    color: str,
    quiet: bool,
    output_formats: tuple[str, ...],
    baseline_file: Path | None,
    write_baseline: Path | None,
    changed_since: str | None,
    strict: bool,
    jql: str | None,
    project: str | None,
    board: int | None,
    insecure: bool,
    label_unready: str | None,
    dry_run: bool,
) -> int:
    """Check backlog items in PATHS (YAML files or directories; default: the config's paths,
    else backlog/), or in Jira with --jql, --project or --board."""
    config = load_config(config_path)
    selection = _selection(select, ignore, strict=strict)
    engine, chosen = app.build_engine(config, selection)
    jira = app.JiraOptions(jql, project, board, insecure, label_unready, dry_run)
    plan = outputs.plan(fmt, output, output_formats)
    backlog: object = None
    report = None
    bar = progress.for_terminal(sys.stderr, quiet=quiet)  # issue 6: a terminal's stderr only
    with bar or contextlib.nullcontext():  # erased before anything else is written
        if app.uses_jira(paths, config, jira):
            if changed_since:
                raise ReadylintError("--changed-since works with YAML backlogs only")
            source, backlog = app.read_jira_backlog(config, engine, jira, top, bar)
        else:
            source, report = adopt.read_and_filter(paths, config, changed_since, engine, bar)
        result = app.lint(source, engine, chosen, top=top, report=report)
    result = adopt.refine(
        result, source, config, baseline_file=baseline_file, write_baseline=write_baseline
    )
    outputs.emit(result, plan, color=_use_color(color, sys.stdout), quiet=quiet)
    if backlog is not None:
        app.write_jira_labels(backlog, result, jira)
    return app.exit_code(result, fail_on or config.fail_on)  # type: ignore[arg-type]


# --- readylint report (issue 8): the HTML readiness page --------------------------------------


def _report_source(
    paths: tuple[str, ...],
    config: Config,
    engine: Engine,
    jira: app.JiraOptions,
    bar: progress.Progress | None = None,
) -> tuple[SourceResult, str, str | None, Path | None]:
    """The backlog for ``report``: the items, what the page says was read, the tracker query
    recorded in the trend (None for YAML), and the directory whose git commit the trend records.
    """
    if app.uses_jira(paths, config, jira):
        source, _ = app.read_jira_backlog(config, engine, jira, progress=bar)
        settings = config.jira
        jql = jira.jql or (settings.jql if settings and not jira.selects() else None)
        project = jira.project or (settings.project if settings and not jira.selects() else None)
        board = jira.board or (settings.board if settings and not jira.selects() else None)
        query = jql or (f"project = {project}" if project else f"board {board}")
        return source, f"Jira: {query}", query, None
    chosen = app.yaml_paths(paths, config)
    source = app.read_yaml_backlog(paths, config, engine, bar)  # file by file, as check does
    first = chosen[0] if chosen else Path.cwd()
    repo = first if first.is_dir() else first.parent
    return source, " ".join(display_path(p) for p in chosen), None, repo


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("readiness.html"),
    show_default=True,
    help="Write the HTML page to FILE.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Highlight the first N items in backlog order as the next refinement.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=0),
    default=REPORT_ROWS,
    show_default=True,
    help="Show the first N items in backlog order in the heat map and the list of what to "
    "write (0: all); counts and charts cover every item.",
)
@click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append this run to a JSON Lines FILE and draw readiness over time from it.",
)
@click.option(
    "--link-base",
    help="Link items to URL + path + #Lline (e.g. https://github.com/ORG/REPO/blob/main/); "
    "default: paths relative to the page.",
)
@_selection_options
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="never",
    show_default=True,
    help="Lowest severity that makes the run fail (exit 1) once the page is written.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@_jira_options
@_cache_option
def report(
    paths: tuple[str, ...],
    output: Path,
    top: int,
    rows: int,
    history_path: Path | None,
    link_base: str | None,
    select: str | None,
    ignore: str | None,
    fail_on: str,
    config_path: Path | None,
    jql: str | None,
    project: str | None,
    board: int | None,
    insecure: bool,
) -> int:
    """Write a self-contained HTML readiness page (heat map, charts, trend) for PATHS or Jira."""
    from readylint.report.page import ReportRequest, write_report

    config = load_config(config_path)
    selection = _selection(select, ignore)
    engine, chosen = app.build_engine(config, selection)
    jira = app.JiraOptions(jql, project, board, insecure)
    bar = progress.for_terminal(sys.stderr)  # as in check: a terminal's stderr only
    with bar or contextlib.nullcontext():
        source, shown, query, repo = _report_source(paths, config, engine, jira, bar)
        result = app.lint(source, engine, chosen)
    request = ReportRequest(
        output=output,
        source=shown,
        top=top,
        history=history_path,
        query=query,
        repo=repo,
        link_base=link_base,
        rows=rows or None,
    )
    outcome = write_report(result, request)
    for error in [*result.errors, *outcome.errors]:
        click.echo(printable(str(error)), err=True)
    click.echo(f"{display_path(output)}: {outcome.data.headline}")
    if outcome.errors:
        return 2
    return app.exit_code(result, fail_on)  # type: ignore[arg-type]


# --- end of readylint report -------------------------------------------------------------------


@cli.command()
@click.argument("check_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@_cache_option
def explain(check_id: str, config_path: Path | None) -> int:
    """Explain a check: its question, rationale, where it looks, and examples."""
    from readylint.docs import explain_check

    click.echo(explain_check(app.all_checks(load_config(config_path)), check_id))
    return 0


@cli.command(name="checks")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@_cache_option
def list_checks(fmt: str, config_path: Path | None) -> int:
    """List all checks (built-in and the team's own) with id, severity and title."""
    from readylint.docs import checks_table

    config: Config = load_config(config_path)
    click.echo(checks_table(app.all_checks(config), markdown=fmt == "markdown"), nl=False)
    return 0


@cli.command()
@click.argument("item_id")
@click.argument("title")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the skeleton to FILE (refuses to overwrite).",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@_cache_option
def new(item_id: str, title: str, output: Path | None, config_path: Path | None) -> int:
    """Print a YAML skeleton for a new item with every answer field and a hint in each."""
    from readylint.docs import skeleton

    text = skeleton(app.all_checks(load_config(config_path)), item_id, title)
    if output is not None and output.exists():
        raise ReadylintError("file exists; choose another name", path=str(output))
    outputs.write(text, output)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every user-facing error becomes one line on stderr and exit code 2."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="readylint",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("readylint: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except ReadylintError as exc:
        click.echo(f"readylint: error: {printable(str(exc))}", err=True)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. "readylint check | head"
        return 1
    except OSError as exc:  # no room behind "> file" for what a command prints, say
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"readylint: error: {printable(where + str(exc.strerror or exc))}", err=True)
        return 2
    finally:
        cache.set_enabled(True)  # --no-cache lasts one command
    return code if isinstance(code, int) else 0
