"""Command-line options, output formats and exit codes, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, Run, ready_items
from readylint import __version__

Write = Callable[[str, str], Path]

UNREADY = "  - id: U-{n}\n    title: Unready item {n}\n"


@pytest.fixture
def backlog(write: Write) -> Path:
    return write(
        "backlog/items.yaml",
        ready_items("R-1") + UNREADY.format(n=1) + ready_items("R-2") + UNREADY.format(n=2),
    )


def test_text_output_format(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check")  # PATHS default to backlog/
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "backlog/items.yaml:8: U-1 customer-need: Missing customer need: name who"
    )
    assert lines[-1] == "2 of 4 items fail the practical test (9 findings)"
    assert result.code == 1
    # grouped by item in backlog order
    ids = [line.split()[1] for line in lines[:-1]]
    assert ids == sorted(ids, key=lambda i: ["U-1", "U-2"].index(i))


def test_json_contract(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check", "--format", "json")
    report = json.loads(result.out)
    assert set(report) == {"version", "summary", "items", "errors"}
    assert report["version"] == __version__
    assert report["summary"] == {"items": 4, "ready": 2, "not_ready": 2}
    item = report["items"][1]
    assert set(item) == {"id", "title", "rank", "ready", "location", "findings"}
    assert item["id"] == "U-1" and item["rank"] == 2 and item["ready"] is False
    assert item["location"] == {"path": "backlog/items.yaml", "line": 8, "url": None}
    finding = item["findings"][0]
    assert set(finding) == {"check", "severity", "message", "line"}
    assert finding["severity"] == "error" and finding["check"] == "customer-need"
    assert report["errors"] == []


def test_output_file(run: Callable[..., Run], backlog: Path, tmp_path: Path) -> None:
    result = run("check", "--format", "json", "--output", "report.json")
    assert result.out == "" and result.code == 1
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["not_ready"] == 2


def test_top_limits_the_report_but_keeps_context(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        ready_items("A-1")
        + UNREADY.format(n=1)
        + ready_items("Z-9").replace(
            "    why_now: The holiday campaign starts in six weeks and depends on saved baskets.\n",
            "",
        ),
    )
    report = json.loads(run("check", "--format", "json", "--top", "1", "b.yaml").out)
    assert [i["id"] for i in report["items"]] == ["A-1"]
    text = run("check", "--top", "2", "b.yaml").out
    assert "1 of 2 items reported (of 3 in the backlog) fail" in text
    # Z-9 is last in the backlog, so it stays exempt from ordering-rationale even when reported
    full = json.loads(run("check", "--format", "json", "b.yaml").out)
    assert full["items"][2]["findings"] == []


def test_select_and_ignore(run: Callable[..., Run], backlog: Path) -> None:
    report = json.loads(run("check", "--format", "json", "--select", "trade-off,customer-need").out)
    checks = {f["check"] for i in report["items"] for f in i["findings"]}
    assert checks == {"trade-off", "customer-need"}
    report = json.loads(run("check", "--format", "json", "--ignore", "trade-off").out)
    checks = {f["check"] for i in report["items"] for f in i["findings"]}
    assert "trade-off" not in checks and "customer-need" in checks


def test_unknown_check_is_a_usage_error(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check", "--select", "trade-of")
    assert result.code == 2
    assert "unknown check 'trade-of' (did you mean 'trade-off'?)" in result.err


def test_fail_on(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml", ready_items("A-1").replace("    trade_off:", "    tradeof: notes\n    trade_off:")
    )
    warning_only = json.loads(run("check", "--format", "json", "b.yaml").out)
    assert [f["severity"] for f in warning_only["items"][0]["findings"]] == ["warning"]
    assert run("check", "b.yaml").code == 0
    assert run("check", "--fail-on", "warning", "b.yaml").code == 1
    write("c.yaml", UNREADY.format(n=1))
    assert run("check", "--fail-on", "never", "c.yaml").code == 0
    assert run("check", "c.yaml").code == 1


def test_color(run: Callable[..., Run], backlog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run("check").out  # not a terminal
    assert "\x1b[" in run("check", "--color", "always").out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run("check").out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check").out
    assert "\x1b[" in run("check", "--color", "always").out


def test_quiet_drops_the_summary(run: Callable[..., Run], backlog: Path) -> None:
    result = run("check", "-q")
    assert "fail the practical test" not in result.out
    assert "U-1 customer-need" in result.out


def test_all_ready_exit_zero(run: Callable[..., Run], write: Write) -> None:
    write("b.yaml", ready_items("A-1", "A-2"))
    result = run("check", "b.yaml")
    assert result.code == 0
    assert result.out == "All 2 items pass the practical test (0 findings)\n"


def test_explain(run: Callable[..., Run]) -> None:
    result = run("explain", "trade-off")
    assert result.code == 0
    assert "Question: What do we give up" in result.out
    assert "Why it matters:" in result.out and "Passes:" in result.out and "Fails:" in result.out
    assert "tradeoff, trade_offs" in result.out
    bad = run("explain", "tradeoff")
    assert bad.code == 2 and "did you mean 'trade-off'" in bad.err


def test_checks_table(run: Callable[..., Run]) -> None:
    result = run("checks")
    lines = result.out.splitlines()
    assert lines[0].split() == ["CHECK", "SEVERITY", "TITLE"]
    assert [line.split()[0] for line in lines[1:6]] == [
        "customer-need", "business-reason", "trade-off", "expected-outcome", "ordering-rationale",
    ]  # fmt: skip


def test_new_skeleton_round_trip(run: Callable[..., Run], tmp_path: Path) -> None:
    result = run("new", "SHOP-9", "Gift cards: buy one")
    assert result.code == 0
    for field in (
        "customer_need",
        "business_reason",
        "trade_off",
        "expected_outcome",
        "ordering_rationale",
    ):
        assert f'  {field}: ""  # ' in result.out
    assert run("new", "SHOP-9", "Gift cards", "-o", "new.yaml").code == 0
    lint = run("check", "--format", "json", "new.yaml")
    messages = [f["message"] for f in json.loads(lint.out)["items"][0]["findings"]]
    assert json.loads(lint.out)["items"][0]["title"] == "Gift cards"
    assert len(messages) == 4 and all(
        m.startswith("Empty ") for m in messages
    )  # last item: no ordering
    again = run("new", "SHOP-9", "Gift cards", "-o", "new.yaml")
    assert again.code == 2 and "file exists" in again.err


def test_version(run: Callable[..., Run]) -> None:
    result = run("--version")
    assert result.code == 0 and __version__ in result.out


def test_usage_error_exit_code(run: Callable[..., Run]) -> None:
    result = run("check", "--format", "yaml")
    assert result.code == 2 and "Invalid value for '--format'" in result.err


def test_example_backlog(run: Callable[..., Run]) -> None:
    result = run("check", "--format", "json", str(EXAMPLES))
    report = json.loads(result.out)
    assert result.code == 1
    ready = {i["id"] for i in report["items"] if i["ready"]}
    assert ready == {"LAR-101", "LAR-201", "LAR-105", "LAR-204", "LAR-205"}
    reasons = {f["check"] for i in report["items"] for f in i["findings"]}
    assert {
        "customer-need",
        "business-reason",
        "trade-off",
        "expected-outcome",
        "ordering-rationale",
        "unknown-key",
    } <= reasons


def test_python_dash_m(backlog: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "readylint", "check", "--format", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["items"] == 4
