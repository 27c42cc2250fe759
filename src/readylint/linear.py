"""Refuse regular expressions that could take more than linear time on adversarial item text.

Check files are data a team writes, and their patterns run over every item of a backlog, so a
pattern is accepted only when every repetition is bounded (``{1,50}``, not ``+`` or ``*``) and no
repeated part contains another repetition or an alternation (no nested quantifiers), and it uses
no back-references. With those rules Python's backtracking matcher does bounded work per start
position, so a search is linear in the length of the text.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

MAX_REPEAT = 2000  # the largest upper bound a repetition may have

_parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")
_constants: Any = importlib.import_module(
    "re._constants" if hasattr(re, "_constants") else "sre_constants"
)

_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_BACKREFS = frozenset({"GROUPREF", "GROUPREF_EXISTS"})


def linear_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not accepted, or None when it runs in linear time.

    The message quotes the offending part of the pattern where it can find it in the source,
    e.g. ``pattern '(a+)+$' nests one repetition inside another at '(a+)+'``.
    """
    try:
        tree = _parser.parse(pattern)
    except re.error as exc:
        return f"invalid regular expression '{pattern}': {exc}"
    walk = _Walk(pattern)
    problem = walk.tree(tree, inside_repeat=False)
    if problem is None:
        return None
    return f"pattern '{pattern}' {problem.format(at=walk.quote())}"


class _Walk:
    """Walks a parsed pattern in source order, counting repetitions to quote the bad one."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.repeats = 0  # repetitions seen so far, in the order their operands start
        self.branches = 0
        self.in_branch: int | None = None  # the repetition whose body holds the alternation

    def quote(self) -> str:
        spans = _quantified_spans(self.pattern)
        index = self.repeats - 1 if self.in_branch is None else self.in_branch
        if index < 0 or len(spans) != _count_repeats(self.pattern) or index >= len(spans):
            return ""
        start, end = spans[index]
        return f" at '{self.pattern[start:end]}'"

    def tree(self, tree: Any, *, inside_repeat: bool | int) -> str | None:
        for op, arg in tree:
            name = str(op)
            if name in _BACKREFS:
                return "uses a back-reference; back-references are not allowed"
            if name in _REPEATS:
                low, high, body = arg
                self.repeats += 1
                mine = self.repeats - 1
                if high == _constants.MAXREPEAT or high > MAX_REPEAT:
                    return (
                        "has an unbounded repetition{at}; write a bounded one such as "
                        f"{{{{{low},{max(low, 50)}}}}} (at most {MAX_REPEAT})"
                    )
                if inside_repeat is not False and high > 1:
                    self.repeats = int(inside_repeat) + 1
                    return "nests one repetition inside another{at}; flatten it"
                outer: bool | int = inside_repeat if inside_repeat is not False else False
                if high > 1 and inside_repeat is False:
                    outer = mine
                problem = self.tree(body, inside_repeat=outer)
                if problem:
                    return problem
            elif name == "BRANCH":
                if inside_repeat is not False:
                    self.in_branch = int(inside_repeat)
                    return (
                        "repeats an alternation{at}; repeat a character class instead, or list "
                        "the alternatives without repetition"
                    )
                for branch in arg[1]:
                    problem = self.tree(branch, inside_repeat=inside_repeat)
                    if problem:
                        return problem
            elif name == "SUBPATTERN":
                problem = self.tree(arg[-1], inside_repeat=inside_repeat)
                if problem:
                    return problem
            elif name in ("ASSERT", "ASSERT_NOT"):
                problem = self.tree(arg[1], inside_repeat=inside_repeat)
                if problem:
                    return problem
            elif name == "ATOMIC_GROUP":
                problem = self.tree(arg, inside_repeat=inside_repeat)
                if problem:
                    return problem
        return None


def _count_repeats(pattern: str) -> int:
    """How many repetition nodes the parser makes of ``pattern``."""

    def count(tree: Any) -> int:
        total = 0
        for op, arg in tree:
            name = str(op)
            if name in _REPEATS:
                total += 1 + count(arg[2])
            elif name == "BRANCH":
                total += sum(count(branch) for branch in arg[1])
            elif name == "SUBPATTERN":
                total += count(arg[-1])
            elif name in ("ASSERT", "ASSERT_NOT"):
                total += count(arg[1])
            elif name == "ATOMIC_GROUP":
                total += count(arg)
        return total

    return count(_parser.parse(pattern))


_QUANTIFIER = re.compile(r"[*+?]|\{[0-9]*(?:,[0-9]*)?\}")


def _quantified_spans(pattern: str) -> list[tuple[int, int]]:
    """(start, end) of each quantified piece (operand and quantifier), ordered by where the
    operand starts: the order in which the walk meets the repetitions. Best effort: the caller
    checks the count against the parser's."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []  # start of each open group
    previous: int | None = None  # start of the last complete atom
    pos = 0
    size = len(pattern)
    while pos < size:
        char = pattern[pos]
        if char == "\\":
            previous, pos = pos, pos + 2
        elif char == "[":
            end = pos + 1
            if end < size and pattern[end] == "^":
                end += 1
            if end < size and pattern[end] == "]":
                end += 1
            while end < size and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            previous, pos = pos, end + 1
        elif char == "(":
            opened.append(pos)
            previous = None
            pos += 1
            if pattern.startswith("?", pos):  # (?:, (?P<name>, (?=, (?i) ...: not a quantifier
                pos += 1
        elif char == ")":
            previous = opened.pop() if opened else None
            pos += 1
        elif char == "|":
            previous, pos = None, pos + 1
        else:
            quantifier = _QUANTIFIER.match(pattern, pos)
            if quantifier is not None and previous is not None and quantifier.group() != "{}":
                end = quantifier.end()
                if end < size and pattern[end] in "?+":
                    end += 1  # lazy or possessive
                spans.append((previous, end))
                previous, pos = None, end
            else:
                previous, pos = pos, pos + 1
    return sorted(spans, key=lambda span: (span[0], -span[1]))


def compile_linear(pattern: str, flags: int = re.I) -> re.Pattern[str]:
    """Compile a pattern already validated by ``linear_problem``."""
    problem = linear_problem(pattern)
    if problem is not None:
        raise ValueError(problem)
    return re.compile(pattern, flags)


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of the literal phrases as whole words.

    Spaces in a phrase match any run of up to 20 whitespace characters; the phrases are
    literals, so the alternation does bounded work per position.
    """
    if not phrases:
        return None
    parts = sorted({_phrase(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![\w\[<])(?:" + "|".join(parts) + r")(?![\w\]>])", re.I)


def _phrase(phrase: str) -> str:
    return r"\s{1,20}".join(re.escape(word) for word in phrase.split())
