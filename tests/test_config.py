"""Configuration discovery, validation (file and line in every error) and its effects."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run, ready_items

Write = Callable[[str, str], Path]
UNREADY = "- id: U-1\n  title: Unready\n- id: U-2\n  title: Last\n"


def test_discovered_in_a_parent_directory(
    run: Callable[..., Run], write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(".readylint.yaml", "paths: [plans]\nignore: [trade-off]\n")
    write("plans/b.yaml", UNREADY)
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    report = json.loads(run("check", "--format", "json").out)
    assert [i["id"] for i in report["items"]] == ["U-1", "U-2"]  # paths relative to the config
    assert report["items"][0]["location"]["path"] == str(tmp_path / "plans" / "b.yaml")
    assert "trade-off" not in {f["check"] for f in report["items"][0]["findings"]}


def test_pyproject_tool_table(run: Callable[..., Run], write: Write) -> None:
    write(
        "pyproject.toml", '[project]\nname = "x"\n\n[tool.readylint]\nselect = ["customer-need"]\n'
    )
    write("backlog/b.yaml", UNREADY)
    report = json.loads(run("check", "--format", "json").out)
    assert {f["check"] for i in report["items"] for f in i["findings"]} == {"customer-need"}


def test_pyproject_without_table_is_not_a_config(run: Callable[..., Run], write: Write) -> None:
    write("pyproject.toml", '[project]\nname = "x"\n')
    write("backlog/b.yaml", UNREADY)
    assert run("check").code == 1


def test_explicit_config_overrides_discovery(run: Callable[..., Run], write: Write) -> None:
    write(".readylint.yaml", "select: [customer-need]\n")
    write("other.yaml", "select: [trade-off]\n")
    write("backlog/b.yaml", UNREADY)
    report = json.loads(run("check", "--format", "json", "--config", "other.yaml").out)
    assert {f["check"] for i in report["items"] for f in i["findings"]} == {"trade-off"}


def test_command_line_overrides_the_file(run: Callable[..., Run], write: Write) -> None:
    write(".readylint.yaml", "select: [customer-need]\nfail_on: never\n")
    write("backlog/b.yaml", UNREADY)
    assert run("check").code == 0
    assert run("check", "--fail-on", "error").code == 1
    report = json.loads(run("check", "--format", "json", "--select", "trade-off").out)
    assert {f["check"] for i in report["items"] for f in i["findings"]} == {"trade-off"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "paths: [backlog]\nselekt: [x]\n",
            ".readylint.yaml:2: unknown key 'selekt' (did you mean 'select'?)",
        ),
        (
            "fail_on: sometimes\n",
            ".readylint.yaml:1: fail_on: Input should be 'error', 'warning' or 'never'",
        ),
        (
            "checks:\n  trade-off:\n    min_words: 0\n",
            ".readylint.yaml:3: checks.trade-off.min_words:",
        ),
        (
            "checks:\n  trade-off:\n    severity: fatal\n",
            ".readylint.yaml:3: checks.trade-off.severity:",
        ),
        (
            "checks:\n  trade-off:\n    min_word: 3\n",
            ".readylint.yaml:3: unknown key 'checks.trade-off.min_word' (did you mean 'min_words'?)",
        ),
        ("- just\n- a list\n", ".readylint.yaml:1: the configuration must be a mapping"),
        ("paths: [unclosed\n", ".readylint.yaml:2: invalid YAML"),
        (
            "checks:\n  trade-of: {severity: warning}\n",
            "unknown check 'trade-of' (did you mean 'trade-off'?)",
        ),
        ("aliases:\n  tradeoff: [risks]\n", "aliases: 'tradeoff' is not an answer field"),
    ],
)
def test_invalid_config(run: Callable[..., Run], write: Write, text: str, expected: str) -> None:
    write(".readylint.yaml", text)
    write("backlog/b.yaml", UNREADY)
    result = run("check")
    assert result.code == 2
    assert expected in result.err, result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_missing_explicit_config(run: Callable[..., Run]) -> None:
    result = run("check", "--config", "nope.yaml")
    assert result.code == 2 and "nope.yaml: config file not found" in result.err


def test_per_check_severity_and_min_words(run: Callable[..., Run], write: Write) -> None:
    write(
        ".readylint.yaml",
        "checks:\n  trade-off: {severity: warning}\n  customer-need: {min_words: 20}\n",
    )
    write("backlog/b.yaml", ready_items("A-1", "A-2"))
    report = json.loads(run("check", "--format", "json").out)
    findings = report["items"][0]["findings"]
    assert [(f["check"], f["severity"]) for f in findings] == [("customer-need", "error")]
    assert "at least 20 needed" in findings[0]["message"]
    write(
        "backlog/b.yaml",
        ready_items("A-1", "A-2").replace(
            "We postpone the wishlist by one sprint to do this first.", "TBD"
        ),
    )
    result = run("check", "--format", "json", "--select", "trade-off")
    assert json.loads(result.out)["items"][0]["findings"][0]["severity"] == "warning"
    assert result.code == 0  # warnings do not fail by default


def test_extra_aliases(run: Callable[..., Run], write: Write) -> None:
    write(".readylint.yaml", "aliases:\n  trade_off: [Risks we accept]\n")
    write("backlog/b.yaml", ready_items("A-1", "A-2").replace("trade_off:", "risks-we-accept:"))
    assert run("check").code == 0


def test_team_check_directory(run: Callable[..., Run], write: Write) -> None:
    write(
        "team/acceptance-criteria.yaml",
        """
        id: acceptance-criteria
        title: Acceptance criteria are written
        question: How will the team know the item is done?
        kind: answer
        hint: list the conditions a reviewer checks before calling the item done
        answer: {field: acceptance_criteria, label: acceptance criteria, aliases: [ac], min_words: 6}
        rationale: Acceptance criteria make the outcome testable during the sprint.
        examples:
          pass: [{item: {id: X-1, title: T, ac: "A CSV of all orders downloads in five seconds."}}]
          fail: [{item: {id: X-2, title: T}, expect: Missing acceptance criteria}]
        """,
    )
    write(
        "team/no-fix-titles.yaml",
        """
        id: no-fix-titles
        title: Titles describe the change, not the activity
        question: Does the title say what changes for the user?
        kind: pattern
        severity: warning
        pattern: {field: title, must_not_match: '^(fix|update|misc)\\b'}
        message: The title starts with an activity word
        hint: describe what changes for the user
        rationale: Titles like "Fix stuff" say nothing in a refinement meeting.
        examples:
          pass: [{item: {id: X-1, title: Show delivery fee early}}]
          fail: [{item: {id: X-2, title: Fix checkout}, expect: activity word}]
        """,
    )
    write(".readylint.yaml", "check_paths: [team]\n")
    write(
        "backlog/b.yaml", ready_items("A-1").replace("Item A-1", "Fix the basket") + "    ac: TBD\n"
    )
    result = run("check", "--format", "json")
    findings = {f["check"]: f for f in json.loads(result.out)["items"][0]["findings"]}
    assert set(findings) == {"acceptance-criteria", "no-fix-titles"}
    assert "placeholder" in findings["acceptance-criteria"]["message"]
    assert findings["no-fix-titles"]["severity"] == "warning"
    assert "acceptance-criteria" in run("checks").out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: bad-check\ntitle: t\nquestion: q?\nkind: answr\n", "bad-check.yaml:4: kind:"),
        ("id: bad-check\nheadings: [x]\n", "bad-check.yaml:2: unknown key 'headings'"),
        ("id: other-name\n", "missing required key"),
        ("- a list\n", "bad-check.yaml:1: a check file must be a mapping"),
    ],
)
def test_invalid_team_check(
    run: Callable[..., Run], write: Write, text: str, expected: str
) -> None:
    write("team/bad-check.yaml", text)
    write(".readylint.yaml", "check_paths: [team]\n")
    write("backlog/b.yaml", UNREADY)
    result = run("check")
    assert result.code == 2 and expected in result.err, result.err


def test_team_check_id_must_match_file_and_be_unique(run: Callable[..., Run], write: Write) -> None:
    body = (Path(__file__).resolve().parents[1] / "checks" / "trade-off.yaml").read_text()
    write("team/trade-off.yaml", body)
    write(".readylint.yaml", "check_paths: [team]\n")
    result = run("checks")
    assert result.code == 2 and "check id 'trade-off' is already defined" in result.err
    write("team/trade-off.yaml", "")
    (Path("team/trade-off.yaml")).unlink()
    write("team/renamed.yaml", body)
    result = run("checks")
    assert result.code == 2 and "id 'trade-off' must equal the file name 'renamed'" in result.err
