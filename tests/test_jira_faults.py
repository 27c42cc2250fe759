"""Server faults (issue 7): every one ends in the complete, correct result or in exit 2 with one
clear line naming the page or the issue, within a bounded time; never a partial backlog reported
as complete, never an item judged from a half-read page.

Each case runs through the CLI (``readylint.cli.main``) and through the source
(``JiraBacklog.read``), on Cloud (``nextPageToken``) and on Data Center (``startAt``, pages
fetched concurrently). The retry sleeps are recorded instead of slept; the read timeout is short.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from jira_fake import (
    FIELD_MAP_CONFIG,
    FakeJira,
    Fault,
    Mode,
    Run,
    add_issue,
    grow,
    issue,
    null_issue,
    page_query,
    rank_last,
    rotate,
    run_cli,
    shop_backlog,
    shop_site,
)
from readylint.config import load_config
from readylint.errors import SourceError
from readylint.models import SourceResult
from readylint.sources import jira_source

CONFIG = FIELD_MAP_CONFIG.replace("read_timeout: 2", "read_timeout: 0.3").replace(
    "connect_timeout: 2", "connect_timeout: 0.5"
)
DEADLINE = "0.8s"  # connect_timeout + read_timeout: the most one request may take
BOUND = 6.0  # seconds: every run, failing or not, ends well within this
READY = ["SHOP-1", "SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6"]  # the open backlog, in rank order


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(jira_source, "_sleep", recorded.append)
    return recorded


@pytest.fixture(params=["cloud", "server"])
def fake(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeJira]:
    yield from shop_site(request.param, tmp_path, monkeypatch, config=CONFIG)


def page2(fake: FakeJira) -> dict[str, str]:
    """The request for the second page (issues 3 and 4), on either deployment."""
    return page_query(fake.mode, 2)


def search(fake: FakeJira) -> str:
    return "search/jql" if fake.mode == "cloud" else "/search"


def cli(fake: FakeJira, monkeypatch: Any, capsys: Any) -> tuple[Run, float]:
    start = time.monotonic()
    run = run_cli(
        ["check", "--project", "SHOP", "--format", "json"], fake.env(), monkeypatch, capsys
    )
    return run, time.monotonic() - start


def source(fake: FakeJira) -> tuple[SourceResult | SourceError, str, float]:
    """``JiraBacklog.read`` directly: (the result or the error, what it echoed, seconds)."""
    echoed: list[str] = []
    start = time.monotonic()
    backlog = jira_source.JiraBacklog(
        load_config(None),
        jira_source.JiraRequest(project="SHOP"),
        env=fake.env(),
        echo=echoed.append,
    )
    try:
        outcome: SourceResult | SourceError = backlog.read()
    except SourceError as exc:
        outcome = exc
    return outcome, "\n".join(echoed), time.monotonic() - start


def clean_report(mode: Mode, tmp_path: Path, monkeypatch: Any, capsys: Any) -> dict[str, Any]:
    """The report of the same backlog read without any fault."""
    clean = FakeJira(mode)
    clean.issues = shop_backlog()
    clean.page_cap = 2
    clean.start()
    try:
        run, _ = cli(clean, monkeypatch, capsys)
    finally:
        clean.stop()
    assert run.code == 1, run.err
    return json.loads(run.out.replace(clean.url, "JIRA"))  # type: ignore[no-any-return]


def one_error_line(run: Run) -> str:
    assert run.code == 2, (run.out, run.err)
    assert run.out == ""  # nothing reported: no partial backlog passes for a complete one
    lines = [line for line in run.err.splitlines() if line.startswith("readylint: error:")]
    assert len(lines) == 1, run.err
    assert "Traceback" not in run.err
    return lines[0]


# --- faults a retry or a second read recovers from: the complete, correct result -------------

Recoverable = Callable[[FakeJira], list[Fault]]

RECOVERABLE: dict[str, tuple[Recoverable, list[float] | None]] = {
    # name: (faults, the sleeps readylint must have taken; None: not checked exactly)
    "429 storm, Retry-After in seconds": (
        lambda f: [Fault.retry_after(search(f), 429, "2", count=3, query=page2(f))],
        [2.0, 2.0, 2.0],
    ),
    "429, Retry-After as an HTTP date": (
        lambda f: [
            Fault.retry_after(
                search(f),
                429,
                format_datetime(datetime.now(timezone.utc) + timedelta(seconds=3), usegmt=True),
                query=page2(f),
            )
        ],
        None,
    ),
    "503 with Retry-After": (
        lambda f: [Fault.retry_after(search(f), 503, "1", count=2, query=page2(f))],
        [1.0, 1.0],
    ),
    "503 without Retry-After": (
        lambda f: [Fault.retry_after(search(f), 503, None, count=3, query=page2(f))],
        [1.0, 2.0, 4.0],
    ),
    "connection reset mid-body": (
        lambda f: [Fault.reset_mid_body(search(f), count=2, query=page2(f))],
        [1.0, 2.0],
    ),
    "page shorter than asked": (
        lambda f: [Fault.short(search(f), 1, query=page2(f))],
        [],
    ),
    "second page answers last": (
        lambda f: [Fault(search(f), None, delay=0.15, query=page2(f))],
        [],
    ),
}


@pytest.mark.parametrize("name", list(RECOVERABLE))
def test_recovered_faults_give_the_complete_result(
    name: str,
    fake: FakeJira,
    sleeps: list[float],
    tmp_path: Path,
    monkeypatch: Any,
    capsys: Any,
) -> None:
    make, slept = RECOVERABLE[name]
    expected = clean_report(fake.mode, tmp_path, monkeypatch, capsys)
    fake.inject(*make(fake))
    run, seconds = cli(fake, monkeypatch, capsys)
    assert run.code == 1, run.err
    report = json.loads(run.out.replace(fake.url, "JIRA"))
    assert report["items"] == expected["items"]
    assert report["errors"] == []
    assert all(f.fired for f in fake.faults), "the fault never fired"
    if slept is not None:
        assert sleeps == slept
    else:
        assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 3.0
    assert seconds < BOUND
    # The source itself, on a fresh copy of the faults: the same complete backlog.
    fake.faults = make(fake)
    outcome, _, _ = source(fake)
    assert isinstance(outcome, SourceResult)
    assert [i.id for i in outcome.items] == READY and outcome.errors == []


@pytest.mark.parametrize("quiet", [False, True], ids=["progress", "quiet"])
def test_a_retry_said_while_the_progress_line_shows_has_a_line_of_its_own(
    server_fake: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any, quiet: bool
) -> None:
    """On a terminal, a retry's message erases the progress line, is written on a line of its
    own, and the line is drawn again below it (it was once glued to the end of the line); the
    line is erased before the report. ``--quiet``: no progress line, the same messages."""
    from readylint import progress
    from test_progress import FakeTerminal, screen

    site = server_fake
    site.inject(Fault.retry_after(search(site), 429, "1", count=1, query=page2(site)))
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    args = ["check", "--project", "SHOP", "--format", "json", *(["-q"] if quiet else [])]
    run = run_cli(args, site.env(), monkeypatch, capsys)
    assert run.code == 1 and sleeps == [1.0]
    lines = [screen(line) for line in terminal.getvalue().split("\n")]
    retry = (
        "readylint: Jira answered HTTP 429 (rate limited) while reading page 2 of the search"
        " (after 2 issues); waiting 1s before retry 1 of 3"
    )
    if quiet:
        assert terminal.getvalue() == retry + "\n"
        return
    written = terminal.getvalue().split("\n")
    assert written[0].startswith("\rreadylint: read 2 of 6 issues\r")
    assert lines[0] == retry  # the line drawn before it was erased: nothing of it is left
    assert "\rreadylint: read 6 of 6 issues\r" in written[1]
    assert len(lines) == 3 and lines[2] == ""
    assert lines[1].startswith("readylint: note: skipped 1 issue")  # written once it is erased


def test_a_backlog_reordered_during_the_read_is_read_again(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    # Someone drags SHOP-1 to the bottom while page 2 is requested: offset paging would now
    # skip an issue and return SHOP-1 twice. readylint notices the duplicate and reads again.
    fake.inject(Fault.edit(search(fake), rank_last("SHOP-1"), after=1))
    run, seconds = cli(fake, monkeypatch, capsys)
    assert run.code == 1, run.err
    assert [i["id"] for i in json.loads(run.out)["items"]] == [*READY[1:], "SHOP-1"]
    assert "came back" in run.err and "reading it again from the start" in run.err
    assert seconds < BOUND


def test_an_issue_created_during_the_read_is_included(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    # Data Center: page 2 or 3 reports a different total, so the backlog is read again.
    # Cloud has no total; the new issue is ranked last and arrives on the last page.
    new = issue("SHOP-8", "Late idea", "0|i0000h:")
    fake.inject(Fault.edit(search(fake), add_issue(new), after=1))
    run, _ = cli(fake, monkeypatch, capsys)
    assert run.code == 1, run.err
    assert [i["id"] for i in json.loads(run.out)["items"]] == [*READY, "SHOP-8"]
    if fake.mode == "server":
        assert "count of issues in the search changed from 6 to 7" in run.err
        assert "reading it again from the start" in run.err


# --- faults that end the run: exit 2, one line naming the page or the issue -------------------

Failing = Callable[[FakeJira], list[Fault]]

FAILING: dict[str, tuple[Failing, str]] = {
    "429 storm beyond max_retries": (
        lambda f: [Fault.retry_after(search(f), 429, "1", count=99, query=page2(f))],
        "still answered HTTP 429 (rate limited) while reading page 2 of the search (after 2"
        " issues) after 3 retries (3s waited); try again later, or raise jira.max_retries",
    ),
    "429 asking for an hour (HTTP date)": (
        lambda f: [
            Fault.retry_after(
                search(f),
                429,
                format_datetime(datetime.now(timezone.utc) + timedelta(hours=1), usegmt=True),
                query=page2(f),
            )
        ],
        "beyond the retry budget (10s in all, 0s used; jira.max_retry_wait)",
    ),
    "503 without Retry-After, for good": (
        lambda f: [Fault.retry_after(search(f), 503, None, count=99, query=page2(f))],
        "still answered HTTP 503 (unavailable) while reading page 2 of the search",
    ),
    "500": (
        lambda f: [Fault(search(f), 500, {"errorMessages": ["Internal error"]}, query=page2(f))],
        "answered HTTP 500 while reading page 2 of the search (after 2 issues): Internal error",
    ),
    "connection reset mid-body, every time": (
        lambda f: [Fault.reset_mid_body(search(f), count=99, query=page2(f))],
        "still broke off the connection (reset, or the answer was cut short) while reading page"
        " 2 of the search (after 2 issues) after 3 retries",
    ),
    "truncated JSON": (
        lambda f: [Fault.truncated(search(f), query=page2(f))],
        "sent a response that is not the expected JSON while reading page 2 of the search"
        " (after 2 issues) (the JSON ends early: cut off after",
    ),
    "HTML error page with status 200": (
        lambda f: [Fault.html(search(f), query=page2(f))],
        "not the expected JSON while reading page 2 of the search (after 2 issues) (an HTML"
        " page: a login, proxy or maintenance page?)",
    ),
    "slow loris": (
        lambda f: [Fault.slow(search(f), 0.05, query=page2(f))],
        f"did not finish answering within {DEADLINE} while reading page 2 of the search (after"
        " 2 issues) (a stalled or very slow connection); try again, or raise jira.read_timeout",
    ),
    "reordered on every page": (
        lambda f: [Fault.edit(search(f), rotate, after=1, count=99)],
        "the backlog changed while readylint read it, on the second read too; nothing is"
        " reported, since an issue may have been missed",
    ),
}


def _failing_cases() -> list[Any]:
    cases = [pytest.param(name, id=name) for name in FAILING]
    return cases


@pytest.mark.parametrize("name", _failing_cases())
def test_unrecoverable_faults_exit_2_with_one_line(
    name: str, fake: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    make, expected = FAILING[name]
    fake.inject(*make(fake))
    run, seconds = cli(fake, monkeypatch, capsys)
    line = one_error_line(run)
    assert expected in line, line
    assert seconds < BOUND
    fake.faults = make(fake)
    outcome, _, seconds = source(fake)
    assert isinstance(outcome, SourceError), outcome
    assert expected in str(outcome)
    assert seconds < BOUND


def test_total_changing_on_every_page_exits_2(
    server_fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    server_fake.inject(Fault.edit("/search", grow, after=1, count=99))
    line = one_error_line(cli(server_fake, monkeypatch, capsys)[0])
    assert "Jira's count of issues in the search changed from" in line
    assert "on the second read too; nothing is reported" in line


@pytest.fixture
def server_fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    yield from shop_site("server", tmp_path, monkeypatch, config=CONFIG)


def test_a_repeated_page_token_stops_the_cloud_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeJira("cloud")
    fake.issues = shop_backlog()
    fake.page_cap = 2
    fake.repeat_token = True
    fake.start()
    monkeypatch.chdir(tmp_path)
    try:
        outcome, _, seconds = source(fake)
    finally:
        fake.stop()
    assert isinstance(outcome, SourceError)
    assert "sent the same page token twice while reading page 2 of the search" in str(outcome)
    assert len([p for p in fake.paths() if "search" in p]) == 2 and seconds < BOUND


def test_cloud_more_pages_without_a_token_is_an_error(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    if fake.mode == "server":
        fake.inject(
            Fault("/search", 200, {"startAt": 0, "maxResults": 2, "issues": [], "total": 6})
        )
        expected = "reported 6 issues for the search but only 0 arrived"
    else:
        fake.inject(Fault("search/jql", 200, {"issues": [], "isLast": False}))
        expected = "said more pages follow but sent no nextPageToken while reading the first page"
    assert expected in one_error_line(cli(fake, monkeypatch, capsys)[0])


def test_a_page_from_the_wrong_offset_is_an_error(
    server_fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    body = {"startAt": 0, "maxResults": 2, "total": 6, "issues": []}
    server_fake.inject(Fault("/search", 200, body, query={"startAt": "4"}))
    line = one_error_line(cli(server_fake, monkeypatch, capsys)[0])
    assert "answered with the issues from 0 instead of 4 while reading page 3 of the search" in line


# --- an issue whose every field is null -----------------------------------------------------


def test_an_issue_with_every_field_null_is_an_error_not_a_verdict(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    fake.issues.append(null_issue("SHOP-8", "0|i0000bb:"))  # between SHOP-2 and SHOP-3
    run, _ = cli(fake, monkeypatch, capsys)
    assert run.code == 2, run.err
    report = json.loads(run.out)
    assert [i["id"] for i in report["items"]] == READY  # the others are still judged
    (error,) = report["errors"]
    assert error["message"].startswith(
        "SHOP-8: Jira returned the issue with no summary (its fields were empty) while reading"
        " page 2 of the search (after 2 issues); readylint does not judge an issue it could not read"
    )
    outcome, _, _ = source(fake)
    assert isinstance(outcome, SourceResult)
    assert [e.path for e in outcome.errors] == [f"{fake.url}/browse/SHOP-8"]
    assert "SHOP-8" not in [i.id for i in outcome.items]
    text = run_cli(["check", "--project", "SHOP"], fake.env(), monkeypatch, capsys)
    assert f"{fake.url}/browse/SHOP-8: error: SHOP-8: Jira returned the issue with no summary" in (
        text.out + text.err
    )


def test_an_issue_without_fields_is_an_error_naming_it(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    key = "search/jql" if fake.mode == "cloud" else "/search"
    body: dict[str, Any] = {"issues": [{"key": "SHOP-1"}], "isLast": True}
    if fake.mode == "server":
        body.update(startAt=0, maxResults=2, total=1)
    fake.inject(Fault(key, 200, body))
    run, _ = cli(fake, monkeypatch, capsys)
    assert run.code == 2
    (error,) = json.loads(run.out)["errors"]
    assert error["message"].startswith("SHOP-1: Jira returned the issue without fields")


def test_stop_ends_a_connection_the_client_keeps_open() -> None:
    """A client that keeps its connection alive (as the jira library's session does until it is
    garbage collected) must not keep the fake's thread for it running after stop(): a leftover
    thread would stop a later test's engine from forking workers."""
    fake = FakeJira("cloud").start()
    session = requests.Session()
    try:
        assert session.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5).ok
        serving = [t for t in threading.enumerate() if "process_request" in t.name]
        assert serving  # the kept-alive connection's thread is waiting for the next request
    finally:
        fake.stop()
    assert not any(t.is_alive() for t in serving)
    session.close()
