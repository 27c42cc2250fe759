"""Start-up work of the ``readylint`` command, kept between runs: ``re`` programs and the code of
dataclass methods.

A one-item run imports PyYAML, click and readylint's own modules. At import time they compile
about eighty regular expressions (``re`` parses and compiles them in pure Python) and build the
methods of some twenty dataclasses (``dataclasses`` writes their source and compiles it with
``exec``): together a quarter of the run. ``install`` (called by ``console.run`` before anything
else is imported) serves both from the validation cache (cache.py):

- ``re``: a pattern compiled before with the same flags is handed straight to the C matcher with
  the program kept from that run; any other is compiled as ``re`` compiles it and its program is
  kept. The result is the very object ``re.compile`` builds (same program, flags and groups;
  ``_sre.compile`` validates a program before accepting it, and one it refuses is compiled again).
- ``dataclasses``: the module's ``exec`` of generated source runs the code object ``compile``
  made of that same source in an earlier run (``marshal`` keeps code objects, as ``.pyc`` files
  do), so the methods are the same functions.

Entries are keyed by readylint's and Python's versions (cache.py) and the matcher's magic
number. Kept code is run, so the cache directory is trusted as ``__pycache__`` is (see cache.py),
and the code file is read only when it and its folder are the user's own and not writable by
everyone. Only the command installs this (a library caller's process is left alone), and not when
the cache is off (``READYLINT_NO_CACHE=1`` or ``--no-cache``). It relies on ``re``'s and
``dataclasses``' internals as of Python 3.10 to 3.13 and leaves alone what is not as expected.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from readylint import cache

NAME = "re-programs"
CODE_NAME = "dataclass-code"
_MAX_CODE = 2000
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


def install(argv: list[str]) -> bool:
    """Serve ``re``'s compilations and dataclasses' generated code from the cache for the rest
    of the process; False when the cache is off (by ``argv`` or the environment)."""
    if off_by_argument(argv) or cache.directory() is None:
        return False
    install_re()
    install_dataclasses()
    return True


def install_re() -> bool:
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


def install_dataclasses() -> bool:
    """Run dataclasses' generated method source from code kept by an earlier run; False when
    the cache is off or ``dataclasses`` does not ``exec`` source as expected."""
    import dataclasses

    if "exec" in vars(dataclasses):
        return vars(dataclasses)["exec"] is _exec_kept
    if not callable(getattr(dataclasses, "_create_fn", None)) and not hasattr(
        dataclasses, "_FuncBuilder"
    ):
        return False
    folder = cache.directory()
    if folder is None:
        return False
    kept = cache.load(CODE_NAME, ()) if cache.private(folder / CODE_NAME) else None
    _codes.clear()
    if isinstance(kept, dict):
        _codes.update(kept)
    dataclasses.exec = _exec_kept  # type: ignore[attr-defined]
    return True


_codes: dict[str, Any] = {}


def _exec_kept(source: Any, globals: Any = None, locals: Any = None) -> None:
    """``exec`` as dataclasses calls it: compiled as ``exec`` compiles source dataclasses passes
    (no inherited ``__future__`` flags, file "<string>"), or the code kept for that source."""
    if isinstance(source, str):
        code = _codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if len(_codes) < _MAX_CODE:
                _codes[source] = code
                cache.keep(CODE_NAME, (), _codes)
        source = code
    exec(source, globals, locals)


def uninstall() -> None:
    """Put ``re``'s own compiler and dataclasses' own ``exec`` back (for tests)."""
    global _original
    import dataclasses

    if _original is not None:
        _compiler.compile = _original
        _original = None
    if vars(dataclasses).get("exec") is _exec_kept:
        del dataclasses.exec  # type: ignore[attr-defined]


def off_by_argument(argv: list[str]) -> bool:
    """Whether the command line turns the cache off (``--no-cache`` before any ``--``)."""
    for argument in argv:
        if argument == "--":
            return False
        if argument == "--no-cache":
            return True
    return False
