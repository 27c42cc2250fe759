"""Suppressions: readylint-ignore in YAML (every form), labels, and findings about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_support import lint_source
from readylint.config import Config
from readylint.models import RunResult, SourceResult
from readylint.sources.yaml_files import read_text

BASE = """
- id: S-1
  title: Save a cart
  customer_need: Shoppers lose their carts when they switch from phone to laptop.
  business_reason: Lost carts cost us about 2,000 orders a month in the last quarter.
  expected_outcome: Abandoned carts of signed-in shoppers fall from 40% to 30% within a quarter.
"""


def run(extra: str) -> RunResult:
    items, errors = read_text(BASE + extra, "s.yaml")
    assert errors == []
    return lint_source(SourceResult(items=items))


def findings(result: RunResult) -> list[tuple[str, str, str]]:
    return [(f.check, f.severity, f.message) for r in result.items for f in r.findings]


def test_without_suppression_the_trade_off_fails() -> None:
    assert [c for c, _, _ in findings(run(""))] == ["trade-off"]


def test_mapping_with_reason_suppresses() -> None:
    result = run('  readylint-ignore: {trade-off: "regulatory deadline, no alternative"}\n')
    assert findings(result) == []
    assert result.items[0].ready
    assert "1 finding suppressed by readylint-ignore" in result.notices
    assert result.items[0].item.suppressions[0].reason == "regulatory deadline, no alternative"
    assert result.items[0].item.suppressions[0].line == 7


@pytest.mark.parametrize(
    "extra",
    [
        "  readylint-ignore: [trade-off]\n",
        "  readylint-ignore: trade-off\n",
        "  readylint_ignore:\n    trade-off:\n",
        '  Readylint Ignore: {trade-off: ""}\n',
    ],
)
def test_suppression_without_reason_is_an_error(extra: str) -> None:
    result = run(extra)
    (finding,) = findings(result)
    assert finding[:2] == ("suppression", "error")
    assert "has no reason: write readylint-ignore: {trade-off:" in finding[2]
    assert not result.items[0].ready
    assert "suppression" in {c.id for c in result.checks}


def test_unknown_check_is_a_warning_with_a_suggestion() -> None:
    result = run('  readylint-ignore: {trade-of: "we know"}\n')
    got = findings(result)
    assert ("trade-off", "error") in {(c, s) for c, s, _ in got}
    (warning,) = [f for f in got if f[0] == "suppression"]
    assert warning[1] == "warning" and "did you mean 'trade-off'?" in warning[2]


def test_check_ids_match_whatever_the_spelling() -> None:
    assert findings(run('  readylint-ignore: {Trade_Off: "deadline"}\n')) == []


def test_unused_suppression_is_a_warning() -> None:
    result = run(
        "  trade_off: We postpone the wishlist by a sprint.\n"
        '  readylint-ignore: {customer-need: "obvious"}\n'
    )
    (finding,) = findings(result)
    assert finding[:2] == ("suppression", "warning")
    assert "suppresses nothing: the item passes 'customer-need'; remove it" in finding[2]


def test_label_suppresses_for_any_source() -> None:
    result = run("  labels: [checkout, readylint-ignore-trade-off]\n")
    assert findings(result) == []


def test_unselected_check_is_not_reported_as_unused(tmp_path: Path) -> None:
    items, _ = read_text(BASE + '  readylint-ignore: {customer-need: "ok"}\n', "s.yaml")
    config = Config(root=tmp_path, select=("trade-off",))
    result = lint_source(SourceResult(items=items), config)
    assert [c for c, _, _ in findings(result)] == ["trade-off"]


def test_unknown_key_check_does_not_flag_the_ignore_key() -> None:
    result = run('  readylint-ignore: {trade-off: "deadline"}\n')
    assert "unknown-key" not in {c for c, _, _ in findings(result)}
    assert "readylint_ignore" not in result.items[0].item.fields
