"""Markdown reporter: golden output, table cells, quiet mode, Jira links."""

from __future__ import annotations

import pytest

from ci_support import check_golden, fixture_result, jira_result
from readylint.models import BacklogItem, Finding, ItemResult, Location, RunResult
from readylint.reporters import REPORTERS, ReportOptions
from readylint.reporters.markdown import cell


def test_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden("report.md", REPORTERS["markdown"](fixture_result(monkeypatch), ReportOptions()))


def test_table_has_a_row_per_item_and_a_column_per_check(monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch)
    text = REPORTERS["markdown"](result, ReportOptions())
    rows = [x for x in text.splitlines() if x.startswith("| ") and x[2:3].isdigit()]
    assert len(rows) == 5
    assert all(r.count("|") == 3 + len(result.checks) + 1 for r in rows)
    ci2 = next(r for r in rows if "CI-2" in r)
    assert ci2.count("❌") == 2
    quiet = REPORTERS["markdown"](result, ReportOptions(quiet=True))
    assert "| 1 | CI-1 |" not in quiet and "| 2 | CI-2 |" in quiet


def test_cells_escape_pipes_and_newlines() -> None:
    assert cell("a | b\nc <x>") == "a \\| b c &lt;x&gt;"
    item = BacklogItem(id="P-1", title="pipe | title", location=Location(path="a.yaml", line=1))
    result = RunResult(
        version="t", items=[ItemResult(item, 1, [Finding("trade-off", "error", "m|n", 2)])]
    )
    text = REPORTERS["markdown"](result, ReportOptions())
    assert "pipe \\| title" in text and "m\\|n" in text


def test_jira_items_link_to_the_issue() -> None:
    text = REPORTERS["markdown"](jira_result(), ReportOptions())
    assert "[PROJ-2](https://example.atlassian.net/browse/PROJ-2)" in text
    assert "(line" not in text
