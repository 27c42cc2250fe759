"""First-pass results kept between runs, file by file, so an unchanged file is not read again.

A file's first pass (``pipeline.check_file``: parse, then every check that looks at one item at a
time) depends only on the file's bytes, the name it is shown by, and the engine. Its result is
kept in the cache directory (``cache.directory()``, under ``results/``) and served again while
all of these are the same as when it was stored (never stale):

- the file's bytes (a BLAKE2 hash of them, not the mtime) and the path it is shown by;
- the engine: every check definition loaded, the chosen checks, the configuration's severities,
  minimum words, aliases and options, and ``--strict`` (``Engine.inputs``);
- readylint's version and a hash of each of its modules' bytes (an edited checkout), the Python
  and PyYAML versions, and the RE2 binding's hash and size. Bytes, not mtimes: a CI job that
  installs the same readylint afresh and restores its cache directory is served what it kept.

The second pass (order, duplicates, boilerplate across items) always runs, on every item, so a
change in one file still moves the findings it causes in others. One entry per file: a changed
file's entry is replaced, not added to, and an entry no run has used for ``UNUSED_DAYS`` is
removed (``prune``). Small runs (under ``MIN_BYTES`` of YAML: a pre-commit
hook's few files) skip the cache, since checking them costs less than the lookup.

When a file changed, its entry from the earlier run (same path, same engine) is still of use:
the items in it whose text did not change are not checked again (``pipeline.check_file``, by
each item's ``item_key``, wherever the item moved in the file).

Entries are pickles behind a header (the key, the path's and engine's hash, then a hash of the
payload). Loading a pickle can run code, so the directory is trusted as ``cache.py`` says (like
``__pycache__``, never a directory others can write), and an entry is read only from a file of
the user's own that no one else may write, in a folder no one else may write (``cache.private``).
``--no-cache`` or ``READYLINT_NO_CACHE=1`` turns it off; a damaged or unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from readylint import __version__, cache
from readylint.models import BacklogItem
from readylint.paths import bytes_at_least

try:  # hashlib's own BLAKE2, without hashlib's OpenSSL start-up
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without the _blake2 module
    from hashlib import blake2b

MIN_BYTES = 32_768  # below this much YAML in a run, the cache is not used
FOLDER = "results"
UNUSED_DAYS = 30  # an entry no run has used for this long is removed
_PRUNED = ".pruned"  # its mtime: when unused entries were last removed (at most once a day)
_MAGIC = b"readylint-results-2\n"
_DIGEST = 16
KEY_SIZE = _DIGEST  # the bytes of an ``item_key``


def _hash(data: bytes | memoryview) -> bytes:
    return blake2b(data, digest_size=_DIGEST).digest()


def content_hasher() -> Any:
    """What hashes a file's bytes as they are read (``update``, then ``digest``): the digest is
    ``content_digest`` of them all."""
    return blake2b(digest_size=_DIGEST)


def content_digest(data: bytes) -> bytes:
    """The hash of a file's bytes by which its entry is found (``find``, ``put``)."""
    return _hash(data)


def file_digest(path: Path) -> bytes:
    """``content_digest`` of the file's bytes, read a megabyte at a time (raises OSError)."""
    with path.open("rb") as handle:
        return _hash_rest(handle)


def _hash_rest(handle: BinaryIO) -> bytes:
    """The hash of what is left to read from ``handle``, read a megabyte at a time."""
    hasher = blake2b(digest_size=_DIGEST)
    while chunk := handle.read(1 << 20):
        hasher.update(chunk)
    return bytes(hasher.digest())


def code_stamp() -> tuple[Any, ...]:
    """A hash of every readylint module and of the RE2 binding's Python part, the size of its
    compiled part, and the versions of Python and PyYAML: what decides a first pass besides the
    engine's inputs."""
    import re2  # type: ignore[import-untyped]
    import yaml

    package = Path(__file__).parent
    native: Any = getattr(re2, "_re2", None)  # the compiled RE2: its size (a hash costs 2 ms)
    try:
        native_size: int | None = Path(native.__file__).stat().st_size
    except (AttributeError, OSError, TypeError):
        native_size = None
    return (
        __version__,
        sys.version,
        yaml.__version__,
        yaml.__with_libyaml__,
        native_size,
        cache.content_stamp([(Path(re2.__file__ or ""), "re2/__init__.py")]),
        cache.content_stamp(
            (path, path.relative_to(package).as_posix()) for path in sorted(package.rglob("*.py"))
        ),
    )


class ResultCache:
    """Where one run's file results are looked up and stored (see the module docstring)."""

    __slots__ = ("_engine", "folder")

    def __init__(self, folder: Path, engine_inputs: object) -> None:
        self.folder = folder
        # ``repr`` of the engine's inputs is deterministic: NamedTuples, tuples, dicts in
        # insertion order and dataclasses, no sets (whose order changes with the hash seed).
        self._engine = _hash(repr((code_stamp(), engine_inputs)).encode())

    @classmethod
    def for_run(cls, engine_inputs: object, files: Iterable[Path]) -> ResultCache | None:
        """The cache for a run over these files, or None when it is off or the run is small."""
        folder = cache.directory()
        if folder is None:
            return None
        if not bytes_at_least(files, MIN_BYTES):
            return None
        prune(folder / FOLDER)
        return cls(folder / FOLDER, engine_inputs)

    def _where(self, path: Path, shown: str) -> tuple[Path, bytes]:
        where = f"{Path(path).absolute()}\0{shown}".encode(errors="surrogatepass")
        return self.folder / blake2b(where, digest_size=12).hexdigest(), where

    def _origin(self, where: bytes) -> bytes:
        """This file's path under this engine, whatever its bytes (``earlier``)."""
        return _hash(self._engine + _hash(where))

    def _key(self, where: bytes, content: bytes) -> bytes:
        return _hash(self._origin(where) + content)

    def find(self, path: Path, shown: str, content: bytes) -> Kept | None:
        """The entry kept for this file with exactly the bytes whose ``content_digest`` is
        ``content``, if any (its header only is read here; ``Kept.load`` reads the rest when
        its turn comes)."""
        file, where = self._where(path, shown)
        key = self._key(where, content)
        try:
            with file.open("rb") as handle:
                head = handle.read(len(_MAGIC) + _DIGEST)
        except OSError:
            return None
        if head != _MAGIC + key or not cache.private(file):  # a pickle is run when loaded
            return None
        with contextlib.suppress(OSError):
            os.utime(file)  # used now: kept from ``prune``
        return Kept(file, key)

    def put(self, path: Path, shown: str, content: bytes, result: object) -> None:
        """Keep ``result``, the first pass over the bytes whose ``content_digest`` is
        ``content``; write errors are ignored."""
        file, where = self._where(path, shown)
        head = _MAGIC + self._key(where, content) + self._origin(where)
        cache.write_atomic_with(file, lambda handle: _dump(head, result, handle))

    def earlier(self, path: Path, shown: str) -> Any:
        """What was kept for this file by an earlier run with this engine, whatever the file's
        bytes were then (None if nothing, or damaged): the caller reuses what did not change."""
        file, where = self._where(path, shown)
        if not cache.private(file):
            return None
        origin = self._origin(where)
        start = len(_MAGIC) + _DIGEST  # after the key, which names the bytes
        return _load(file, lambda head: head.startswith(_MAGIC) and head[start:] == origin)


def item_key(item: BacklogItem) -> bytes:
    """What the first pass over one item depends on (its engine aside), with its lines counted
    from its first line: two items with the same key have the same digest, moved by the
    difference of their first lines (``engine.Digest.moved``). Its place among the other items
    (``order``) is left out: the first pass does not look at it."""
    base = item.location.line or 0

    def at(line: int | None) -> int | None:
        return None if line is None else line - base

    facts = (
        item.id,
        item.title,
        item.location.path,
        item.location.line is None,
        item.location.url,
        item.type,
        item.status,
        item.labels,
        item.description,
        at(item.description_line),
        item.rank,
        at(item.title_line),
        tuple((name, value.text, at(value.line), value.key) for name, value in item.fields.items()),
        tuple((s.check, s.reason, at(s.line), s.from_label) for s in item.suppressions),
    )
    # marshal's version 2 writes no back-references, so equal facts give equal bytes.
    return _hash(marshal.dumps(facts, 2))


def prune(folder: Path, now: float | None = None) -> None:
    """Remove the entries no run has used for ``UNUSED_DAYS`` (files moved or deleted, old
    checkouts), at most once a day; errors are ignored."""
    now = time.time() if now is None else now
    marker = folder / _PRUNED
    try:
        if now - marker.stat().st_mtime < 86_400:
            return
    except OSError:
        pass  # never pruned: prune now
    try:
        folder.mkdir(parents=True, exist_ok=True)
        marker.touch()
        for entry in folder.iterdir():
            if entry.name != _PRUNED and now - entry.stat().st_mtime > UNUSED_DAYS * 86_400:
                entry.unlink()
    except OSError:
        return


class Kept:
    """An entry whose key matched (``ResultCache.find``)."""

    __slots__ = ("file", "key")

    def __init__(self, file: Path, key: bytes) -> None:
        self.file = file
        self.key = key

    def load(self) -> Any:
        """The stored result, or None when the entry changed or was damaged since it was found."""
        start = _MAGIC + self.key
        return _load(self.file, lambda head: head.startswith(start))


# An entry: _MAGIC, the key (path, engine and bytes), the origin (path and engine: ``earlier``),
# the payload's hash, then the payload: the pickled result. Written and read through the file, a
# megabyte at a time: the payload (66 MB for 100,000 items in one file) is never held whole.
_HEAD = len(_MAGIC) + 3 * _DIGEST


class _HashingWriter:
    """Writes to ``handle``, hashing what it writes (``pickle.dump`` writes through it)."""

    __slots__ = ("handle", "hasher")

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.hasher = blake2b(digest_size=_DIGEST)

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        return self.handle.write(data)


def _dump(head: bytes, result: object, handle: BinaryIO) -> None:
    """Write an entry: ``head`` (up to the payload's hash), the hash, the pickled ``result``."""
    import pickle  # only runs that keep results need it (a one-item run does not)

    handle.write(head + bytes(_DIGEST))  # the hash is written once the payload is
    writer = _HashingWriter(handle)
    pickle.dump(result, writer, pickle.HIGHEST_PROTOCOL)
    handle.seek(len(head))
    handle.write(writer.hasher.digest())


def _load(file: Path, wanted: Callable[[bytes], bool]) -> Any:
    """The result in the entry ``file`` if its head (up to the payload's hash) is ``wanted``;
    None if not, if the payload's hash is wrong (damaged), or if the file cannot be read."""
    import pickle

    try:
        with file.open("rb") as handle:
            head = handle.read(_HEAD)
            if len(head) < _HEAD or not wanted(head[:-_DIGEST]):
                return None
            if _hash_rest(handle) != head[-_DIGEST:]:
                return None
            handle.seek(_HEAD)
            return pickle.load(handle)
    except Exception:  # unreadable, or damage the hash missed: a miss, not a crash
        return None
