"""How paths are shown to users, and how much the files behind them hold."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def display_path(path: Path) -> str:
    """A path as shown to users: relative to the working directory when below it, POSIX style.

    Symbolic links are not followed, so a linked file is shown where it was named (and a broken
    link or a link loop still gets a name).
    """
    try:
        relative = Path(os.path.relpath(os.path.abspath(path)))  # noqa: PTH100 (no link following)
        if relative.parts[:1] != ("..",):
            return relative.as_posix()
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop, Python < 3.13
        return path.as_posix()


def bytes_at_least(files: Iterable[Path], limit: int) -> bool:
    """Whether these files hold ``limit`` bytes or more together (a file that cannot be read
    counts as empty; its reading reports it). Stops counting once the limit is reached."""
    return bytes_up_to(files, limit) >= limit


def bytes_up_to(files: Iterable[Path], limit: int) -> int:
    """How many bytes these files hold together, counted only until ``limit`` is reached (the
    count returned is then ``limit`` or more). A file that cannot be read counts as empty."""
    size = 0
    for path in files:
        if size >= limit:
            break
        try:
            size += path.stat().st_size
        except OSError:
            continue
    return size
