"""The literal text a regular expression cannot match without: a test that skips compiling it.

Compiling a list of patterns into one RE2 program costs up to a few milliseconds, a large part
of a one-item run, and a short backlog often never needs some lists: the log-line signs, say,
when no sentence holds a colon, a bracket or a quote. ``needs(pattern)`` reads the pattern's
parse tree for strings every match must contain: ``(("at ",), ("(",))`` for
``\\bat [\\w$.]{1,300}\\(`` means a text without "at " or without "(" cannot match.
``Needs.may_match(text)`` is False only when every pattern of a list is ruled out that way, and
then the caller answers "no match" without compiling the list; otherwise it compiles and
searches as usual. The answer is the same either way, so verdicts never depend on it.

Why the test is sound for both engines (RE2, and ``re`` for look-arounds):
- only literal characters and small character classes count, never ``\\w``, ``\\s``, ``\\d`` or
  ``.`` (where RE2 and ``re`` differ); a repetition counts only when it must occur at least
  once; an alternation counts only when every branch has a string (then any of those strings);
  a group with its own flags, look-arounds and anything else count for nothing;
- case-insensitive patterns compare lower-cased text, and only ASCII text: in Unicode text a
  letter can match a character that does not lower-case to it (the Kelvin sign K and "k");
- a pattern RE2 parses differently from ``re`` (POSIX classes such as ``[[:alpha:]]``, ``\\Q``)
  or in verbose mode is not read at all, and so never rules a text out.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

_parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")

_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_MAX_CLASS = 40  # a character class of more characters than this counts for nothing
_UNREAD = ("[:", "\\Q", "\\E", "\\p", "\\P", "\\x{", "\\C")

# For each pattern, groups of strings: a text the pattern matches holds a string of each group.
PatternNeeds = tuple[frozenset[str], ...]


def needs(pattern: str, *, ignore_case: bool) -> PatternNeeds:
    """Groups of strings any match of ``pattern`` contains one of each (lower-cased when the
    match ignores case); () when nothing is known."""
    if any(mark in pattern for mark in _UNREAD):
        return ()
    try:
        tree = _parser.parse(pattern, re.I if ignore_case else 0)
    except re.error:
        return ()
    flags = tree.state.flags
    if flags & re.X or (flags & re.I and not ignore_case):  # verbose, or "(?i)" of its own
        return ()
    return tuple(_sequence(list(tree), ignore_case))


def _sequence(items: Sequence[tuple[Any, Any]], ignore: bool) -> list[frozenset[str]]:
    groups: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            groups.append(frozenset(("".join(run),)))
            run.clear()

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            char = chr(arg)
            if ignore:
                if not char.isascii():
                    flush()
                    continue
                char = char.lower()
            run.append(char)
            continue
        if name == "AT":  # zero-width (\b, ^, $): the characters either side are adjacent
            continue
        flush()
        if name in _REPEATS:
            low, _high, body = arg
            if low >= 1:
                groups += _sequence(body, ignore)
        elif name == "SUBPATTERN":
            add, remove, body = arg[-3], arg[-2], arg[-1]
            if not add and not remove:
                groups += _sequence(body, ignore)
        elif name == "ATOMIC_GROUP":
            groups += _sequence(arg, ignore)
        elif name == "BRANCH":
            options: list[frozenset[str]] = []
            for branch in arg[1]:
                found = _sequence(branch, ignore)
                if not found:
                    options = []
                    break
                options.append(max(found, key=_strength))
            if options:
                groups.append(frozenset().union(*options))
        elif name == "IN":
            chars = _class(arg, ignore)
            if chars:
                groups.append(chars)
    flush()
    return groups


def _class(items: Sequence[tuple[Any, Any]], ignore: bool) -> frozenset[str] | None:
    codes: list[int] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            codes.append(arg)
        elif name == "RANGE" and arg[1] - arg[0] < _MAX_CLASS:
            codes.extend(range(arg[0], arg[1] + 1))
        else:  # NEGATE, CATEGORY (\w, \d: engines differ) or a wide range
            return None
    chars: set[str] = set()
    for code in codes:
        char = chr(code)
        if ignore:
            if not char.isascii():
                return None
            char = char.lower()
        chars.add(char)
    return frozenset(chars) if len(chars) <= _MAX_CLASS else None


def _strength(group: frozenset[str]) -> tuple[int, int]:
    """Longer strings rule out more texts; then fewer of them."""
    return min(len(s) for s in group), -len(group)


class Needs:
    """The needs of a list of patterns, any of which may match: ``may_match`` is False only
    when the text lacks something every pattern needs."""

    __slots__ = ("_ignore_case", "_patterns")

    def __init__(self, patterns: Sequence[PatternNeeds], *, ignore_case: bool) -> None:
        self._patterns = tuple(patterns)
        self._ignore_case = ignore_case

    @classmethod
    def of(cls, patterns: Sequence[str], *, ignore_case: bool) -> Needs | None:
        """The list's needs, or None when some pattern needs nothing (any text may match)."""
        found = [needs(p, ignore_case=ignore_case) for p in patterns]
        if not found or not all(found):
            return None
        return cls(found, ignore_case=ignore_case)

    def may_match(self, text: str) -> bool:
        if self._ignore_case:
            if not text.isascii():
                return True
            text = text.lower()
        return any(
            all(any(s in text for s in group) for group in pattern) for pattern in self._patterns
        )

    def dump(self) -> tuple[PatternNeeds, ...]:
        return self._patterns
