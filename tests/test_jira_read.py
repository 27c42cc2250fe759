"""Reading backlogs from Jira Cloud and Data Center through the real jira library and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jira_fake import FIELD_MAP_CONFIG, FakeJira, Run, run_cli, shop_backlog
from readylint.sources import jira_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(jira_source, "_sleep", recorded.append)
    return recorded


def _fake(mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    fake = FakeJira(mode)  # type: ignore[arg-type]
    fake.issues = shop_backlog()
    fake.page_cap = 2  # pages smaller than the 100 asked for
    fake.start()
    (tmp_path / ".readylint.yaml").write_text(FIELD_MAP_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    yield fake
    fake.stop()


@pytest.fixture
def cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    yield from _fake("cloud", tmp_path, monkeypatch)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJira]:
    yield from _fake("server", tmp_path, monkeypatch)


def check(fake: FakeJira, monkeypatch: Any, capsys: Any, *args: str, **env: str) -> Run:
    return run_cli(["check", *args], {**fake.env(), **env}, monkeypatch, capsys)


def report(run: Run) -> dict[str, Any]:
    return json.loads(run.out)  # type: ignore[no-any-return]


def no_secret(fake: FakeJira, run: Run) -> None:
    assert fake.token not in run.all
    assert fake.pat not in run.all


READY = {"SHOP-1": True, "SHOP-2": True, "SHOP-3": False, "SHOP-5": False, "SHOP-6": True}


@pytest.mark.parametrize("mode", ["cloud", "server"])
def test_project_backlog_in_rank_order_across_pages(
    mode: str, request: pytest.FixtureRequest, monkeypatch: Any, capsys: Any
) -> None:
    fake: FakeJira = request.getfixturevalue(mode)
    run = check(fake, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    assert run.code == 1, run.err
    data = report(run)
    assert [i["id"] for i in data["items"]] == ["SHOP-1", "SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6"]
    assert [i["rank"] for i in data["items"]] == [1, 2, 3, 4, 5]
    assert {i["id"]: i["ready"] for i in data["items"]} == READY
    first = data["items"][0]
    assert first["location"] == {"path": None, "line": None, "url": f"{fake.url}/browse/SHOP-1"}
    no_secret(fake, run)

    searches = [r for r in fake.requests if "search" in r.path]
    assert len(searches) == 3  # 6 matching issues, 2 per page
    if mode == "cloud":
        assert {r.path for r in searches} == {"/rest/api/2/search/jql"}
        assert "nextPageToken" not in searches[0].query
        assert all("nextPageToken" in r.query for r in searches[1:])
        assert fake.requests[-1].headers["authorization"].startswith("Basic ")
    else:
        assert {r.path for r in searches} == {"/rest/api/2/search"}
        assert searches[0].query["startAt"] == ["0"]  # then the rest at once, in any order
        assert sorted(int(r.query["startAt"][0]) for r in searches) == [0, 2, 4]
        assert fake.requests[-1].headers["authorization"].startswith("Bearer ")
    for r in searches:
        assert r.query["maxResults"] == ["100" if r is searches[0] or mode == "cloud" else "2"]
        (fields,) = r.query["fields"]  # one comma-separated value: only the fields needed
        assert fields.split(",") == [
            "summary", "issuetype", "status", "labels", "description",
            *(f"customfield_{n}" for n in range(10042, 10047)),
        ]  # fmt: skip
        assert r.query["jql"] == ['project = "SHOP" AND statusCategory != Done ORDER BY Rank ASC']
    assert fake.paths().count("/rest/api/2/field") == 1
    assert fake.paths()[:3] == ["/rest/api/2/serverInfo", "/rest/api/2/myself", "/rest/api/2/field"]


def test_text_report_names_urls_field_answers_and_skipped_subtasks(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    # The fixture reuses answers across items on purpose; boilerplate has its own tests.
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--ignore", "boilerplate")
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("note: skipped 1 issue(s) because sub-tasks are not checked")
    assert "SHOP-4 (Sub-task)" in lines[0]
    assert f"{cloud.url}/browse/SHOP-3: SHOP-3 customer-need: Missing customer need" in run.out
    assert "SHOP-1 " not in run.out and "SHOP-2 " not in run.out and "SHOP-6 " not in run.out
    assert lines[-1].startswith("2 of 5 items fail the practical test")
    assert run.err == ""


def test_field_answers_are_named_by_their_jira_field(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    cloud.find("SHOP-1")["fields"]["customfield_10044"] = "TBD"
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP")
    assert "SHOP-1 trade-off: The trade-off in field 'Trade-off' is a placeholder" in run.out


def test_jql_without_order_by_gets_rank_order_and_a_notice(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    run = check(cloud, monkeypatch, capsys, "--jql", "project = SHOP", "--format", "json")
    assert [i["id"] for i in report(run)["items"]][:3] == ["SHOP-7", "SHOP-1", "SHOP-2"]
    sent = [r.query["jql"][0] for r in cloud.requests if "search" in r.path]
    assert set(sent) == {"project = SHOP ORDER BY Rank ASC"}
    text = check(cloud, monkeypatch, capsys, "--jql", "project = SHOP")
    assert "note: the JQL had no ORDER BY, so readylint appended 'ORDER BY Rank ASC'" in text.out


def test_jql_with_its_own_order_is_kept(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    jql = 'project = SHOP AND summary !~ "order by" ORDER BY key DESC'
    run = check(cloud, monkeypatch, capsys, "--jql", jql, "--format", "json")
    # The fake applies no ORDER BY other than Rank, so Jira's (stored) order comes back as is.
    assert [i["id"] for i in report(run)["items"]][:2] == ["SHOP-3", "SHOP-1"]
    assert {r.query["jql"][0] for r in cloud.requests if "search" in r.path} == {jql}
    assert "ORDER BY" not in check(cloud, monkeypatch, capsys, "--jql", jql).out


def test_long_jql_is_sent_by_post(cloud: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    jql = "project = SHOP AND " + " AND ".join(f'summary !~ "word{n}"' for n in range(150))
    run = check(cloud, monkeypatch, capsys, "--jql", jql + " ORDER BY Rank ASC", "--format", "json")
    assert run.code == 1, run.err
    assert len(report(run)["items"]) == 6
    posts = [r for r in cloud.requests if r.method == "POST"]
    assert len(posts) == 4 and posts[0].path == "/rest/api/2/search/jql"
    assert "customfield_10042" in posts[0].body["fields"]


def test_config_selects_the_project_and_top_limits_the_report(
    server: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    config = tmp_path / ".readylint.yaml"
    config.write_text(FIELD_MAP_CONFIG + "  project: SHOP\n", encoding="utf-8")
    run = run_cli(["check", "--top", "2", "--format", "json"], server.env(), monkeypatch, capsys)
    data = report(run)
    assert run.code == 0, run.err
    assert [i["id"] for i in data["items"]] == ["SHOP-1", "SHOP-2"]


def test_board_backlog_in_board_order(server: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    server.boards = {7: ["SHOP-6", "SHOP-4", "SHOP-2", "SHOP-1", "SHOP-3"]}
    run = check(server, monkeypatch, capsys, "--board", "7", "--format", "json")
    assert [i["id"] for i in report(run)["items"]] == ["SHOP-6", "SHOP-2", "SHOP-1", "SHOP-3"]
    backlog = [r for r in server.requests if "backlog" in r.path]
    assert backlog[0].path == "/rest/agile/1.0/board/7/backlog"
    assert sorted(int(r.query["startAt"][0]) for r in backlog) == [0, 2, 4]
    (fields,) = backlog[0].query["fields"]  # one comma-separated value
    assert fields.startswith("summary,issuetype,status,labels,description,customfield_")


def test_issue_types_from_config_include_subtasks(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    (tmp_path / ".readylint.yaml").write_text(
        FIELD_MAP_CONFIG + "  issue_types: [Story, sub-task]\n", encoding="utf-8"
    )
    cloud.find("SHOP-5")["fields"]["issuetype"]["name"] = "Epic"
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    assert [i["id"] for i in report(run)["items"]] == [
        "SHOP-1",
        "SHOP-2",
        "SHOP-3",
        "SHOP-4",
        "SHOP-6",
    ]
    text = check(cloud, monkeypatch, capsys, "--project", "SHOP")
    assert (
        "note: skipped 1 issue(s) because their type is not in jira.issue_types: SHOP-5 (Epic)"
        in text.out
    )


def test_api_version_3_uses_v3_paths(
    cloud: FakeJira, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    (tmp_path / ".readylint.yaml").write_text(FIELD_MAP_CONFIG + '  api_version: "3"\n', "utf-8")
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    assert run.code == 1, run.err
    assert {p.split("/")[3] for p in cloud.paths()} == {"3"}


def test_no_secret_in_output_even_when_every_check_fails(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    run = check(cloud, monkeypatch, capsys, "--jql", "project = SHOP", "--fail-on", "warning")
    no_secret(cloud, run)
    assert cloud.email not in run.out  # the user is named only in credential errors


def test_progress_says_how_many_issues_were_read(
    server: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    """On a terminal the run's progress line (progress.py) counts the issues read against the
    total; without one (stderr captured here) nothing is written."""
    from readylint.config import load_config
    from readylint.progress import Progress
    from test_progress import FakeTerminal, screen

    env = server.env()
    config = load_config(None)
    request = jira_source.JiraRequest(project="SHOP")
    terminal = FakeTerminal()
    bar = Progress(None, terminal, delay=0, interval=0)
    shown = jira_source.JiraBacklog(config, request, env=env, progress=bar)
    count = len(shown.read().items)
    drawn = [screen(line) for line in terminal.getvalue().split("\r") if line.strip()]
    assert drawn and drawn[-1] == "readylint: read 6 of 6 issues", drawn
    bar.close()
    assert screen(terminal.getvalue()) == ""
    hidden = jira_source.JiraBacklog(config, request, env=env)
    assert len(hidden.read().items) == count
    assert capsys.readouterr().err == ""
    run = check(server, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    assert "readylint: read" not in run.err  # stderr is not a terminal


def test_yaml_path_does_not_import_jira_or_requests() -> None:
    code = (
        "import sys; from readylint.cli import main; "
        f"rc = main(['check', {str(ROOT / 'examples' / 'backlog')!r}, '--format', 'json']); "
        "print(rc, 'jira' in sys.modules, 'requests' in sys.modules, "
        "'readylint.sources.jira_source' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.stderr.split()[-3:] == ["False", "False", "False"], done.stderr


def test_readiness_report_from_jira(
    cloud: FakeJira, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    """`readylint report --project` reads Jira like `check` and records the query in the trend."""
    history = tmp_path / "trend.jsonl"
    run = run_cli(
        ["report", "--project", "SHOP", "-o", "page.html", "--history", str(history)],
        cloud.env(), monkeypatch, capsys,
    )  # fmt: skip
    assert run.code == 0, run.all
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "Jira: project = SHOP" in page
    assert f'href="{cloud.url}/browse/SHOP-3"' in page
    assert json.loads(history.read_text(encoding="utf-8"))["query"] == "project = SHOP"
    no_secret(cloud, run)


@pytest.mark.parametrize("mode", ["cloud", "server"])
def test_the_readiness_page_reads_a_jira_backlog(
    mode: str, request: pytest.FixtureRequest, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    fake: FakeJira = request.getfixturevalue(mode)
    page = tmp_path / "readiness.html"
    run = run_cli(["report", "--project", "SHOP", "-o", str(page)], fake.env(), monkeypatch, capsys)
    assert run.code == 0, run.err
    html = page.read_text(encoding="utf-8")
    for key in READY:
        assert f"{fake.url}/browse/{key}" in html  # each issue, linked to Jira
    no_secret(fake, run)


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "junit", "github", "markdown"])
def test_a_summary_cut_in_half_an_emoji_is_reported_not_a_traceback(
    cloud: FakeJira, monkeypatch: Any, capsys: Any, fmt: str
) -> None:
    """Jira's JSON may escape half a UTF-16 pair alone ("\\ud83d"), e.g. a summary cut at 255
    characters in the middle of an emoji. No UTF-8 output can hold it: it is read as U+FFFD.
    (Before, compressing the answers' excerpts stopped the run with a traceback.)"""
    fields = cloud.find("SHOP-1")["fields"]
    fields["summary"] += " \ud83d"
    fields["customfield_10042"] += " \ude00 Worse on tablets."
    fields["labels"] = ["team-\ud83d"]
    cloud.find("SHOP-3")["fields"]["description"] = "h3. Customer need\nShoppers \ud83d lose carts."
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--format", fmt)
    assert run.code == 1 and "Traceback" not in run.all, run.all
    run.out.encode("utf-8")  # strict: nothing in it that UTF-8 cannot hold
    if fmt == "json":
        items = {item["id"]: item for item in report(run)["items"]}
        assert items["SHOP-1"]["title"].endswith(" \ufffd")
        assert items["SHOP-1"]["ready"] is True  # the answers still count


def test_an_odd_key_is_one_path_segment_of_its_url(
    cloud: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    """A real key (SHOP-1) needs no quoting; one a broken server sends must not make the URL
    invalid (SARIF's ``hostedViewerUri`` is a URI) or point elsewhere."""
    cloud.find("SHOP-1")["key"] = "SHOP-1 <a>#?%/x"
    run = check(cloud, monkeypatch, capsys, "--project", "SHOP", "--format", "json")
    urls = {item["id"]: item["location"]["url"] for item in report(run)["items"]}
    assert urls["SHOP-1 <a>#?%/x"] == f"{cloud.url}/browse/SHOP-1%20%3Ca%3E%23%3F%25%2Fx"
    assert urls["SHOP-2"] == f"{cloud.url}/browse/SHOP-2"
