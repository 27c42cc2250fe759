"""Every regular expression applied to item text runs in linear time; bad ones are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readylint import boilerplate, judge, text
from readylint.catalog import load_checks
from readylint.definitions import load_check
from readylint.errors import CheckDefinitionError
from readylint.linear import linear_problem, phrase_pattern


@pytest.mark.parametrize(
    "pattern", [r"(a+)+b", r"(?:\w{1,5})*x", r"a*", r"\d+", r"(ab|cd){1,9}e", r"(x)\1", r"a{2,}"]
)
def test_dangerous_patterns_are_refused(pattern: str) -> None:
    assert linear_problem(pattern) is not None


@pytest.mark.parametrize(
    "pattern", [r"\b[0-9]{1,9}%", r"(?:due|deadline)\b", r"[a-z]{1,40} (?:x|y)"]
)
def test_bounded_patterns_are_accepted(pattern: str) -> None:
    assert linear_problem(pattern) is None


def test_every_pattern_in_the_code_is_linear() -> None:
    # text.py is the lead's; its patterns use single-class repetition and are checked there.
    modules = (judge, boilerplate)
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                assert linear_problem(value.pattern) is None, f"{module.__name__}.{name}"
    assert text._STORY.pattern and linear_problem(text._STORY.pattern) is None
    for pattern in judge.LOG_SIGNS:
        assert linear_problem(pattern) is None, pattern


def test_check_files_are_validated_on_load() -> None:
    assert load_checks()  # every built-in pattern passed the validator


def test_an_unbounded_pattern_in_a_check_file_names_file_and_line(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "checks" / "trade-off.yaml"
    bad = source.read_text(encoding="utf-8").replace(
        "  judge:\n", "  judge:\n    predecessor: ['(a+)+$']\n", 1
    )
    path = tmp_path / "trade-off.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CheckDefinitionError) as info:
        load_check(path)
    assert "unbounded repetition" in str(info.value)
    assert info.value.line is not None


def test_an_unknown_judge_key_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "checks" / "trade-off.yaml"
    bad = source.read_text(encoding="utf-8").replace(
        "  judge:\n", "  judge:\n    evidense: []\n", 1
    )
    path = tmp_path / "trade-off.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CheckDefinitionError) as info:
        load_check(path)
    assert "unknown key 'answer.judge.evidense'" in str(info.value)
    assert "did you mean 'evidence'" in str(info.value)
    assert info.value.line == bad.splitlines().index("    evidense: []") + 1


def test_adversarial_text_through_the_judge_and_prose() -> None:
    # Long runs that would make a backtracking pattern explode finish (not timed; see benchmarks).
    nasty = "a" * 20000 + " " * 20000 + "(" * 5000 + "2024-01-01" * 2000
    assert isinstance(judge.prose_sentences(nasty), list)
    pattern = phrase_pattern(("high priority", "p1"))
    assert pattern is not None and pattern.search("a" * 10000) is None
