"""``--label-unready``: label failing Jira items, unlabel passing ones, idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jira_fake import FIELD_MAP_CONFIG, FakeJira, Fault, Run, run_cli, shop_backlog

LABEL = "not-ready"


@pytest.fixture(params=["cloud", "server"])
def fake(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeJira]:
    jira = FakeJira(request.param)
    jira.issues = shop_backlog()
    jira.find("SHOP-1")["fields"]["labels"] = [LABEL, "checkout"]  # ready now: label goes
    jira.start()
    (tmp_path / ".readylint.yaml").write_text(FIELD_MAP_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield jira
    jira.stop()


def check(fake: FakeJira, monkeypatch: Any, capsys: Any, *args: str) -> Run:
    return run_cli(["check", "--project", "SHOP", *args], fake.env(), monkeypatch, capsys)


def labels(fake: FakeJira) -> dict[str, list[str]]:
    return {i["key"]: list(i["fields"]["labels"]) for i in fake.issues}


def test_dry_run_prints_changes_and_changes_nothing(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    before = labels(fake)
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL, "--dry-run")
    assert run.code == 1
    assert run.err.splitlines() == [
        f"readylint: would remove label '{LABEL}' from SHOP-1",
        f"readylint: would add label '{LABEL}' to SHOP-3",
    ]  # SHOP-5 fails and already has it; SHOP-2 and SHOP-6 pass without it
    assert "PUT" not in {r.method for r in fake.requests}
    assert labels(fake) == before


def test_labels_are_written_idempotently_touching_nothing_else(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"readylint: remove label '{LABEL}' from SHOP-1",
        f"readylint: add label '{LABEL}' to SHOP-3",
    ]
    puts = [r for r in fake.requests if r.method == "PUT"]
    assert [(r.path, r.body) for r in puts] == [
        ("/rest/api/2/issue/SHOP-1", {"update": {"labels": [{"remove": LABEL}]}}),
        ("/rest/api/2/issue/SHOP-3", {"update": {"labels": [{"add": LABEL}]}}),
    ]
    after = labels(fake)
    assert after["SHOP-1"] == ["checkout"]
    assert after["SHOP-3"] == [LABEL]
    assert after["SHOP-5"] == [LABEL, "q3"]
    assert after["SHOP-2"] == ["checkout"]
    again = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert again.err == f"readylint: label '{LABEL}': nothing to change\n"
    assert len([r for r in fake.requests if r.method == "PUT"]) == 2


def test_top_limits_the_items_that_are_labelled(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL, "--top", "2")
    assert run.err.splitlines() == [f"readylint: remove label '{LABEL}' from SHOP-1"]


def test_a_refused_update_is_an_error(fake: FakeJira, monkeypatch: Any, capsys: Any) -> None:
    fake.faults.append(
        Fault("issue/SHOP-3", 403, {"errorMessages": ["You do not have permission to edit."]})
    )
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 2
    (line,) = [e for e in run.err.splitlines() if "error:" in e]
    who = (
        "the account in JIRA_EMAIL"
        if fake.mode == "cloud"
        else "the account of the token in JIRA_PAT"
    )
    assert line == (
        f"readylint: error: Jira at {fake.url} refused {who} (HTTP 403) while updating the labels"
        " of SHOP-3: You do not have permission to edit.; check that this account may edit the"
        " project's issues (a CAPTCHA after failed logins is cleared by logging in once in the"
        " browser); 1 issue(s) were changed before it and 0 not attempted (listed above); the"
        " changes made are kept, and running again finishes the rest"
    )
    assert f"readylint: remove label '{LABEL}' from SHOP-1" in run.err  # made before the failure
    assert "add label" not in run.err  # the failed change is not reported as made
    assert labels(fake)["SHOP-1"] == ["checkout"]
    assert fake.token not in run.all and fake.pat not in run.all
