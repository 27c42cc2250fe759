"""Every Jira failure is one line on stderr, exit 2, no traceback, no secret, nothing reported."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from jira_fake import FIELD_MAP_CONFIG, FakeJira, Fault, Run, run_cli, shop_backlog
from readylint.sources import jira_source
from readylint.sources.jira_source import has_order_by, retry_after


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(jira_source, "_sleep", recorded.append)
    return recorded


def _start(mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeJira:
    fake = FakeJira(mode)  # type: ignore[arg-type]
    fake.issues = shop_backlog()
    fake.page_cap = 2
    (tmp_path / ".readylint.yaml").write_text(
        FIELD_MAP_CONFIG.replace("read_timeout: 2", "read_timeout: 0.3"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return fake


@pytest.fixture
def cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    fake = _start("cloud", tmp_path, monkeypatch).start()
    yield fake
    fake.stop()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    fake = _start("server", tmp_path, monkeypatch).start()
    yield fake
    fake.stop()


def failed(run: Run, fake: FakeJira | None, *expected: str) -> str:
    """Assert the run failed cleanly: exit 2, one error line, no report, no secret."""
    assert run.code == 2, (run.out, run.err)
    assert run.out == ""  # nothing reported, so nothing reported as ready
    lines = [line for line in run.err.splitlines() if line.startswith("readylint: error:")]
    assert len(lines) == 1, run.err
    assert "Traceback" not in run.err and "JiraError" not in run.err
    if fake is not None:
        assert fake.token not in run.all and fake.pat not in run.all
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def check(fake: FakeJira, monkeypatch: Any, capsys: Any, *args: str, **env: str) -> Run:
    return run_cli(
        ["check", *(args or ("--project", "SHOP"))], {**fake.env(), **env}, monkeypatch, capsys
    )


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["text", "json"])
def test_401_names_url_user_and_variables(
    cloud: FakeJira, style: str, monkeypatch: Any, capsys: Any
) -> None:
    cloud.auth_style = style  # type: ignore[assignment]
    run = check(cloud, monkeypatch, capsys, JIRA_API_TOKEN="wrong-token-SECRET-999")
    line = failed(
        run,
        cloud,
        f"Jira at {cloud.url} rejected the credentials in JIRA_EMAIL and JIRA_API_TOKEN (HTTP 401)",
        "while checking the credentials (GET myself)",
        "Client must be authenticated to access this resource.",
        "check that JIRA_EMAIL holds the account's e-mail and JIRA_API_TOKEN an API token",
    )
    assert "wrong-token-SECRET-999" not in run.all and "status-code" not in line
    assert cloud.email not in run.all  # the e-mail is named by its variable, never shown
    assert not any("search" in p for p in cloud.paths())  # no empty backlog from a bad token


def test_401_with_a_pat_names_jira_pat(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    run = check(server, monkeypatch, capsys, JIRA_PAT="expired-SECRET-000")
    failed(run, server, "the personal access token in JIRA_PAT (HTTP 401)", "check JIRA_PAT")
    assert "expired-SECRET-000" not in run.all


def test_403(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    server.faults.append(
        Fault(
            "myself", 403, "", {"X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE; login-url=x"}
        )
    )
    failed(check(server, monkeypatch, capsys), server, "(HTTP 403)", "CAPTCHA_CHALLENGE")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"JIRA_API_TOKEN": ""}, "JIRA_API_TOKEN is not set"),
        ({"JIRA_EMAIL": "", "JIRA_API_TOKEN": ""}, "no Jira credentials: set JIRA_EMAIL"),
        ({"JIRA_URL": ""}, "no Jira URL: set JIRA_URL or jira.url"),
        ({"JIRA_URL": "ftp://jira.example.com"}, "is not an http(s) URL"),
        ({"JIRA_URL": "https://u:p@jira.example.com"}, "without query, fragment or credentials"),
    ],
)
def test_missing_or_bad_settings(
    cloud: FakeJira, env: dict[str, str], expected: str, monkeypatch: Any, capsys: Any
) -> None:
    run = check(cloud, monkeypatch, capsys, **env)
    failed(run, cloud, expected)
    assert cloud.requests == []


# --- queries, projects, boards, removed endpoints ----------------------------------------------


def test_400_bad_jql_shows_jiras_message(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    run = check(cloud, monkeypatch, capsys, "--jql", "project = SHOP AND (BAD")
    failed(
        run,
        cloud,
        "Jira rejected the JQL query (HTTP 400): Error in the JQL Query: Expecting ')' before"
        " the end of the query.; the query was: project = SHOP AND (BAD ORDER BY Rank ASC",
    )


def test_unknown_project(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    run = check(server, monkeypatch, capsys, "--project", "NOPE")
    failed(run, server, "The value 'NOPE' does not exist for the field 'project'.")


def test_404_board(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    run = check(server, monkeypatch, capsys, "--board", "99")
    failed(run, server, "board 99 was not found at", "(HTTP 404)", "check --board or jira.board")


def test_410_when_cloud_is_not_detected(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    cloud.deployment = "Server"  # a Cloud site that does not say so gets the removed endpoint
    run = check(cloud, monkeypatch, capsys)
    failed(run, cloud, "HTTP 410 (this API was removed)", "migrate to the /rest/api/3/search/jql")


def test_404_on_a_wrong_base_url(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    run = check(cloud, monkeypatch, capsys, JIRA_URL=cloud.url + "/wrong")
    failed(run, cloud, "HTTP 404", "check that JIRA_URL (or jira.url) is the site's base URL")


def test_not_a_jira_site(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    cloud.faults.append(Fault("serverInfo", 200, {"hello": "world"}))
    failed(check(cloud, monkeypatch, capsys), cloud, "serverInfo has no versionNumbers")


# --- field map ---------------------------------------------------------------------------------


def _config(tmp_path: Path, fields: str) -> None:
    (tmp_path / ".readylint.yaml").write_text(f"jira:\n  fields:\n{fields}", encoding="utf-8")


def test_unknown_field_lists_closest_names(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    _config(tmp_path, "    customer_need: Customer Needs\n")
    failed(
        check(cloud, monkeypatch, capsys),
        cloud,
        ".readylint.yaml: jira.fields.customer_need: Jira has no field named 'Customer Needs';"
        " closest field names: 'Customer Need' (customfield_10042)",
    )


def test_ambiguous_field_name_asks_for_the_id(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    _config(tmp_path, "    trade_off: Team\n")
    failed(
        check(cloud, monkeypatch, capsys),
        cloud,
        "several Jira fields are named 'Team' ('customfield_10050', 'customfield_10051')",
    )


def test_field_map_key_must_be_an_answer(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    _config(tmp_path, "    custmer_need: Customer Need\n")
    failed(
        check(cloud, monkeypatch, capsys),
        cloud,
        "'custmer_need' is not an answer field readylint knows (did you mean 'customer_need'?)",
    )
    assert cloud.requests == []  # checked before connecting


def test_unknown_jira_config_key_is_suggested(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    (tmp_path / ".readylint.yaml").write_text("jira:\n  read_timout: 3\n", encoding="utf-8")
    failed(
        check(cloud, monkeypatch, capsys),
        cloud,
        ".readylint.yaml:2: unknown key 'jira.read_timout' (did you mean 'read_timeout'?)",
    )


# --- transport ---------------------------------------------------------------------------------


def test_connection_refused(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"JIRA_URL": f"http://127.0.0.1:{port}", "JIRA_PAT": "pat-SECRET"}
    run = run_cli(["check", "--project", "SHOP"], env, monkeypatch, capsys)
    failed(run, None, f"connection refused by 127.0.0.1:{port} while reading serverInfo")
    assert "pat-SECRET" not in run.all


def test_dns_failure(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.chdir(tmp_path)

    def no_such_host(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no real DNS query leaves the box
    env = {"JIRA_URL": "https://jira.example.invalid", "JIRA_PAT": "pat-SECRET"}
    run = run_cli(["check", "--project", "SHOP"], env, monkeypatch, capsys)
    failed(run, None, "cannot resolve the host name 'jira.example.invalid' (DNS)")


def test_read_timeout(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    cloud.faults.append(Fault("search/jql", None, delay=1.0))
    run = check(cloud, monkeypatch, capsys)
    failed(
        run, cloud, "did not answer within 0.3s while reading the first page", "jira.read_timeout"
    )


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault("search/jql", 200, "<html><body>Log in</body></html>", content_type="text/html"),
         "sent a response that is not the expected JSON while reading the first page"),
        (Fault("search/jql", 200, ""), "sent an empty response while reading the first page"),
        (Fault("search/jql", 200, {"issues": "nope"}), "(no 'issues' list)"),
        (Fault("myself", 200, ""), "empty response while checking the credentials"),
        (Fault("search/jql", 200, {"issues": [{"id": "1"}], "isLast": True}), "an issue without a key"),
        (Fault("field", 200, '{"broken": '), "not the expected JSON while reading the field list"),
        (Fault("search/jql", 502, "<!DOCTYPE html><html>Bad gateway</html>", content_type="text/html"),
         "answered HTTP 502 while reading the first page of the search"),
    ],
)  # fmt: skip
def test_malformed_and_empty_answers(
    cloud: FakeJira, fault: Fault, expected: str, monkeypatch: Any, capsys: Any
) -> None:
    cloud.faults.append(fault)
    line = failed(check(cloud, monkeypatch, capsys), cloud, expected)
    assert "<html" not in line.lower()


def test_plain_http_to_a_remote_host_warns() -> None:
    assert jira_source._loopback("127.0.0.1") and jira_source._loopback("localhost")
    assert not jira_source._loopback("jira.example.com")


# --- retries -----------------------------------------------------------------------------------


def test_429_then_success(
    cloud: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    cloud.faults.append(Fault("search/jql", 429, "", {"Retry-After": "1"}, after=1, count=2))
    run = check(cloud, monkeypatch, capsys)
    assert run.code == 1, run.err
    assert sleeps == [1.0, 1.0]
    assert (
        "readylint: Jira answered HTTP 429 (rate limited) while reading page 2 of the search"
        " (after 2 issues); waiting 1s before retry 1 of 3"
    ) in run.err
    assert "retry 2 of 3" in run.err


def test_503_with_an_http_date_then_success(
    cloud: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    past = format_datetime(datetime.now(timezone.utc) - timedelta(minutes=1), usegmt=True)
    cloud.faults.append(Fault("field", 503, "", {"Retry-After": past}))
    run = check(cloud, monkeypatch, capsys)
    assert run.code == 1, run.err
    assert sleeps == [0.0]
    assert "HTTP 503 (unavailable) while reading the field list" in run.err


def test_503_without_retry_after_backs_off(
    server: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    server.faults.append(Fault("search", 503, {"errorMessages": ["busy"]}, count=2))
    assert check(server, monkeypatch, capsys).code == 1
    assert sleeps == [1.0, 2.0]


def test_retries_are_bounded_in_count(
    cloud: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    cloud.faults.append(Fault("search/jql", 429, "", {"Retry-After": "0"}, count=99))
    run = check(cloud, monkeypatch, capsys)
    failed(
        run, cloud, "still answered HTTP 429 (rate limited)", "after 3 retries", "jira.max_retries"
    )
    assert len(sleeps) == 3
    assert len([p for p in cloud.paths() if "search" in p]) == 4


def test_retries_are_bounded_in_total_wait(
    cloud: FakeJira, sleeps: list[float], monkeypatch: Any, capsys: Any
) -> None:
    cloud.faults.append(Fault("search/jql", 429, "", {"Retry-After": "6"}, count=99))
    run = check(cloud, monkeypatch, capsys)
    failed(run, cloud, "asks to wait 6s, beyond the retry budget (10s in all, 6s used")
    assert sleeps == [6.0]


def test_fewer_issues_than_server_total(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    server.total_bonus = 3
    run = check(server, monkeypatch, capsys)
    failed(run, server, "reported 9 issues for the search but only 6 arrived")


def test_a_repeated_cloud_token_stops(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    cloud.repeat_token = True
    failed(check(cloud, monkeypatch, capsys), cloud, "sent the same page token twice")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0.0), ("2", 2.0), ("1.5", 1.5), ("-3", 0.0), ("soon", None), (None, None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    assert retry_after(value) == expected


def test_retry_after_future_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0


def test_order_by_inside_quotes_is_not_an_order_by() -> None:
    assert not has_order_by('summary ~ "order by price"')
    assert has_order_by("project = X order  by created")


# --- command line and installation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["backlog", "--jql", "x"], "give PATHS or a Jira selection"),
        (["--jql", "x", "--project", "Y"], "use only one of --jql, --project"),
        (["--label-unready", "x"], "only apply to a Jira source"),
        (["--insecure"], "only apply to a Jira source"),
        (["--project", "SHOP", "--dry-run"], "--dry-run only applies to --label-unready"),
        (["--project", "SHOP", "--label-unready", "not ready"], "is not a valid Jira label"),
        (["--project", "SHOP-1"], "is not a Jira project key"),
        (["--jql", "  "], "the JQL query is empty"),
    ],
)
def test_option_mistakes(
    args: list[str], expected: str, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"JIRA_URL": "http://127.0.0.1:9", "JIRA_PAT": "pat-SECRET"}
    failed(run_cli(["check", *args], env, monkeypatch, capsys), None, expected)


def test_missing_jira_library_is_one_line(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setitem(sys.modules, "jira", None)
    failed(check(cloud, monkeypatch, capsys), cloud, "pip install 'readylint[jira]'")


def test_example_config_is_valid() -> None:
    from readylint.config import load_config

    example = Path(__file__).resolve().parent.parent / "examples" / "jira.readylint.yaml"
    config = load_config(example)
    assert config.jira.project == "SHOP"
    assert config.jira.fields["trade_off"] == "customfield_10044"


# --- hostile pages (found by fuzzing the whole Jira path) --------------------------------------


def _page(fake: FakeJira, total: int | str, issues: str = "") -> Fault:
    """A Server search page with the given ``total`` and raw issue JSON, answered every time."""
    body = f'{{"startAt":0,"maxResults":100,"total":{total},"issues":[{issues}]}}'
    return Fault("/search", 200, body.encode(), count=99)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[" * 5000 + "]" * 5000, "nested too deeply to read"),  # Python stops at ~1,000 levels
        ("9" * 5000, "more than 4,300 digits"),  # Python's limit on reading an int
    ],
    ids=["nested 5,000 deep", "5,000 digits"],
)
def test_json_python_cannot_decode_is_one_error_that_says_why(
    server: FakeJira, monkeypatch: Any, capsys: Any, value: str, expected: str
) -> None:
    raw = f'{{"key":"SHOP-1","fields":{{"summary":"s","customfield_10042":{value}}}}}'
    server.inject(_page(server, 1, raw))
    failed(check(server, monkeypatch, capsys), server, expected)


def test_a_total_beyond_64_bits_is_too_many_pages(
    server: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    raw = '{"key":"SHOP-1","fields":{"summary":"s"}}'
    server.inject(_page(server, 10**20, raw))
    failed(check(server, monkeypatch, capsys), server, f"reported {10**20} issues", "pages")


@pytest.mark.parametrize("total", [0, -1, 1])
def test_more_issues_than_the_total_are_not_dropped_silently(
    server: FakeJira, monkeypatch: Any, capsys: Any, total: int
) -> None:
    """Before, issues past ``total`` were cut from the first page: with a total of 0, every
    issue was dropped and the run passed with nothing checked."""
    raw = '{"key":"SHOP-1","fields":{"summary":"s"}},{"key":"SHOP-2","fields":{"summary":"t"}}'
    server.inject(_page(server, total, raw))
    failed(
        check(server, monkeypatch, capsys),
        server,
        f"reported {total} issues for the search but sent 2 on its first page",
    )


def test_only_a_true_subtask_flag_skips_an_issue(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    cloud.find("SHOP-1")["fields"]["issuetype"]["subtask"] = "false"  # a string: not a sub-task
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    ids = [item["id"] for item in json.loads(run.out)["items"]]
    assert "SHOP-1" in ids and "SHOP-4" not in ids  # SHOP-4 is a real sub-task
