"""Property-based tests of every input reader (issue 7): findings or a clean error, never a
traceback, never an item skipped silently. The targets live in fuzz_targets.py; here they run with
the fast, derandomized "ci" profile (tests/conftest.py); benchmarks/fuzz.py runs 10,000 seeded
examples of each."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz_targets import TARGETS


@pytest.mark.parametrize("name", list(TARGETS))
def test_target(name: str) -> None:
    target, strategies = TARGETS[name]

    @given(st.tuples(*strategies))
    def run(example: tuple[Any, ...]) -> None:
        target(*example)

    run()
