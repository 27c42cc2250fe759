"""``--changed-since REF``: which items' YAML changed since a git ref.

An item is changed when a line added or modified since REF (``git diff REF``, which includes
uncommitted changes) falls within its span: from its first line to the line before the next item
in the same file. A deletion marks the line it follows. Untracked YAML files count as wholly new.
Paths are compared after resolving, so the working directory may be anywhere in the repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from readylint.errors import ReadylintError
from readylint.models import BacklogItem

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
ALL = None  # a file whose every line counts as changed
Changes = dict[Path, set[int] | None]


def _git(args: list[str], cwd: Path) -> str:
    git = shutil.which("git")
    if git is None:
        raise ReadylintError("--changed-since needs git on PATH")
    process = subprocess.run(
        [git, "-c", "core.quotepath=off", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if process.returncode != 0:
        detail = (process.stderr.strip().splitlines() or ["git failed"])[0]
        raise ReadylintError(f"--changed-since: git {args[0]}: {detail}")
    return process.stdout


_ESCAPES = {"t": b"\t", "n": b"\n", "r": b"\r", '"': b'"', "\\": b"\\", "a": b"\a", "b": b"\b",
            "f": b"\f", "v": b"\v"}  # fmt: skip


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths (``"a\\tb"``, octal-escaped bytes)."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    body = path[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            if following in "01234567":
                out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
                index += 4
                continue
            out += _ESCAPES.get(following, following.encode("utf-8"))
            index += 2
            continue
        out += char.encode("utf-8")
        index += 1
    return out.decode("utf-8", "replace")


def parse_diff(diff: str) -> dict[str, set[int]]:
    """Added or modified line numbers (in the new version) per repository-relative path."""
    changed: dict[str, set[int]] = defaultdict(set)
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            current = None if target == "/dev/null" else target.removeprefix("b/")
            continue
        if current is None:
            continue
        match = _HUNK.match(line)
        if match:
            start = int(match.group(1))
            count = int(match.group(2)) if match.group(2) is not None else 1
            if count == 0:  # a pure deletion after line ``start``
                changed[current].add(max(start, 1))
            else:
                changed[current].update(range(start, start + count))
    return dict(changed)


def changed_lines(ref: str, cwd: Path | None = None) -> Changes:
    """Changed lines per resolved file path since ``ref``, plus untracked files as wholly new."""
    if ref.startswith("-"):  # it would reach git as an option (git diff --output=FILE writes)
        raise ReadylintError(
            f"--changed-since: '{ref}' looks like an option; give a branch, tag or commit id"
        )
    here = (cwd or Path.cwd()).resolve()
    root = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], here)
    except ReadylintError:
        raise ReadylintError(
            f"--changed-since: '{ref}' is not a commit in this repository "
            "(use a branch, tag or commit id, e.g. origin/main; shallow clones need fetch-depth: 0)"
        ) from None
    diff = _git(
        ["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames", ref, "--"], root
    )
    result: Changes = {(root / p).resolve(): lines for p, lines in parse_diff(diff).items()}
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    for name in untracked.split("\0"):
        if name:
            result[(root / name).resolve()] = ALL
    return result


ItemKey = tuple[str | None, int | None, int]


def item_key(item: BacklogItem) -> ItemKey:
    """What tells one read item from the others: its path, line and reading order (not its
    ``id()``: a large backlog's items are built again each time they are read, ``itemtable``)."""
    return (item.location.path, item.location.line, item.order)


def changed_items(items: Iterable[BacklogItem], changes: Changes) -> set[ItemKey]:
    """``item_key`` of every item whose span holds a changed line (items without a path never
    do)."""
    by_file: dict[Path, list[BacklogItem]] = defaultdict(list)
    for item in items:
        if item.location.path is not None:
            by_file[Path(item.location.path).resolve()].append(item)
    hit: set[ItemKey] = set()
    for path, file_items in by_file.items():
        if path not in changes:
            continue
        lines = changes[path]
        if lines is ALL:
            hit.update(item_key(i) for i in file_items)
            continue
        ordered = sorted(file_items, key=lambda i: i.location.line or 0)
        for index, item in enumerate(ordered):
            start = item.location.line or 1
            end = (
                (ordered[index + 1].location.line or start + 1) - 1
                if index + 1 < len(ordered)
                else None
            )
            if any(line >= start and (end is None or line <= end) for line in lines):
                hit.add(item_key(item))
        # Lines above the first item (a file header) belong to no item.
    return hit


def predicate(items: Iterable[BacklogItem], ref: str) -> Callable[[BacklogItem], bool]:
    """A ``report=`` filter for ``app.lint``: only items changed since ``ref``."""
    hit = changed_items(items, changed_lines(ref))
    return lambda item: item_key(item) in hit
