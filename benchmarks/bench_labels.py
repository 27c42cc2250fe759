"""Jira: ``--label-unready`` writing labels one update at a time beside several in flight.

The server is the test suite's fake Jira (tests/jira_fake.py) in its own process, with the
seeded issues of bench_jira.py. Each label update (``PUT issue/KEY``) takes ``--latency``
seconds on the server (a real site takes a tenth of a second to half a second to edit an issue).
The backlog is read and checked once; then ``JiraBacklog.apply_labels`` adds a label to every
failing issue, once with ``LABEL_WORKERS = 1`` (how readylint wrote labels before) and once with
the shipped ``LABEL_WORKERS``, each run with a label of its own, so both make the same number
of updates. The issue sets no bar for this; the script prints the times and their ratio.

    python benchmarks/bench_labels.py [--issues 400] [--latency 0.1] [--modes cloud,server]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_jira import ROOT, _serve, enter_project  # noqa: E402


def bench_mode(mode: str, count: int, latency: float) -> tuple[int, float, float]:
    """(updates made by each run, seconds one at a time, seconds with the shipped workers)."""
    from readylint import app
    from readylint.config import load_config
    from readylint.sources import jira_source
    from readylint.sources.jira_source import JiraBacklog, JiraRequest

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=_serve, args=(mode, count, child, latency, "issue/"), daemon=True
    )
    server.start()
    _url, env = parent.recv()
    shipped = jira_source.LABEL_WORKERS
    times: dict[int, float] = {}
    made: set[int] = set()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            enter_project(tmp, mode, env)
            config = load_config(None)
            engine, checks = app.build_engine(config, app.Selection())
            backlog = JiraBacklog(config, JiraRequest(project="BENCH"), echo=lambda s: None)
            result = app.lint(backlog.read(engine.known_keys), engine, checks)
            for workers in (1, shipped):
                jira_source.LABEL_WORKERS = workers
                start = time.perf_counter()
                lines = backlog.apply_labels(result, f"bench-{workers}", dry_run=False)
                times[workers] = time.perf_counter() - start
                made.add(len(lines))
            os.chdir(ROOT)
    finally:
        jira_source.LABEL_WORKERS = shipped
        parent.send("stop")
        server.join(5)
    (updates,) = made  # both runs changed the same issues
    return updates, times[1], times[shipped]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per label update")
    parser.add_argument("--modes", default="cloud,server")
    args = parser.parse_args()
    from readylint.sources.jira_source import LABEL_WORKERS

    print(
        f"{'mode':>6} {'issues':>6} {'updates':>7} {'1 at a time':>11}"
        f" {f'{LABEL_WORKERS} at a time':>11} {'ratio':>6} {'ms/update':>9}"
    )
    for mode in args.modes.split(","):
        updates, one, several = bench_mode(mode, args.issues, args.latency)
        print(
            f"{mode:>6} {args.issues:>6} {updates:>7} {one:>10.2f}s {several:>10.2f}s"
            f" {one / several:>5.2f}x {several / max(updates, 1) * 1e3:>9.1f}"
        )
    print(f"(server time per update: {args.latency:g}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
