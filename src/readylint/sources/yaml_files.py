"""Read backlog items from YAML files.

A file holds a sequence of items, a mapping whose ``items:`` key holds that sequence (other
top-level keys are metadata), or a single item mapping. Documents are composed into nodes, not
constructed into Python objects, so every value keeps its line, duplicate keys are visible, and
no tag is ever executed. A large plain file can be read a part at a time, from the disk
(``stream_file``), with the same items and errors.
"""

from __future__ import annotations

import codecs
import errno
import gc
import io
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

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
from readylint.yamlguard import MAX_DEPTH as MAX_NESTING
from readylint.yamlio import BYTE_ORDER_MARKS, HAS_C_LOADER, compose, decode, yaml_error

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
    with _collector_paused():
        return _read_text(text, path, first_order)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector paused meanwhile, and resumed after, unless the caller had paused
    it already: then it stays paused."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
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


# A file read a part at a time (``stream_file``): each part's items, and the errors of the
# item nodes in it.
Parts = Iterator[tuple[list[BacklogItem], list[InputError]]]


class Unstreamable(Exception):
    """The file is not plain enough to be read a part at a time (``stream_file``)."""


def stream_bytes(data: bytes, path: str, size: int) -> Parts:
    """``stream_file`` of a file's bytes already in memory."""
    return stream_file(io.BytesIO(data), path, size)


def stream_file(handle: BinaryIO, path: str, size: int, hasher: Any = None) -> Parts:
    """``read_bytes``'s items and errors of the file open as ``handle``, ``size`` item nodes at a
    time: each item is composed and built as the parser reaches it, so a large file's nodes are
    never all in memory (the whole tree of a 110 MB file took 1.2 GiB), nor are its bytes (they
    are read 256 KiB at a time, ``_Feed``). ``hasher`` (``update``) is given every byte read,
    for the results cache's key.

    Only a plain file is streamed: read with PyYAML's C parser, one document that is a list of
    items, or a mapping whose one ``items:`` key holds that list, with no anchor or alias (the
    alias budget weighs the whole file). On anything else, invalid YAML included, this raises
    ``Unstreamable``, possibly after some parts were given: the caller drops them and reads the
    file whole (``read_bytes``), which says what is wrong as it always did. What it gives is
    what ``read_bytes`` gives, part by part (tests/test_yaml_stream.py)."""
    if size < 1:
        raise ValueError(f"parts of {size} items")
    if not HAS_C_LOADER:
        raise Unstreamable
    feed = _Feed(handle, hasher)
    try:
        source = feed.source()
        loader = _StreamLoader(source)
    except Exception:
        raise Unstreamable from None
    del source
    try:
        yield from _stream(loader, path, size)
        feed.finish()
    except Unstreamable:
        raise
    except Exception as exc:  # invalid YAML, say
        raise Unstreamable from exc
    finally:
        loader.dispose()


class _Feed:
    """A file's bytes as libyaml asks for them, 256 KiB at a time: each given to the hasher,
    and checked to be UTF-8 as ``decode`` would find, without the decoded text at once (it can
    take four bytes a character: a 110 MB file with one emoji took 420 MB). A UTF-8 byte order
    mark is left out, as ``decode`` leaves it out; a UTF-16 or UTF-32 file (rare) is decoded
    whole, as ``read_bytes`` does."""

    STEP = 1 << 18

    def __init__(self, handle: BinaryIO, hasher: Any) -> None:
        self._handle = handle
        self._hasher = hasher
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._head = b""  # read to look for a byte order mark, given with the first chunk

    def source(self) -> _Feed | str:
        """What the parser reads: this feed, or the text of a UTF-16 or UTF-32 file."""
        head = self._take(4)
        if head.startswith(codecs.BOM_UTF8):
            self._head = head.removeprefix(codecs.BOM_UTF8)
            return self
        if head.startswith(BYTE_ORDER_MARKS):  # UTF-16 or UTF-32
            try:
                return decode(head + self._take(-1))
            except ReadylintError:
                raise Unstreamable from None
        self._head = head
        return self

    def read(self, size: int) -> bytes:
        """At least what libyaml asks for (PyYAML keeps the rest for its next asks)."""
        chunk = self._head + self._take(max(size, self.STEP) - len(self._head))
        self._head = b""
        try:
            self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise Unstreamable from None
        return chunk

    def finish(self) -> None:
        """Take what the parser left, if anything (only whitespace can be): all of the file's
        bytes are hashed."""
        while self._take(self.STEP):
            pass

    def _take(self, size: int) -> bytes:
        data = self._handle.read(size)
        if self._hasher is not None:
            self._hasher.update(data)
        return data


# libyaml's parser where PyYAML has it (only then is a file streamed); PyYAML's otherwise.
_PARSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StreamLoader(_PARSER):  # type: ignore[misc]
    """libyaml's events composed into nodes by PyYAML's own composer, one node at a time (the
    C composer takes a whole document). A node with an anchor, or an alias, is refused.

    So is a collection nested more than ``yamlguard.MAX_DEPTH`` deep. ``read_text`` has the
    guard (``check_nesting``) read the text first, as the C composer recurses in C; this one
    recurses in Python, and counts the depth as the guard measures it, by collection events,
    so the text is not needed (nor the guard's read of it, 1.2 s for a 110 MB file). libyaml's
    rescan of the open flow levels at each token stays bounded by that depth, as in the guard.
    What the guard refuses is refused here; block nesting deeper than that, which its cheap
    proof lets through, is refused here too, and so read whole."""

    compose_scalar_node = yaml.composer.Composer.compose_scalar_node
    compose_sequence_node = yaml.composer.Composer.compose_sequence_node
    compose_mapping_node = yaml.composer.Composer.compose_mapping_node

    def __init__(self, source: object) -> None:  # text, bytes, or a ``_Feed``
        super().__init__(source)
        self.anchors: dict[str, yaml.Node] = {}
        self.depth = 0  # the collections open around the next node

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Unstreamable
        if not isinstance(event, yaml.CollectionStartEvent):
            return cast(yaml.Node, yaml.composer.Composer.compose_node(self, parent, index))
        self.enter()
        node = yaml.composer.Composer.compose_node(self, parent, index)
        self.depth -= 1
        return cast(yaml.Node, node)

    def enter(self) -> None:
        """One more collection open: refused past the guard's depth."""
        if self.depth >= MAX_NESTING:
            raise Unstreamable
        self.depth += 1


def _stream(loader: _StreamLoader, path: str, size: int) -> Parts:
    """The document's shape, event by event: its list of items streamed (``_stream_list``),
    any metadata beside it composed and dropped."""
    loader.get_event()  # the stream's start
    if loader.check_event(yaml.StreamEndEvent):  # no document: nothing to stream
        raise Unstreamable
    loader.get_event()  # the document's start
    if loader.check_event(yaml.SequenceStartEvent):
        yield from _stream_list(loader, path, size)
    elif loader.check_event(yaml.MappingStartEvent):
        _collection_start(loader, yaml.MappingNode)
        listed = False
        while not loader.check_event(yaml.MappingEndEvent):
            key = loader.compose_node(None, None)
            if isinstance(key, yaml.ScalarNode) and normalise_key(key.value) == _ITEMS_KEY:
                if listed or not loader.check_event(yaml.SequenceStartEvent):
                    raise Unstreamable  # a second 'items:' key, or items that are not a list
                listed = True
                yield from _stream_list(loader, path, size)
            else:
                loader.compose_node(None, None)  # metadata: read, and dropped
        loader.get_event()
        if not listed:  # one item mapping
            raise Unstreamable
    else:
        raise Unstreamable
    loader.get_event()  # the document's end
    if not loader.check_event(yaml.StreamEndEvent):  # another document: read_text says so
        raise Unstreamable


def _stream_list(loader: _StreamLoader, path: str, size: int) -> Parts:
    _collection_start(loader, yaml.SequenceNode)
    items: list[BacklogItem] = []
    errors: list[InputError] = []
    index = 0
    while not loader.check_event(yaml.SequenceEndEvent):
        node = loader.compose_node(None, index)
        try:
            item = _item(node, path)
        except _ItemError as exc:
            errors.append(InputError(exc.message, path, exc.line))
        else:
            item.order = index
            items.append(item)
        index += 1
        if index % size == 0:
            yield items, errors
            items, errors = [], []
    loader.get_event()
    loader.depth -= 1
    if items or errors:
        yield items, errors


def _collection_start(loader: _StreamLoader, kind: type[yaml.Node]) -> None:
    """Take the event that starts a list or mapping, refused if it has an anchor or a tag
    other than YAML's own (resolved as the composer resolves it)."""
    loader.enter()
    event = cast(yaml.CollectionStartEvent, loader.get_event())
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(kind, None, event.implicit)
    if event.anchor is not None or tag not in _STANDARD_TAGS:
        raise Unstreamable


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
