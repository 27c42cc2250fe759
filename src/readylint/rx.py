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
from collections.abc import Iterable, Sequence
from typing import Any, cast

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


def compile_text(pattern: str, *, ignore_case: bool = True) -> Pattern:
    """``pattern`` compiled for RE2 when it can be, else for ``re`` (already linear-checked)."""
    compiled = _re2_compile(pattern, ignore_case)
    if compiled is not None:
        return _direct(compiled)
    return re.compile(pattern, re.I if ignore_case else 0)


class AnyOf:
    """Any of several patterns, matched as few alternations as possible.

    ``search`` returns the leftmost match of any pattern (for a yes/no question and for quoting
    the phrase). Patterns RE2 accepts share one RE2 alternation; the others share one ``re``
    alternation, so a list of twenty cue patterns costs one or two passes over the text. Nothing
    is compiled until the first search: a small backlog uses few of a run's lists.
    """

    __slots__ = ("_ignore_case", "_parts", "patterns")

    def __init__(self, patterns: Iterable[str], *, ignore_case: bool = True) -> None:
        self.patterns = tuple(patterns)
        self._ignore_case = ignore_case
        self._parts: tuple[Pattern, ...] | None = None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def _compile(self) -> tuple[Pattern, ...]:
        from readylint.linear import compile_checked

        flags = re.I if self._ignore_case else 0
        fast: list[str] = []
        slow: list[str] = []
        for pattern in self.patterns:
            (fast if _re2_compile(pattern, self._ignore_case) is not None else slow).append(pattern)
        parts: list[Pattern] = []
        if fast:
            combined = _re2_compile(_alternation(fast), self._ignore_case)
            if combined is not None:
                parts.append(_direct(combined))
            else:  # pragma: no cover - each compiled alone, so together they should
                parts.extend(compile_text(p, ignore_case=self._ignore_case) for p in fast)
        if slow:
            try:
                parts.append(compile_checked(_alternation(slow), flags, check=False))
            except re.error:  # e.g. the same group name twice: keep them apart
                parts.extend(compile_checked(p, flags, check=False) for p in slow)
        self._parts = tuple(parts)
        return self._parts

    def search(self, text: str) -> Match | None:
        best: Match | None = None
        for part in self._parts if self._parts is not None else self._compile():
            found = part.search(text)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best

    def matches(self, text: str) -> bool:
        for part in self._parts if self._parts is not None else self._compile():
            if part.search(text) is not None:
                return True
        return False


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
        # "surrogatepass": text from JSON may hold a lone surrogate, which strict UTF-8 refuses.
        data = text.encode("utf-8", "surrogatepass")
        start, end = self._program.Match(anchor, data, 0, len(data))[0]
        if start < 0:
            return None
        if len(data) != len(text):  # not ASCII: byte offsets to character offsets
            start, end = (len(data[:at].decode("utf-8", "surrogatepass")) for at in (start, end))
        return cast(Match, _Hit(text, start, end))

    def search(self, text: str) -> Match | None:
        return self._find(_UNANCHORED, text)

    def match(self, text: str) -> Match | None:
        return self._find(_ANCHOR_START, text)


def _direct(compiled: Any) -> Pattern:
    """``compiled`` (from the binding) as a direct ``_Program`` where the binding allows it."""
    if _PROGRAM_TYPE is not None and isinstance(getattr(compiled, "_regexp", None), _PROGRAM_TYPE):
        return cast(Pattern, _Program(compiled))
    return cast(Pattern, compiled)  # pragma: no cover - another binding version


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)
