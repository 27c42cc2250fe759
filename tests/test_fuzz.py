"""Property-based tests of every input reader (issue 7): findings or a clean error, never a
traceback, never an item skipped silently. The targets live in fuzz_targets.py; here they run with
the fast, derandomized "ci" profile (tests/conftest.py); benchmarks/fuzz.py runs 10,000 seeded
examples of each."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz_targets import TARGETS

# Targets that run the whole engine or the CLI per example get a quarter of the profile's
# examples in the suite (benchmarks/fuzz.py runs every target at full count).
COSTLY = frozenset(
    {"cli (check)", "yaml-reader (random items)", "config loader", "check-file loader"}
)


@pytest.mark.parametrize("name", list(TARGETS))
def test_target(name: str) -> None:
    target, strategies = TARGETS[name]
    examples = settings().max_examples
    if name in COSTLY:
        examples = max(1, examples // 4)

    @settings(max_examples=examples)
    @given(st.tuples(*strategies))
    def run(example: tuple[Any, ...]) -> None:
        target(*example)

    run()
