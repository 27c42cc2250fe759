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
import sys
from collections.abc import Callable, Iterator
from typing import Any

MAX_REPEAT = 2000  # the largest upper bound a repetition may have

_parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")
_constants: Any = importlib.import_module(
    "re._constants" if hasattr(re, "_constants") else "sre_constants"
)
_compiler: Any = importlib.import_module(
    "re._compiler" if hasattr(re, "_compiler") else "sre_compile"
)
_sre: Any = importlib.import_module("_sre")

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


# -- compiling check-file patterns ----------------------------------------------------------------
#
# ``re.compile`` parses a pattern (pure Python) and turns the tree into a program for the C
# matcher; for the patterns of the built-in checks that is most of a one-item run. A pattern is
# parsed once here, for both the linear-time check and the program, and the program is kept in the
# validation cache (cache.py, keyed by the Python version and the matcher's magic number) so
# later runs hand it straight to the matcher. This uses the same ``re`` internals as
# ``re._compiler.compile`` (Python 3.10 to 3.13); ``_sre.compile`` validates a program before it
# accepts it, and if anything is not as expected the public ``re.compile`` takes over.

_PROGRAMS = "regex-programs"
_MAX_PROGRAMS = 1000  # beyond this, only the programs this process used are kept
_fast = callable(getattr(_compiler, "_code", None)) and callable(getattr(_sre, "compile", None))
_programs: dict[tuple[str, int], tuple[Any, ...]] | None = None
_used: set[tuple[str, int]] = set()


def _known_programs() -> dict[tuple[str, int], tuple[Any, ...]]:
    global _programs
    if _programs is None:
        from readylint import cache

        kept = cache.load(_PROGRAMS, (_sre.MAGIC, _sre.CODESIZE))
        _programs = kept if isinstance(kept, dict) else {}
    return _programs


def compile_checked(pattern: str, flags: int, *, check: bool = True) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``; with ``check``, a pattern that is not linear (or not valid)
    raises ValueError saying why, as ``linear_problem`` would."""
    global _fast
    flags = int(flags)  # a plain int (not re.RegexFlag), as the cache keeps it
    if _fast:
        programs = _known_programs()
        program = programs.get((pattern, flags))
        if program is not None:
            try:
                compiled: re.Pattern[str] = _sre.compile(pattern, *program)
                _used.add((pattern, flags))
                return compiled
            except Exception:  # a program this interpreter does not accept: compile again
                del programs[(pattern, flags)]
    try:
        tree = _parser.parse(pattern, flags)
    except re.error as exc:
        if check:
            raise ValueError(f"invalid regular expression '{pattern}': {exc}") from None
        raise
    if check:
        walk = _Walk(pattern)
        found = walk.tree(tree, inside_repeat=False)
        if found is not None:
            raise ValueError(f"pattern '{pattern}' {found.format(at=walk.quote())}")
    if _fast:
        try:
            state = tree.state
            indexgroup: list[str | None] = [None] * state.groups
            for name, index in state.groupdict.items():
                indexgroup[index] = name
            program = (
                flags | state.flags,
                [int(op) for op in _compiler._code(tree, flags)],
                state.groups - 1,
                dict(state.groupdict),
                tuple(indexgroup),
            )
            compiled = _sre.compile(pattern, *program)
        except Exception:  # re's internals are not what this code expects: use re.compile
            _fast = False
        else:
            from readylint import cache

            programs = _known_programs()
            programs[(pattern, flags)] = program
            _used.add((pattern, flags))
            if len(programs) > _MAX_PROGRAMS:  # patterns edited often: forget the unused ones
                for key in [k for k in programs if k not in _used]:
                    del programs[key]
            cache.keep(_PROGRAMS, (_sre.MAGIC, _sre.CODESIZE), programs)
            return compiled
    return re.compile(pattern, flags)


class LinearPattern:
    """A check file's pattern, checked by ``linear_problem`` and compiled when first used.

    A run builds every check's patterns but a small backlog uses few of them: compiling them
    all up front was most of a one-item run. The first call of a matching method compiles the
    pattern and puts the compiled pattern's own methods in its place, so later calls cost what
    they cost on a ``re.Pattern``.
    """

    def __init__(self, pattern: str, flags: int = re.I, *, linear: bool = False) -> None:
        self.pattern = pattern
        self.flags = flags
        self._linear = linear  # already known to be linear (built by phrase_pattern)

    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern; raises ValueError when it is not accepted."""
        compiled = compile_checked(self.pattern, self.flags, check=not self._linear)
        self.__dict__.update(
            search=compiled.search,
            match=compiled.match,
            fullmatch=compiled.fullmatch,
            finditer=compiled.finditer,
            findall=compiled.findall,
            sub=compiled.sub,
        )
        return compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled().match(string, pos, endpos)

    def fullmatch(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> re.Match[str] | None:
        return self.compiled().fullmatch(string, pos, endpos)

    def finditer(
        self, string: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[Any]:
        return self.compiled().findall(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def __repr__(self) -> str:
        return f"LinearPattern({self.pattern!r}, {self.flags})"


def compile_linear(pattern: str, flags: int = re.I) -> LinearPattern:
    """A pattern already validated by ``linear_problem`` (the check-file schema does that),
    compiled on first use; a pattern that is not linear raises ValueError then."""
    return LinearPattern(pattern, flags)


def phrase_pattern(phrases: tuple[str, ...]) -> LinearPattern | None:
    """One case-insensitive pattern matching any of the literal phrases as whole words.

    Spaces in a phrase match any run of up to 20 whitespace characters; the phrases are
    literals, so the alternation does bounded work per position.
    """
    if not phrases:
        return None
    # Longest first; equal lengths in text order, so the pattern is the same in every process.
    parts = sorted({_phrase(p) for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    return LinearPattern(r"(?<![\w\[<])(?:" + "|".join(parts) + r")(?![\w\]>])", re.I, linear=True)


def _phrase(phrase: str) -> str:
    return r"\s{1,20}".join(re.escape(word) for word in phrase.split())


# Python's ``\s`` (Unicode) within an RE2 class, and the two letters Python's IGNORECASE also
# takes for "i" (dotless i and dotted capital I) where RE2's case folding does not. Any run of
# spaces, not up to 20 as the exact pattern has it: the prefilter may match more, and RE2 spells
# ``{1,20}`` out as twenty copies of the class, which made a phrase list's program (and the
# states its DFA keeps in every worker) about three times as large.
_ANY_SPACE = r"[\t-\r\x1c-\x1f\x85\pZ]+"
_I = "[i\u0131\u0130]"


def phrase_prefilter(phrases: tuple[str, ...]) -> str | None:
    """An RE2 pattern (case-insensitive) that matches wherever ``phrase_pattern`` does, and in
    some more places: the same phrases without the whole-word look-arounds RE2 lacks. Run it
    first; only where it matches can the exact pattern match."""
    words = {
        _ANY_SPACE.join(re.escape(word).replace("i", _I).replace("I", _I) for word in p.split())
        for p in phrases
        if p.strip()
    }
    return "|".join(sorted(words)) if words else None
