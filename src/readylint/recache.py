"""Compiled ``re`` programs kept between runs of the ``readylint`` command.

A one-item run imports PyYAML, click and readylint's own modules, which compile about eighty
regular expressions at import time; parsing and compiling them in pure Python is a sixth of the
run. ``install`` (called by ``console.run`` before anything else is imported) puts a caching
step in front of ``re``'s compiler: a pattern compiled before, with the same flags, by the same
Python, is handed straight to the C matcher with the program kept in the validation cache
(cache.py); any other pattern is compiled as ``re`` compiles it and its program is kept for the
next run. The result is the very object ``re.compile`` would build (same program, flags and
groups), so nothing matches differently; ``_sre.compile`` validates a program before accepting
it, and a program it refuses is compiled afresh. ``linear.py`` keeps check-file patterns the same
way.

Only the command installs this (a library caller's process is left alone), and not when the
cache is off (``READYLINT_NO_CACHE=1`` or ``--no-cache``). It relies on ``re``'s internals as of
Python 3.10 to 3.13 and does nothing where they are not as expected.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from readylint import cache

NAME = "re-programs"
_MAX_PROGRAMS = 2000  # beyond this, only the programs this process used are kept

_compiler: Any = importlib.import_module(
    "re._compiler" if hasattr(re, "_compiler") else "sre_compile"
)
_parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")
_sre: Any = importlib.import_module("_sre")

_original: Callable[..., Any] | None = None


def usable() -> bool:
    """Whether ``re``'s internals are the ones this module knows how to feed."""
    return (
        callable(getattr(_compiler, "compile", None))
        and callable(getattr(_compiler, "_code", None))
        and callable(getattr(_sre, "compile", None))
        and hasattr(_sre, "MAGIC")
    )


def program(tree: Any, flags: int) -> tuple[Any, ...]:
    """The arguments after the pattern that ``_sre.compile`` takes for a parsed pattern, as
    ``re._compiler.compile`` computes them (flags, code, groups, group index, index group)."""
    state = tree.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    return (
        flags | state.flags,
        [int(op) for op in _compiler._code(tree, flags)],
        state.groups - 1,
        dict(state.groupdict),
        tuple(indexgroup),
    )


def install() -> bool:
    """Serve ``re``'s compilations from the cache for the rest of the process; False when the
    cache is off or ``re`` is not as expected (then nothing changes)."""
    global _original
    if _original is not None:
        return True
    if not usable() or cache.directory() is None:
        return False
    key = (_sre.MAGIC, _sre.CODESIZE)
    kept = cache.load(NAME, key)
    programs: dict[tuple[str | bytes, int], tuple[Any, ...]] = (
        kept if isinstance(kept, dict) else {}
    )
    used: set[tuple[str | bytes, int]] = set()
    original = _compiler.compile
    debug = int(getattr(_compiler, "SRE_FLAG_DEBUG", 128))

    def compile(pattern: Any, flags: int = 0) -> Any:
        if not isinstance(pattern, (str, bytes)) or not isinstance(flags, int) or flags & debug:
            return original(pattern, flags)
        flags = int(flags)
        known = (pattern, flags)
        found = programs.get(known)
        if found is not None:
            try:
                compiled = _sre.compile(pattern, *found)
            except Exception:  # a program this interpreter refuses: compile it again
                del programs[known]
            else:
                used.add(known)
                return compiled
        tree = _parser.parse(pattern, flags)  # raises re.error as re.compile would
        made = program(tree, flags)
        compiled = _sre.compile(pattern, *made)
        programs[known] = made
        used.add(known)
        if len(programs) > _MAX_PROGRAMS:  # many one-off patterns: forget the unused ones
            for stale in [k for k in programs if k not in used]:
                del programs[stale]
        cache.keep(NAME, key, programs)
        return compiled

    _original = original
    _compiler.compile = compile
    return True


def uninstall() -> None:
    """Put ``re``'s own compiler back (for tests)."""
    global _original
    if _original is not None:
        _compiler.compile = _original
        _original = None


def off_by_argument(argv: list[str]) -> bool:
    """Whether the command line turns the cache off (``--no-cache`` before any ``--``)."""
    for argument in argv:
        if argument == "--":
            return False
        if argument == "--no-cache":
            return True
    return False
