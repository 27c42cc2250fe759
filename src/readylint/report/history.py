"""The trend file: one JSON object per run, one run per line (JSON Lines), appended each time.

A line looks like::

    {"time": "2026-11-02T09:30:00Z", "version": "0.1.0", "items": 11, "ready": 5,
     "ready_share": 0.4545, "checks": {"trade-off": {"fail": 3, "warn": 0}, ...},
     "commit": "3f2c...", "query": null}

``commit`` is ``git rev-parse HEAD`` of the repository holding the backlog (null outside git);
``query`` is the tracker query for a Jira backlog (null for YAML). A CI job keeps the file as an
artifact, or commits it, and the page draws readiness over time from it.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readylint.errors import ReadylintError
from readylint.models import InputError, RunResult

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


@dataclass(frozen=True)
class Entry:
    """One run's summary."""

    time: str
    items: int
    ready: int
    checks: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    commit: str | None = None
    query: str | None = None
    version: str | None = None

    @property
    def ready_share(self) -> float:
        return self.ready / self.items if self.items else 0.0

    @property
    def label(self) -> str:
        """What the run was taken from: a short commit, the query, or nothing."""
        if self.commit:
            return f"commit {self.commit[:10]}"
        return f"query {self.query}" if self.query else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "version": self.version,
            "items": self.items,
            "ready": self.ready,
            "ready_share": round(self.ready_share, 4),
            "checks": {k: dict(v) for k, v in self.checks.items()},
            "commit": self.commit,
            "query": self.query,
        }


def summarise(result: RunResult, *, time: str, commit: str | None, query: str | None) -> Entry:
    """This run as a trend entry: items and ready counts, and items failing/warning per check."""
    checks: dict[str, dict[str, int]] = {c.id: {"fail": 0, "warn": 0} for c in result.checks}
    for item in result.items:
        worst: dict[str, str] = {}
        for finding in item.findings:
            if worst.get(finding.check) != "error":
                worst[finding.check] = finding.severity
        for check, severity in worst.items():
            counts = checks.setdefault(check, {"fail": 0, "warn": 0})
            counts["fail" if severity == "error" else "warn"] += 1
    return Entry(
        time=time,
        items=len(result.items),
        ready=result.ready_count,
        checks=checks,
        commit=commit,
        query=query,
        version=result.version,
    )


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _entry(data: object) -> Entry | str:
    """An entry from one parsed line, or what is wrong with it."""
    if not isinstance(data, dict):
        return "a line must be a JSON object with 'time', 'items' and 'ready'"
    time, items, ready = data.get("time"), _count(data.get("items")), _count(data.get("ready"))
    if not isinstance(time, str) or not time:
        return "'time' must be a non-empty string (ISO 8601)"
    if items is None or ready is None or ready > items:
        return "'items' and 'ready' must be whole numbers with ready <= items"
    raw_checks = data.get("checks") or {}
    checks: dict[str, dict[str, int]] = {}
    if isinstance(raw_checks, dict):
        for name, counts in raw_checks.items():
            if isinstance(counts, dict):
                checks[str(name)] = {
                    k: n for k in ("fail", "warn") if (n := _count(counts.get(k))) is not None
                }
    commit, query, version = data.get("commit"), data.get("query"), data.get("version")
    return Entry(
        time=time,
        items=items,
        ready=ready,
        checks=checks,
        commit=commit if isinstance(commit, str) else None,
        query=query if isinstance(query, str) else None,
        version=version if isinstance(version, str) else None,
    )


def read(path: Path) -> tuple[list[Entry], list[InputError]]:
    """The entries of a trend file (none if it does not exist yet) and one error per bad line.

    A bad line is reported (file and line) and left out of the chart; the other lines still count.
    """
    shown = path.as_posix()
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return [], []
    except UnicodeDecodeError:
        return [], [InputError("history file is not UTF-8 text", path=shown)]
    except OSError as exc:
        raise ReadylintError(f"cannot read history: {exc.strerror or exc}", path=shown) from None
    entries: list[Entry] = []
    errors: list[InputError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(
                InputError(f"history line is not JSON ({exc.msg}); fix or delete it", shown, number)
            )
            continue
        entry = _entry(parsed)
        if isinstance(entry, str):
            errors.append(InputError(f"history line skipped: {entry}", shown, number))
        else:
            entries.append(entry)
    return entries, errors


def append(path: Path, entry: Entry) -> None:
    """Add one line to the trend file, creating it; a last line without newline is completed."""
    line = json.dumps(entry.as_dict(), ensure_ascii=False, sort_keys=False) + "\n"
    try:
        with path.open("ab+") as handle:
            handle.seek(0, 2)
            if handle.tell() > 0:
                handle.seek(-1, 2)
                if handle.read(1) != b"\n":
                    line = "\n" + line
            handle.write(line.encode("utf-8"))
    except OSError as exc:
        raise ReadylintError(
            f"cannot write history: {exc.strerror or exc}", path=path.as_posix()
        ) from None


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(directory: Path) -> str | None:
    """``git rev-parse HEAD`` in ``directory``, or None outside a repository or without git."""
    sha = _git(directory, "rev-parse", "HEAD")
    return sha if sha and _SHA.match(sha) else None


def git_root(directory: Path) -> Path | None:
    """The top directory of the git work tree holding ``directory``, or None."""
    top = _git(directory, "rev-parse", "--show-toplevel")
    return Path(top) if top else None
