"""RE2 prefilters in front of Python-only patterns must never rule out a text the exact pattern
matches (they may let through more: the exact pattern decides)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readylint.judge import Judge
from readylint.linear import phrase_pattern, phrase_prefilter
from readylint.rx import HAS_RE2, compile_text

PHRASES = ("nothing", "no trade-off", "n/a", "none really", "it is free", "pure win")
EXACT = phrase_pattern(PHRASES)
ROUGH = compile_text(phrase_prefilter(PHRASES) or "")

# Text built from the phrases' own pieces, odd spaces and the letters engines fold differently.
PIECES = st.sampled_from(
    ["nothing", "noth", "ing", "no", "trade-off", "n/a", "it", "is", "free", "pure", "win",
     "NOTH\u0130NG", "noth\u0131ng", "\u017f", "\u212a", " ", "  ", "\u00a0", "\u2003", "\t", "\n", "\x1c", "\x85",
     "[", "<", "x", "é", ".", "none", "really"]
)  # fmt: skip


@given(st.lists(PIECES, max_size=12).map("".join))
def test_phrase_prefilter_lets_through_every_exact_match(text: str) -> None:
    assert EXACT is not None
    if EXACT.search(text) is not None:
        assert ROUGH.search(text) is not None


@pytest.mark.parametrize(
    "text",
    ["noth\u0131ng", "NOTH\u0130NG really", "no\u00a0trade-off", "no\u2003\u2003trade-off", "N/A"],
)
def test_phrase_prefilter_on_letters_and_spaces_re2_reads_differently(text: str) -> None:
    assert EXACT is not None and EXACT.search(text) is not None
    assert ROUGH.search(text) is not None


def test_phrase_prefilter_rules_out_text_without_the_phrases() -> None:
    if not HAS_RE2:
        pytest.skip("google-re2 is not installed")
    assert ROUGH.search("Support spends two hours a day on refunds") is None


def test_phrase_prefilter_program_grows_with_the_phrases_not_twenty_fold_per_space() -> None:
    # RE2 spells a bounded repetition out: "\\s{1,20}" between words made each phrase list's
    # program (and its DFA's states, in every worker) many times the size of its text.
    if not HAS_RE2:
        pytest.skip("google-re2 is not installed")
    import re2  # type: ignore[import-untyped]

    phrases = tuple(f"not important for the {team} team" for team in ("sales", "ops", "web", "qa"))
    pattern = phrase_prefilter(phrases)
    assert pattern is not None
    options = re2.Options()
    options.case_sensitive = False
    assert re2.compile(pattern, options).programsize < 2 * len(pattern)


@pytest.mark.parametrize("after", [0, 64])  # the prefilter from the first answer, or later
def test_flag_verdicts_are_the_exact_patterns(after: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from readylint import judge as judge_module
    from readylint.definitions import Flag, JudgeSpec

    monkeypatch.setattr(judge_module, "_PREFILTER_AFTER", after)

    flag = Flag(name="nothing", says="gives nothing up", whole=True, phrases=PHRASES, patterns=())
    judge = Judge(JudgeSpec(looked_for="x", ask="y", flags=(flag,)))
    assert judge.flag("Nothing.", whole=True) == (flag, "Nothing")
    # the prefilter matches ("nothing" inside a word) but the exact pattern does not
    assert judge.flag("nothingness", whole=True) is None
    assert judge.flag("We postpone PAY-3", whole=True) is None


def test_a_phrase_list_re2_refuses_is_read_without_a_prefilter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A long phrase list can make a prefilter over RE2's memory budget; ``re`` cannot read its
    # RE2 syntax (\pZ), so the flag goes without one instead of failing after 64 answers.
    from readylint import judge as judge_module
    from readylint import rx
    from readylint.definitions import Flag, JudgeSpec

    monkeypatch.setattr(rx, "_COMPILED", {})  # not the program another test compiled
    if HAS_RE2:
        import re2

        tiny = re2.Options()
        tiny.case_sensitive = False
        tiny.log_errors = False
        tiny.max_mem = 1024  # refuses any of these prefilters
        monkeypatch.setattr(rx, "_OPTIONS", tiny)
    monkeypatch.setattr(judge_module, "_PREFILTER_AFTER", 0)
    flag = Flag(name="nothing", says="gives nothing up", whole=True, phrases=PHRASES, patterns=())
    judge = Judge(JudgeSpec(looked_for="x", ask="y", flags=(flag,)))
    assert judge.flag("Nothing.", whole=True) == (flag, "Nothing")
    assert judge.flag("We postpone PAY-3", whole=True) is None
    assert judge._flags[0].prefilter is None
