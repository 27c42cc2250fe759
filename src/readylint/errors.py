"""Exceptions that the CLI's single error boundary turns into exit code 2."""

from __future__ import annotations


class ReadylintError(Exception):
    """A problem the user can fix; its text is shown as one line, never with a traceback."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class ConfigError(ReadylintError):
    """The configuration file or a command-line option is invalid."""


class CheckDefinitionError(ReadylintError):
    """A check file is invalid."""


class SourceError(ReadylintError):
    """A backlog source could not be read (a file, a directory or a remote tracker)."""
