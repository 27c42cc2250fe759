"""Items already in memory (the Jira path) are digested on several cores with the same result."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from readylint import app, pipeline
from readylint.config import Config
from readylint.models import Finding, SourceResult
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


def _findings(
    jobs: str, monkeypatch: pytest.MonkeyPatch, top: int | None
) -> list[tuple[str, int, list[Finding]]]:
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


def _many_cores(monkeypatch: pytest.MonkeyPatch, cores: int = 64) -> None:
    import os

    monkeypatch.delenv("READYLINT_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)


def test_a_machine_of_many_cores_starts_a_worker_per_250_items_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _many_cores(monkeypatch)
    assert pipeline.ITEMS_PER_JOB == 250
    found = {count: pipeline.jobs_for_items(count) for count in (499, 500, 749, 2000, 40_000)}
    assert found == {499: 1, 500: 2, 749: 2, 2000: 8, 40_000: 64}, threading.enumerate()
    _many_cores(monkeypatch, cores=1)
    assert pipeline.jobs_for_items(40_000) == 1
    # Workers are two at least, or none: even where the threshold is below a worker's share.
    _many_cores(monkeypatch)
    monkeypatch.setattr(pipeline, "PARALLEL_ITEMS", 10)
    assert pipeline.jobs_for_items(60) == 2


def test_files_get_a_worker_per_150_kb_at_most_one_per_core_and_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """How many workers read the files to check: none below 300 KB (two workers' worth), then
    one per 150 KB, no more than there are cores or files; none while another thread runs, and
    READYLINT_JOBS decides over the size."""
    assert pipeline.BYTES_PER_JOB == 150_000

    made = itertools.count()

    def files(*sizes: int) -> list[Path]:
        paths = [tmp_path / f"f{next(made)}.yaml" for _ in sizes]
        for path, size in zip(paths, sizes, strict=True):
            path.write_bytes(b"#" * size)
        return paths

    _many_cores(monkeypatch, cores=4)
    assert pipeline.jobs_wanted(files(150_000, 149_999)) == 1
    assert pipeline.jobs_wanted(files(150_000, 150_000)) == 2, threading.enumerate()
    assert pipeline.jobs_wanted(files(*[100_000] * 5)) == 3  # 500 KB: three workers' worth
    assert pipeline.jobs_wanted(files(*[1_000_000] * 6)) == 4  # no more than the cores
    assert pipeline.jobs_wanted(files(10_000_000)) == 1  # one file: the items' own workers
    assert pipeline.jobs_wanted([*files(200_000, 200_000), tmp_path / "gone.yaml"]) == 2
    assert pipeline.jobs_wanted(files(100, 100)) == 1
    monkeypatch.setenv("READYLINT_JOBS", "3")
    assert pipeline.jobs_wanted(files(100, 100)) == 2  # no more than the files
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert pipeline.jobs_wanted(files(*[1_000_000] * 6)) == 1  # a thread alive: no fork
    finally:
        stop.set()
        other.join()
    _many_cores(monkeypatch, cores=1)
    assert pipeline.jobs_wanted(files(*[1_000_000] * 6)) == 1
    _many_cores(monkeypatch)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    assert pipeline.jobs_wanted(files(100, 100, 100)) == 2  # two at least, or none


@pytest.mark.parametrize("cache", ["none", "fresh"])
def test_a_large_file_read_alone_is_checked_on_every_core(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cache: str,
    digest_calls: list[tuple[int, int]],
) -> None:
    """One file holds the backlog: its items are digested by forked workers (not one process
    while the other cores idle), with the same report; with and without a results cache."""
    from readylint.cli import main

    (tmp_path / "backlog.yaml").write_text(_backlog(60), encoding="utf-8")
    monkeypatch.setattr(pipeline, "PARALLEL_ITEMS", 10)
    reports = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("READYLINT_JOBS", jobs)
        if cache == "none":
            monkeypatch.setenv("READYLINT_NO_CACHE", "1")
        else:
            monkeypatch.setenv("READYLINT_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        assert main(["check", "--format", "json", str(tmp_path / "backlog.yaml")]) == 1
        reports.append(capsys.readouterr().out)
    assert reports[0] == reports[1]
    assert digest_calls == [(60, 1), (60, 2)], threading.enumerate()


@pytest.mark.parametrize("report", [None, range(3, 40, 2)])
def test_a_digester_keeps_what_workers_send_in_columns_as_one_process_would(
    monkeypatch: pytest.MonkeyPatch, report: range | None
) -> None:
    """Workers send each chunk in columns, joined after digests the Digester made while the
    read went on (their excerpts still open); items outside ``report`` keep prints only."""
    items, errors = read_text(_backlog(60), "backlog.yaml")
    assert not errors
    engine, _ = app.build_engine(Config(), app.Selection())
    kept = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("READYLINT_JOBS", jobs)
        assert pipeline.jobs_for_items(50) == int(jobs), threading.enumerate()
        digester = pipeline.Digester(engine, report)
        digester.take(0, items)
        assert digester.idle()  # IDLE_BATCH items digested here, while the "read" goes on
        table, store = digester.finish()
        assert len(table) == len(store) == 60
        prints = store.prints
        kept.append(
            (
                [table[k].id for k in range(60)],
                list(store),
                sorted(store.partial),
                (bytes(prints.rows), list(prints.items), list(prints.lines), list(prints.starts)),
                prints.excerpts(range(len(prints))),
            )
        )
    assert kept[0] == kept[1]
    assert kept[0][2] == ([] if report is None else [k for k in range(60) if k not in report])
    assert len(kept[0][4]) >= 60 and all(kept[0][4].values())  # every print has its excerpt
