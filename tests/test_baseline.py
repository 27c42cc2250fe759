"""Baselines: write, apply, new findings fail, stale entries are named, bad files exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_support import DATA
from readylint.cli import main

BOARD = (DATA / "backlog" / "board.yaml").read_text(encoding="utf-8")
NEW_ITEM = """
  - id: CI-9
    rank: 9
    title: Gift cards
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "board.yaml").write_text(BOARD, encoding="utf-8")
    (tmp_path / ".readylint.yaml").write_text("paths: [backlog]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)
    return tmp_path


def test_round_trip(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    capsys.readouterr()
    assert main(["check", "--write-baseline", "baseline.json"]) == 0
    captured = capsys.readouterr()
    assert "wrote 8 findings to baseline baseline.json" in captured.err
    document = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert document["readylint_baseline"] == 1
    keys = [(e["item"], e["check"], e["count"]) for e in document["findings"]]
    assert ("CI-2", "trade-off", 1) in keys and ("CI-5", "suppression", 1) in keys
    assert keys == sorted(keys)
    assert all("line" not in e for e in document["findings"])

    # Same backlog, lines moved: still clean.
    board = repo / "backlog" / "board.yaml"
    board.write_text("# moved down\n\n" + board.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json"]) == 0
    out = capsys.readouterr().out
    assert "note: baseline baseline.json: 8 known findings hidden" in out

    # A new unready item fails, and only its findings are reported.
    board.write_text(board.read_text(encoding="utf-8") + NEW_ITEM, encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json", "-q"]) == 1
    out = capsys.readouterr().out
    reported = [line for line in out.splitlines() if ": CI-" in line]
    assert reported
    # CI-5 is no longer the last item, so its missing ordering rationale is new too.
    assert all(": CI-9 " in line or ": CI-5 ordering-rationale:" in line for line in reported)

    # Fixing a baselined item names the entry that no longer occurs.
    board.write_text(
        board.read_text(encoding="utf-8").replace(
            "trade_off: TBD", "trade_off: We drop the promo banner for a sprint."
        ),
        encoding="utf-8",
    )
    main(["check", "--baseline", "baseline.json"])
    out = capsys.readouterr().out
    assert "CI-2 trade-off (1 of 1 no longer occur)" in out
    assert "run --write-baseline baseline.json to shrink it" in out


def test_removed_item_is_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--write-baseline", "b.json"])
    board = repo / "backlog" / "board.yaml"
    text = board.read_text(encoding="utf-8")
    board.write_text(text[: text.index("  - id: CI-5")], encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--baseline", "b.json", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "CI-5 business-reason (the item is gone)" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "b.json:1: baseline is not valid JSON"),
        ('{"findings": []}', "not a readylint baseline"),
        ('{"readylint_baseline": 1, "findings": [{"item": 3}]}', "baseline entry 1 needs"),
    ],
)
def test_bad_baseline_is_one_line_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (repo / "b.json").write_text(content, encoding="utf-8")
    assert main(["check", "--baseline", "b.json"]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_missing_baseline_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--baseline", "nope.json"]) == 2
    assert "nope.json: cannot read baseline" in capsys.readouterr().err
