"""Seeded fuzz run: at least 10,000 examples of every target in tests/fuzz_targets.py.

    python benchmarks/fuzz.py [--examples 10000] [--seed 20261124] [--jobs 2] [--only NAME]

Each target runs in its own process (``--jobs`` at a time) with Hypothesis's "fuzz" settings and
a fixed seed, so a run is repeatable. Prints per target the examples tried, the time, and any
failure (Hypothesis shrinks it to a minimal falsifying example first); exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"


def run_target(name: str, examples: int, seed: int) -> tuple[str, int, float, str | None]:
    """(name, examples tried, seconds, failure text or None)."""
    sys.path.insert(0, str(TESTS))
    os.chdir(os.environ.get("TMPDIR", "/tmp"))
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as with_seed
    from hypothesis import strategies as st

    from fuzz_targets import TARGETS

    target, strategies = TARGETS[name]
    tried = 0

    @with_seed(seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(st.tuples(*strategies))
    def run(example: tuple[Any, ...]) -> None:
        nonlocal tried
        tried += 1
        target(*example)

    start = time.perf_counter()
    try:
        run()
    except Exception as exc:  # a falsified property: report it, shrunk
        text = "".join(traceback.format_exception(exc)[-6:])
        notes = "\n".join(getattr(exc, "__notes__", []))
        return name, tried, time.perf_counter() - start, f"{text}\n{notes}".strip()
    return name, tried, time.perf_counter() - start, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", action="append", help="Run only this target (repeatable).")
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))
    from fuzz_targets import TARGETS

    names = [n for n in TARGETS if not args.only or n in args.only]
    print(f"fuzz: {len(names)} targets x {args.examples:,} examples, seed {args.seed}")
    failures = 0
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_target, n, args.examples, args.seed) for n in names]
        for future in concurrent.futures.as_completed(futures):
            name, tried, seconds, failure = future.result()
            verdict = "FAIL" if failure else "ok"
            print(f"{verdict:4}  {name:32} {tried:>7,} examples  {seconds:7.1f} s", flush=True)
            if failure:
                failures += 1
                print("      " + failure.replace("\n", "\n      "), flush=True)
    total = time.perf_counter() - started
    print(f"{len(names) - failures} of {len(names)} targets hold ({total:.0f} s wall)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
