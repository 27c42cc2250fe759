"""Hostile file systems (issue 7): symlink loops, broken links, linked and unreadable directories,
unreadable files. Each is one error (or notice) naming the path; the other files are still read.

The chmod tests need a user that permissions apply to: root reads a mode-000 file anyway, so they
are skipped when running as root (the monkeypatched versions below cover the same code paths).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import Run, ready_items

Write = Callable[[str, str], Path]
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_permissions = pytest.mark.skipif(
    AS_ROOT, reason="running as root: chmod 000 does not stop root from reading"
)


@pytest.fixture
def backlog(write: Write, tmp_path: Path) -> Path:
    """backlog/ with one good file, a symlink loop, a link to the parent, a broken link and a
    linked directory."""
    write("backlog/good.yaml", ready_items("G-1"))
    write("elsewhere/more.yaml", ready_items("E-1"))
    root = tmp_path / "backlog"
    (root / "loop.yaml").symlink_to("loop.yaml")
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    (root / "broken.yaml").symlink_to("missing.yaml")
    (root / "up").symlink_to("..")
    (root / "linked").symlink_to(tmp_path / "elsewhere")
    return root


def test_symlink_loops_and_broken_links_are_named(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check", "--format", "json", "backlog")
    data = json.loads(result.out)
    assert result.code == 2
    assert [i["id"] for i in data["items"]] == ["G-1"]
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert errors == {
        "backlog/a.yaml": "symbolic link loop",
        "backlog/b.yaml": "symbolic link loop",
        "backlog/loop.yaml": "symbolic link loop",
        "backlog/broken.yaml": "broken symbolic link (its target does not exist)",
    }
    text = run("check", "backlog").out
    assert (
        "note: not following linked directories backlog/linked, backlog/up; name a linked "
        "directory as an argument to check it\n"
    ) in text


def test_links_named_as_arguments(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check", "backlog/loop.yaml", "backlog/broken.yaml", "backlog/linked")
    assert result.code == 2
    assert "backlog/loop.yaml: error: symbolic link loop" in result.out
    assert "backlog/broken.yaml: error: broken symbolic link" in result.out
    assert "All 1 items pass" in result.out  # E-1, through the linked directory named


def test_a_linked_file_is_shown_where_it_was_named(run: Callable[..., Run], write: Write) -> None:
    target = write("real/items.yaml", "- id: L-1\n  title: t\n")
    Path("backlog").mkdir()
    Path("backlog/items.yaml").symlink_to(target)
    result = run("check", "--select", "customer-need", "backlog")
    assert result.out.startswith("backlog/items.yaml:1: L-1 customer-need"), result.out


@needs_permissions
def test_unreadable_file_with_chmod(run: Callable[..., Run], write: Write) -> None:
    secret = write("backlog/secret.yaml", ready_items("S-1"))
    write("backlog/open.yaml", ready_items("O-1"))
    secret.chmod(0)
    try:
        result = run("check", "backlog")
    finally:
        secret.chmod(0o644)
    assert result.code == 2
    assert "backlog/secret.yaml: error: cannot read: Permission denied" in result.out
    assert "All 1 items pass" in result.out


@needs_permissions
def test_unreadable_directory_with_chmod(run: Callable[..., Run], write: Write) -> None:
    write("backlog/closed/hidden.yaml", ready_items("H-1"))
    write("backlog/open.yaml", ready_items("O-1"))
    closed = Path("backlog/closed")
    closed.chmod(0)
    try:
        result = run("check", "backlog")
    finally:
        closed.chmod(0o755)
    assert result.code == 2
    assert "backlog/closed: error: cannot read directory: Permission denied" in result.out


def test_unreadable_directory(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same as the chmod test, for every user: os.walk reports the directory it cannot list.
    write("backlog/closed/hidden.yaml", ready_items("H-1"))
    write("backlog/open.yaml", ready_items("O-1"))
    real = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path).name == "closed":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("check", "backlog")
    assert result.code == 2
    assert "backlog/closed: error: cannot read directory: Permission denied" in result.out
    assert "All 1 items pass" in result.out


def test_unreadable_config(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("b.yaml", ready_items("A-1"))
    config = write(".readylint.yaml", "fail_on: never\n")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == config.name:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    result = run("check", "b.yaml")
    assert result.code == 2
    assert result.err == "readylint: error: .readylint.yaml: cannot read: Permission denied\n"


def test_unreadable_check_directory(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("b.yaml", ready_items("A-1"))
    write(".readylint.yaml", "check_paths: [team]\n")
    write("team/x.yaml", "id: x\n")
    real = Path.iterdir

    def deny(self: Path) -> Iterator[Path]:
        if self.name == "team":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", deny)
    result = run("check", "b.yaml")
    assert result.code == 2
    assert result.err == "readylint: error: team: cannot read check directory: Permission denied\n"


def test_a_broken_link_to_a_check_file_is_an_error(run: Callable[..., Run], write: Write) -> None:
    write("b.yaml", ready_items("A-1"))
    write(".readylint.yaml", "check_paths: [team]\n")
    Path("team").mkdir()
    Path("team/gone.yaml").symlink_to("nowhere.yaml")
    result = run("check", "b.yaml")
    assert result.code == 2 and "team/gone.yaml: cannot read" in result.err, result.err
