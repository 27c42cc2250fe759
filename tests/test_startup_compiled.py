"""Compiled ``re`` programs and dataclass methods served from the cache to the readylint command
(startup.py), and
RE2 alternations compiled without trying each pattern alone first (rx.AnyOf) (issue 6)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ready_items
from pattern_lists import builtin_lists
from readylint import cache, rx, startup

needs_internals = pytest.mark.skipif(not startup.usable(), reason="re's internals differ here")


@pytest.fixture(autouse=True)
def _uninstall() -> Iterator[None]:
    """Whatever a test installs is taken out again."""
    yield
    startup.uninstall()


SAMPLES: list[tuple[Any, int]] = [
    (r"\b(?P<key>[A-Z][A-Z0-9_]{0,15})-(?P<num>[0-9]{1,9})\b", 0),
    (r"(?i)\bnext (sprint|release)\b", 0),
    (r"^\s{0,3}h[1-6]\.", int(re.M)),
    (r"(?<![\w])caf\u00e9s?", int(re.I)),
    (rb"[\x00-\x08\x0b]+", 0),
    (r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]", 0),
]


@needs_internals
def test_served_programs_equal_re_compile(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = [re.compile(p, f) for p, f in SAMPLES]  # before install: re's own compiler
    assert startup.install_re()
    compile = startup._compiler.compile
    first = [compile(p, f) for p, f in SAMPLES]  # compiled afresh, kept
    assert first == reference  # a Pattern's equality compares pattern, flags and program
    assert [c.groupindex for c in first] == [c.groupindex for c in reference]
    cache.flush()
    startup.uninstall()
    assert (cache_dir / startup.NAME).is_file()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a pattern the cache holds")

    assert startup.install_re()  # reads what the first install kept
    with monkeypatch.context() as patch:
        patch.setattr(startup._parser, "parse", no_parsing)
        again = [startup._compiler.compile(p, f) for p, f in SAMPLES]
    assert again == reference
    match = again[0].search("see PAY-12 first")
    assert match is not None and match.group("num") == "12"
    re.purge()  # and through the public API
    assert re.compile(SAMPLES[1][0]).search("Next Sprint") is not None


@needs_internals
def test_errors_and_debug_go_the_usual_way(cache_dir: Path) -> None:
    assert startup.install_re()
    re.purge()
    with pytest.raises(re.error, match="missing"):
        re.compile(r"(unclosed")
    assert re.compile(re.compile("ab")) is not None  # a compiled pattern passes through


@needs_internals
def test_a_damaged_program_is_compiled_again(cache_dir: Path) -> None:
    pattern = r"\b(?:later|next sprint)\b"
    reference = re.compile(pattern, re.I)
    cache.keep(
        startup.NAME,
        (startup._sre.MAGIC, startup._sre.CODESIZE),
        {(pattern, int(re.I)): (34, [1, 2, 3], 0, {}, ())},
    )
    cache.flush()
    assert startup.install_re()
    assert startup._compiler.compile(pattern, int(re.I)) == reference


def test_not_installed_when_the_cache_is_off(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = startup._compiler.compile
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    assert not startup.install_re()
    assert startup._compiler.compile is original
    assert startup.off_by_argument(["check", "--no-cache", "a.yaml"])
    assert not startup.off_by_argument(["check", "--", "--no-cache"])
    assert not startup.off_by_argument(["check", "a.yaml"])


@needs_internals
def test_the_second_command_parses_no_pattern(tmp_path: Path) -> None:
    # What the readylint command imports compiles its regular expressions from the cache.
    (tmp_path / "b.yaml").write_text(ready_items("A-1"), encoding="utf-8")
    probe = textwrap.dedent(
        """
        import sys
        from readylint import cache, startup
        startup.install(["check"])
        parsed = []
        real = startup._parser.parse
        startup._parser.parse = lambda *a, **k: parsed.append(a[0]) or real(*a, **k)
        from readylint.cli import main
        code = main(["check", "b.yaml"])
        cache.flush()
        print(code, len(parsed))
        """
    )
    env = {**os.environ, "READYLINT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        for _ in range(2)
    ]
    first, second = (run.stdout.split()[-2:] for run in runs)
    assert first[0] == second[0] == "0", runs
    assert int(first[1]) > 20, runs
    assert second[1] == "0", runs


# --- rx.AnyOf: one RE2 compile for a list RE2 accepts --------------------------------------------


def _exact(patterns: tuple[str, ...], ignore_case: bool) -> tuple[list[str], list[str]]:
    """How the patterns were sorted before: each one compiled alone."""
    fast = [p for p in patterns if rx._re2_compile(p, ignore_case) is not None]
    return fast, [p for p in patterns if p not in fast]


def _lists() -> list[tuple[tuple[str, ...], bool]]:
    return builtin_lists()


@pytest.mark.skipif(not rx.HAS_RE2, reason="google-re2 is not installed")
def test_any_of_sorts_the_builtin_lists_as_compiling_each_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lists = _lists()
    assert len(lists) > 10
    assert any(_exact(p, c)[1] for p, c in lists)  # some lists do need re
    for patterns, ignore_case in lists:
        assert _sorted_by_any_of(patterns, ignore_case) == _exact(patterns, ignore_case)


def _sorted_by_any_of(patterns: tuple[str, ...], ignore_case: bool) -> tuple[list[str], list[str]]:
    """The sorting ``AnyOf._compile`` ends up with, and that RE2 compiled once per list."""
    matcher = rx.AnyOf(patterns, ignore_case=ignore_case)
    fast, slow = matcher._sort(exact=False)
    if fast and rx._re2_compile(rx._alternation(fast), ignore_case) is None:
        fast, slow = matcher._sort(exact=True)
    parts = matcher._compile()
    assert len(parts) == bool(fast) + bool(slow)
    return fast, slow


@pytest.mark.skipif(not rx.HAS_RE2, reason="google-re2 is not installed")
def test_any_of_falls_back_when_the_hint_misses() -> None:
    # "(?a)" (ASCII flag) is Python's only: RE2 refuses it though the hint does not see it, so the
    # alternation fails and every pattern is tried alone; an empty list matches nothing.
    patterns = (r"\bcake\b", r"(?a)\bpie\b", r"(?<![a-z])tart")
    matcher = rx.AnyOf(patterns)
    assert matcher._sort(exact=False) == ([r"\bcake\b", r"(?a)\bpie\b"], [r"(?<![a-z])tart"])
    assert _exact(patterns, True) == ([r"\bcake\b"], [r"(?a)\bpie\b", r"(?<![a-z])tart"])
    # RE2's alternation, then the two re patterns alone (3.11+ refuses a global flag mid-pattern)
    assert len(matcher._compile()) in (2, 3)
    found = matcher.search("apple PIE and cake, then tart")
    assert found is not None and found.group(0) == "PIE"
    assert matcher.matches("a tart")
    assert not matcher.matches("pies")
    empty = rx.AnyOf(())
    assert not empty and empty.search("anything") is None and not empty.matches("")


# --- dataclass methods from kept code ----------------------------------------------------------


def _make_classes() -> tuple[type, type]:
    @dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = field(default_factory=tuple)

    @dataclass(order=True)
    class Rank:
        value: float
        name: str = "n"

    return Point, Rank


def _use(point: type, rank: type) -> list[object]:
    p = point(1, tags=("a",))
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    return [
        repr(p),
        p == point(1, 0, ("a",)),
        hash(p) == hash(point(1, 0, ("a",))),
        sorted([rank(2.0), rank(1.0, "m")]),
        repr(rank(3.0)),
    ]


def test_dataclass_methods_come_from_kept_code(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = [str(x) for x in _use(*_make_classes())]  # dataclasses' own exec
    assert startup.install_dataclasses()
    assert [str(x) for x in _use(*_make_classes())] == reference  # compiled, kept
    cache.flush()
    startup.uninstall()
    assert (cache_dir / startup.CODE_NAME).is_file()
    assert startup.install_dataclasses()

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled source the cache holds")

    with monkeypatch.context() as patch:
        patch.setattr(startup, "compile", no_compiling, raising=False)
        assert [str(x) for x in _use(*_make_classes())] == reference
    startup.uninstall()
    assert "exec" not in vars(dataclasses)


def test_install_does_nothing_with_the_cache_off(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    assert not startup.install(["check"])
    assert "exec" not in vars(dataclasses)
    monkeypatch.delenv("READYLINT_NO_CACHE")
    assert not startup.install(["check", "--no-cache"])
    assert "exec" not in vars(dataclasses)


def test_kept_code_others_could_write_is_not_run(cache_dir: Path) -> None:
    assert startup.install_dataclasses()
    _make_classes()
    cache.flush()
    startup.uninstall()
    kept = cache_dir / startup.CODE_NAME
    assert kept.is_file()
    assert startup.install_dataclasses()
    assert startup._codes  # the user's own file: read
    startup.uninstall()
    kept.chmod(0o666)
    assert startup.install_dataclasses()
    assert not startup._codes  # writable by everyone: not read (and compiled afresh)
    point, _rank = _make_classes()
    assert repr(point(1)).endswith("Point(x=1, y=0, tags=())")
