"""Turn pydantic validation errors into one line that names the file, line and key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pydantic import ValidationError

from readylint.keys import suggest
from readylint.yamlio import LinePath, line_for


def describe(
    exc: ValidationError,
    lines: dict[LinePath, int],
    known: Mapping[tuple[str | int, ...], Iterable[str]],
) -> tuple[str, int | None]:
    """The first error as (message, line). ``known`` lists the valid keys per location."""
    errors = exc.errors()
    # An unknown key is usually the cause of a "missing" one (a misspelling): report it first.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(error["loc"])
    dotted = ".".join(str(part) for part in loc) or "(top level)"
    line = line_for(lines, loc)
    if error["type"] == "extra_forbidden":
        name = str(loc[-1])
        hint = suggest(name, known.get(loc[:-1], ()), cutoff=0.7)
        extra = f" (did you mean '{hint}'?)" if hint else ""
        return f"unknown key '{dotted}'{extra}", line
    if error["type"] == "missing":
        return f"missing required key '{dotted}'", line
    message = error["msg"].removeprefix("Value error, ")
    return f"{dotted}: {message}", line
