"""The progress line (progress.py): a terminal's stderr only, after a second, at most ten times a
second, erased before the report; output to files and pipes is unchanged by it (issue 6)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run, ready_items
from readylint import progress
from readylint.progress import Progress, for_terminal

Write = Callable[[str, str], Path]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def screen(written: str) -> str:
    """What a terminal shows of ``written`` on its last line (carriage returns overwrite)."""
    line: list[str] = []
    column = 0
    for char in written.rsplit("\n", 1)[-1]:
        if char == "\r":
            column = 0
            continue
        if column < len(line):
            line[column] = char
        else:
            line.append(char)
        column += 1
    return "".join(line).rstrip()


def test_nothing_is_drawn_within_the_first_second() -> None:
    clock, stream = Clock(), FakeTerminal()
    bar = Progress(10, stream, clock=clock)
    for _ in range(5):
        clock.now += 0.19
        bar.advance(items=100)
    bar.close()
    assert stream.getvalue() == ""
    assert (bar.files, bar.items) == (5, 500)


def test_drawn_after_a_second_at_most_ten_times_a_second_then_erased() -> None:
    clock, stream = Clock(), FakeTerminal()
    bar = Progress(None, stream, clock=clock)
    clock.now += 1.0
    bar.file_done(1000, 40)
    assert screen(stream.getvalue()) == "readylint: checked 1/40 files, 1,000 items"
    for _ in range(50):  # 50 files within 0.05 s: no redraw
        clock.now += 0.001
        bar.file_done(1000, 40)
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.1
    bar.file_done(1000, 40)
    assert stream.getvalue().count("\r") == 2
    assert screen(stream.getvalue()) == "readylint: checked 52/40 files, 52,000 items"
    bar.close()
    assert screen(stream.getvalue()) == ""
    before = stream.getvalue()
    clock.now += 5
    bar.file_done(1, 40)  # nothing after close
    bar.close()
    assert stream.getvalue() == before


def test_a_shorter_line_covers_a_longer_one_and_never_wraps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock, stream = Clock(), FakeTerminal()
    bar = Progress(None, stream, clock=clock, delay=0, interval=0)
    bar.advance(items=123456)
    bar.total_files = None
    bar.items = 0
    bar.advance(items=1)
    assert screen(stream.getvalue()) == "readylint: checked 2 files, 1 items"
    monkeypatch.setattr("shutil.get_terminal_size", lambda: os.terminal_size((20, 24)))
    narrow = Progress(None, stream := FakeTerminal(), clock=clock, delay=0)
    narrow.advance(items=5)
    assert screen(stream.getvalue()) == "readylint: checked "[:19].rstrip()


def test_only_on_a_terminal_and_not_when_quiet() -> None:
    assert for_terminal(io.StringIO()) is None
    assert for_terminal(FakeTerminal(), quiet=True) is None
    assert isinstance(for_terminal(FakeTerminal()), Progress)
    closed = FakeTerminal()
    closed.close()
    assert for_terminal(closed) is None


@pytest.mark.parametrize("env", [{"CI": "true"}, {"TERM": "dumb"}])
def test_not_in_ci_nor_on_a_dumb_terminal(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert for_terminal(FakeTerminal()) is None


def test_a_message_is_written_on_a_line_of_its_own_and_the_line_drawn_again() -> None:
    clock, stream = Clock(), FakeTerminal()
    bar = Progress(None, stream, clock=clock)
    bar.echo("readylint: before the line shows")
    assert stream.getvalue() == "readylint: before the line shows\n"
    clock.now += 1.0
    bar.say("read 300 of 1,000 issues")
    bar.echo("readylint: Jira answered HTTP 429 (rate limited); waiting 2s")
    lines = stream.getvalue().split("\n")
    assert [screen(line) for line in lines] == [
        "readylint: before the line shows",
        "readylint: Jira answered HTTP 429 (rate limited); waiting 2s",
        "readylint: read 300 of 1,000 issues",
    ]
    bar.close()
    bar.echo("readylint: label 'unready': nothing to change")
    assert stream.getvalue().endswith("\rreadylint: label 'unready': nothing to change\n")


def _backlog(write: Write, files: int = 3) -> None:
    for n in range(files):
        write(f"backlog/f{n}.yaml", ready_items(f"A-{n}1", f"A-{n}2") + "  - id: BAD\n")


@pytest.mark.parametrize("args", [(), ("--format", "json"), ("--format", "sarif")])
def test_a_run_on_a_terminal_draws_and_erases_and_changes_nothing_else(
    run: Callable[..., Run],
    write: Write,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
) -> None:
    _backlog(write)
    plain = run("check", "backlog", *args)  # stderr captured by pytest: not a terminal
    assert "readylint: checked" not in plain.err
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    shown = run("check", "backlog", *args)
    written = terminal.getvalue()
    assert "readylint: checked 3/3 files, 6 items" in written
    assert (shown.code, shown.out) == (plain.code, plain.out)
    # What stays on the terminal is exactly what a run without progress writes to stderr.
    assert [screen(line) for line in written.split("\n")] == plain.err.split("\n")


def test_quiet_and_non_terminal_runs_are_byte_identical_with_and_without_progress(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _backlog(write)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    with_progress = [run("check", "backlog"), run("check", "backlog", "--format", "json")]
    with monkeypatch.context() as patch:
        terminal = FakeTerminal()
        patch.setattr(sys, "stderr", terminal)
        quiet = run("check", "backlog", "-q")
    assert "readylint: checked" not in terminal.getvalue()
    monkeypatch.setattr(progress, "for_terminal", lambda *a, **k: None)
    without = [run("check", "backlog"), run("check", "backlog", "--format", "json")]
    assert with_progress == without
    assert quiet.out == run("check", "backlog", "-q").out


def test_one_large_file_is_counted_as_its_parts_are_checked(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog in one large file is read a part at a time (pipeline._check_streamed): the
    line counts its items as they are checked, not only once the file is done."""
    from readylint import pipeline

    write("backlog/all.yaml", ready_items(*(f"A-{n}" for n in range(1, 13))))
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0)
    monkeypatch.setattr(pipeline, "STREAM_PART", 4)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    shown = run("check", "backlog", "--format", "json")
    drawn = [screen(line) for line in terminal.getvalue().split("\r") if line.strip()]
    assert drawn == [
        "readylint: checked 0/1 file, 4 items",
        "readylint: checked 0/1 file, 8 items",
        "readylint: checked 0/1 file, 12 items",
        "readylint: checked 1/1 file, 12 items",
    ]
    assert shown.code == 0


def test_on_a_real_terminal(write: Write, tmp_path: Path) -> None:
    """The readylint process with stderr on a pseudo-terminal, stdout on a pipe."""
    _backlog(write, files=4)
    probe = textwrap.dedent(
        """
        import sys
        from readylint import progress
        progress.DELAY = progress.INTERVAL = 0.0
        from readylint.console import run
        sys.argv = ["readylint", "check", "backlog", "--format", "json"]
        run()
        """
    )
    main_side, terminal_side = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-c", probe], stdout=subprocess.PIPE, stderr=terminal_side, cwd=tmp_path
    ) as process:
        os.close(terminal_side)
        out = process.stdout.read() if process.stdout else b""
        code = process.wait()
        written = b""
        while select.select([main_side], [], [], 0.5)[0]:
            try:
                chunk = os.read(main_side, 4096)
            except OSError:  # the other side is closed
                break
            if not chunk:
                break
            written += chunk
    os.close(main_side)
    piped = subprocess.run(
        [sys.executable, "-m", "readylint", "check", "backlog", "--format", "json"],
        capture_output=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert code == piped.returncode == 2
    assert out == piped.stdout  # the JSON report is the same bytes
    text = written.decode()
    assert "readylint: checked 4/4 files, 8 items" in text
    assert screen(text.split("\n")[0]) == screen(piped.stderr.decode().split("\n")[0])


def test_report_draws_progress_on_a_terminal_and_erases_it(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _backlog(write)
    plain = run("report", "backlog", "-o", "page.html")
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    shown = run("report", "backlog", "-o", "page.html")
    written = terminal.getvalue()
    assert "readylint: checked 3/3 files, 6 items" in written
    assert (shown.code, shown.out) == (plain.code, plain.out)
    assert [screen(line) for line in written.split("\n")] == plain.err.split("\n")
