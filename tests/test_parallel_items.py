"""Items already in memory (the Jira path) are digested on several cores with the same result."""

from __future__ import annotations

import threading

import pytest

from readylint import app, pipeline
from readylint.config import Config
from readylint.models import SourceResult
from readylint.sources.yaml_files import read_text


def _backlog(count: int) -> str:
    lines = ["items:"]
    for n in range(1, count + 1):
        lines += [
            f"  - id: PAY-{n}",
            f"    title: Export report {n % 7}",
            "    customer_need: Finance users copy numbers by hand every week into a sheet",
            f"    business_reason: Support answers {n} tickets a month about exports",
            f"    trade_off: We postpone PAY-{n + 1} by a sprint",
            "    expected_outcome: TBD" if n % 5 == 0 else "    expected_outcome: Exports drop 40%",
            f"    why_now: PAY-{n + 2} depends on this",
        ]
    return "\n".join(lines) + "\n"


def _findings(jobs: str, monkeypatch: pytest.MonkeyPatch, top: int | None) -> list[object]:
    monkeypatch.setenv("READYLINT_JOBS", jobs)
    items, errors = read_text(_backlog(60), "backlog.yaml")
    assert not errors
    engine, checks = app.build_engine(Config(), app.Selection())
    result = app.lint(SourceResult(items=items), engine, checks, top=top)
    return [(r.item.id, r.rank, r.findings) for r in result.items]


@pytest.mark.parametrize("top", [None, 7])
def test_workers_find_what_one_process_finds(
    monkeypatch: pytest.MonkeyPatch, top: int | None
) -> None:
    one = _findings("1", monkeypatch, top)
    assert any(findings for _, _, findings in one)  # the backlog does have findings
    monkeypatch.setenv("READYLINT_JOBS", "2")
    # so the run below does use workers (no fork while another thread runs)
    assert pipeline.jobs_for_items(60) == 2, threading.enumerate()
    assert _findings("2", monkeypatch, top) == one


def test_workers_only_for_large_backlogs_and_no_other_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("READYLINT_JOBS", raising=False)
    assert pipeline.jobs_for_items(10) == 1
    monkeypatch.setenv("READYLINT_JOBS", "2")
    assert pipeline.jobs_for_items(10) == 2, threading.enumerate()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert pipeline.jobs_for_items(10) == 1  # a thread alive: no fork
    finally:
        stop.set()
        other.join()
