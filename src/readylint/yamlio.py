"""YAML loading: safe loaders only, the C loader when PyYAML has it, and line numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from readylint.errors import ReadylintError
from readylint.paths import display_path
from readylint.yamlguard import check_nesting

try:
    SafeLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    HAS_C_LOADER = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    SafeLoader = yaml.SafeLoader
    HAS_C_LOADER = False

LinePath = tuple[str | int, ...]


def decode(data: bytes) -> str:
    """Decode file bytes as UTF-8 (BOM allowed) or BOM-marked UTF-16; raise on anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReadylintError(f"not valid UTF-16 ({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadylintError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line=line,
        ) from None


def yaml_error(exc: yaml.YAMLError, text: str | None = None) -> ReadylintError:
    """A one-line error with the line number of a PyYAML exception."""
    if isinstance(exc, yaml.reader.ReaderError):
        # Raised for characters YAML forbids; it carries a character position, not a mark.
        line = text.count("\n", 0, exc.position) + 1 if text is not None else None
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "\0")
        return ReadylintError(
            f"invalid YAML: character U+{char:04X} is not allowed in YAML", line=line
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        text = "; ".join(parts) or "invalid YAML"
        return ReadylintError(f"invalid YAML: {text}", line=mark.line + 1 if mark else None)
    return ReadylintError(f"invalid YAML: {str(exc).splitlines()[0] if str(exc) else exc}")


def compose(text: str) -> yaml.Node | None:
    """Parse one YAML document into its node tree (no Python objects are constructed).

    Text nested too deeply for the C loader is refused first (``yamlguard``)."""
    check_nesting(text)
    loader = SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


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
        _collect_lines(node, (), lines, 0)
    return data, lines


def _collect_lines(node: yaml.Node, at: LinePath, lines: dict[LinePath, int], depth: int) -> None:
    lines.setdefault(at, node.start_mark.line + 1)
    if depth > 64:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines.setdefault((*at, key.value), key.start_mark.line + 1)
                _collect_lines(value, (*at, key.value), lines, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _collect_lines(value, (*at, index), lines, depth + 1)


def line_for(lines: dict[LinePath, int], loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest known prefix of a (pydantic) error location."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
