"""The regular-expression engine for item text: RE2 where a pattern allows it, else Python's ``re``.

Check files run dozens of patterns over every answer of every item, so this is readylint's inner
loop. RE2 (the ``google-re2`` package, Google's own binding) matches in time linear in the text
whatever the pattern, and a list of patterns is matched as one alternation in one pass, which
makes it several times faster than Python's backtracking engine on these patterns. A pattern RE2
cannot compile (look-arounds, for one) falls back to ``re``; ``linear.py`` has already refused any
pattern that could backtrack, so the fallback is linear too. Where ``google-re2`` is not installed
everything runs on ``re``.

Known differences, kept small on purpose: RE2's ``\\b``, ``\\w`` and ``\\s`` are ASCII-only where
Python's are Unicode-aware. Answer text is whitespace-normalised before it is judged, and the
check files' words are English, so verdicts do not change (``benchmarks/accuracy`` measures it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from readylint.literals import Needs

try:  # pragma: no cover - depends on the platform's wheels
    import re2 as _re2  # type: ignore[import-untyped]

    _OPTIONS: Any = _re2.Options()
    _OPTIONS.case_sensitive = False
    _OPTIONS.log_errors = False
    _OPTIONS_CASE: Any = _re2.Options()
    _OPTIONS_CASE.log_errors = False
    HAS_RE2 = True
except ImportError:  # pragma: no cover
    _re2 = None
    HAS_RE2 = False


# What RE2 does not have and Python's ``re`` does: look-arounds, back-references, conditionals,
# atomic groups, possessive repetition, \Z, \u/\U/\N escapes, repetition counts above 1000.
# Only a hint for sorting patterns (``AnyOf._sort``): a miss costs time, never a wrong engine.
_RE2_LACKS = re.compile(r"\(\?(?:<?[=!]|P=|\(|>)|\\[1-9uUNZ]|[*+?}]\+|\{[0-9]*,?[0-9]{4,}\}")

# An RE2 pattern offers what readylint uses of ``re.Pattern`` (search, match, finditer, group,
# start, end), so both are typed as ``re.Pattern``; nothing here relies on more than that.
Pattern = re.Pattern[str]
Match = re.Match[str]


def _re2_compile(pattern: str, ignore_case: bool) -> Any:
    if _re2 is None:
        return None
    try:
        return _re2.compile(pattern, _OPTIONS if ignore_case else _OPTIONS_CASE)
    except Exception:  # re2.error, and anything else a binding may raise: use ``re``
        return None


# RE2's programs, one per distinct pattern however many checks use it (None: RE2 refused it).
# Programs and the states their DFAs keep are C memory, several MiB for a long list, in every
# worker. ``re`` keeps its own cache of compiled patterns.
_COMPILED: dict[tuple[str, bool], Pattern | None] = {}


def compile_re2(pattern: str, *, ignore_case: bool = True) -> Pattern | None:
    """``pattern`` compiled by RE2 alone, or None where RE2 is not installed or refuses it (a
    program over its memory budget, say). Alone, this is for patterns in RE2's own syntax, such
    as the phrase prefilters (``\\pZ``), which ``re`` cannot read: the caller goes without them."""
    key = (pattern, ignore_case)
    if key not in _COMPILED:
        compiled = _re2_compile(pattern, ignore_case)
        _COMPILED[key] = _direct(compiled) if compiled is not None else None
    return _COMPILED[key]


def compile_text(pattern: str, *, ignore_case: bool = True) -> Pattern:
    """``pattern`` compiled for RE2 when it can be, else for ``re`` (already linear-checked)."""
    compiled = compile_re2(pattern, ignore_case=ignore_case)
    if compiled is not None:
        return compiled
    return re.compile(pattern, re.I if ignore_case else 0)


class AnyOf:
    """Any of several patterns, matched as few alternations as possible.

    ``search`` returns the leftmost match of any pattern (for a yes/no question and for quoting
    the phrase). Patterns RE2 accepts share one RE2 alternation; the others share one ``re``
    alternation, so a list of twenty cue patterns costs one or two passes over the text. Nothing
    is compiled until the first search: a small backlog uses few of a run's lists. The first
    searches answer "no match" without compiling when the text lacks a string every pattern
    needs (literals.py): a one-item run then compiles only the lists that can match its text.
    """

    __slots__ = ("_calls", "_ignore_case", "_needs", "_parts", "patterns")

    def __init__(self, patterns: Iterable[str], *, ignore_case: bool = True) -> None:
        self.patterns = tuple(patterns)
        self._ignore_case = ignore_case
        self._parts: tuple[Pattern, ...] | None = None
        self._needs: Needs | None = None
        self._calls = 0  # searches answered before compiling, by what the patterns need

    def _cannot_match(self, text: str) -> bool:
        """True when ``text`` lacks what every pattern needs (literals.py), so the list is not
        compiled yet. Only the first searches ask: a long run compiles its lists anyway."""
        self._calls += 1
        if self._calls > _ASK_NEEDS:
            return False
        if self._calls == 1:
            self._needs = _list_needs(self.patterns, self._ignore_case)
        return self._needs is not None and not self._needs.may_match(text)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def _compile(self) -> tuple[Pattern, ...]:
        from readylint.linear import compile_checked

        flags = re.I if self._ignore_case else 0
        # The patterns RE2 accepts form one alternation, the others one ``re`` alternation. Only
        # a pattern showing something RE2 lacks (a look-around, say) is tried alone: compiling
        # every pattern alone first cost as much again as the alternation. A pattern is valid
        # Python syntax (linear.py checked it), so its parentheses balance and the alternation
        # compiles only when each of its patterns would alone; when it does not, every pattern
        # is tried alone, so the sorting is the same either way.
        fast, slow = self._sort(exact=False)
        combined = _re2_compile(_alternation(fast), self._ignore_case) if fast else None
        if fast and combined is None:
            fast, slow = self._sort(exact=True)
            combined = _re2_compile(_alternation(fast), self._ignore_case) if fast else None
        parts: list[Pattern] = []
        if combined is not None:
            parts.append(_direct(combined))
        elif fast:  # pragma: no cover - each compiled alone, so together they should
            parts.extend(compile_text(p, ignore_case=self._ignore_case) for p in fast)
        if slow:
            try:
                parts.append(compile_checked(_alternation(slow), flags, check=False))
            except re.error:  # e.g. the same group name twice: keep them apart
                parts.extend(compile_checked(p, flags, check=False) for p in slow)
        self._parts = tuple(parts)
        return self._parts

    def _sort(self, *, exact: bool) -> tuple[list[str], list[str]]:
        """(patterns for RE2, patterns for ``re``), in list order; unless ``exact``, a pattern
        that shows nothing RE2 lacks is taken to be RE2's without compiling it."""
        fast: list[str] = []
        slow: list[str] = []
        for pattern in self.patterns:
            tried = exact or _RE2_LACKS.search(pattern) is not None
            ok = not tried or _re2_compile(pattern, self._ignore_case) is not None
            (fast if ok else slow).append(pattern)
        return fast, slow

    def search(self, text: str) -> Match | None:
        parts = self._parts
        if parts is None:
            if self._cannot_match(text):
                return None
            parts = self._compile()
        best: Match | None = None
        for part in parts:
            found = part.search(text)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best

    def matches(self, text: str) -> bool:
        parts = self._parts
        if parts is None:
            if self._cannot_match(text):
                return False
            parts = self._compile()
        if len(parts) == 1 and isinstance(parts[0], _Program):  # most lists: one RE2 program
            return parts[0].matches(text)  # asked without building a match
        return any(part.search(text) is not None for part in parts)


class TextPattern:
    """One pattern for item text (RE2 where it can be), compiled on first use."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: Pattern | None = None

    def _compile(self) -> Pattern:
        self._compiled = compile_text(self.pattern)
        return self._compiled

    def search(self, text: str) -> Match | None:
        return (self._compiled or self._compile()).search(text)

    def match(self, text: str) -> Match | None:
        return (self._compiled or self._compile()).match(text)


# --- calling RE2 -----------------------------------------------------------------------------
# The binding's ``search`` wraps each call in a generator, converts every group's offsets and
# builds a match object: about three quarters of a call's cost on an answer-sized text. Item
# text only ever needs whether a pattern matches and the whole match, so RE2's program is called
# directly and offsets are converted only for text that is not ASCII. Where the binding's
# internals differ from what is expected, its public ``search`` is used.
try:  # pragma: no cover - depends on the binding's version
    _PROGRAM_TYPE: Any = _re2._re2.RE2 if _re2 is not None else None
    _UNANCHORED: Any = _PROGRAM_TYPE.Anchor.UNANCHORED
    _ANCHOR_START: Any = _PROGRAM_TYPE.Anchor.ANCHOR_START
except AttributeError:  # pragma: no cover
    _PROGRAM_TYPE = None


class _Hit:
    """A whole match found by calling RE2 directly: the part of ``re.Match`` readylint reads."""

    __slots__ = ("_end", "_start", "string")

    def __init__(self, string: str, start: int, end: int) -> None:
        self.string = string
        self._start = start
        self._end = end

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("only the whole match is kept")
        return self.string[self._start : self._end]

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end


class _Program:
    """An RE2 program called directly; offers ``search`` and ``match`` like ``re.Pattern``."""

    __slots__ = ("_program", "pattern")

    def __init__(self, compiled: Any) -> None:
        self._program = compiled._regexp
        self.pattern = compiled.pattern

    def _find(self, anchor: Any, text: str) -> Match | None:
        # "surrogatepass": a text may hold a lone surrogate, which strict UTF-8 refuses (not
        # one from a source: Jira's are replaced, YAML's escapes of one refused).
        data = text.encode("utf-8", "surrogatepass")
        start, end = self._program.Match(anchor, data, 0, len(data))[0]
        if start < 0:
            return None
        if len(data) != len(text):  # not ASCII: byte offsets to character offsets
            start, end = (len(data[:at].decode("utf-8", "surrogatepass")) for at in (start, end))
        return cast(Match, _Hit(text, start, end))

    def search(self, text: str) -> Match | None:
        return self._find(_UNANCHORED, text)

    def matches(self, text: str) -> bool:
        """Whether ``search`` finds a match (no offsets converted, no match built)."""
        data = text.encode("utf-8", "surrogatepass")
        start: int = self._program.Match(_UNANCHORED, data, 0, len(data))[0][0]
        return start >= 0

    def match(self, text: str) -> Match | None:
        return self._find(_ANCHOR_START, text)

    def split_ascii(self, text: str) -> list[str]:
        """The parts of an ASCII ``text`` between the matches of a pattern with exactly one group
        that never matches the empty string; a part runs on to the end of the group's text
        where the group took part in the match after it. For a group at the start of the
        pattern, that is ``re.split``'s list with each group's text joined to the part before
        it. Several times faster than ``re`` for a pattern that ``re`` tries at every position."""
        data = text.encode("ascii")
        size = len(data)
        match = self._program.Match
        parts: list[str] = []
        start = 0
        while True:
            (begin, end), (_, kept) = match(_UNANCHORED, data, start, size)
            if begin < 0:
                parts.append(text[start:])
                return parts
            if end == begin:  # the precondition broken: the loop would never end
                raise ValueError(f"{self.pattern!r} matched the empty string")
            parts.append(text[start : kept if kept >= 0 else begin])
            start = end


def ascii_splitter(pattern: str) -> Callable[[str], list[str]] | None:
    """``pattern`` (case-sensitive, one group) compiled by RE2, as its ``_Program.split_ascii``;
    None where RE2, or calling its program directly, is not available."""
    compiled: object = compile_re2(pattern, ignore_case=False)
    return compiled.split_ascii if isinstance(compiled, _Program) else None


def _direct(compiled: Any) -> Pattern:
    """``compiled`` (from the binding) as a direct ``_Program`` where the binding allows it."""
    if _PROGRAM_TYPE is not None and isinstance(getattr(compiled, "_regexp", None), _PROGRAM_TYPE):
        return cast(Pattern, _Program(compiled))
    return cast(Pattern, compiled)  # pragma: no cover - another binding version


# The needs of pattern lists (literals.py), kept in the validation cache: reading them from the
# parse trees costs as much as a compile would save. They are kept under a hash of literals.py's
# bytes, as the validation cache keeps data under its schema modules' (cache.py): an edit of the
# reading in a checkout, with no new version number, must not be served needs read the old way.
_NEEDS = "pattern-needs"
_ASK_NEEDS = 64  # searches answered by the needs before a list is compiled regardless
_MAX_NEEDS = 500
_known_needs: dict[tuple[bool, tuple[str, ...]], Any] | None = None
_used_needs: set[tuple[bool, tuple[str, ...]]] = set()


def _list_needs(patterns: tuple[str, ...], ignore_case: bool) -> Needs | None:
    global _known_needs
    from readylint import cache

    if _known_needs is None:
        kept = cache.load(_NEEDS, _needs_stamp())
        _known_needs = kept if isinstance(kept, dict) else {}
    key = (ignore_case, patterns)
    _used_needs.add(key)
    if key in _known_needs:
        dumped = _known_needs[key]
        return None if dumped is None else Needs(dumped, ignore_case=ignore_case)
    found = Needs.of(patterns, ignore_case=ignore_case)
    _known_needs[key] = None if found is None else found.dump()
    if len(_known_needs) > _MAX_NEEDS:  # check files edited often: forget the unused lists
        for stale in [k for k in _known_needs if k not in _used_needs]:
            del _known_needs[stale]
    cache.keep(_NEEDS, _needs_stamp(), _known_needs)
    return found


@lru_cache(maxsize=1)
def _needs_stamp() -> tuple[object, ...]:
    """What kept needs are valid for: the bytes of the module that reads them (literals.py)."""
    from pathlib import Path

    from readylint import cache, literals

    return cache.content_stamp([(Path(literals.__file__), "literals.py")])


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)
