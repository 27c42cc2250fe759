"""The command line: parses options, calls app functions, writes output. No business logic."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from readylint import __version__, app
from readylint.config import Config, load_config
from readylint.errors import ReadylintError
from readylint.models import RunResult, SourceResult
from readylint.paths import display_path
from readylint.reporters import REPORTERS, ReportOptions


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (value or "").split(",") if p.strip())


def _use_color(choice: str, stream: object) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _write(text: str, output: Path | None, *, color: bool = False) -> None:
    if output is None:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise.
        click.echo(text, nl=False, color=color)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(f"cannot write: {exc.strerror or exc}", path=str(output)) from None


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
    type=click.Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="Report format.",
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
@click.option("--select", help="Run only these checks (comma-separated ids).")
@click.option("--ignore", help="Skip these checks (comma-separated ids).")
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
) -> int:
    """Check backlog items in PATHS (YAML files or directories; default: the config's paths,
    else backlog/)."""
    config = load_config(config_path)
    selection = app.Selection(
        select=_csv(select) if select is not None else None, ignore=_csv(ignore)
    )
    engine, chosen = app.build_engine(config, selection)
    source = app.read_yaml_backlog(paths, config)
    result = app.lint(source, engine, chosen, top=top)
    _emit(result, fmt, output, color, quiet)
    return app.exit_code(result, fail_on or config.fail_on)  # type: ignore[arg-type]


def _emit(result: RunResult, fmt: str, output: Path | None, color: str, quiet: bool) -> None:
    options = ReportOptions(color=output is None and _use_color(color, sys.stdout), quiet=quiet)
    _write(REPORTERS[fmt](result, options), output, color=options.color)
    if result.errors and (fmt != "text" or output is not None):
        for error in result.errors:
            click.echo(str(error), err=True)


# --- readylint report (issue 8): the HTML readiness page --------------------------------------


def _report_source(
    paths: tuple[str, ...], config: Config
) -> tuple[SourceResult, str, str | None, Path | None]:
    """The backlog for ``report``: the items, what the page says was read, the tracker query
    recorded in the trend (None for YAML), and the directory whose git commit the trend records.

    One place builds the source, so the Jira options of ``check`` (--jql/--project/--board) can
    be added to ``report`` here: they return their query and no directory.
    """
    chosen = app.yaml_paths(paths, config)
    source = app.read_yaml_backlog(paths, config)
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
@click.option("--select", help="Run only these checks (comma-separated ids).")
@click.option("--ignore", help="Skip these checks (comma-separated ids).")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="never",
    show_default=True,
    help="Lowest severity that makes the run fail (exit 1) once the page is written.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
def report(
    paths: tuple[str, ...],
    output: Path,
    top: int,
    history_path: Path | None,
    link_base: str | None,
    select: str | None,
    ignore: str | None,
    fail_on: str,
    config_path: Path | None,
) -> int:
    """Write a self-contained HTML readiness page (heat map, charts, trend) for PATHS."""
    from readylint.report.page import ReportRequest, write_report

    config = load_config(config_path)
    selection = app.Selection(
        select=_csv(select) if select is not None else None, ignore=_csv(ignore)
    )
    engine, chosen = app.build_engine(config, selection)
    source, shown, query, repo = _report_source(paths, config)
    result = app.lint(source, engine, chosen)
    request = ReportRequest(
        output=output,
        source=shown,
        top=top,
        history=history_path,
        query=query,
        repo=repo,
        link_base=link_base,
    )
    outcome = write_report(result, request)
    for error in [*result.errors, *outcome.errors]:
        click.echo(str(error), err=True)
    click.echo(f"{display_path(output)}: {outcome.data.headline}")
    if outcome.errors:
        return 2
    return app.exit_code(result, fail_on)  # type: ignore[arg-type]


# --- end of readylint report -------------------------------------------------------------------


@cli.command()
@click.argument("check_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
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
def new(item_id: str, title: str, output: Path | None, config_path: Path | None) -> int:
    """Print a YAML skeleton for a new item with every answer field and a hint in each."""
    from readylint.docs import skeleton

    text = skeleton(app.all_checks(load_config(config_path)), item_id, title)
    if output is not None and output.exists():
        raise ReadylintError("file exists; choose another name", path=str(output))
    _write(text, output)
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
        click.echo(f"readylint: error: {exc}", err=True)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. "readylint check | head"
        return 1
    return code if isinstance(code, int) else 0
