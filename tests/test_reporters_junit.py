"""JUnit reporter: golden output, parsed XML, unique (classname, name) pairs, Jira items."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from ci_support import DATA, check_golden, fixture_result, jira_result, lint_source
from readylint import app
from readylint.config import Config
from readylint.models import Finding, RunResult
from readylint.reporters import REPORTERS, ReportOptions


def junit(result: RunResult) -> ET.Element:
    return ET.fromstring(REPORTERS["junit"](result, ReportOptions()).encode("utf-8"))


def test_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden(
        "report.junit.xml", REPORTERS["junit"](fixture_result(monkeypatch), ReportOptions())
    )


def test_one_case_per_item_and_check(monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch)
    root = junit(result)
    cases = root.findall("./testsuite/testcase")
    pairs = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(pairs) == len(set(pairs)) == len(result.items) * len(result.checks)
    failed = {(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None}
    expected = {(r.item.id, f.check) for r in result.items for f in r.findings}
    assert failed == expected
    # Passed cases exist for the checks an item passes.
    assert ("CI-1", "trade-off") in set(pairs) - failed
    assert root.get("tests") == str(len(cases))
    assert root.get("failures") == str(len(failed))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "backlog/board.yaml"
    assert all(c.get("file") == "backlog/board.yaml" for c in cases)
    failure = next(
        c for c in cases if (c.get("classname"), c.get("name")) == ("CI-3", "unknown-key")
    ).find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert (failure.text or "").startswith("backlog/board.yaml:23: [warning] Unknown key")


def test_duplicate_ids_stay_unique_and_control_characters_are_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = fixture_result(monkeypatch)
    first = result.items[0]
    twin = dataclasses.replace(
        first, findings=[Finding("trade-off", "error", "bell \x07 and form feed \x0c", 3)]
    )
    root = junit(dataclasses.replace(result, items=[first, twin]))
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(pairs) == len(set(pairs))
    assert ("CI-1", "trade-off (2)") in pairs


def test_input_errors_are_error_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    result = lint_source(app.read_yaml_backlog(["backlog", "nope.yaml"], Config(root=DATA)))
    root = junit(result)
    assert root.get("errors") == "1"
    (case,) = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert case.get("classname") == "input"
    assert case.get("file") == "nope.yaml"


def test_jira_items() -> None:
    root = junit(jira_result())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "https://example.atlassian.net"
    cases = suite.findall("testcase")
    assert {c.get("classname") for c in cases} == {"PROJ-1", "PROJ-2"}
    assert all(c.get("file") is None for c in cases)
    texts = [f.text or "" for c in cases if (f := c.find("failure")) is not None]
    assert texts and all(
        t.startswith("PROJ-2 (https://example.atlassian.net/browse/PROJ-2): ") for t in texts
    )
