"""Read backlog items from YAML files.

A file holds a sequence of items, a mapping whose ``items:`` key holds that sequence (other
top-level keys are metadata), or a single item mapping. Documents are composed into nodes, not
constructed into Python objects, so every value keeps its line, duplicate keys are visible, and
no tag is ever executed.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from readylint.errors import ReadylintError
from readylint.keys import CORE_KEYS, normalise_key
from readylint.models import (
    BacklogItem,
    FieldValue,
    InputError,
    Location,
    SourceResult,
    Suppression,
)
from readylint.paths import display_path
from readylint.sources.yaml_aliases import EXTRA_COST, overflowing_item
from readylint.yamlio import compose, decode, yaml_error

YAML_SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 40
MAX_VALUE_CHARS = 60_000_000  # a field value larger than this is refused
MAX_VALUE_NODES = 100_000  # so is one that expands (through aliases) to more nodes than this

_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "binary",
                 "omap", "pairs", "set", "merge", "value")
)  # fmt: skip
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_ITEMS_KEY = "items"
_IGNORE_KEY = "readylint_ignore"  # ``readylint-ignore`` and its spellings, see suppress.py


class _ItemError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class FileList:
    """The YAML files named by path arguments, errors for arguments or directories that cannot be
    read, and notices for what a directory holds but is not read (linked directories)."""

    files: list[Path] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def collect_files(paths: Iterable[Path]) -> FileList:
    """Expand directories to the YAML files below them (sorted, hidden entries skipped).

    Links to directories inside a directory are not followed (they may point anywhere, or back
    up the tree); each one skipped is named in a notice. Unreadable directories are errors.
    """
    result = FileList()
    seen: set[Path] = set()

    def unreadable(exc: OSError) -> None:
        shown = display_path(Path(exc.filename)) if exc.filename else "?"
        result.errors.append(InputError(f"cannot read directory: {exc.strerror or exc}", shown))

    for path in paths:
        try:
            is_dir = stat.S_ISDIR(path.stat().st_mode)
        except (OSError, ValueError) as exc:
            result.errors.append(InputError(_missing(path, exc), display_path(path)))
            continue
        if is_dir:
            found: list[Path] = []
            for root, dirs, names in os.walk(path, onerror=unreadable):
                linked = [d for d in dirs if not d.startswith(".") and Path(root, d).is_symlink()]
                if linked:
                    result.notices.append(
                        "not following linked director"
                        f"{'y' if len(linked) == 1 else 'ies'} "
                        f"{', '.join(Path(root, d).as_posix() for d in sorted(linked))}; "
                        "name a linked directory as an argument to check it"
                    )
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
                found.extend(
                    Path(root) / n for n in names
                    if n.endswith(YAML_SUFFIXES) and not n.startswith(".")
                )  # fmt: skip
            candidates = sorted(found, key=lambda p: p.as_posix())
        else:
            candidates = [path]
        for candidate in candidates:
            try:
                key = candidate.resolve()
            except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
                key = candidate.absolute()
            if key not in seen:
                seen.add(key)
                result.files.append(candidate)
    return result


def _missing(path: Path, exc: Exception) -> str:
    if isinstance(exc, (FileNotFoundError, ValueError)):
        if path.is_symlink():
            return "broken symbolic link (its target does not exist)"
        return "no such file or directory"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot read: {getattr(exc, 'strerror', None) or exc}"


def read_files(files: Sequence[Path], first_order: int = 0) -> SourceResult:
    """Read every file; one bad file gives an error and never hides the items of the others."""
    read: list[BacklogItem] = []
    result = SourceResult(read)
    order = first_order
    for path in files:
        items, errors = read_file(path, order)
        order += len(items) + len(errors)
        read.extend(items)
        result.errors.extend(errors)
    return result


def read_file(path: Path, first_order: int = 0) -> tuple[list[BacklogItem], list[InputError]]:
    """Items and errors of one file; a file that cannot be read is one error naming why."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [], [InputError(_missing(path, exc), shown)]
    return read_bytes(data, shown, first_order)


def read_bytes(
    data: bytes, path: str, first_order: int = 0
) -> tuple[list[BacklogItem], list[InputError]]:
    """Items and errors of one file's content."""
    try:
        text = decode(data)
    except ReadylintError as exc:
        return [], [InputError(exc.message, path, exc.line)]
    return read_text(text, path, first_order)


def read_text(
    text: str, path: str, first_order: int = 0
) -> tuple[list[BacklogItem], list[InputError]]:
    """Items and errors of one YAML document.

    The garbage collector is paused meanwhile. A file's nodes and items are many objects that
    all live until the file is read, and none is garbage before: the collections that their
    number sets off walk the growing tree again and again, half the read of a 100,000-item file
    (benchmarks/README.md). Anything left for the collector is found once it runs again."""
    if not gc.isenabled():  # paused by the caller: it resumes it
        return _read_text(text, path, first_order)
    gc.disable()
    try:
        return _read_text(text, path, first_order)
    finally:
        gc.enable()


def _read_text(
    text: str, path: str, first_order: int
) -> tuple[list[BacklogItem], list[InputError]]:
    try:
        root = compose(text)
    except yaml.YAMLError as exc:
        err = yaml_error(exc, text)
        return [], [InputError(err.message, path, err.line)]
    except RecursionError:
        return [], [InputError("invalid YAML: nested too deeply", path)]
    if root is None:
        return [], []
    item_nodes, errors = _item_nodes(root, path)
    items: list[BacklogItem] = []
    overflow = overflowing_item(text, item_nodes)  # an alias bomb spread over many items
    for index, node in enumerate(item_nodes):
        if index == overflow:  # its own value may be the bomb: say so at the value's line
            try:
                _item(node, path)
            except _ItemError as exc:
                errors.append(InputError(exc.message, path, exc.line))
                index += 1
            if index < len(item_nodes):
                errors.append(_alias_overflow(path, item_nodes[index], len(item_nodes) - index - 1))
            break
        try:
            item = _item(node, path)
        except _ItemError as exc:
            errors.append(InputError(exc.message, path, exc.line))
            continue
        item.order = first_order + index
        items.append(item)
    return items, errors


def _alias_overflow(path: str, node: yaml.Node, rest: int) -> InputError:
    return InputError(
        f"aliases in this file expand to more than {EXTRA_COST:,} extra nodes (an alias bomb?); "
        f"this item{f' and the {rest} after it are' if rest else ' is'} not checked; "
        "write the values out instead",
        path,
        _line(node),
    )


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _item_nodes(root: yaml.Node, path: str) -> tuple[list[yaml.Node], list[InputError]]:
    if root.tag not in _STANDARD_TAGS:
        return [], [InputError(_tag_message(root) + "; the file is not checked", path, _line(root))]
    if isinstance(root, yaml.SequenceNode):
        return list(root.value), []
    if isinstance(root, yaml.MappingNode):
        found = [
            (key, value)
            for key, value in root.value
            if isinstance(key, yaml.ScalarNode) and normalise_key(key.value) == _ITEMS_KEY
        ]
        if len(found) > 1:  # a second 'items:' list would otherwise be skipped silently
            (first, _), (second, _) = found[:2]
            return [], [
                InputError(
                    f"duplicate key '{second.value}' (same as '{first.value}' on line "
                    f"{_line(first)}); merge the lists: the file's items are not checked",
                    path,
                    _line(second),
                )
            ]
        if found:
            value = found[0][1]
            if value.tag not in _STANDARD_TAGS:
                message = _tag_message(value) + "; the file's items are not checked"
                return [], [InputError(message, path, _line(value))]
            if isinstance(value, yaml.SequenceNode):
                return list(value.value), []
            if isinstance(value, yaml.ScalarNode) and value.tag == _NULL:
                return [], []
            return [], [InputError("'items' must be a list of items", path, _line(value))]
        return [root], []
    return [], [
        InputError(
            "expected a list of items, a mapping with an 'items:' list, or one item mapping",
            path,
            _line(root),
        )
    ]


def _scalar(node: yaml.Node, what: str) -> str:
    _check_tag(node)
    if not isinstance(node, yaml.ScalarNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
        raise _ItemError(f"{what} must be text, not {kind}", _line(node))
    return "" if node.tag == _NULL else str(node.value)


def _check_tag(node: yaml.Node) -> None:
    if node.tag not in _STANDARD_TAGS:
        raise _ItemError(_tag_message(node), _line(node))


def _tag_message(node: yaml.Node) -> str:
    return f"unsupported YAML tag '{node.tag}' (tags are never executed)"


def _text(node: yaml.Node, depth: int = 0, budget: list[int] | None = None) -> str:
    """A field value as text: scalars as written, lists as bullet lines, mappings as key lines.

    ``budget`` holds the characters and nodes still allowed, so that an alias bomb ("billion
    laughs") is refused after a bounded amount of work instead of being expanded.
    """
    if budget is None:
        budget = [MAX_VALUE_CHARS, MAX_VALUE_NODES]
    if depth > MAX_DEPTH:
        raise _ItemError(f"value nested more than {MAX_DEPTH} levels deep", _line(node))
    budget[1] -= 1
    if budget[1] < 0:
        raise _ItemError("value too large (alias expansion?)", _line(node))
    _check_tag(node)
    if isinstance(node, yaml.ScalarNode):
        value = "" if node.tag == _NULL else str(node.value)
        budget[0] -= len(value)
        if budget[0] < 0:
            raise _ItemError("value too large (alias expansion?)", _line(node))
        return value
    if isinstance(node, yaml.SequenceNode):
        parts = [_text(child, depth + 1, budget) for child in node.value]
        return "\n".join(f"- {p}" for p in parts if p)
    lines = []
    for key, child in node.value:
        name = _text(key, depth + 1, budget)
        lines.append(f"{name}: {_text(child, depth + 1, budget)}")
    return "\n".join(lines)


def _content_line(node: yaml.Node) -> int:
    """The line of a scalar's first character of content (block scalars start a line later)."""
    style = getattr(node, "style", None)
    return _line(node) + (1 if style in ("|", ">") else 0)


def _item(node: yaml.Node, path: str) -> BacklogItem:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise _ItemError("an item must be a mapping of keys to values", line)
    _check_tag(node)
    core: dict[str, yaml.Node] = {}
    fields: dict[str, FieldValue] = {}
    suppressions: tuple[Suppression, ...] = ()
    first_line: dict[str, tuple[str, int]] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            raise _ItemError(
                "merge keys ('<<') are not supported: the merged keys would be ignored; "
                "write the keys out in each item",
                _line(key_node),
            )
        raw_key = _scalar(key_node, "a key")
        norm = normalise_key(raw_key)
        key_line = _line(key_node)
        if norm in first_line:
            spelled, at = first_line[norm]
            raise _ItemError(
                f"duplicate key '{raw_key}' (same as '{spelled}' on line {at}); item not checked",
                key_line,
            )
        first_line[norm] = (raw_key, key_line)
        target = CORE_KEYS.get(norm)
        if norm == _IGNORE_KEY:
            suppressions = _suppressions(value_node)
        elif target is not None and target not in core:
            core[target] = value_node
        else:
            fields[norm] = FieldValue(_text(value_node), key_line, raw_key)
    ident = _scalar(core["id"], "id").strip() if "id" in core else ""
    title = _scalar(core["title"], "title").strip() if "title" in core else ""
    if not ident:
        raise _ItemError(
            f"item has no id{f' (title: {title[:60]!r})' if title else ''}; add 'id:'", line
        )
    if not title:
        raise _ItemError(f"item '{ident}' has no title; add 'title:'", line)
    description = None
    description_line = None
    if "description" in core:
        description = _text(core["description"])
        description_line = _content_line(core["description"])
    return BacklogItem(
        id=ident,
        title=title,
        location=Location(path=path, line=line),
        type=_scalar(core["type"], "type").strip() or "story" if "type" in core else "story",
        status=_scalar(core["status"], "status").strip() or None if "status" in core else None,
        labels=_labels(core["labels"]) if "labels" in core else (),
        description=description,
        description_line=description_line,
        rank=_rank(core["rank"], ident) if "rank" in core else None,
        fields=fields,
        title_line=_line(core["title"]),
        suppressions=suppressions,
    )


def _suppressions(node: yaml.Node) -> tuple[Suppression, ...]:
    """``readylint-ignore``: a mapping of check id to reason (the documented form), or a list or
    comma-separated text of check ids, which have no reason (suppress.py reports that)."""
    _check_tag(node)
    found: list[Suppression] = []
    if isinstance(node, yaml.MappingNode):
        pairs = list(node.value)
    elif isinstance(node, yaml.SequenceNode):
        pairs = []
        for child in node.value:
            if isinstance(child, yaml.MappingNode):
                pairs.extend(child.value)
            else:
                found.append(Suppression(_scalar(child, "a check id").strip(), "", _line(child)))
    else:
        text = _scalar(node, "readylint-ignore")
        return tuple(
            Suppression(part.strip(), "", _line(node)) for part in text.split(",") if part.strip()
        )
    for key, value in pairs:
        reason = " ".join(_text(value).split())
        found.append(Suppression(_scalar(key, "a check id").strip(), reason, _line(key)))
    return tuple(found)


def _labels(node: yaml.Node) -> tuple[str, ...]:
    if isinstance(node, yaml.SequenceNode):
        return tuple(_scalar(child, "a label").strip() for child in node.value)
    text = _scalar(node, "labels")
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _rank(node: yaml.Node, ident: str) -> int | None:
    text = _scalar(node, "rank").strip()
    if not text:
        return None
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise _ItemError(
            f"item '{ident}': rank must be a whole number, not {text[:40]!r}; item not checked",
            _line(node),
        ) from None
    if value < 1:
        raise _ItemError(
            f"item '{ident}': rank must be 1 or more (1 = first); item not checked", _line(node)
        )
    return value
