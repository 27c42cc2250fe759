"""literals.py: a list of patterns is ruled out for a text only when no pattern can match it, so
AnyOf answers the same whether it skipped compiling or not (issue 6, one-item start-up)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pattern_lists import builtin_lists
from readylint import rx
from readylint.judge import prose_sentences
from readylint.literals import Needs, needs

ACCURACY = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy"


def _lists() -> list[tuple[tuple[str, ...], bool]]:
    return builtin_lists()


LISTS = _lists()
COMPILED = []
for _patterns, _case in LISTS:
    _full = rx.AnyOf(_patterns, ignore_case=_case)
    _full._compile()  # compiled: never skips, the reference answer
    COMPILED.append((_full, Needs.of(_patterns, ignore_case=_case)))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _texts() -> list[str]:
    texts: list[str] = []
    for name in ("corpus_items.yaml", "hard_cases.yaml"):
        data = yaml.safe_load((ACCURACY / name).read_text(encoding="utf-8"))
        for text in _strings(data):
            texts.append(text)
            texts.extend(prose_sentences(text))
    return texts


def _check(text: str) -> int:
    ruled_out = 0
    for full, list_needs in COMPILED:
        if list_needs is not None and not list_needs.may_match(text):
            ruled_out += 1
            assert full.search(text) is None, (full.patterns, text)
    return ruled_out


def test_lists_are_ruled_out_only_where_nothing_matches() -> None:
    texts = _texts()
    assert len(texts) > 500
    ruled_out = sum(_check(text) for text in texts)
    assert ruled_out > len(texts)  # the test rules many lists out: it is worth having


# Letters with case partners outside ASCII (Kelvin sign, long s, dotted/dotless i, micro, sharp s).
ALPHABET = "aeiklnorstuxKST0123456789 .,:;()[]<>{}%$#-_/'\"\n\u212a\u017f\u0130\u0131\u00b5\u00df"
WORDS = ["Error", "at ", "INFO ", "[WARN]", "as a ", "so that ", "percent", "users ", "PAY-12"]


@given(st.lists(st.sampled_from(WORDS) | st.text(ALPHABET, max_size=6), max_size=8))
def test_random_text_is_ruled_out_only_where_nothing_matches(parts: list[str]) -> None:
    text = "".join(parts)
    _check(text)
    _check(text.upper())


def test_any_of_answers_the_same_before_and_after_compiling() -> None:
    texts = [*_texts()[:400], "PAY-1 at com.x.Y(Z.java:12)", "ERROR [main]: x", "\u212aelvin"]
    for patterns, case in LISTS:
        lazy = rx.AnyOf(patterns, ignore_case=case)
        full = rx.AnyOf(patterns, ignore_case=case)
        full._compile()
        for text in texts:
            mine, theirs = lazy.search(text), full.search(text)
            assert (mine and mine.group(0)) == (theirs and theirs.group(0))
            assert lazy.matches(text) == full.matches(text)


@pytest.mark.parametrize(
    ("pattern", "ignore_case", "expected"),
    [
        (r"\bCaused by: ", False, [{"Caused by: "}]),
        (r"\bnext (?:sprint|release)\b", True, [{"next "}, {"sprint", "release"}]),
        (r"(?:^|\s)ERROR", False, [{"ERROR"}]),
        (r"\b[\w$.]{1,300}(?:Exception|Error):", False, [{":"}, {"E"}, {"xception", "rror"}]),
        (r"colou?r", True, [{"colo"}, {"r"}]),
        (r"[A-C]x", True, [{"a", "b", "c"}, {"x"}]),
        (r"[[:alpha:]]", True, []),  # RE2 reads a POSIX class where re reads characters
        (r"(?x) a b", False, []),  # verbose: RE2 has no such mode
        (r"(?i)abc", False, []),  # its own ignore-case in a case-sensitive list
        (r"(?-i:abc)d", True, [{"d"}]),  # a group with flags of its own counts for nothing
        (r"caf\u00e9", True, [{"caf"}]),  # a non-ASCII letter under ignore-case counts for nothing
        (r"\w{1,5}|x", True, []),  # one branch needs nothing: the alternation needs nothing
        (r"(?<=a)b", True, [{"b"}]),
        (r"x{0,3}y*", True, []),
    ],
)
def test_needs(pattern: str, ignore_case: bool, expected: list[set[str]]) -> None:
    found = needs(pattern, ignore_case=ignore_case)
    assert sorted(sorted(group) for group in found) == sorted(sorted(group) for group in expected)


def test_ignore_case_rules_out_only_ascii_text() -> None:
    found = Needs.of([r"\bkelvin\b"], ignore_case=True)
    assert found is not None
    assert not found.may_match("no such word")
    assert found.may_match("KELVIN")
    assert found.may_match("\u212aelvin")  # Kelvin sign: RE2 and re match it to "k"
    assert rx.AnyOf([r"\bkelvin\b"]).matches("\u212aelvin") == rx.AnyOf(
        [r"\bkelvin\b", "(?<=x)y"]
    ).matches("\u212aelvin")
    assert Needs.of([r"kelvin", r"\w"], ignore_case=True) is None
    assert Needs.of([], ignore_case=True) is None


@pytest.fixture
def fresh_needs(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No needs known or kept yet, and the stamp read again; as it was after the test."""
    monkeypatch.setattr(rx, "_known_needs", None)
    monkeypatch.setattr(rx, "_used_needs", set())
    rx._needs_stamp.cache_clear()
    yield
    rx._needs_stamp.cache_clear()


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new run starts from: what it remembers in memory only is gone."""
    from readylint import cache

    cache.flush()
    monkeypatch.setattr(cache, "_memory", {})
    monkeypatch.setattr(rx, "_known_needs", None)
    rx._needs_stamp.cache_clear()


def test_kept_needs_are_read_again_after_literals_py_changes(
    fresh_needs: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of the reading in a checkout keeps the version number: needs kept by the old
    reading must not be served to the new one (as the validation cache does for its schema)."""
    import readylint.literals

    module = tmp_path / "literals.py"
    module.write_bytes(Path(readylint.literals.__file__).read_bytes())
    monkeypatch.setattr(readylint.literals, "__file__", str(module))
    read: list[tuple[str, ...]] = []
    original = Needs.of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Needs], patterns: tuple[str, ...], *, ignore_case: bool) -> Any:
        read.append(tuple(patterns))
        return original(cls, patterns, ignore_case=ignore_case)

    monkeypatch.setattr(Needs, "of", classmethod(counted))
    patterns = (r"\bnext (?:sprint|release)\b",)
    first = rx._list_needs(patterns, True)
    assert first is not None and read == [patterns]

    _new_process(monkeypatch)  # the same module's bytes: the kept needs are served
    kept = rx._list_needs(patterns, True)
    assert kept is not None and kept.dump() == first.dump() and read == [patterns]

    module.write_bytes(module.read_bytes() + b"\n# an edit in a checkout\n")
    _new_process(monkeypatch)
    assert rx._list_needs(patterns, True) is not None
    assert read == [patterns, patterns]  # read from the pattern again, not from the cache
