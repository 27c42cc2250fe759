"""Named files (pre-commit): report only their items, with the whole backlog as context."""

from __future__ import annotations

from pathlib import Path

import pytest

from readylint.cli import main

FIRST = """
- id: A-1
  rank: 1
  title: Save a cart
  customer_need: Shoppers lose their carts when they switch from phone to laptop.
  business_reason: Lost carts cost us about 2,000 orders a month in the last quarter.
  trade_off: We postpone the wishlist by one sprint to build this first.
  expected_outcome: Abandoned carts of signed-in shoppers fall from 40% to 30% within a quarter.
"""
SECOND = """
- id: B-1
  rank: 2
  title: Gift cards
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "a.yaml").write_text(FIRST, encoding="utf-8")
    (tmp_path / "backlog" / "b.yaml").write_text(SECOND, encoding="utf-8")
    (tmp_path / "backlog" / "old.yaml").write_text("- id: OLD-1\n  title: Old\n", encoding="utf-8")
    (tmp_path / "other.yaml").write_text("repos: []\n", encoding="utf-8")
    (tmp_path / ".readylint.yaml").write_text(
        "paths: [backlog]\nexclude: ['backlog/old.yaml']\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)
    return tmp_path


def test_named_file_reports_only_its_items_with_backlog_context(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A-1 is followed by B-1 in the whole backlog, so it needs an ordering rationale.
    assert main(["check", "backlog/a.yaml"]) == 1
    out = capsys.readouterr().out
    assert "A-1 ordering-rationale" in out
    assert "B-1" not in out
    assert "1 of 1 items reported (of 2 in the backlog) fail" in out


def test_files_outside_paths_or_excluded_are_skipped(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "other.yaml", "backlog/old.yaml"]) == 0
    out = capsys.readouterr().out
    assert (
        "note: skipped 2 files outside the backlog (not under paths: backlog or matches "
        "exclude (backlog/old.yaml)): backlog/old.yaml, other.yaml" in out
    )
    assert "No items to check" in out


def test_missing_named_file_is_an_input_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "backlog/gone.yaml"]) == 2
    assert "backlog/gone.yaml: error: no such file or directory" in capsys.readouterr().out


def test_without_config_paths_the_named_files_are_the_backlog(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / ".readylint.yaml").write_text("fail_on: error\n", encoding="utf-8")
    # A-1 is alone, so it is last and needs no ordering rationale.
    assert main(["check", "backlog/a.yaml"]) == 0
    assert "All 1 items pass" in capsys.readouterr().out


def test_the_named_files_filter_on_columns_chooses_what_it_chooses_item_by_item(
    tmp_path: Path,
) -> None:
    """A large backlog's items are columns (``ItemTable``): the named files' items are found
    there (``Ordered.in_files``) without building each item, and they are the ones the same
    filter picks item by item, in backlog order, with ``--top`` too."""
    from readylint import app
    from readylint.config import Config
    from readylint.itemtable import ItemTable
    from readylint.models import InFiles

    for number, name in enumerate("abc"):  # ranks interleave the files in backlog order
        items = "".join(
            f"- id: {name.upper()}-{k}\n  rank: {3 * k + number + 1}\n  title: Item {k}\n"
            for k in range(4)
        )
        (tmp_path / f"{name}.yaml").write_text(items, encoding="utf-8")
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection())
    source = app.read_yaml_backlog([str(tmp_path)], config, engine)
    assert isinstance(source.items, ItemTable)
    named = InFiles(
        frozenset(
            i.location.path
            for i in source.items
            if i.location.path is not None and "b.yaml" not in i.location.path
        )
    )
    for top in (None, 5):
        on_columns = app.lint(source, engine, chosen, top=top, report=named)
        one_by_one = app.lint(source, engine, chosen, top=top, report=lambda item: named(item))
        ranks = [(r.item.id, r.rank) for r in on_columns.items]
        assert ranks == [(r.item.id, r.rank) for r in one_by_one.items]
        assert ranks and not any(i.startswith("B-") for i, _ in ranks)
    assert [i for i, _ in ranks] == ["A-0", "C-0", "A-1"]  # --top 5: A-0 B-0 C-0 A-1 B-1
