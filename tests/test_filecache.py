"""Kept first-pass results (filecache.py): an unchanged file is not read again, and what is
served is never stale: same report as a run without the cache, whatever changed in between."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import BinaryIO

import pytest

from conftest import Report
from readylint import cache, filecache, pipeline
from readylint.paths import bytes_at_least
from readylint.sources import yaml_files

# Each item is some 700 bytes: 60 items a file puts three files well above MIN_BYTES.
ITEM = """\
  - id: {id}
    title: Let shoppers keep their basket on every device, item {n}
    rank: {n}
    customer_need: Shoppers on the phone lose their cart when they switch devices, case {n}.
    business_reason: Abandoned carts cost about 4% of revenue in the last quarter.
    trade_off: We postpone the wishlist export by one sprint.
    expected_outcome: Cart abandonment falls from 31% to 25% within two months.
    why_now: {why}
    description: |
      Support tickets about lost baskets doubled since the app launch; the team that owns
      checkout has measured the drop-off at the device switch in the funnel report.
"""
FILES = 3
PER_FILE = 60


def _write_backlog(root: Path) -> list[Path]:
    root.mkdir(exist_ok=True)
    paths, n = [], 0
    for f in range(FILES):
        parts = ["items:\n"]
        for _ in range(PER_FILE):
            n += 1
            why = "TBD" if n % 7 == 0 else f"Before PAY-{n + 1} because it unblocks it."
            parts.append(ITEM.format(id=f"PAY-{n}", n=n, why=why))
        path = root / f"b{f}.yaml"
        path.write_text("".join(parts), encoding="utf-8")
        paths.append(path)
    assert sum(p.stat().st_size for p in paths) >= filecache.MIN_BYTES
    return paths


@pytest.fixture
def backlog(tmp_path: Path) -> list[Path]:
    return _write_backlog(tmp_path / "backlog")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the first pass parsed (in this process), by the name they are shown by."""
    seen: list[str] = []
    real = yaml_files.read_bytes

    def counting(data: bytes, path: str, first_order: int = 0) -> object:
        seen.append(path)
        return real(data, path, first_order)

    monkeypatch.setattr(pipeline, "read_bytes", counting)
    monkeypatch.setenv("READYLINT_JOBS", "1")
    return seen


SRC = Path(filecache.__file__).resolve().parent


def _entries(cache_dir: Path) -> list[Path]:
    """The kept results (not the pruning marker)."""
    folder = cache_dir / filecache.FOLDER
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []
    )


def test_a_second_run_reads_no_file_and_reports_the_same(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report
) -> None:
    first = report()
    assert len(reads) == FILES
    assert len(_entries(cache_dir)) == FILES
    reads.clear()
    second = report()
    assert reads == []
    assert second == first
    assert second == report("--no-cache")
    assert first["summary"]["not_ready"] > 0  # type: ignore[index]


def test_an_edited_file_alone_is_read_again_and_its_findings_move(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report
) -> None:
    report()
    text = backlog[1].read_text(encoding="utf-8")
    backlog[1].write_text(text.replace("PAY-61\n", "PAY-1\n", 1), encoding="utf-8")
    reads.clear()
    served = report()
    assert reads == ["backlog/b1.yaml"]
    assert served == report("--no-cache")
    # The second pass still sees every item: the duplicate id spans a kept file and a new one.
    assert "duplicate id 'PAY-1'" in json.dumps(served["errors"])
    assert len(_entries(cache_dir)) == FILES  # the entry was replaced, not added to


def test_another_engine_never_gets_the_kept_results(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report, tmp_path: Path
) -> None:
    plain = report()
    reads.clear()
    ignored = report("--ignore", "ordering-rationale")
    assert len(reads) == FILES
    assert ignored != plain
    assert ignored == report("--ignore", "ordering-rationale", "--no-cache")
    (tmp_path / ".readylint.yaml").write_text(
        "checks:\n  trade-off:\n    severity: error\n", encoding="utf-8"
    )
    reads.clear()
    assert report() == report("--no-cache")
    assert len(reads) == 2 * FILES


def test_a_new_readylint_never_gets_the_kept_results(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    report()
    real = filecache.code_stamp
    monkeypatch.setattr(filecache, "code_stamp", lambda: (*real(), "edited module"))
    reads.clear()
    report()
    assert len(reads) == FILES


def _install(where: Path, stamp: float) -> Path:
    """A copy of readylint as a wheel lays it out (checks under ``builtin_checks``), every file
    written afresh with mtime ``stamp``: what a CI job's new virtual environment holds."""
    package = where / "readylint"
    shutil.copytree(SRC, package, copy_function=shutil.copyfile,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copytree(SRC.parents[1] / "checks", package / "builtin_checks",
                    copy_function=shutil.copyfile)  # fmt: skip
    for path in package.rglob("*"):
        os.utime(path, (stamp, stamp))
    return where


def _run_installed(install: Path, root: Path, cache_dir: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(install), "READYLINT_CACHE_DIR": str(cache_dir),
           "READYLINT_JOBS": "1", "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "readylint", "check", "--format", "json", "--fail-on", "never",
         "backlog"],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)["summary"]["items"] == FILES * PER_FILE
    return done.stdout


def _pinned(cache_dir: Path, side: Path) -> list[int]:
    """The entries' inodes, each held by a hard link in ``side`` so that no new file can take
    its number: an entry written again (a miss) is a new file (``cache.write_atomic``)."""
    side.mkdir(exist_ok=True)
    for entry in _entries(cache_dir):
        link = side / f"{entry.name}.{entry.stat().st_ino}"
        if not link.exists():
            link.hardlink_to(entry)
    return [p.stat().st_ino for p in _entries(cache_dir)]


def test_a_fresh_install_of_the_same_readylint_gets_the_kept_results(
    backlog: list[Path], cache_dir: Path, tmp_path: Path
) -> None:
    """A CI job installs readylint into a new virtual environment on every run and restores
    its cache directory: same bytes, new mtimes, so the kept results are served."""
    first = _run_installed(_install(tmp_path / "one", 1_000_000_000), tmp_path, cache_dir)
    kept = _pinned(cache_dir, tmp_path / "links")
    assert len(kept) == FILES
    again = _install(tmp_path / "two", 1_500_000_000)
    assert _run_installed(again, tmp_path, cache_dir) == first
    assert _pinned(cache_dir, tmp_path / "links") == kept  # served, not written again
    with (again / "readylint" / "engine.py").open("a", encoding="utf-8") as module:
        module.write("# edited\n")
    assert _run_installed(again, tmp_path, cache_dir) == first
    assert not set(_pinned(cache_dir, tmp_path / "links")) & set(kept)  # all read again


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage"])
def test_a_damaged_entry_is_a_miss(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report, damage: str
) -> None:
    first = report()
    entry = _entries(cache_dir)[0]
    blob = bytearray(entry.read_bytes())
    if damage == "truncated":
        del blob[len(blob) // 2 :]
    elif damage == "flipped":
        blob[-10] ^= 0xFF
    else:
        blob[:] = b"not an entry at all"
    entry.write_bytes(bytes(blob))
    reads.clear()
    assert report() == first
    assert len(reads) == 1


def test_an_entry_is_written_and_read_through_its_file_not_held_whole(tmp_path: Path) -> None:
    """The payload (66 MB for 100,000 items in one file) is pickled into the entry's file and
    loaded from it, hashed a megabyte at a time: the pickle's bytes are never all in memory
    beside the result (before: 229 and 166 MiB peaks for the pickling and loading alone)."""
    results = filecache.ResultCache(tmp_path / "results", ("an engine",))
    path, content = tmp_path / "backlog.yaml", filecache.content_digest(b"items: []\n")
    result = {"rows": os.urandom(8 << 20), "items": list(range(1000))}
    tracemalloc.start()
    try:
        results.put(path, "backlog.yaml", content, result)
        put_peak = tracemalloc.get_traced_memory()[1]
        kept = results.find(path, "backlog.yaml", content)
        assert kept is not None
        tracemalloc.reset_peak()
        loaded = kept.load()
        held, load_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        earlier = results.earlier(path, "other name.yaml"), results.earlier(path, "backlog.yaml")
        earlier_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded == result and earlier == (None, result)
    assert put_peak < 2 << 20  # the 8 MiB payload was not built in memory to be written
    assert load_peak - held < 2 << 20  # nor read whole beside the result
    assert earlier_peak - held < (8 << 20) + (2 << 20)  # ``loaded`` and ``earlier``'s result


def test_a_failed_write_leaves_the_entry_as_it_was_and_no_temporary_file(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    entry.write_bytes(b"kept")

    def full(handle: BinaryIO) -> None:
        handle.write(b"half an entry")
        raise OSError(28, "No space left on device")

    def unpicklable(handle: BinaryIO) -> None:
        handle.write(b"half an entry")
        raise pickle.PicklingError("cannot pickle")

    cache.write_atomic_with(entry, full)  # a write error is ignored
    assert entry.read_bytes() == b"kept" and list(tmp_path.iterdir()) == [entry]
    with pytest.raises(pickle.PicklingError):  # any other error is raised
        cache.write_atomic_with(entry, unpicklable)
    assert entry.read_bytes() == b"kept" and list(tmp_path.iterdir()) == [entry]


def test_a_payload_damaged_after_its_header_matched_is_checked_again(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    first = report()
    monkeypatch.setattr(filecache.Kept, "load", lambda self: None)
    reads.clear()
    assert report() == first
    assert len(reads) == FILES


def test_no_cache_and_small_runs_keep_nothing(
    tmp_path: Path, cache_dir: Path, reads: list[str], report: Report,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _write_backlog(tmp_path / "backlog")
    report("--no-cache")
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    report()
    assert _entries(cache_dir) == []
    monkeypatch.delenv("READYLINT_NO_CACHE")
    monkeypatch.setattr(filecache, "MIN_BYTES", 10**9)
    report()
    report()
    assert _entries(cache_dir) == []
    assert len(reads) == 4 * FILES


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers need fork"
)
def test_workers_keep_their_results_too(
    backlog: list[Path], cache_dir: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READYLINT_JOBS", "2")
    first = report()
    assert len(_entries(cache_dir)) == FILES
    backlog[0].write_text(backlog[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert report() == first  # one file checked by a worker, two served, in file order
    monkeypatch.setenv("READYLINT_JOBS", "1")
    assert report("--no-cache") == first


def test_a_broken_file_is_kept_with_its_error(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report
) -> None:
    backlog[2].write_text(backlog[2].read_text(encoding="utf-8") + "  - id: [oops\n")
    first = report()
    assert first["errors"]
    reads.clear()
    assert report() == first
    assert reads == []


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("writable", ["entry", "folder"])
def test_an_entry_others_may_write_is_never_loaded(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report, writable: str
) -> None:
    first = report()
    entry = _entries(cache_dir)[0]
    target = entry if writable == "entry" else entry.parent
    target.chmod(target.stat().st_mode | 0o002)
    reads.clear()
    assert report() == first
    assert len(reads) == (1 if writable == "entry" else FILES)


def test_entries_unused_for_a_month_are_removed_once_a_day(
    backlog: list[Path], cache_dir: Path, reads: list[str], report: Report
) -> None:
    report()
    folder = cache_dir / filecache.FOLDER
    stale = folder / "0123456789abcdef01234567"  # the entry of a file moved away long ago
    stale.write_bytes(b"old")
    month_ago = stale.stat().st_mtime - (filecache.UNUSED_DAYS + 1) * 86_400

    def age(*paths: Path) -> None:
        for path in paths:
            os.utime(path, (month_ago, month_ago))

    age(stale, *_entries(cache_dir))
    reads.clear()
    report()  # pruned today already: nothing removed; the entries it used are used again now
    assert stale.exists()
    assert reads == []
    assert all(p.stat().st_mtime > month_ago + 86_400 for p in _entries(cache_dir) if p != stale)
    age(folder / ".pruned", *_entries(cache_dir))  # a month later, nothing used meanwhile
    backlog[1].unlink()
    reads.clear()
    served = report()
    assert served == report("--no-cache")
    assert not stale.exists()
    assert len(_entries(cache_dir)) == FILES - 1  # the two files left, kept again
    assert reads == ["backlog/b0.yaml", "backlog/b2.yaml"] * 2  # pruned, then --no-cache


def test_bytes_at_least_counts_readable_files_only(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_bytes(b"x" * 10)
    two.write_bytes(b"x" * 5)
    missing = tmp_path / "missing.yaml"
    assert bytes_at_least([one, missing, two], 15)
    assert not bytes_at_least([one, missing, two], 16)
    assert bytes_at_least([], 0)
    assert not bytes_at_least([missing], 1)
