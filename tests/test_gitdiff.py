"""--changed-since: diff parsing and a real git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from readylint.cli import main
from readylint.gitdiff import _unquote, parse_diff

DIFF = """\
diff --git a/backlog/a.yaml b/backlog/a.yaml
index 1..2 100644
--- a/backlog/a.yaml
+++ b/backlog/a.yaml
@@ -3 +3 @@
-old
+new
@@ -10,2 +11,0 @@
-gone
-gone
@@ -20,0 +21,3 @@
+x
+y
+z
diff --git a/removed.yaml b/removed.yaml
--- a/removed.yaml
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
diff --git "a/sp ace\\303\\251.yaml" "b/sp ace\\303\\251.yaml"
--- "a/sp ace\\303\\251.yaml"
+++ "b/sp ace\\303\\251.yaml"
@@ -0,0 +1 @@
+new
"""


def test_parse_diff() -> None:
    assert parse_diff(DIFF) == {"backlog/a.yaml": {3, 11, 21, 22, 23}, "sp aceé.yaml": {1}}


def test_unquote() -> None:
    assert _unquote('"a\\tb\\"c"') == 'a\tb"c'
    assert _unquote("plain.yaml") == "plain.yaml"


ITEMS = """\
# header
- id: G-1
  rank: 1
  title: First
  trade_off: We postpone the wishlist by one sprint to build this first.
- id: G-2
  rank: 2
  title: Second
  trade_off: We postpone the loyalty pilot by one sprint to build this.
- id: G-3
  rank: 3
  title: Third
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "items.yaml").write_text(ITEMS, encoding="utf-8")
    (tmp_path / ".readylint.yaml").write_text("paths: [backlog]\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "backlog")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)
    return tmp_path


def reported(out: str) -> set[str]:
    return {
        line.split(": ")[1].split()[0]
        for line in out.splitlines()
        if ": G-" in line or ": N-" in line
    }


def test_only_changed_items_are_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--changed-since", "HEAD"]) == 0
    assert "No items to check" in capsys.readouterr().out
    path = repo / "backlog" / "items.yaml"
    path.write_text(ITEMS.replace("  title: Second\n", "  title: Second item\n"), encoding="utf-8")
    assert main(["check", "--changed-since", "HEAD", "-q"]) == 1
    out = capsys.readouterr().out
    assert reported(out) == {"G-2"}
    # The whole backlog is context: G-2 is not last, so it needs an ordering rationale.
    assert "G-2 ordering-rationale" in out


def test_untracked_files_count_as_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "backlog" / "new.yaml").write_text(
        "- id: N-1\n  rank: 9\n  title: New\n", encoding="utf-8"
    )
    main(["check", "--changed-since", "HEAD", "-q"])
    assert reported(capsys.readouterr().out) == {"N-1"}


def test_bad_ref_is_one_line_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--changed-since", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert "'no-such-branch' is not a commit in this repository" in err
    assert len(err.strip().splitlines()) == 1


def test_outside_a_repository_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["check", "--changed-since", "HEAD"]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_a_ref_that_looks_like_an_option_never_reaches_git(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 'git diff --output=FILE' writes a file: a ref is refused before any git command sees it.
    assert main(["check", "--changed-since=--output=pwned.txt"]) == 2
    assert "'--output=pwned.txt' looks like an option" in capsys.readouterr().err
    assert not (repo / "pwned.txt").exists()
