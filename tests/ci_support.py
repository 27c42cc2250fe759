"""Shared fixtures for the CI-format, baseline, suppression and pre-commit tests (issue 4)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from readylint import app, suppress
from readylint.config import Config
from readylint.models import BacklogItem, FieldValue, Location, RunResult, SourceResult

DATA = Path(__file__).parent / "data" / "ci"
GOLDEN = DATA / "golden"
TEST_VERSION = "0.0.0+test"
UPDATE = bool(os.environ.get("READYLINT_UPDATE_GOLDEN"))


def lint_source(source: SourceResult, config: Config | None = None) -> RunResult:
    config = config or Config(root=DATA)
    engine, chosen = app.build_engine(config, app.Selection())
    result = app.lint(source, engine, chosen)
    result = suppress.apply(result, [c.id for c in app.all_checks(config)])
    return dataclasses.replace(result, version=TEST_VERSION)


def fixture_result(monkeypatch: pytest.MonkeyPatch) -> RunResult:
    """The run on tests/data/ci/backlog, with paths relative to tests/data/ci."""
    monkeypatch.chdir(DATA)
    config = Config(root=DATA)
    return lint_source(app.read_yaml_backlog(["backlog"], config), config)


def jira_result() -> RunResult:
    """Tracker items: a browse URL and no file or line."""

    def item(key: str, order: int, labels: tuple[str, ...] = (), **fields: str) -> BacklogItem:
        return BacklogItem(
            id=key,
            title=f"Issue {key}",
            location=Location(url=f"https://example.atlassian.net/browse/{key}"),
            labels=labels,
            fields={k: FieldValue(v, None, k) for k, v in fields.items()},
            order=order,
        )

    items = [
        item(
            "PROJ-1",
            0,
            customer_need="Warehouse staff cannot see which orders are late today.",
            business_reason="Late orders cost us about 300 refunds a month in the north region.",
            trade_off="We postpone the returns dashboard by a sprint to build this first.",
            expected_outcome="Late orders fall from 6% to 3% within two months of launch.",
            why_now="The peak season starts in November and PROJ-2 depends on this view.",
        ),
        item("PROJ-2", 1, labels=("readylint-ignore-trade-off", "warehouse")),
    ]
    return lint_source(SourceResult(items=items))


def check_golden(name: str, text: str) -> None:
    """Compare with tests/data/ci/golden/NAME; READYLINT_UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with READYLINT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")
