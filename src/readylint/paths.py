"""How paths are shown to users."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path) -> str:
    """A path as shown to users: relative to the working directory when below it, POSIX style."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()
