"""GitLab Code Quality reporter: golden output, required fields, fingerprints, Jira items."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ci_support import DATA, check_golden, fixture_result, jira_result, lint_source
from readylint import app
from readylint.config import Config
from readylint.models import RunResult
from readylint.reporters import REPORTERS, ReportOptions


def gitlab(result: RunResult) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(REPORTERS["gitlab"](result, ReportOptions()))
    return data


def test_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden(
        "report.gitlab.json", REPORTERS["gitlab"](fixture_result(monkeypatch), ReportOptions())
    )


def test_required_fields_and_severities(monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch)
    issues = gitlab(result)
    assert len(issues) == result.finding_count
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["path"] == "backlog/board.yaml"
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_check = {i["check_name"]: i["severity"] for i in issues}
    assert by_check["trade-off"] == "major" and by_check["unknown-key"] == "minor"


def test_no_bom_and_input_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    result = lint_source(app.read_yaml_backlog(["backlog", "gone.yaml"], Config(root=DATA)))
    text = REPORTERS["gitlab"](result, ReportOptions())
    assert text.startswith("[")
    blocker = gitlab(result)[0]
    assert blocker["severity"] == "blocker" and blocker["location"]["path"] == "gone.yaml"


def test_jira_items_use_the_key_as_path() -> None:
    issues = gitlab(jira_result())
    assert issues
    for issue in issues:
        assert issue["location"] == {"path": "PROJ-2", "lines": {"begin": 1}}
        assert issue["description"].endswith("(https://example.atlassian.net/browse/PROJ-2)")
