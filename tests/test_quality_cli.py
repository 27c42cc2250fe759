"""--strict on the command line and the per-check judgement options in the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from readylint.cli import main

BACKLOG = """\
- id: PAY-1
  title: Save a cart
  why_now: Do it before PAY-2 because the holiday campaign starts in six weeks.
- {id: PAY-2, title: Remind shoppers}
- {id: PAY-3, title: Share a cart}
- {id: PAY-4, title: Print a cart}
"""


@pytest.fixture
def backlog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "backlog.yaml"
    path.write_text(BACKLOG, encoding="utf-8")
    return path


def test_strict_flag_asks_for_the_next_three(
    backlog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "check",
        str(backlog),
        "--select",
        "ordering-rationale",
        "--top",
        "1",
        "--fail-on",
        "warning",
    ]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--strict"]) == 1
    assert "compare it with the next 3: PAY-2, PAY-3, PAY-4" in capsys.readouterr().out


def test_per_check_strict_and_compare_with_in_config(
    backlog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = backlog.parent / ".readylint.yaml"
    config.write_text(
        "checks:\n  ordering-rationale:\n    strict: true\n    compare_with: 2\n", encoding="utf-8"
    )
    assert (
        main(
            [
                "check",
                str(backlog),
                "--select",
                "ordering-rationale",
                "--top",
                "1",
                "--fail-on",
                "warning",
            ]
        )
        == 1
    )
    assert "compare it with the next 2: PAY-2, PAY-3" in capsys.readouterr().out


def test_an_unknown_check_option_names_the_line(
    backlog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = backlog.parent / ".readylint.yaml"
    config.write_text("checks:\n  trade-off:\n    require_label: true\n", encoding="utf-8")
    assert main(["check", str(backlog)]) == 2
    err = capsys.readouterr().err
    assert ".readylint.yaml:3" in err and "did you mean 'require_labels'" in err
