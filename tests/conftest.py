"""Shared test helpers: run the real CLI entry point and write small backlogs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from readylint import cache
from readylint.cli import main

# The validation cache (cache.py) of the session lives in a temporary directory, set before any
# test module loads the checks at import time, so tests never touch the user's cache.
_CACHE_DIR = tempfile.mkdtemp(prefix="readylint-cache-")
os.environ["READYLINT_CACHE_DIR"] = _CACHE_DIR
os.environ.pop("READYLINT_NO_CACHE", None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from readylint import cache

    cache.flush()  # now, not at exit, when the directory is gone
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)


# --- Hypothesis profiles (issue 7) -------------------------------------------------------------
# "ci": the suite's fast, deterministic run (derandomized: the same examples on every machine).
# "fuzz": benchmarks/fuzz.py's seeded run of 10,000 examples per target. HYPOTHESIS_PROFILE picks.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=40, derandomize=True, deadline=None, database=None,
    suppress_health_check=[*_SLOW_OK, HealthCheck.function_scoped_fixture],
)  # fmt: skip
settings.register_profile(
    "fuzz", max_examples=10_000, deadline=None, database=None, suppress_health_check=_SLOW_OK
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "backlog"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Call ``readylint`` through main(), as the console script does, and capture its output."""

    def invoke(*args: str) -> Run:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented text file below tmp_path and return its path."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test from its own directory, with no colour forced by the environment, and
    the progress line allowed on a terminal (CI sets ``CI``: progress.for_terminal)."""
    monkeypatch.chdir(tmp_path)
    for name in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "READYLINT_FORMAT", "CI"):
        monkeypatch.delenv(name, raising=False)
    if os.environ.get("TERM") == "dumb":
        monkeypatch.delenv("TERM")


@pytest.fixture(autouse=True)
def _no_thread_outlives_its_test() -> Iterator[None]:
    """Fail a test that leaves a thread running (a fake server's connection, say): a thread
    alive in a later test changes what that test sees, since the engine forks workers only
    while no other thread runs. Threads get a few seconds to finish after the test's own
    teardown."""
    before = set(threading.enumerate())
    yield
    left = [thread for thread in threading.enumerate() if thread not in before]
    for thread in left:
        thread.join(5.0)
    running = sorted(thread.name for thread in left if thread.is_alive())
    assert not running, f"threads still running after the test: {', '.join(running)}"


READY_ITEM = """
  - id: {id}
    title: {title}
    customer_need: Shoppers lose their basket when they switch from phone to laptop.
    business_reason: Abandoned baskets cost us about 8% of orders every month.
    trade_off: We postpone the wishlist by one sprint to do this first.
    expected_outcome: Cross-device basket recovery reaches 15% within a month.
    why_now: The holiday campaign starts in six weeks and depends on saved baskets.
"""


def ready_items(*ids: str) -> str:
    """A YAML list of fully answered items with the given ids."""
    return "".join(READY_ITEM.format(id=i, title=f"Item {i}") for i in ids)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache directory of this test's own, and nothing remembered from other tests."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("READYLINT_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "_memory", {})
    monkeypatch.setattr(cache, "_pending", {})
    yield folder


# A JSON report of the ``backlog`` folder (the test's working directory), as a dict.
Report = Callable[..., dict[str, object]]


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Report:
    def run(*args: str) -> dict[str, object]:
        capsys.readouterr()
        main(["check", "--format", "json", "--fail-on", "never", *args, "backlog"])
        data: dict[str, object] = json.loads(capsys.readouterr().out)
        return data

    return run


@pytest.fixture
def digest_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Each call of ``pipeline.add_digests`` (items already in memory, digested on every core
    when many): how many items it was given, and how many processes digest them."""
    from readylint import pipeline

    real = pipeline.add_digests
    calls: list[tuple[int, int]] = []

    def spy(store: Any, engine: Any, items: Any, report: Any, first: int = 0) -> Any:
        calls.append((len(items), pipeline.jobs_for_items(len(items) - first)))
        return real(store, engine, items, report, first)

    monkeypatch.setattr(pipeline, "add_digests", spy)
    return calls
