"""Read and check YAML files file by file, on every core, keeping only what the report needs.

Each file is parsed and its items run through the engine's first pass (``Engine.digest``) where
it is read, possibly in a worker process; what comes back is the items without their texts
(``itemtable.ItemTable``: ids, titles and numbers in columns), their digests in columns
(``store.DigestStore``: findings as integers into a table of distinct texts, answer prints as
``boilerplate.PrintTable`` rows, excerpts compressed), and the file's errors.
The texts are never all in memory at once, and the second pass (``Engine.finish``, which needs
the whole backlog order) runs once everything is read; a large run keeps its item results packed
(``results.PackedResults``) until they are reported.

A file whose first pass was kept by an earlier run, for exactly its bytes and this engine
(``filecache.py``), is not read again: its result is loaded instead, and only the other files
are checked.

A large file is read a part at a time (``_check_streamed``): each part of its items goes to a
worker as the next one is parsed (or, edited since the last run, has its unchanged items taken
from the kept result), so its bytes, nodes and items are never all in memory (100,000 items in
one 110 MB file: 162 MiB at the peak, where the whole tree took 1.2 GiB), and the parse no
longer runs alone before the checks.

Workers are forked processes, so they share the parent's engine and hash seed; where ``fork``
is not available (Windows, macOS' default) the files are read one after another in this process.
``READYLINT_JOBS`` sets the number of processes (1: no workers).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

from readylint.engine import Digest, Engine
from readylint.errors import ConfigError
from readylint.filecache import (
    KEY_SIZE,
    Kept,
    ResultCache,
    content_digest,
    content_hasher,
    file_digest,
    item_key,
)
from readylint.itemtable import ItemTable
from readylint.models import BacklogItem, InputError, SourceResult
from readylint.paths import bytes_up_to, display_path
from readylint.sources.yaml_files import (
    Parts,
    Unstreamable,
    read_bytes,
    read_file,
    stream_file,
)
from readylint.store import DigestStore

if TYPE_CHECKING:  # concurrent.futures is imported only when workers are started
    from concurrent.futures import Future

    from readylint.boilerplate import ExcerptReader
    from readylint.progress import Progress

T = TypeVar("T")

# Files to check are read in workers when they hold at least BYTES_PER_JOB of YAML for each worker
# (about 140 generated items): a worker costs some 15 to 35 ms of CPU to start and to send its
# results back, what 50 to 120 items cost to check, so with less it saves little (measured:
# benchmarks/README.md). At most one worker per core and per file; two at least, or none.
BYTES_PER_JOB = 150_000
PARALLEL_BYTES = 2 * BYTES_PER_JOB

_ENGINE: Engine | None = None  # the engine a forked worker inherits
_RESULTS: ResultCache | None = None  # where the run keeps file results (filecache.py)
_PROGRESS: Progress | None = None  # the run's progress line, in this process (not in workers)
# What a forked worker digesting items already in memory (Jira) inherits: the items, and the
# positions whose findings are reported (the others only need their prints).
_ITEMS: Sequence[BacklogItem] = ()
_WANTED: frozenset[int] = frozenset()
_IN_WORKER = False  # set in a forked worker: it starts no workers of its own
# Items already in memory (one large file, once parsed; Jira issues left when the read ends) are
# checked in workers from PARALLEL_ITEMS on, each worker getting at least ITEMS_PER_JOB of them.
# More than for files: the parent parsed them alone, and idles while the workers check them.
ITEMS_PER_JOB = 250
PARALLEL_ITEMS = 2 * ITEMS_PER_JOB
# A file of STREAM_BYTES or more (about 3,600 generated items) is read STREAM_PART items at a
# time, and each part checked in a worker as the next is read (``_check_streamed``; in this
# process when it is a worker itself, checking one of many files).
STREAM_BYTES = 4_000_000
STREAM_PART = 1000


@dataclasses.dataclass(slots=True)
class FileResult:
    """One file, checked: its items without their texts, and their digests, in columns; and
    the file's errors. With a results cache, each item's ``filecache.item_key`` (16 bytes an
    item), by which the next run finds the items that did not change."""

    items: ItemTable
    digests: DigestStore
    errors: list[InputError]
    keys: bytes = b""


def check_file(path: Path, engine: Engine | None = None) -> FileResult:
    """Read one file and run the first pass over its items (and keep the result, with a
    results cache: ``filecache.py``). With a results cache, an item that is in the file's
    earlier result, unchanged, is not checked again: its digest is taken from there. A large
    file is read a part at a time, each part checked as the next is read (``_check_streamed``).
    """
    engine = engine or _ENGINE
    assert engine is not None
    cache = _RESULTS
    shown = display_path(path)
    earlier = None if cache is None else Earlier(cache.earlier(path, shown))
    result = content = None
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size >= STREAM_BYTES:
                hasher = None if cache is None else content_hasher()
                result = _check_streamed(handle, hasher, shown, engine, earlier)
                content = None if hasher is None else hasher.digest()
                if result is None:  # not plain: read again, whole
                    handle.seek(0)
            if result is None:
                data = handle.read()
    except OSError:
        items, errors = read_file(path)  # the error that names why
        digests = DigestStore(len(engine.checks))
        _add_all(engine, items, digests)
        digests.prints.seal()
        return FileResult(ItemTable(items), digests, errors)
    if result is None:
        content = None if cache is None else content_digest(data)
        items, errors = read_bytes(data, shown)
        del data
        digests = DigestStore(len(engine.checks))
        keys = _digest_here(items, engine, digests, earlier)
        digests.prints.seal()
        result = FileResult(ItemTable(items), digests, errors, keys)
        del items
    del earlier  # not kept while the new result is written
    if cache is not None and content is not None:
        cache.put(path, shown, content, result)
    return result


class Earlier:
    """A file's result from an earlier run (``ResultCache.earlier``), as far as it can be
    reused: the index of each of its items by key, and its excerpts once needed."""

    __slots__ = ("_excerpts", "found", "result")

    def __init__(self, earlier: object) -> None:
        self.result: FileResult | None = None
        self.found: dict[bytes, int] = {}
        self._excerpts: ExcerptReader | None = None
        if isinstance(earlier, FileResult) and len(earlier.keys) == KEY_SIZE * len(earlier.items):
            self.result = earlier
            old, size = earlier.keys, KEY_SIZE
            self.found = {old[at : at + size]: at // size for at in range(0, len(old), size)}

    def excerpts(self) -> ExcerptReader:
        """The excerpts of the earlier result's prints, opened a batch at a time as read."""
        if self._excerpts is None:
            assert self.result is not None
            self._excerpts = self.result.digests.prints.excerpt_reader()
        return self._excerpts

    def copy(self, index: int, item: BacklogItem, digests: DigestStore) -> None:
        """Add earlier item ``index``'s digest to ``digests``, moved to where ``item`` is now
        (in columns: no Digest is built)."""
        assert self.result is not None
        moved = (item.location.line or 0) - (self.result.items.line(index) or 0)
        digests.copy(self.result.digests, index, moved, self.excerpts())


def _digest_here(
    items: Sequence[BacklogItem], engine: Engine, digests: DigestStore, earlier: Earlier | None
) -> bytes:
    """Add the items' digests to ``digests``; with a results cache (``earlier`` not None),
    those of unchanged items taken from the file's earlier result, and return the items' keys.
    The items to check are checked on every core when many (``_add_all``, ``_digest_all``)."""
    if earlier is None:
        _add_all(engine, items, digests)
        return b""
    return _digest_reusing(items, engine, digests, earlier)


def _digest_reusing(
    items: Sequence[BacklogItem], engine: Engine, digests: DigestStore, earlier: Earlier
) -> bytes:
    """Add the items' digests to ``digests``, taking those of unchanged items from ``earlier``
    (the file's result from an earlier run; it may have none), moved to where the item is now;
    return the items' keys."""
    keys = [item_key(item) for item in items]
    if not earlier.found:  # nothing to take from an earlier result: every item is checked
        _add_all(engine, items, digests)
        return b"".join(keys)
    reused = [earlier.found.get(key) for key in keys]  # None: to be checked
    fresh = _digest_all(
        engine, [item for item, index in zip(items, reused, strict=True) if index is None]
    )
    for item, index in zip(items, reused, strict=True):
        if index is None:
            digests.add(next(fresh))
        else:
            earlier.copy(index, item, digests)
    return b"".join(keys)


def _check_streamed(
    handle: BinaryIO, hasher: Any, shown: str, engine: Engine, earlier: Earlier | None
) -> FileResult | None:
    """``check_file`` of a large file, read a part at a time (``yaml_files.stream_file``, its
    bytes given to ``hasher`` if not None): only what a ``FileResult`` keeps stays here, so the
    file's bytes, nodes and items are never all in memory. The parts go to workers as the next
    ones are parsed (``_stream_to_workers``); they are checked in this process when it is a
    worker itself, or the file gives one part only (``_digest_here``, on every core when many).
    None when the file is not one the streaming reader takes (anchors, invalid YAML, ...):
    ``check_file`` reads it whole."""
    _give_back_large_blocks()  # before the first part: the reader's blocks go back too
    parts = stream_file(handle, shown, STREAM_PART, hasher)
    result = FileResult(ItemTable(), DigestStore(len(engine.checks)), [])
    keys = bytearray()
    try:
        first = next(parts, None)
        second = None if first is None else next(parts, None)
        jobs = 1 if _IN_WORKER or second is None else jobs_for_items(2 * STREAM_PART)
        read = iter([part for part in (first, second) if part is not None])
        first = second = None  # each part is dropped once it is kept
        if jobs == 1:
            for items, errors in chain(read, parts):
                part = DigestStore(len(engine.checks))
                keys += _digest_here(items, engine, part, earlier)
                part.prints.seal()
                _keep_part(result, items, errors, part)
        else:
            _stream_to_workers(engine, jobs, chain(read, parts), result, keys, earlier)
    except Unstreamable:
        if _PROGRESS is not None:
            _PROGRESS.part_done(0)  # the file is read again, whole
        return None
    result.digests.prints.seal()
    result.keys = bytes(keys)
    return result


def _stream_to_workers(
    engine: Engine,
    jobs: int,
    parts: Parts,
    result: FileResult,
    keys: bytearray,
    earlier: Earlier | None,
) -> None:
    """The items of each part that an earlier result does not hold are checked in a worker
    (sent pickled: 27 us an item, both ways) while this process parses the next parts; at most
    ``jobs + 2`` parts are in flight, so that what waits stays small. Results are kept in the
    parts' order, unchanged items copied from ``earlier``."""
    global _ENGINE
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    _ENGINE = engine
    flight: deque[
        tuple[list[BacklogItem], list[InputError], list[int | None], Future[DigestStore] | None]
    ] = deque()
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
    )
    try:
        for items, errors in parts:
            reused: list[int | None] = []
            if earlier is not None:  # with a results cache: the items' keys
                part_keys = [item_key(item) for item in items]
                keys += b"".join(part_keys)
                if earlier.found:
                    reused = [earlier.found.get(key) for key in part_keys]
            fresh = items
            if reused:
                fresh = [item for item, index in zip(items, reused, strict=True) if index is None]
            future = pool.submit(_digest_sent, fresh) if fresh else None
            flight.append((items, errors, reused, future))
            while len(flight) > jobs + 2:
                _keep_streamed(result, earlier, *flight.popleft())
        while flight:
            _keep_streamed(result, earlier, *flight.popleft())
    finally:
        pool.shutdown(cancel_futures=True)
        _ENGINE = None


def _digest_sent(items: list[BacklogItem]) -> DigestStore:
    """In a worker: the digests of items of a file sent to it, in columns, sealed."""
    assert _ENGINE is not None
    part = DigestStore(len(_ENGINE.checks))
    for item in items:
        part.add(_ENGINE.digest(item))
    part.prints.seal()
    return part


def _keep_streamed(
    result: FileResult,
    earlier: Earlier | None,
    items: list[BacklogItem],
    errors: list[InputError],
    reused: list[int | None],
    future: Future[DigestStore] | None,
) -> None:
    """Keep a part that went to a worker: the digests it sent back, in order among those of
    the unchanged items, copied from ``earlier`` (``reused``: each item's index there, or
    None)."""
    checked = None if future is None else future.result()
    if not reused:  # every item was checked (a part may hold errors only)
        _keep_part(result, items, errors, checked or DigestStore(result.digests.checks))
        return
    assert earlier is not None
    part = DigestStore(result.digests.checks)
    fresh = iter(range(len(checked) if checked is not None else 0))
    excerpts = {} if checked is None else checked.prints.excerpts(range(len(checked.prints)))
    for item, index in zip(items, reused, strict=True):
        if index is None:
            assert checked is not None
            part.copy(checked, next(fresh), 0, excerpts)
        else:
            earlier.copy(index, item, part)
    part.prints.seal()
    _keep_part(result, items, errors, part)


def _keep_part(
    result: FileResult, items: list[BacklogItem], errors: list[InputError], digests: DigestStore
) -> None:
    """Add a part's items (without their texts), errors and digests to a file's result, and
    count them on the progress line, if any (a large file can take seconds)."""
    for item in items:
        result.items.append(item)
    result.errors.extend(errors)
    result.digests.prints.seal()
    result.digests.extend(digests)
    if _PROGRESS is not None:
        _PROGRESS.part_done(len(result.items))


def _digest_all(engine: Engine, items: Sequence[BacklogItem]) -> Iterator[Digest]:
    """``Engine.digest`` of each item, in order: on every core (``digest_items``) when one
    file holds many items to check and this process is not a worker itself, so that a large
    file read alone does not leave the other cores idle."""
    if _IN_WORKER or len(items) < PARALLEL_ITEMS:
        return map(engine.digest, items)
    return iter(digest_items(engine, items, range(len(items))))


def _add_all(engine: Engine, items: Sequence[BacklogItem], digests: DigestStore) -> None:
    """``_digest_all`` added to ``digests``; from workers, in columns (``add_digests``)."""
    if _IN_WORKER or len(items) < PARALLEL_ITEMS:
        for item in items:
            digests.add(engine.digest(item))
        return
    for _ in add_digests(digests, engine, items, range(len(items))):
        pass


def _kept(files: Sequence[Path], results: ResultCache) -> list[Kept | None]:
    """Each file's kept entry, or None where there is none for its bytes as they are now."""
    found: list[Kept | None] = []
    for path in files:
        try:
            content = file_digest(path)
        except OSError:
            found.append(None)
            continue
        found.append(results.find(path, display_path(path), content))
    return found


def _load(kept: Kept, path: Path, engine: Engine) -> FileResult:
    """A kept result; the file checked again if its entry went bad since it was found."""
    result = kept.load()
    return result if isinstance(result, FileResult) else check_file(path, engine)


# glibc's M_MMAP_THRESHOLD (``mallopt``): a block from this size up gets a mapping of its own,
# given back to the system when freed. Left to itself, glibc raises the threshold the first time
# such a block is freed (a file's bytes, a pickled result, a sort's key list), and later ones
# are carved from the heap, which fragments and never shrinks: at the end of a 100,000-item run,
# about 10 MiB more in each worker and 20 MiB more in the parent (benchmarks/README.md).
_M_MMAP_THRESHOLD = -3
_MMAP_FROM = 128 * 1024


def _give_back_large_blocks() -> None:
    """Fix the C allocator's mmap threshold (above) for the rest of this process, where the C
    library has ``mallopt`` (glibc; musl's does nothing); elsewhere, nothing. Large runs only:
    in the parent and in each forked worker before its first task."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - no C library symbols to reach
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM)


def _worker_start() -> None:
    """Run in each forked worker before its first task. Everything the worker inherited is
    frozen out of its garbage collections: a collection writes to the header of every object it
    visits, which would copy each page of the parent's objects into the worker (about 4 MiB a
    worker at 100,000 items). And large blocks go back to the system (above)."""
    import gc

    global _IN_WORKER, _PROGRESS
    _IN_WORKER = True
    _PROGRESS = None  # the parent draws the progress line
    gc.freeze()
    _give_back_large_blocks()


def _jobs_setting(setting: str) -> int:
    """``READYLINT_JOBS``, checked."""
    try:
        jobs = int(setting)
    except ValueError:
        raise ConfigError(f"READYLINT_JOBS must be a whole number, not {setting!r}") from None
    if jobs < 1:
        raise ConfigError("READYLINT_JOBS must be 1 or more")
    return jobs


def jobs_wanted(files: Sequence[Path]) -> int:
    """How many processes to use for these files (1: this process only): none forked while
    another thread runs."""
    setting = os.environ.get("READYLINT_JOBS", "").strip()
    if setting:
        jobs = _jobs_setting(setting)
    else:
        cores = _cores()
        size = bytes_up_to(files, cores * BYTES_PER_JOB)
        jobs = 1 if size < PARALLEL_BYTES else min(cores, max(2, size // BYTES_PER_JOB))
    jobs = min(jobs, len(files))
    if jobs <= 1 or _other_threads():
        return 1
    import multiprocessing  # only when workers are wanted: it is slow to import

    return jobs if "fork" in multiprocessing.get_all_start_methods() else 1


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - macOS, Windows


def _other_threads() -> bool:
    """Whether a thread other than this one is alive: a forked child would inherit its locks in
    whatever state they are (a Jira request left behind by its deadline, a test's fake server)."""
    import threading

    return threading.active_count() > 1


def read_and_check(
    files: Sequence[Path], engine: Engine, *, progress: Progress | None = None
) -> SourceResult:
    """Items (texts dropped), their digests and errors of all files, in file order; each file
    counted on ``progress`` once checked, and a large one's items as its parts are."""
    global _ENGINE, _RESULTS, _PROGRESS
    store = DigestStore(len(engine.checks))
    table = ItemTable()
    result = SourceResult(table, digests=store)
    pool: Any = None
    _RESULTS = ResultCache.for_run(engine.inputs, files)
    _PROGRESS = progress
    if progress is not None:
        progress.total_files = len(files)  # shown from a large file's first part on
    try:
        kept = _kept(files, _RESULTS) if _RESULTS is not None else [None] * len(files)
        missing = [path for path, hit in zip(files, kept, strict=True) if hit is None]
        early = _large_first(missing, engine, len(files))  # counted on ``progress`` already
        missing = [path for k, path in enumerate(missing) if k not in early]
        jobs = jobs_wanted(missing)
        if jobs == 1:
            checked: Iterator[FileResult] = (check_file(path, engine) for path in missing)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _ENGINE = engine
            _give_back_large_blocks()  # here too: this process holds the whole backlog's results
            pool = ProcessPoolExecutor(
                jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
            )
            checked = pool.map(check_file, missing, chunksize=1)
        numbers = iter(range(len(files)))  # each file to check's number among them
        counted = frozenset(early)
        order = 0
        for path, hit in zip(files, kept, strict=True):
            number = None
            if hit is not None:
                outcome = _load(hit, path, engine)
            else:
                number = next(numbers)
                outcome = early.pop(number) if number in early else next(checked)
            table.extend(outcome.items, order)
            order += len(outcome.items) + len(outcome.errors)
            store.extend(outcome.digests)
            result.errors.extend(outcome.errors)
            if progress is not None and number not in counted:
                progress.file_done(len(outcome.items), len(files))
    finally:
        _RESULTS = _PROGRESS = None
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            _ENGINE = None
    return result


def _large_first(files: Sequence[Path], engine: Engine, total: int) -> dict[int, FileResult]:
    """Where several files are to be checked on several cores, the large ones (``STREAM_BYTES``
    or more) are checked first, one at a time in this process, each streamed to workers of its
    own; a worker checking one of many files would check it alone, on one core (one file of
    20,000 items beside one of 300: 8.3 s, 5.2 s now). Their results by number in ``files``,
    each counted on the progress line as it is checked (of ``total`` files in the run)."""
    if len(files) < 2 or jobs_wanted(files) == 1:
        return {}
    large = []
    for number, path in enumerate(files):
        try:
            if path.stat().st_size >= STREAM_BYTES:
                large.append(number)
        except OSError:
            continue  # check_file says why, with the others
    early = {}
    for number in large:
        early[number] = check_file(files[number], engine)
        if _PROGRESS is not None:
            _PROGRESS.file_done(len(early[number].items), total)
    return early


def digest_items(
    engine: Engine, items: Sequence[BacklogItem], report: Iterable[int], first: int = 0
) -> list[Digest]:
    """``Engine.digest`` of items already in memory (read from Jira), in order, from ``first``
    on; on every core for a large backlog, in forked workers that inherit the items, so only
    digests travel. ``report`` holds the positions whose findings are wanted.

    Not while other threads run (a Jira request left behind by its deadline, say): a forked
    child would inherit their locks in whatever state they are."""
    return list(iter_digests(engine, items, report, first))


def iter_digests(
    engine: Engine, items: Sequence[BacklogItem], report: Iterable[int], first: int = 0
) -> Iterator[Digest]:
    """``digest_items`` a chunk at a time."""
    wanted = frozenset(report)
    chunks = _in_workers(engine, items, wanted, first, _digest_chunk)
    if chunks is None:
        for k in range(first, len(items)):
            yield engine.digest(items[k], prints_only=k not in wanted)
        return
    for chunk in chunks:
        yield from chunk


def add_digests(
    store: DigestStore,
    engine: Engine,
    items: Sequence[BacklogItem],
    report: Iterable[int],
    first: int = 0,
) -> Iterator[int]:
    """Add to ``store`` what ``digest_items`` gives, in order, and yield after each step how
    many items it added, so that the caller may drop their texts as it goes. Workers send each
    chunk back in columns (a sealed ``DigestStore``, whose items outside ``report`` are marked
    partial): that is what the store keeps anyway, and it is pickled and unpickled in 0.4 us an
    item, where digests as objects took 38 us and 15 more to add here (benchmarks/README.md).
    ``store``'s prints are sealed before a chunk joins them."""
    wanted = frozenset(report)
    chunks = _in_workers(engine, items, wanted, first, _digest_chunk_in_columns)
    if chunks is None:
        for k in range(first, len(items)):
            partial = k not in wanted
            store.add(engine.digest(items[k], prints_only=partial), prints_only=partial)
            yield 1
        return
    for chunk in chunks:
        store.prints.seal()
        store.extend(chunk)
        yield len(chunk)


def _in_workers(
    engine: Engine,
    items: Sequence[BacklogItem],
    wanted: frozenset[int],
    first: int,
    work: Callable[[int, int], T],
) -> Iterator[T] | None:
    """``work(start, size)`` over ``items[first:]`` a chunk at a time, in forked workers that
    inherit the engine and the items, in order; None when this many items are digested in this
    process (``jobs_for_items``)."""
    left = len(items) - first
    jobs = jobs_for_items(left)
    if jobs == 1:
        return None
    step = -(-left // (jobs * 4))  # a few chunks per worker, so none waits on another
    starts = range(first, len(items), step)
    return _worker_chunks(engine, items, wanted, jobs, starts, step, work)


def _worker_chunks(
    engine: Engine,
    items: Sequence[BacklogItem],
    wanted: frozenset[int],
    jobs: int,
    starts: range,
    step: int,
    work: Callable[[int, int], T],
) -> Iterator[T]:
    global _ENGINE, _ITEMS, _WANTED
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _ENGINE, _ITEMS, _WANTED = engine, items, wanted
    _give_back_large_blocks()
    try:
        with ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_start,
        ) as pool:
            yield from pool.map(work, starts, [step] * len(starts))
    finally:
        _ENGINE, _ITEMS, _WANTED = None, (), frozenset()


def _digest_chunk(start: int, size: int) -> list[Digest]:
    assert _ENGINE is not None
    end = min(start + size, len(_ITEMS))
    return [_ENGINE.digest(_ITEMS[k], prints_only=k not in _WANTED) for k in range(start, end)]


def _digest_chunk_in_columns(start: int, size: int) -> DigestStore:
    assert _ENGINE is not None
    store = DigestStore(len(_ENGINE.checks))
    for k in range(start, min(start + size, len(_ITEMS))):
        partial = k not in _WANTED
        store.add(_ENGINE.digest(_ITEMS[k], prints_only=partial), prints_only=partial)
    store.prints.seal()
    return store


# Items a ``Digester`` digests at a time while a page travels: about 2 ms of work, so a page
# that has arrived waits little for its turn.
IDLE_BATCH = 8
# A Digester compresses its answers' excerpts (``PrintTable.seal``) every this many items.
SEAL_EVERY = 1000


class Digester:
    """The first pass over items as a source reads them (``models.ItemSink``): a few at a time
    while the source waits for its next page, and the rest once the read is over
    (``finish``), on every core when many are left. Against a real Jira site, whose pages take
    a tenth of a second or more each, nearly all the checking is done in that waiting time.

    A checked item is kept as the YAML path keeps it: without its texts, in columns
    (``ItemTable``), and its digest in columns too (``DigestStore``); only the items still to
    be checked are held whole. ``report`` holds the positions (in reading order) whose findings
    are wanted; the others get only what the cross-item checks need."""

    def __init__(self, engine: Engine, report: Iterable[int] | None = None) -> None:
        self._engine = engine
        self._report = None if report is None else frozenset(report)
        self._restart()

    def _restart(self) -> None:
        self._table = ItemTable()
        self._store = DigestStore(len(self._engine.checks))
        # Items handed over and not yet checked are waiting[next:]; those before ``next`` were
        # checked (and dropped). waiting[0] is the item read at position done - next.
        self._waiting: list[BacklogItem | None] = []
        self._next = 0

    @property
    def done(self) -> int:
        """How many items were checked so far."""
        return len(self._table)

    def take(self, start: int, items: Sequence[BacklogItem]) -> None:
        done = self.done
        read = done + len(self._waiting) - self._next
        if start > read:
            raise ValueError(f"items from {start} handed over after {read}")
        if start < done:
            if start:
                raise ValueError(f"items from {start} handed over again; only 0 starts again")
            self._restart()
        else:
            del self._waiting[start - done + self._next :]
        if self._next == len(self._waiting):  # all checked: the list starts afresh
            self._waiting, self._next = [], 0
        self._waiting.extend(items)

    def idle(self) -> bool:
        waiting, first = self._waiting, self._next
        if first == len(waiting):
            return False
        done, digest = self.done, self._engine.digest
        for k in range(first, min(first + IDLE_BATCH, len(waiting))):
            item = waiting[k]
            assert item is not None
            partial = self._partial(done + k - first)
            self._add(item, digest(item, prints_only=partial), partial)
            waiting[k] = None
        self._next = min(first + IDLE_BATCH, len(waiting))
        return True

    def _partial(self, position: int) -> bool:
        return self._report is not None and position not in self._report

    def _add(self, item: BacklogItem, digest: Digest, partial: bool) -> None:
        self._table.append(item)
        self._store.add(digest, prints_only=partial)
        if len(self._table) % SEAL_EVERY == 0:
            self._store.prints.seal()

    def finish(self) -> tuple[ItemTable, DigestStore]:
        """Every item handed over, without its texts, and its digest: the rest are checked now,
        on every core when many are left."""
        rest = self._waiting[self._next :]  # every one an item: only those before next go
        self._waiting, self._next = [], 0
        done = self.done
        report = (
            range(len(rest))
            if self._report is None
            else [k - done for k in self._report if done <= k < done + len(rest)]
        )
        table, store = self._table, self._store
        added = 0
        for count in add_digests(store, self._engine, cast("list[BacklogItem]", rest), report):
            for k in range(added, added + count):
                item, rest[k] = rest[k], None  # each item's texts go as it is kept in columns
                assert item is not None
                table.append(item)
                if len(table) % SEAL_EVERY == 0:
                    store.prints.seal()
            added += count
        store.prints.seal()
        return table, store


def jobs_for_items(count: int) -> int:
    """How many processes to use for this many items in memory (1: this process only): none
    forked while another thread runs."""
    setting = os.environ.get("READYLINT_JOBS", "").strip()
    if setting:
        jobs = _jobs_setting(setting)
    elif count < PARALLEL_ITEMS:
        return 1
    else:
        jobs = min(_cores(), max(2, count // ITEMS_PER_JOB))
    if jobs == 1 or count < 2 or _other_threads():
        return 1
    import multiprocessing

    return jobs if "fork" in multiprocessing.get_all_start_methods() else 1
