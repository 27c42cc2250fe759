"""SARIF reporter: golden output, the official schema, GitHub's required fields, fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ci_support import DATA, check_golden, fixture_result, jira_result, lint_source
from readylint import app
from readylint.config import Config
from readylint.reporters import REPORTERS, ReportOptions
from readylint.reporters.sarif import FINGERPRINT_KEY

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def sarif(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REPORTERS["sarif"](result, ReportOptions()))
    return data


def test_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden("report.sarif", REPORTERS["sarif"](fixture_result(monkeypatch), ReportOptions()))


@pytest.mark.parametrize("which", ["fixture", "jira", "errors"])
def test_valid_against_official_schema(which: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SCHEMA} (../shared is absent)")
    jsonschema = pytest.importorskip("jsonschema")
    if which == "fixture":
        result = fixture_result(monkeypatch)
    elif which == "jira":
        result = jira_result()
    else:
        monkeypatch.chdir(DATA)
        source = app.read_yaml_backlog(["backlog", "missing.yaml"], Config(root=DATA))
        result = lint_source(source)
        assert result.errors
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    problems = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif(result))
    ]
    assert problems == []


def test_github_required_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch)
    document = sarif(result)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    rules = driver["rules"]
    assert [r["id"] for r in rules][:6] == [c.id for c in result.checks][:6]
    for rule in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert rule[key]["text"].strip() and len(rule[key]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    assert len(run["results"]) == result.finding_count == 8
    for entry in run["results"]:
        assert rules[entry["ruleIndex"]]["id"] == entry["ruleId"]
        (location,) = entry["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "backlog/board.yaml"
        assert physical["region"]["startLine"] >= 1
        assert entry["message"]["text"]
        assert entry["partialFingerprints"][FINGERPRINT_KEY]
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    # The suppression pseudo-check has a rule because CI-5's reasonless suppression is a finding.
    assert "suppression" in {r["id"] for r in rules}


def test_fingerprints_survive_moved_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = (DATA / "backlog" / "board.yaml").read_text(encoding="utf-8")
    (tmp_path / "board.yaml").write_text(original, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = sarif(lint_source(app.read_yaml_backlog(["board.yaml"], Config(root=tmp_path))))
    (tmp_path / "board.yaml").write_text("# moved\n\n\n" + original, encoding="utf-8")
    after = sarif(lint_source(app.read_yaml_backlog(["board.yaml"], Config(root=tmp_path))))

    def keyed(document: dict[str, Any]) -> dict[str, int]:
        return {
            r["partialFingerprints"][FINGERPRINT_KEY]: r["locations"][0]["physicalLocation"][
                "region"
            ]["startLine"]
            for r in document["runs"][0]["results"]
        }

    old, new = keyed(before), keyed(after)
    assert old.keys() == new.keys()
    assert all(new[k] == old[k] + 3 for k in old)


def test_jira_items_use_key_and_url() -> None:
    document = sarif(jira_result())
    results = document["runs"][0]["results"]
    assert results, "PROJ-2 has findings"
    for entry in results:
        physical = entry["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "PROJ-2"
        assert "region" not in physical
        assert entry["hostedViewerUri"] == "https://example.atlassian.net/browse/PROJ-2"
    # The label suppressed the trade-off check.
    assert "trade-off" not in {r["ruleId"] for r in results}


def test_input_errors_become_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    source = app.read_yaml_backlog(["backlog", "missing.yaml"], Config(root=DATA))
    invocation = sarif(lint_source(source))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "no such file or directory"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "missing.yaml"
