"""The validation cache: the validated data of check files and configuration, kept on disk.

Validating the check files and the configuration with pydantic costs more than everything else a
one-item run does, and their validated data changes only when they do. ``lookup`` returns the
data stored for exactly the bytes a file holds now, or None; the caller then validates the file
as usual (same errors, same messages) and hands the result to ``Entry.store``. Only files that
validated are ever stored, so an invalid file is always reported by the schema itself.

An entry is served only when all of these match what it was stored with (never stale):
- the file's absolute path and a BLAKE2 hash of its bytes (not its mtime, which an edit within
  the same tick, a checkout or ``touch -d`` can leave unchanged),
- readylint's version, the Python version, and a hash of each schema module's bytes (so an
  edited schema in a checkout is not served old results, while a reinstall of the same release,
  as in a CI job that restores its cache, is).

A missing, unreadable, truncated, corrupt or mismatched entry is a miss; a cache directory that
cannot be written is ignored. Entries are ``marshal`` data behind a header and a hash of the
payload: a damaged file is rejected before it is unmarshalled. Data that ``marshal`` cannot
represent exactly (for example dates in a check's example items) is simply not cached.

The cache directory is trusted like ``__pycache__``: the hash catches damage, not forgery, and
whoever can write the directory can change what readylint checks (linear.py and startup.py keep
compiled pattern programs here too, rx.py the literals pattern lists need, filecache.py each
large run's per-file results as pickles) and run code in the ``readylint`` command (startup.py
keeps the compiled code of dataclass methods) or in any run that reads kept results. Code and
pickles are read only from files of the user's own (``private``). Never point it at a directory
others can write.

Where: ``$READYLINT_CACHE_DIR``, else the user cache directory (``$XDG_CACHE_HOME/readylint``,
``~/.cache/readylint``; ``~/Library/Caches/readylint`` on macOS, ``%LOCALAPPDATA%\\readylint\\Cache``
on Windows). Off with ``READYLINT_NO_CACHE=1`` or ``--no-cache``.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from readylint import __version__

try:  # hashlib's own BLAKE2, without hashlib's OpenSSL start-up (a tenth of a one-item run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without the _blake2 module
    from hashlib import blake2b

DIR_ENV = "READYLINT_CACHE_DIR"
OFF_ENV = "READYLINT_NO_CACHE"
_MAGIC = b"readylint-cache-1\n"
_DIGEST = 16
# The modules whose code decides what validated data looks like.
_SCHEMA_MODULES = (
    "cache.py",
    "check_schema.py",
    "config.py",
    "config_schema.py",
    "definitions.py",
    "linear.py",
    "validation.py",
    "yamlio.py",
)

_enabled = True
_stamp: tuple[Any, ...] | None = None
# What this process already read or stored, by key: a run loads the checks more than once.
_memory: dict[tuple[Any, ...], Any] = {}
# Named data to write when the process ends (``keep``, ``flush``).
_pending: dict[str, tuple[tuple[Any, ...], Any]] = {}


def set_enabled(on: bool) -> None:
    """Turn the cache off (``--no-cache``) or back on for this process."""
    global _enabled
    _enabled = on


def directory() -> Path | None:
    """The cache directory, or None when the cache is off or there is nowhere to put it."""
    if not _enabled or os.environ.get(OFF_ENV, "") not in ("", "0"):
        return None
    chosen = os.environ.get(DIR_ENV)
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base, "readylint", "Cache") if base else None
    try:
        home = Path.home()
    except RuntimeError:  # no home directory to be found
        return None
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "readylint"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache", "readylint")


class Entry:
    """What the cache holds for one file (``data``, None on a miss) and where to store it."""

    __slots__ = ("_file", "_key", "_source", "data")

    def __init__(
        self,
        data: Any = None,
        file: Path | None = None,
        key: tuple[Any, ...] = (),
        source: Path | None = None,
    ) -> None:
        self.data = data
        self._file = file
        self._key = key
        self._source = source

    def store(self, data: Any) -> None:
        """Keep ``data``, the validated content of the file as it was looked up.

        Nothing is stored when the file changed since (its validated data would be filed under
        the old bytes) or when ``marshal`` cannot hold the data exactly; write errors are ignored.
        """
        if self._file is None or self._source is None:
            return
        try:
            if _hash(self._source.read_bytes()) != self._key[-1]:
                return
            payload = marshal.dumps((self._key, data))
        except (OSError, ValueError):
            return
        _memory[self._key] = data
        write_atomic(self._file, _MAGIC + blake2b(payload, digest_size=_DIGEST).digest() + payload)


def lookup(kind: str, source: Path) -> Entry:
    """The cached data of ``kind`` (e.g. "check", "config") for the file ``source``."""
    folder = directory()
    if folder is None:
        return Entry()
    try:
        content = source.read_bytes()
    except OSError:
        return Entry()  # the caller's own reading reports the problem
    where = str(source.absolute())
    key = (__version__, sys.version, _schema_stamp(), kind, where, _hash(content))
    name = blake2b(f"{kind}\0{where}".encode(errors="surrogatepass"), digest_size=12).hexdigest()
    file = folder / f"{kind}-{name}"
    data = _memory.get(key)
    if data is None:
        data = _read(file, key)
        if data is not None:
            _memory[key] = data
    return Entry(data, file, key, source)


def load(name: str, key: tuple[Any, ...]) -> Any:
    """Data kept under ``name`` (derived from no file) if it was kept with the same ``key``."""
    folder = directory()
    if folder is None:
        return None
    return _read(folder / name, (__version__, sys.version, name, *key))


def keep(name: str, key: tuple[Any, ...], data: Any) -> None:
    """Write ``data`` under ``name`` when the process ends (or at ``flush``)."""
    if not _pending:
        atexit.register(flush)
    _pending[name] = (key, data)


def flush() -> None:
    """Write what ``keep`` was given (the ``readylint`` command calls this before it exits)."""
    folder = directory()
    for name, (key, data) in _pending.items():
        if folder is None:
            break
        try:
            payload = marshal.dumps(((__version__, sys.version, name, *key), data))
        except ValueError:
            continue
        write_atomic(
            folder / name, _MAGIC + blake2b(payload, digest_size=_DIGEST).digest() + payload
        )
    _pending.clear()


def _hash(content: bytes) -> bytes:
    return blake2b(content, digest_size=_DIGEST).digest()


def _schema_stamp() -> tuple[Any, ...]:
    global _stamp
    if _stamp is None:
        here = Path(__file__).parent
        _stamp = content_stamp((here / name, name) for name in _SCHEMA_MODULES)
    return _stamp


def content_stamp(files: Iterable[tuple[Path, str]]) -> tuple[tuple[str, bytes | None], ...]:
    """Each (file, name) as its name and a hash of its bytes (None: unreadable).

    Bytes, not size and mtime: a fresh install of the same release (a CI job restoring its
    cache into a new virtual environment) writes the same bytes with new mtimes."""
    stamp: list[tuple[str, bytes | None]] = []
    for file, name in files:
        try:
            stamp.append((name, _hash(file.read_bytes())))
        except OSError:
            stamp.append((name, None))
    return tuple(stamp)


def _read(file: Path, key: tuple[Any, ...]) -> Any:
    try:
        blob = file.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    payload = blob[head:]
    if blake2b(payload, digest_size=_DIGEST).digest() != blob[len(_MAGIC) : head]:
        return None
    try:
        stored_key, data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return data if stored_key == key else None


def write_atomic(file: Path, *blobs: bytes) -> None:
    """Write ``blobs``, one after another, to ``file`` atomically (a temporary file renamed over
    it); in parts, so that a large one is not copied to join them."""
    write_atomic_with(file, lambda handle: handle.writelines(blobs))


def write_atomic_with(file: Path, write: Callable[[BinaryIO], object]) -> None:
    """Make ``file`` what ``write`` writes to the handle it is given (which may seek),
    atomically: a temporary file renamed over it. Write errors are ignored; after any error,
    ``file`` is as it was and no temporary file is left."""
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            write(handle)
        temporary.replace(file)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if not isinstance(error, OSError):
            raise


def private(file: Path) -> bool:
    """Whether ``file`` and its folder belong to this user and no one else may write them.

    What is kept as code or as a pickle is run when read, so it is read only from a file no
    other account could have written (on POSIX; elsewhere the user's own cache folder is private
    already). A missing file is not private: it is then simply not read."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover - Windows
        return True
    try:
        for path in (file, file.parent):
            info = path.stat()
            if info.st_uid != getuid() or info.st_mode & 0o002:
                return False
    except OSError:
        return False
    return True
