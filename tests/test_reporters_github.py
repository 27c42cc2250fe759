"""GitHub workflow commands: golden output, escaping edge cases, the step summary, auto format."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ci_support import DATA, check_golden, fixture_result, jira_result
from readylint.cli import main
from readylint.models import BacklogItem, Finding, ItemResult, Location, RunResult
from readylint.outputs import resolve_format
from readylint.reporters import REPORTERS, ReportOptions
from readylint.reporters.github import escape_data, escape_property, step_summary


def github(result: RunResult, quiet: bool = False) -> str:
    return REPORTERS["github"](result, ReportOptions(quiet=quiet))


def test_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    check_golden("report.github.txt", github(fixture_result(monkeypatch)))


def test_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    # % is escaped first, so an existing escape sequence is not decoded by the runner.
    assert escape_property("%0A") == "%250A"


def _one(path: str | None, title: str, message: str, url: str | None = None) -> RunResult:
    item = BacklogItem(id="X-1", title=title, location=Location(path=path, line=4, url=url))
    finding = Finding("trade-off", "error", message, 7)
    return RunResult(version="t", items=[ItemResult(item, 1, [finding])])


def _command(output: str) -> str:
    (line,) = [x for x in output.splitlines() if x.startswith("::error")]
    return line


def test_annotation_escapes_path_title_and_message() -> None:
    result = _one("odd dir/a:b,c%.yaml", "Fees: 100%, early", "first line\nsecond: a, b 5%")
    line = _command(github(result, quiet=True))
    props, _, message = line.removeprefix("::error ").partition("::")
    assert props == "file=odd dir/a%3Ab%2Cc%25.yaml,line=7,title=readylint (trade-off) X-1"
    assert message == "odd dir/a:b,c%25.yaml:7: X-1 trade-off: first line%0Asecond: a, b 5%25"
    assert "\n" not in line
    # Each output line is one command: no raw newline or carriage return survives.
    text = github(_one("a.yaml", "t\r\nx", "m\rn"), quiet=True)
    assert all(x.startswith("::") for x in text.splitlines())


def test_commas_and_colons_in_item_ids_are_escaped_in_the_title() -> None:
    result = _one("a.yaml", "t", "m")
    item = dataclasses.replace(result.items[0].item, id="A,B:C")
    result = dataclasses.replace(result, items=[dataclasses.replace(result.items[0], item=item)])
    assert "title=readylint (trade-off) A%2CB%3AC::" in github(result, quiet=True)


def test_jira_annotations_have_no_file() -> None:
    lines = [x for x in github(jira_result()).splitlines() if x.startswith("::error")]
    assert lines
    for line in lines:
        assert "file=" not in line and "line=" not in line
        assert "::PROJ-2 (https://example.atlassian.net/browse/PROJ-2): PROJ-2 " in line


def test_groups_are_balanced(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = github(fixture_result(monkeypatch)).splitlines()
    opened = [x for x in lines if x.startswith("::group::")]
    assert len(opened) == lines.count("::endgroup::") == 3  # CI-2, CI-3, CI-5


def test_step_summary_lists_every_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch)
    text = step_summary(result)
    assert text.startswith("### readylint: 3 of 5 items fail the practical test")
    rows = [x for x in text.splitlines() if x.startswith("| ") and "---" not in x][1:]
    assert len(rows) == result.finding_count
    assert "more finding" not in text


def test_step_summary_is_truncated_with_a_count() -> None:
    item = BacklogItem(id="BIG-1", title="t", location=Location(path="big.yaml", line=1))
    findings = [Finding("trade-off", "error", "x" * 500, n) for n in range(1, 3001)]
    result = RunResult(version="t", items=[ItemResult(item, 1, findings)])
    text = step_summary(result)
    assert len(text.encode()) < 1_000_000
    shown = sum(1 for x in text.splitlines() if x.startswith("| BIG-1"))
    assert 0 < shown < 3000
    assert f"…and {3000 - shown} more findings not shown" in text


def test_auto_format(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_format("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert resolve_format("auto", {}) == "text"
    assert resolve_format(None, {}) == "text"
    assert resolve_format("SARIF", {}) == "sarif"


def test_cli_in_github_actions_writes_annotations_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step content\n", encoding="utf-8")
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["check", "backlog"]) == 1
    out = capsys.readouterr().out
    assert out.count("::error file=backlog/board.yaml") == 7
    assert out.count("::warning file=backlog/board.yaml") == 1
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step content\n### readylint: 3 of 5 items fail")
    assert written.count("| CI-") == 8
