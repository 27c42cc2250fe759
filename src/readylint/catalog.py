"""Find and load the built-in checks and a team's own check directories."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from readylint.definitions import CheckDefinition, load_check
from readylint.errors import CheckDefinitionError
from readylint.paths import display_path


def builtin_checks_dir() -> Path:
    """``readylint/builtin_checks`` in a wheel; the repository's ``checks/`` in a checkout.

    An editable install puts the force-included data next to site-packages, not under ``src/``,
    so the checkout's directory is the fallback.
    """
    packaged = Path(__file__).parent / "builtin_checks"
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2] / "checks"
    if repo.is_dir():
        return repo
    raise CheckDefinitionError("built-in checks not found; the installation is broken")


def check_files(directory: Path) -> list[Path]:
    """The check files of a directory; a broken link is kept, so that loading it is an error."""
    try:
        entries = list(directory.iterdir())
    except OSError as exc:
        raise CheckDefinitionError(
            f"cannot read check directory: {exc.strerror or exc}", path=display_path(directory)
        ) from None
    return sorted(
        p for p in entries if p.suffix in (".yaml", ".yml") and (p.is_file() or p.is_symlink())
    )


def load_checks(extra_dirs: Sequence[Path] = ()) -> list[CheckDefinition]:
    """Built-in checks first, then each extra directory's, in file-name order."""
    checks: list[CheckDefinition] = []
    origin: dict[str, Path] = {}
    for directory in (builtin_checks_dir(), *extra_dirs):
        if not directory.is_dir():
            raise CheckDefinitionError("check directory not found", path=display_path(directory))
        for path in check_files(directory):
            check = load_check(path)
            if check.id in origin:
                raise CheckDefinitionError(
                    f"check id '{check.id}' is already defined in {display_path(origin[check.id])}",
                    path=display_path(path),
                )
            origin[check.id] = path
            checks.append(check)
    return sorted(checks, key=lambda c: c.order)
