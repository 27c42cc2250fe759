"""A progress line on the terminal for runs longer than about a second.

Only on standard error, only when it is a terminal (not a dumb one, and not in CI), never with
``--quiet``; nothing appears for a run that ends within the first second, the line is redrawn at
most ten times a second, and it is erased before the report is written. A message written while
it shows (a Jira retry, say) goes through ``Progress.echo``, on a line of its own. Output to
files, pipes and CI logs is therefore byte-for-byte the same with and without it.

YAML files are counted as they are checked (``pipeline.read_and_check``); a Jira read says how
many issues it has read (``Progress.say``, from ``sources/jira_source.py``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

DELAY = 1.0  # seconds before the line first appears
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """Counts files and items as they are read and checked, and shows the count.

    ``stream`` must be a terminal (see ``for_terminal``); ``clock`` is for tests.
    """

    def __init__(
        self,
        total_files: int | None,
        stream: TextIO,
        *,
        delay: float | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total_files = total_files
        self.files = 0
        self.items = 0
        self.partial = 0  # items checked so far in a file not done yet (``part_done``)
        self._said: str | None = None  # shown instead of the count (``say``)
        self._stream = stream
        self._interval = INTERVAL if interval is None else interval
        self._clock = clock
        self._next = clock() + (DELAY if delay is None else delay)  # when it may be drawn next
        self._width = 0  # characters on screen now (0: nothing drawn)
        self._columns: int | None = None

    def advance(self, files: int = 1, items: int = 0, total_files: int | None = None) -> None:
        """Count ``files`` more files holding ``items`` items; redraw if it is time."""
        self.files += files
        self.items += items
        self.partial = 0
        if total_files is not None:
            self.total_files = total_files
        self._tick()

    def file_done(self, items: int, total_files: int) -> None:
        """One more file read, holding ``items`` items, of ``total_files``."""
        self.advance(1, items, total_files)

    def part_done(self, items: int) -> None:
        """``items`` items of the file being read are checked so far (a large file, read a part
        at a time: ``pipeline._check_streamed``); they are counted with the file once it is
        done. 0: the file is being read again, whole."""
        self.partial = items
        self._tick()

    def say(self, text: str) -> None:
        """Show ``text`` instead of the count of files (what a Jira read has done so far)."""
        self._said = text
        self._tick()

    def echo(self, message: str) -> None:
        """Write ``message`` as a line of its own: the progress line, if one is drawn, is erased
        first and drawn again below it. In one write, so that lines from threads do not mix."""
        out = message + "\n"
        if self._width:
            out = "\r" + " " * self._width + "\r" + out
            self._width = 0
            line = self._fit(self.text())
            out += line
            self._width = len(line)
        self._stream.write(out)
        self._stream.flush()

    def text(self) -> str:
        if self._said is not None:
            return f"readylint: {self._said}"
        files = f"{self.files:,}" + (f"/{self.total_files:,}" if self.total_files else "")
        noun = "file" if (self.total_files or self.files) == 1 else "files"
        return f"readylint: checked {files} {noun}, {self.items + self.partial:,} items"

    def _tick(self) -> None:
        """Redraw if it is time."""
        now = self._clock()
        if now >= self._next:
            self._next = now + self._interval
            self._draw(self.text())

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
        self._next = float("inf")  # nothing more after close

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _draw(self, text: str) -> None:
        text = self._fit(text)
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(text))

    def _fit(self, text: str) -> str:
        """``text`` cut to the terminal's width: a wrapped line could not be erased."""
        if self._columns is None:
            import shutil

            self._columns = shutil.get_terminal_size().columns
        return text[: max(self._columns - 1, 0)]


def for_terminal(stream: TextIO, *, quiet: bool = False) -> Progress | None:
    """A ``Progress`` on ``stream`` when it is an interactive terminal and the run is not quiet,
    else None. Not in CI (``CI`` set: a job's log may be a terminal that keeps every redraw), nor
    on a terminal that cannot return to the start of a line (``TERM=dumb``)."""
    if quiet or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return None
    isatty = getattr(stream, "isatty", None)
    try:
        terminal = bool(isatty and isatty())
    except ValueError:  # a closed stream
        return None
    return Progress(None, stream) if terminal else None
