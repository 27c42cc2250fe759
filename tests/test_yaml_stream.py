"""A large file is read a part at a time (``yaml_files.stream_bytes``), each part checked as the
next is parsed (``pipeline._check_streamed``): what it gives is what reading the file whole
gives, and a file the streaming reader does not take is read whole."""

from __future__ import annotations

import io
import json
import os
import threading
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from readylint import app, filecache, pipeline
from readylint.config import Config
from readylint.models import BacklogItem, InputError
from readylint.paths import display_path
from readylint.progress import Progress
from readylint.sources import yaml_files
from readylint.sources.yaml_files import Unstreamable, read_bytes, stream_bytes

ITEMS = """\
- id: PAY-1
  title: Export the monthly report
  customer_need: |
    Finance users copy numbers by hand 🧾 every week.
    Two of them said so in interviews.
  business_reason: "Support answers 40 tickets a month about R&D exports"
  trade_off: [We postpone PAY-2, and PAY-3]
  expected_outcome:
    - Exports drop 40%
    - nested: {a: 1, b: [x, y]}
  rank: 2
  readylint-ignore: {why-now: decided by the board}
- just a scalar, not an item
- id: PAY-3
  title: Duplicate keys
  Title: again
- id: PAY-4
  title: Merged
  <<: {why_now: later}
- title: no id here
- id: PAY-6
  title: Bad rank
  rank: first
- id: PAY-7
  title: 'Quoted ''title'''
  why_now: >
    PAY-8 depends on this;
    folded text
  labels: a, b
- id: PAY-8
  title: Flow
  labels: [x, y]
  empty:
"""

PLAIN = {
    "a list of items": ITEMS,
    "items under a key, metadata around": "team: Payments\nowner: {name: Ana}\nItems:\n"
    + "".join(f"  {line}\n" for line in ITEMS.splitlines())
    + "notes: [one, two]\n",
    "CR LF line breaks": ITEMS.replace("\n", "\r\n"),
    "an empty list": "items: []\n",
    "one item in a list": "- id: A-1\n  title: One\n",
    "a document start and end": "---\n" + ITEMS + "...\n",
}

UNSTREAMABLE = {
    "an anchor and an alias": ITEMS
    + "- id: PAY-9\n  title: &t Anchored\n- id: PAY-10\n  title: *t\n",
    "an anchor alone": ITEMS + "- &a\n  id: PAY-9\n  title: Anchored\n",
    "invalid YAML after some items": ITEMS + "- id: PAY-9\n  title: ok\n    why_now: indented\n",
    "a second document": ITEMS + "---\n- id: PAY-9\n  title: Second\n",
    "a second items key": "items:\n- id: A-1\n  title: One\nitems:\n- id: A-2\n  title: Two\n",
    "items that are not a list": "items: {id: A-1, title: One}\n",
    "items: null": "items:\n",
    "one item mapping": "id: A-1\ntitle: One\n",
    "a scalar document": "just text\n",
    "an empty file": "",
    "comments only": "# nothing yet\n",
    "a tag on the list": "items: !backlog\n- id: A-1\n  title: One\n",
    "a tag on the root": "!backlog\n- id: A-1\n  title: One\n",
    "a tag on the root mapping": "!backlog\nitems:\n- id: A-1\n  title: One\n",
    "a forbidden character": ITEMS + "- id: PAY-9\n  title: bell \x07\n",
    "nesting too deep": ITEMS + "- id: PAY-9\n  title: " + "[" * 150 + "]" * 150 + "\n",
}


def _streamed(data: bytes, size: int) -> tuple[list[BacklogItem], list[InputError], list[int]]:
    items: list[BacklogItem] = []
    errors: list[InputError] = []
    sizes: list[int] = []
    for part_items, part_errors in stream_bytes(data, "backlog.yaml", size):
        items += part_items
        errors += part_errors
        sizes.append(len(part_items) + len(part_errors))
    return items, errors, sizes


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_a_plain_file_streams_to_what_reading_it_whole_gives(name: str, size: int) -> None:
    data = PLAIN[name].encode()
    whole = read_bytes(data, "backlog.yaml")
    items, errors, sizes = _streamed(data, size)
    assert (items, errors) == whole
    nodes = len(items) + len(errors)
    assert sizes == [size] * (nodes // size) + ([nodes % size] if nodes % size else [])
    if name == "a list of items":
        assert len(items) == 3 and len(errors) == 5  # bad items are errors, not skipped


@pytest.mark.parametrize("bom", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_file_with_a_byte_order_mark_streams_too(bom: str) -> None:
    data = ITEMS.encode(bom)
    assert _streamed(data, 2)[:2] == read_bytes(data, "backlog.yaml")


@pytest.mark.parametrize("step", [1, 3, 16385, 1 << 18])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no BOM", "UTF-8 BOM"])
def test_characters_split_between_chunks_stream_as_they_read_whole(
    monkeypatch: pytest.MonkeyPatch, step: int, bom: bytes
) -> None:
    """The file is fed to libyaml in chunks (``_Feed.STEP``, or more when libyaml asks for
    more): characters of two to four bytes fall across their borders, and still read as in
    one piece; a byte that is not UTF-8 is refused wherever it falls."""
    monkeypatch.setattr(yaml_files._Feed, "STEP", step)
    text = "".join(f"- id: U-{n}\n  title: Café {n} € 😀 naïve\n" for n in range(2000))
    data = bom + text.encode()
    assert _streamed(data, 50)[:2] == read_bytes(data, "backlog.yaml")
    for at in (len(bom) + 7, len(data) // 2, len(data) - 3):
        with pytest.raises(Unstreamable):
            _streamed(data[:at] + b"\xff" + data[at:], 50)


@pytest.mark.parametrize("name", sorted(UNSTREAMABLE))
def test_anything_but_a_plain_file_is_refused_and_read_whole(name: str) -> None:
    data = UNSTREAMABLE[name].encode()
    with pytest.raises(Unstreamable):
        _streamed(data, 1)


@pytest.mark.parametrize("flow", [False, True])
def test_nesting_is_refused_where_the_guard_refuses_it(flow: bool) -> None:
    """A list and an item hold the value: 98 more levels are the guard's 100, 99 are one too
    many, and the file is read whole, where the guard decides: it refuses flow nesting past
    100, and lets block nesting that deep through (its cheap proof bounds block nesting at
    2,002 levels). The item itself is an error (a value nests 40 levels at most)."""

    def nested(levels: int) -> bytes:
        if flow:
            value = "[" * levels + "x" + "]" * levels
        else:
            value = "".join("\n" + "  " * (2 + k) + "-" for k in range(levels)) + " x"
        return f"- id: A-1\n  title: Deep\n  why_now: {value}\n".encode()

    whole = read_bytes(nested(98), "backlog.yaml")
    assert whole[0] == [] and "40 levels" in whole[1][0].message
    assert _streamed(nested(98), 1)[:2] == whole
    whole = read_bytes(nested(99), "backlog.yaml")
    assert ("nested more than 100 levels" if flow else "40 levels") in whole[1][0].message
    with pytest.raises(Unstreamable):
        _streamed(nested(99), 1)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(Unstreamable):
        _streamed(ITEMS.encode() + b"- id: PAY-9\n  title: caf\xe9\n", 1)


def test_refusal_can_come_after_parts_were_given() -> None:
    """Invalid YAML is found where the parser reaches it: the caller drops what it was given."""
    given = []
    with pytest.raises(Unstreamable):
        for part in stream_bytes(UNSTREAMABLE["invalid YAML after some items"].encode(), "b", 1):
            given.append(part)
    assert len(given) == 8


def _backlog(count: int, tail: str = "") -> str:
    lines = ["items:"]
    for n in range(1, count + 1):
        lines += [
            f"  - id: PAY-{n}",
            f"    title: Export report {n % 7}",
            f"    customer_need: Finance users copy numbers by hand every week, {n} of them",
            f"    business_reason: Support answers {n} tickets a month about exports",
            f"    trade_off: We postpone PAY-{n + 1} by a sprint",
            "    expected_outcome: TBD" if n % 5 == 0 else "    expected_outcome: Exports drop 40%",
            f"    why_now: PAY-{n + 2} depends on this" if n % 3 else "    rank: nine",
        ]
    return "\n".join(lines) + "\n" + tail


def _kept(result: pipeline.FileResult) -> tuple[Any, ...]:
    """Everything a file's result keeps, comparable."""
    prints = result.digests.prints
    return (
        list(result.items),
        list(result.items.orders),
        list(result.digests),
        sorted(result.digests.partial),
        (bytes(prints.rows), list(prints.items), list(prints.lines), list(prints.starts)),
        prints.excerpts(range(len(prints))),
        result.errors,
        result.keys,
    )


def _check(
    path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch, stream: bool, part: int = 7
) -> Any:
    monkeypatch.setenv("READYLINT_JOBS", jobs)
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0 if stream else 1 << 62)
    monkeypatch.setattr(pipeline, "STREAM_PART", part)
    engine, _ = app.build_engine(Config(), app.Selection())
    return _kept(pipeline.check_file(path, engine))


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    "tail",
    ["", "  - id: PAY-X\n    title: &a Anchored\n", "  - id: PAY-X\n    title: a\n      b: c\n"],
    ids=["plain", "an anchor at the end", "invalid YAML at the end"],
)
def test_a_large_file_checked_a_part_at_a_time_keeps_what_a_whole_read_keeps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str, tail: str
) -> None:
    """Parts go to workers as the next ones are parsed; a refusal after some of them were sent
    drops them and reads the file whole."""
    path = tmp_path / "backlog.yaml"
    path.write_text(_backlog(60, tail), encoding="utf-8")
    whole = _check(path, jobs, monkeypatch, stream=False)
    calls: list[int] = []
    real = pipeline._stream_to_workers

    def spy(engine: Any, count: int, *args: Any) -> None:
        calls.append(count)
        real(engine, count, *args)

    monkeypatch.setattr(pipeline, "_stream_to_workers", spy)
    assert pipeline.jobs_for_items(1000) == int(jobs), threading.enumerate()
    assert _check(path, jobs, monkeypatch, stream=True) == whole
    assert calls == ([] if jobs == "1" else [2])
    if not tail:
        assert len(whole[0]) == 40 and len(whole[6]) == 20  # "rank: nine" is an error
    elif "b: c" in tail:
        assert whole[0] == [] and len(whole[6]) == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_of_one_part_is_checked_as_if_read_whole(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    jobs: str,
    digest_calls: list[tuple[int, int]],
) -> None:
    """A large file of a few large items: no part goes to a worker pickled, and its items are
    checked on every core from ``PARALLEL_ITEMS`` on, as when read whole."""
    path = tmp_path / "backlog.yaml"
    path.write_text(_backlog(60), encoding="utf-8")
    monkeypatch.setattr(pipeline, "PARALLEL_ITEMS", 10)
    whole = _check(path, jobs, monkeypatch, stream=False)
    sent: list[int] = []
    monkeypatch.setattr(pipeline, "_stream_to_workers", lambda *args: sent.append(1))
    digest_calls.clear()
    assert _check(path, jobs, monkeypatch, stream=True, part=60) == whole
    assert sent == []
    assert digest_calls == [(40, int(jobs))], threading.enumerate()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_part_of_errors_only_is_kept_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str
) -> None:
    """Fourteen items in a row without a title fill two parts with errors alone."""
    bad = "".join(f"  - id: BAD-{n}\n    why_now: later\n" for n in range(14))
    good = _backlog(20)
    path = tmp_path / "backlog.yaml"
    path.write_text(good + bad + _backlog(20).replace("items:\n", "").replace("PAY-", "OPS-"))
    whole = _check(path, jobs, monkeypatch, stream=False)
    assert _check(path, jobs, monkeypatch, stream=True) == whole
    assert sum("BAD-" in error.message for error in whole[6]) == 14


def test_a_large_file_with_a_results_cache_keeps_its_item_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The next run finds the unchanged items of a streamed file by their keys."""
    from readylint import filecache
    from readylint.filecache import KEY_SIZE, ResultCache

    monkeypatch.setattr(filecache, "MIN_BYTES", 0)
    path = tmp_path / "backlog.yaml"
    path.write_text(_backlog(30), encoding="utf-8")
    engine, _ = app.build_engine(Config(), app.Selection())
    results = []
    for stream in (False, True):  # each with a cache of its own: nothing kept from earlier
        monkeypatch.setenv("READYLINT_CACHE_DIR", str(tmp_path / f"cache-{stream}"))
        cache = ResultCache.for_run(engine.inputs, [path])
        assert cache is not None
        monkeypatch.setattr(pipeline, "_RESULTS", cache)
        results.append(_check(path, "2", monkeypatch, stream))
    assert results[0] == results[1]
    assert len(results[1][7]) == KEY_SIZE * 20


_DIGEST_SENT = pipeline._digest_sent


def _sent_to_worker(items: list[BacklogItem]) -> Any:
    """``pipeline._digest_sent``, writing the ids it was sent to ``$SENT_LOG`` (a worker's
    calls are not seen in the test's process)."""
    with Path(os.environ["SENT_LOG"]).open("a", encoding="utf-8") as log:
        log.write("".join(f"{item.id}\n" for item in items))
    return _DIGEST_SENT(items)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_edited_large_file_reuses_its_unchanged_items_a_part_at_a_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str
) -> None:
    """The run after an edit streams the file too: only the changed item is checked, the
    others' digests are taken from the earlier result, moved to their new lines, as when the
    file is read whole."""
    from readylint import filecache
    from readylint.filecache import ResultCache

    monkeypatch.setattr(filecache, "MIN_BYTES", 0)
    path = tmp_path / "backlog.yaml"
    before = _backlog(30)
    after = before.replace("every week, 7 of them", "every day, 7 of them").replace(
        "  - id: PAY-3\n", "  # a comment that moves the items below it\n  - id: PAY-3\n"
    )
    assert after.count("\n") == before.count("\n") + 1 and "every day" in after
    engine, _ = app.build_engine(Config(), app.Selection())
    checked: list[str] = []
    real = engine.digest

    def counting(item: BacklogItem, *, prints_only: bool = False) -> Any:
        checked.append(item.id)
        return real(item, prints_only=prints_only)

    results = []
    for stream in (False, True):
        monkeypatch.setenv("READYLINT_CACHE_DIR", str(tmp_path / f"cache-{stream}"))
        path.write_text(before, encoding="utf-8")
        for text in (before, after):
            path.write_text(text, encoding="utf-8")
            cache = ResultCache.for_run(engine.inputs, [path])
            assert cache is not None
            monkeypatch.setattr(pipeline, "_RESULTS", cache)
            monkeypatch.setenv("READYLINT_JOBS", jobs)
            monkeypatch.setattr(pipeline, "STREAM_BYTES", 0 if stream else 1 << 62)
            monkeypatch.setattr(pipeline, "STREAM_PART", 7)
            checked.clear()
            monkeypatch.setattr(engine, "digest", counting)
            if stream:  # the file is never read whole
                monkeypatch.setattr(pipeline, "read_bytes", None)
            sent = tmp_path / "sent.txt"
            sent.write_text("")
            monkeypatch.setenv("SENT_LOG", str(sent))
            monkeypatch.setattr(pipeline, "_digest_sent", _sent_to_worker)
            result = _kept(pipeline.check_file(path, engine))
        # Only the item that changed is checked: in a worker when streamed with workers
        if stream and jobs == "2":
            assert (checked, sent.read_text()) == ([], "PAY-7\n")
        else:
            assert (checked, sent.read_text()) == (["PAY-7"], "")
        results.append(result)
    monkeypatch.setattr(pipeline, "_RESULTS", None)
    monkeypatch.setattr(pipeline, "read_bytes", read_bytes)
    fresh = _check(path, jobs, monkeypatch, stream=False)
    assert results[0] == results[1]
    assert results[1][:7] == fresh[:7]  # the same as checking every item again


_STREAM_FILE = yaml_files.stream_file


def _logged_stream(handle: Any, path: str, size: int, hasher: Any) -> Any:
    """``yaml_files.stream_file``, writing the file's name to ``$STREAM_LOG`` (from a worker
    too)."""
    with Path(os.environ["STREAM_LOG"]).open("a", encoding="utf-8") as log:
        log.write(f"{Path(path).name}\n")
    return _STREAM_FILE(handle, path, size, hasher)


@pytest.mark.parametrize("first", [True, False], ids=["checked first", "in a files worker"])
def test_a_large_file_among_others_is_streamed_with_the_same_report(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    first: bool,
) -> None:
    """Files are checked in workers when there are several; a large one is checked first, in
    this process, streamed to workers of its own (``pipeline._large_first``), and its result
    takes its place among the others. Were it checked in a files worker, it would be streamed
    there, its parts checked in that worker."""
    from readylint.cli import main

    (tmp_path / "a-small.yaml").write_text(_backlog(2).replace("PAY-", "DOC-"), encoding="utf-8")
    (tmp_path / "b-large.yaml").write_text(_backlog(60), encoding="utf-8")
    (tmp_path / "c-small.yaml").write_text(_backlog(3).replace("PAY-", "OPS-"), encoding="utf-8")
    log = tmp_path / "streamed.txt"
    log.write_text("")
    monkeypatch.setenv("STREAM_LOG", str(log))
    monkeypatch.setattr(pipeline, "stream_file", _logged_stream)
    monkeypatch.setattr(pipeline, "STREAM_PART", 7)
    monkeypatch.setenv("READYLINT_JOBS", "2")
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    if not first:
        monkeypatch.setattr(pipeline, "_large_first", lambda *args: {})
    files = sorted(str(path) for path in tmp_path.glob("*.yaml"))
    assert pipeline.jobs_wanted([Path(f) for f in files]) == 2, threading.enumerate()
    reports = []
    for threshold in (1 << 62, (tmp_path / "b-large.yaml").stat().st_size):
        monkeypatch.setattr(pipeline, "STREAM_BYTES", threshold)
        assert main(["check", "--format", "json", *files]) == 2  # 'rank: nine' is an error
        reports.append(capsys.readouterr().out)
    assert reports[0] == reports[1]
    assert log.read_text() == "b-large.yaml\n"
    ids = [item["id"] for item in json.loads(reports[1])["items"]]
    assert ids[:3] == ["DOC-1", "DOC-2", "PAY-1"] and ids[-3:] == ["PAY-59", "OPS-1", "OPS-2"]


class _Counted(Progress):
    """A progress line (not drawn: not a terminal) that records what it is told."""

    def __init__(self) -> None:
        super().__init__(None, io.StringIO())
        self.told: list[tuple[int, ...]] = []

    def part_done(self, items: int) -> None:
        self.told.append((items,))
        super().part_done(items)

    def file_done(self, items: int, total_files: int) -> None:
        self.told.append((items, total_files))
        super().file_done(items, total_files)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("tail", ["", "  - id: PAY-X\n    title: &a Anchored\n"])
def test_a_large_file_is_counted_on_the_progress_line_a_part_at_a_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str, tail: str
) -> None:
    """One large file would show nothing for seconds: its items are counted as each part is
    checked, then with the file; a refusal after some parts takes them back."""
    path = tmp_path / "backlog.yaml"
    path.write_text(_backlog(60, tail), encoding="utf-8")
    monkeypatch.setenv("READYLINT_JOBS", jobs)
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0)
    monkeypatch.setattr(pipeline, "STREAM_PART", 7)
    engine, _ = app.build_engine(Config(), app.Selection())
    bar = _Counted()
    source = pipeline.read_and_check([path], engine, progress=bar)
    checked = len(source.items)
    parts = [told[0] for told in bar.told[:-1]]
    assert bar.told[-1] == (checked, 1) and (bar.files, bar.items, bar.partial) == (1, checked, 0)
    if not tail:
        assert checked == 40
        assert parts == sorted(parts) and len(parts) == 9 and parts[-1] == 40  # 60 in 7s
    else:
        assert checked == 41
        assert parts[-1] == 0 and 0 < max(parts) < checked  # taken back, then read whole


@pytest.mark.parametrize("first", [True, False], ids=["checked first", "in a files worker"])
def test_a_large_file_among_others_is_counted_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, first: bool
) -> None:
    """Checked first, a large file is counted when it is done, before the files around it;
    checked in a files worker, it is counted with them, in file order (the worker cannot draw on
    this process's line)."""
    files = [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"]
    files[0].write_text(_backlog(2).replace("PAY-", "DOC-"), encoding="utf-8")
    files[1].write_text(_backlog(60), encoding="utf-8")
    files[2].write_text(_backlog(3).replace("PAY-", "OPS-"), encoding="utf-8")
    monkeypatch.setenv("READYLINT_JOBS", "2")
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    monkeypatch.setattr(pipeline, "STREAM_BYTES", files[1].stat().st_size)
    monkeypatch.setattr(pipeline, "STREAM_PART", 7)
    if not first:
        monkeypatch.setattr(pipeline, "_large_first", lambda *args: {})
    engine, _ = app.build_engine(Config(), app.Selection())
    bar = _Counted()
    assert pipeline.jobs_wanted(files) == 2, threading.enumerate()
    pipeline.read_and_check(files, engine, progress=bar)
    done = [told for told in bar.told if len(told) == 2]
    if first:
        assert done == [(40, 3), (2, 3), (2, 3)] and bar.told[9] == (40, 3)
        parts = [told[0] for told in bar.told[:9]]  # 60 items in parts of 7
        assert parts == sorted(parts) and parts[0] > 0 and parts[-1] == 40
    else:
        assert bar.told == [(2, 3), (40, 3), (2, 3)]
    assert (bar.files, bar.items, bar.partial) == (3, 44, 0)


def test_a_large_file_is_streamed_not_read_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "backlog.yaml"
    path.write_text(_backlog(30), encoding="utf-8")

    def whole(*args: Any) -> Any:
        raise AssertionError("read whole")

    monkeypatch.setattr(pipeline, "read_bytes", whole)
    assert len(_check(path, "1", monkeypatch, stream=True)[0]) == 20
    with pytest.raises(AssertionError, match="read whole"):
        _check(path, "1", monkeypatch, stream=False)


def _peak(read: Callable[[], Iterable[Any]]) -> int:
    tracemalloc.start()
    try:
        for _ in read():
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_holds_a_part_not_the_whole_tree() -> None:
    """The point of it: a file's nodes are never all in memory (measured without the checks,
    which keep what they keep either way)."""
    data = _backlog(3000).encode()
    whole = _peak(lambda: read_bytes(data, "b")[0])
    streamed = _peak(lambda: stream_bytes(data, "b", 100))
    assert streamed * 10 < whole, (streamed, whole)


def test_a_file_on_disk_is_streamed_without_its_bytes_held(tmp_path: Path) -> None:
    """``stream_file`` reads the file 256 KiB at a time: the peak stays near that, where
    holding the bytes would cost the file's size (110 MB of a 229 MiB run at 100,000 items)."""
    data = _backlog(12000).encode()  # 3.7 MB
    path = tmp_path / "backlog.yaml"
    path.write_bytes(data)
    hasher = filecache.content_hasher()
    with path.open("rb") as handle:
        streamed = _peak(lambda: yaml_files.stream_file(handle, "b", 100, hasher))
    assert streamed * 4 < len(data), (streamed, len(data))
    assert hasher.digest() == filecache.content_digest(data)  # every byte, for the cache key


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: text.encode("utf-16"),
        lambda text: (text + "  - id: PAY-X\n    title: &a Anchored\n").encode(),
    ],
    ids=["UTF-8", "UTF-8 with a BOM", "UTF-16", "refused at the end"],
)
def test_a_streamed_file_is_found_in_the_results_cache_by_its_bytes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, encode: Callable[[str], bytes]
) -> None:
    """The cache's key is the hash of the bytes read as they stream (or of the whole read,
    after a refusal): the next run finds the file's entry by hashing the file itself."""
    monkeypatch.setattr(filecache, "MIN_BYTES", 0)
    monkeypatch.setenv("READYLINT_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "backlog.yaml"
    path.write_bytes(encode(_backlog(30)))
    engine, _ = app.build_engine(Config(), app.Selection())
    cache = filecache.ResultCache.for_run(engine.inputs, [path])
    assert cache is not None
    monkeypatch.setattr(pipeline, "_RESULTS", cache)
    streamed = _check(path, "1", monkeypatch, stream=True)
    kept = cache.find(path, display_path(path), filecache.file_digest(path))
    assert kept is not None
    assert _kept(kept.load()) == streamed == _check(path, "1", monkeypatch, stream=False)


def test_without_the_c_loader_nothing_is_streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_files, "HAS_C_LOADER", False)
    with pytest.raises(Unstreamable):
        _streamed(ITEMS.encode(), 2)


def test_the_reader_imports_where_pyyaml_has_no_c_loader() -> None:
    """PyYAML built without libyaml has no ``CSafeLoader``: nothing is streamed then, and
    the module still imports and reads."""
    import subprocess
    import sys

    code = (
        "import yaml; del yaml.CSafeLoader, yaml.CLoader\n"
        "from readylint.sources import yaml_files\n"
        "print(len(yaml_files.read_bytes(b'- id: A-1\\n  title: One\\n', 'b')[0]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")
