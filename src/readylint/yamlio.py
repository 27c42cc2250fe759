"""YAML loading: safe loaders only, the C loader when PyYAML has it, and line numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from readylint.errors import ReadylintError
from readylint.paths import display_path
from readylint.text import HALF_PAIR
from readylint.yamlguard import LIBYAML_TOO_DEEP, TOO_DEEP, check_nesting

try:
    SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    HAS_C_LOADER = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SafeLoader = yaml.SafeLoader
    HAS_C_LOADER = False

LinePath = tuple[str | int, ...]


def decode(data: bytes) -> str:
    """Decode file bytes as UTF-8 (BOM allowed) or BOM-marked UTF-16/32; raise on anything else."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReadylintError(f"not valid {codec.upper()} ({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len(_BYTE_BREAKS.findall(data, 0, exc.start)) + 1
        raise ReadylintError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None


# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
BYTE_ORDER_MARKS = (b"\xef\xbb\xbf", *(bom for bom, _ in _BOMS))
# Line breaks as YAML counts them (CR LF, CR, LF; NEL, LS and PS in decoded text).
_BYTE_BREAKS = re.compile(rb"\r\n?|\n")
_BREAKS = re.compile(r"\r\n?|[\n\x85\u2028\u2029]")


def yaml_error(exc: yaml.YAMLError, text: str | None = None) -> ReadylintError:
    """A one-line error with the line number of a PyYAML exception."""
    if isinstance(exc, yaml.reader.ReaderError):
        # Raised for characters YAML forbids; it carries a character position, not a mark.
        line = len(_BREAKS.findall(text, 0, exc.position)) + 1 if text is not None else None
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        return ReadylintError(
            f"invalid YAML: character U+{char:04X} is not allowed in YAML", line=line
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == LIBYAML_TOO_DEEP:  # libyaml's own limit (PyYAML >= 6.0.4), said as ours
            return ReadylintError(f"invalid YAML: {TOO_DEEP}", line=mark.line + 1 if mark else None)
        parts = [p for p in (exc.context, exc.problem) if p]
        text = "; ".join(parts) or "invalid YAML"
        return ReadylintError(f"invalid YAML: {text}", line=mark.line + 1 if mark else None)
    return ReadylintError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else exc}")


def compose(text: str) -> yaml.Node | None:
    """Parse one YAML document into its node tree (no Python objects are constructed).

    Text nested too deeply for the C loader is refused first (``yamlguard``); so is, with the
    pure-Python loader, an escape of half a UTF-16 pair, as the C loader refuses it."""
    check_nesting(text)
    loader = SafeLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is not None and SafeLoader is not _C_LOADER and "\\" in text:
        _refuse_surrogate_escapes(root, text)
    return root


_C_LOADER = getattr(yaml, "CSafeLoader", None)
# An escape in a double-quoted scalar; an escaped backslash is one, so "\\\\ud800" holds none.
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|.)", re.S)


def _refuse_surrogate_escapes(root: yaml.Node, text: str) -> None:
    """Raise libyaml's error for the first escape of a surrogate (``"\\ud83d"``, half a UTF-16
    pair; libyaml refuses even two halves that make a pair). PyYAML's pure-Python loader takes
    it for a character, which no UTF-8 output can hold: a report would stop with a traceback."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: its node was read already
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if node.style == '"' and not value.isascii() and HALF_PAIR.search(value):
                _raise_at_escape(node, text)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in reversed(node.value) for part in reversed(pair))


def _raise_at_escape(node: yaml.ScalarNode, text: str) -> None:
    start = node.start_mark
    for escape in _ESCAPE.finditer(text, start.index, node.end_mark.index):
        digits = escape.group(1) or escape.group(2)
        if digits and 0xD800 <= int(digits, 16) <= 0xDFFF:
            line = start.line + len(_BREAKS.findall(text, start.index, escape.start()))
            at = yaml.Mark(start.name, escape.start(), line, 0, None, 0)
            raise yaml.scanner.ScannerError(
                "while parsing a quoted scalar",
                start,
                "found invalid Unicode character escape code",
                at,
            )


def load_document(path: Path) -> tuple[Any, dict[LinePath, int]]:
    """Load a small YAML document (config, check file) with the line of every key.

    Raises ReadylintError naming the file and line for unreadable or invalid YAML.
    """
    shown = display_path(path)
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise ReadylintError(f"cannot read: {exc.strerror or exc}", path=shown) from None
    except ReadylintError as exc:
        raise ReadylintError(exc.message, path=shown, line=exc.line) from None
    try:
        node = compose(text)
        loader = SafeLoader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        err = yaml_error(exc, text)
        raise ReadylintError(err.message, path=shown, line=err.line) from None
    except RecursionError:  # the pure-Python loader, on nesting the guard lets through
        raise ReadylintError("invalid YAML: nested too deeply", path=shown) from None
    lines: dict[LinePath, int] = {}
    if node is not None:
        try:
            _collect_lines(node, (), lines, 0)
        except ReadylintError as exc:
            raise ReadylintError(exc.message, path=shown, line=exc.line) from None
    return data, lines


def _collect_lines(
    node: yaml.Node,
    at: LinePath,
    lines: dict[LinePath, int],
    depth: int,
    seen: set[int] | None = None,
) -> None:
    """The line of every key path. An aliased node is walked once (its first path): walking it
    at every alias expanded a "billion laughs" config to 100 million paths (300 s)."""
    seen = set() if seen is None else seen
    lines.setdefault(at, node.start_mark.line + 1)
    if depth > 64 or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                if key.value in first:  # PyYAML keeps the last silently; say which one is meant
                    raise ReadylintError(
                        f"duplicate key '{key.value}' (first on line {first[key.value]}); "
                        "keep one of them",
                        line=line,
                    )
                first[key.value] = line
                lines.setdefault((*at, key.value), line)
                _collect_lines(value, (*at, key.value), lines, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _collect_lines(value, (*at, index), lines, depth + 1, seen)


def line_for(lines: dict[LinePath, int], loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest known prefix of a (pydantic) error location."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
