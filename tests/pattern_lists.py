"""Every pattern list the built-in checks hold, with the log signs: for tests that run them all."""

from __future__ import annotations

from readylint.catalog import load_checks
from readylint.judge import LOG_SIGNS


def builtin_lists() -> list[tuple[tuple[str, ...], bool]]:
    """(patterns, ignore_case) of each non-empty list."""
    found: list[tuple[tuple[str, ...], bool]] = [(LOG_SIGNS, False)]
    for check in load_checks():
        answer = check.answer
        if answer is not None and answer.judge is not None:
            judge = answer.judge
            found += [(judge.evidence, True), (judge.predecessor, True), (judge.successor, True)]
        if answer is not None and answer.prose is not None:
            prose = answer.prose
            found += [(prose.cues, True), (prose.lead_cues, True), (prose.traps, True)]
            found.append((prose.denials, True))
    return [(patterns, case) for patterns, case in found if patterns]
