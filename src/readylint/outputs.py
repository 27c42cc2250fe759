"""Where reports go: the format choice (``auto``, ``READYLINT_FORMAT``), several outputs in one
run (``--output-format FORMAT:FILE``), and GitHub's step summary.

Reporters stay pure; this module only picks them and writes their text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import click

from readylint.errors import ConfigError, ReadylintError
from readylint.models import RunResult
from readylint.reporters import REPORTERS, STREAMERS, ReportOptions
from readylint.terminal import printable

AUTO = "auto"
FORMAT_ENV = "READYLINT_FORMAT"
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
FORMAT_CHOICES = (AUTO, *sorted(REPORTERS))
# GitHub code scanning rejects a SARIF run of more results than this (and shows 5,000 of them):
# https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
SARIF_RESULTS_LIMIT = 25_000
# A GitHub issue or pull-request comment holds at most this many characters (the Markdown
# format is meant for one).
COMMENT_LIMIT = 65_536
# Formats that show notices and input errors themselves when written to standard output.
_SHOWS_ERRORS = frozenset({"text"})
_SHOWS_NOTICES = frozenset({"text", "github", "markdown"})


class Output(NamedTuple):  # not a dataclass: a tenth of the cost at import (issue 6)
    format: str
    file: Path | None  # None: standard output


def resolve_format(name: str | None, environ: Mapping[str, str] | None = None) -> str:
    """``auto`` (the default) is ``github`` inside GitHub Actions and ``text`` elsewhere."""
    env = os.environ if environ is None else environ
    chosen = (name or AUTO).strip().lower()
    if chosen == AUTO:
        return "github" if env.get("GITHUB_ACTIONS") else "text"
    if chosen not in REPORTERS:
        raise ConfigError(f"unknown format '{chosen}'; choose from {', '.join(FORMAT_CHOICES)}")
    return chosen


def parse_output(spec: str, environ: Mapping[str, str] | None = None) -> Output:
    """``FORMAT:FILE`` as given to ``--output-format`` (``-`` as FILE is standard output)."""
    name, sep, file = spec.partition(":")
    if not sep or not name.strip() or not file:
        raise ConfigError(
            f"--output-format '{spec}': write FORMAT:FILE, e.g. sarif:readylint.sarif "
            f"(formats: {', '.join(FORMAT_CHOICES)})"
        )
    try:
        fmt = resolve_format(name, environ)
    except ConfigError as exc:
        raise ConfigError(f"--output-format '{spec}': {exc.message}") from None
    return Output(fmt, None if file == "-" else Path(file))


def plan(
    fmt: str | None,
    output: Path | None,
    extra: Sequence[str],
    environ: Mapping[str, str] | None = None,
) -> list[Output]:
    """The outputs of one run: the main one (``--format``/``--output``) and each extra one."""
    outputs = [Output(resolve_format(fmt, environ), output)]
    outputs.extend(parse_output(spec, environ) for spec in extra)
    return outputs


def write(text: str, file: Path | None, *, color: bool = False) -> None:
    """Write a report to FILE, or to standard output when FILE is None."""
    if file is None:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise.
        click.echo(text, nl=False, color=color)
        return
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReadylintError(f"cannot write: {exc.strerror or exc}", path=str(file)) from None


def write_chunks(chunks: Iterable[str], file: Path | None, *, color: bool = False) -> int:
    """Write a report piece by piece to FILE, or to standard output (where a closed pipe, as
    in ``readylint check | head``, ends the run quietly: ``cli.main``); returns its length in
    characters."""
    written = 0
    if file is None:
        try:
            for chunk in chunks:
                click.echo(chunk, nl=False, color=color)
                written += len(chunk)
        except BrokenPipeError:
            raise
        except OSError as exc:  # a full disk behind "> report.txt", say
            raise ReadylintError(
                f"cannot write to standard output: {exc.strerror or exc}"
            ) from None
        return written
    try:
        with file.open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                written += handle.write(chunk)
    except OSError as exc:
        raise ReadylintError(f"cannot write: {exc.strerror or exc}", path=str(file)) from None
    return written


def emit(result: RunResult, outputs: Sequence[Output], *, color: bool, quiet: bool) -> None:
    """Render and write every output; errors and notices a format would hide go to stderr."""
    markdown = 0  # characters of the longest Markdown report
    for out in outputs:
        options = ReportOptions(
            color=color and out.file is None and out.format == "text", quiet=quiet
        )
        written = write_chunks(
            STREAMERS[out.format](result, options), out.file, color=options.color
        )
        if out.format == "markdown":
            markdown = max(markdown, written)
    on_stdout = {o.format for o in outputs if o.file is None}
    if result.errors and not on_stdout & _SHOWS_ERRORS:
        for error in result.errors:
            click.echo(printable(str(error)), err=True)
    if result.notices and not quiet and not on_stdout & _SHOWS_NOTICES:
        for notice in result.notices:
            click.echo(f"readylint: note: {printable(notice)}", err=True)
    if any(o.format == "github" for o in outputs):
        append_step_summary(result)
    count = result.finding_count
    if count > SARIF_RESULTS_LIMIT and not quiet and any(o.format == "sarif" for o in outputs):
        click.echo(
            f"readylint: note: the SARIF report holds {count:,} results; GitHub code scanning "
            f"rejects a run of more than {SARIF_RESULTS_LIMIT:,} (and shows 5,000): report "
            "fewer with --baseline, --changed-since or --select",
            err=True,
        )
    if markdown > COMMENT_LIMIT and not quiet:
        click.echo(
            f"readylint: note: the Markdown report is {markdown:,} characters; a GitHub comment "
            f"holds {COMMENT_LIMIT:,}: report fewer items with --changed-since, --top or "
            "--quiet (only items with findings)",
            err=True,
        )


def append_step_summary(result: RunResult, environ: Mapping[str, str] | None = None) -> bool:
    """Append the Markdown findings table to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    env = os.environ if environ is None else environ
    target = env.get(SUMMARY_ENV)
    if not target:
        return False
    from readylint.reporters.github import SUMMARY_LIMIT, step_summary

    path = Path(target)
    try:
        used = path.stat().st_size if path.exists() else 0
        text = step_summary(result, limit=max(SUMMARY_LIMIT - used, 4096))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ReadylintError(
            f"cannot write the step summary: {exc.strerror or exc}", path=target
        ) from None
    return True
