"""The Jira benchmarks build ``JiraBacklog`` themselves: run each once at a tiny size, so that a
change to its signature shows here and not at the next measurement (their figures are not
checked: speed is measured in benchmarks/, not in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "script",
    [
        ["bench_jira.py", "--issues", "40", "--repeat", "1", "--modes", "server"],
        ["bench_labels.py", "--issues", "10", "--latency", "0", "--modes", "server"],
    ],
    ids=["bench_jira", "bench_labels"],
)
def test_the_jira_benchmarks_run(script: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script[0]), *script[1:]],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr  # 1: a bar SHORT, which is a figure
    assert "Traceback" not in done.stderr
    assert "server" in done.stdout
