"""rx.py: RE2 programs called directly must answer exactly as Python's ``re`` does on item text."""

from __future__ import annotations

import re

import pytest

from readylint import rx

needs_re2 = pytest.mark.skipif(not rx.HAS_RE2, reason="google-re2 is not installed")

TEXTS = [
    "Users cannot export reports",
    "Die Nutzer können keine Berichte exportieren, um Zeit zu sparen",
    "日本語のテキスト: users lose 3 hours a week",
    "naïve café users ☕ lose data when the sync fails",
    "a lone surrogate \ud800 then users lose data",
    "",
]


@needs_re2
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("pattern", [r"users?\s+(?:lose|cannot)", r"\bdata\b", r"sync|zeit", "x?"])
def test_search_gives_re_offsets(pattern: str, text: str) -> None:
    ours = rx.compile_text(pattern).search(text)
    theirs = re.compile(pattern, re.I).search(text)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert (ours.start(), ours.end(), ours.group(0)) == (
            theirs.start(),
            theirs.end(),
            theirs.group(0),
        )


@needs_re2
def test_programs_are_called_directly() -> None:
    compiled = rx.compile_text(r"users")
    assert type(compiled).__name__ == "_Program"
    assert compiled.match("users lose data") is not None
    assert compiled.match("the users lose data") is None  # match is anchored at the start
    hit = compiled.search("Les users")
    assert hit is not None and hit.span() == (4, 9)
    with pytest.raises(IndexError):
        hit.group(1)


def test_a_pattern_is_compiled_once_however_many_checks_use_it() -> None:
    # checks using the same pattern share one RE2 program (C memory, in each worker)
    assert rx.compile_text(r"\bpure win\b") is rx.compile_text(r"\bpure win\b")
    sensitive = rx.compile_text(r"\bpure win\b", ignore_case=False)
    assert sensitive is not rx.compile_text(r"\bpure win\b")
    assert sensitive.search("PURE WIN") is None


def test_any_of_finds_the_leftmost_of_re2_and_re_parts() -> None:
    # the look-behind cannot run on RE2, so this list is one RE2 part and one ``re`` part
    found = rx.AnyOf([r"(?<=the )users", r"sync"]).search("when sync fails the users wait")
    assert found is not None and found.group(0) == "sync"
    found = rx.AnyOf([r"(?<=the )users", r"wait"]).search("when sync fails the users wait")
    assert found is not None and found.group(0) == "users"
    assert rx.AnyOf([r"(?<=the )users", r"wait"]).matches("nothing here") is False


@needs_re2
@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(
    "patterns", [[r"users?\s+(?:lose|cannot)"], [r"\bdata\b", r"zeit"], ["x?"]]
)
def test_any_of_matches_answers_as_search_does(patterns: list[str], text: str) -> None:
    # a list of one RE2 alternation is asked directly (``_Program.matches``), without a match
    found = rx.AnyOf(patterns)
    found._calls = rx._ASK_NEEDS  # past the literal needs, as after the first 64 answers
    found.search(text)
    assert found._parts is not None
    assert found.matches(text) == (found.search(text) is not None)
    assert found.matches(text) == any(re.search(p, text, re.I) for p in patterns)


@needs_re2
def test_sentence_splits_of_ascii_text_keep_the_end_mark() -> None:
    split = rx.ascii_splitter(r"([.!?]) +|\n")
    assert split is not None
    assert split("One. Two!\nThree") == ["One.", "Two!", "Three"]
    assert split("") == [""]
    empty = rx.ascii_splitter(r"(x)?")  # matches the empty string: refused, not looped on
    assert empty is not None
    with pytest.raises(ValueError, match="empty string"):
        empty("abc")
