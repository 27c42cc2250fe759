"""``--label-unready``: label failing Jira items, unlabel passing ones, idempotently."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jira_fake import FIELD_MAP_CONFIG, FakeJira, Fault, Run, run_cli, shop_backlog
from readylint.sources import jira_source

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
    assert sorted((r.path, r.body) for r in puts) == [  # sent together: they arrive in any order
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
        " browser); 1 issue(s) were changed, 1 failed and 0 were not attempted (listed above);"
        " the changes made are kept, and running again finishes the rest"
    )
    assert f"readylint: remove label '{LABEL}' from SHOP-1" in run.err  # made before the failure
    assert "add label" not in run.err  # the failed change is not reported as made
    assert labels(fake)["SHOP-1"] == ["checkout"]
    assert fake.token not in run.all and fake.pat not in run.all


# --- write-back safety (issue 7) ----------------------------------------------------------------


def puts(fake: FakeJira) -> list[tuple[str, Any]]:
    return [(r.path.rsplit("/", 1)[1], r.body) for r in fake.requests if r.method == "PUT"]


def test_only_its_own_label_is_ever_added_or_removed(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    # SHOP-1 now passes: readylint's label goes, the look-alikes and the team's labels stay.
    fake.find("SHOP-1")["fields"]["labels"] = ["Not-Ready", LABEL, "not-ready-2", "checkout"]
    fake.find("SHOP-3")["fields"]["labels"] = ["q3", "needs-ux"]  # fails: the label is added
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 1, run.err
    assert sorted(puts(fake)) == [
        ("SHOP-1", {"update": {"labels": [{"remove": LABEL}]}}),
        ("SHOP-3", {"update": {"labels": [{"add": LABEL}]}}),
    ]  # one add or remove of one label each: never a "set" that would replace the others
    after = labels(fake)
    assert after["SHOP-1"] == ["Not-Ready", "not-ready-2", "checkout"]
    assert after["SHOP-3"] == ["q3", "needs-ux", LABEL]
    assert after["SHOP-2"] == ["checkout"] and after["SHOP-5"] == [LABEL, "q3"]


def test_a_second_and_third_run_send_no_writes(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    assert check(fake, monkeypatch, capsys, "--label-unready", LABEL).code == 1
    written = len(puts(fake))
    for _ in range(2):
        again = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
        assert again.code == 1
        assert again.err == f"readylint: label '{LABEL}': nothing to change\n"
    assert len(puts(fake)) == written == 2


@pytest.mark.parametrize("status", [500, 403])
def test_a_failure_midway_reports_what_was_and_was_not_changed(
    status: int, fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setattr(jira_source, "LABEL_WORKERS", 1)  # one update at a time: an exact account
    four_changes(fake)
    fake.inject(Fault("issue/", status, {"errorMessages": ["Boom."]}, method="PUT", after=2))
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 2
    assert "SHOP-3 customer-need" in run.out  # the report itself was complete and is kept
    assert run.err.splitlines()[:3] == [
        f"readylint: remove label '{LABEL}' from SHOP-1",
        f"readylint: remove label '{LABEL}' from SHOP-2",
        f"readylint: label '{LABEL}': changed SHOP-1, SHOP-2; failed: SHOP-3; not attempted:"
        " SHOP-6",
    ]
    (error,) = run.err.splitlines()[3:]
    assert error.startswith(f"readylint: error: Jira at {fake.url} ")
    assert f"(HTTP {status}) while updating the labels of SHOP-3: Boom." in error or (
        f"answered HTTP {status} while updating the labels of SHOP-3: Boom." in error
    )
    assert error.endswith(
        "2 issue(s) were changed, 1 failed and 1 were not attempted (listed above); the changes"
        " made are kept, and running again finishes the rest"
    )
    assert [key for key, _ in puts(fake)] == ["SHOP-1", "SHOP-2", "SHOP-3"]  # none after it
    after = labels(fake)
    assert LABEL not in after["SHOP-1"] and LABEL not in after["SHOP-2"]
    assert LABEL not in after["SHOP-3"] and LABEL in after["SHOP-6"]
    # Running again finishes exactly the rest.
    fake.faults.clear()
    rerun = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert rerun.code == 1
    assert rerun.err.splitlines() == [
        f"readylint: add label '{LABEL}' to SHOP-3",
        f"readylint: remove label '{LABEL}' from SHOP-6",
    ]


def test_an_unreadable_backlog_writes_no_labels(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    from jira_fake import null_issue

    fake.issues.append(null_issue("SHOP-8", "0|i0000bb:"))
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 2
    assert (
        f"readylint: label '{LABEL}': nothing changed, because the backlog could not be read"
        " completely; fix the errors and run again"
    ) in run.err
    assert puts(fake) == []


# --- updates in flight together (issue 6) -------------------------------------------------------


def four_changes(fake: FakeJira) -> None:
    """Planned, in backlog order: SHOP-1 remove, SHOP-2 remove, SHOP-3 add, SHOP-6 remove."""
    for key in ("SHOP-2", "SHOP-6"):  # both pass: their label is to be removed
        fake.find(key)["fields"]["labels"].append(LABEL)


def said(op: str, key: str) -> str:
    return (
        f"readylint: add label '{LABEL}' to {key}"
        if op == "add"
        else f"readylint: remove label '{LABEL}' from {key}"
    )


def test_updates_travel_together_and_are_said_in_backlog_order(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    four_changes(fake)
    fake.inject(
        Fault("issue/SHOP-1", None, delay=0.6, method="PUT"),  # the first to go, the last back
        Fault("issue/", None, delay=0.3, count=10, method="PUT"),
    )
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 1, run.err
    assert fake.most_in_flight["PUT"] == jira_source.LABEL_WORKERS == 4
    assert run.err.splitlines() == [
        said("remove", "SHOP-1"),
        said("remove", "SHOP-2"),
        said("add", "SHOP-3"),
        said("remove", "SHOP-6"),
    ]
    after = labels(fake)
    assert [LABEL in after[k] for k in ("SHOP-1", "SHOP-2", "SHOP-3", "SHOP-6")] == [
        False,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("workers", "failing", "changed", "untried"),
    [
        (2, "SHOP-1", ["SHOP-2"], ["SHOP-3", "SHOP-6"]),  # SHOP-2 was under way: it finishes
        (4, "SHOP-3", ["SHOP-1", "SHOP-2", "SHOP-6"], []),
    ],
)
def test_a_failure_starts_no_more_updates_and_lets_those_under_way_finish(
    workers: int,
    failing: str,
    changed: list[str],
    untried: list[str],
    fake: FakeJira,
    monkeypatch: Any,
    capsys: Any,
) -> None:
    monkeypatch.setattr(jira_source, "LABEL_WORKERS", workers)
    four_changes(fake)
    fake.inject(Fault(f"issue/{failing}", 500, {"errorMessages": ["Boom."]}, method="PUT"))
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 2
    ops = {"SHOP-1": "remove", "SHOP-2": "remove", "SHOP-3": "add", "SHOP-6": "remove"}
    *lines, account, error = run.err.splitlines()
    assert lines == [said(ops[key], key) for key in changed]
    assert account == (
        f"readylint: label '{LABEL}': changed {', '.join(changed)}; failed: {failing};"
        f" not attempted: {', '.join(untried) or 'none'}"
    )
    assert f"while updating the labels of {failing}: Boom." in error
    assert f"{len(changed)} issue(s) were changed, 1 failed and {len(untried)} were not" in error
    assert sorted(key for key, _ in puts(fake)) == sorted([*changed, failing])
    after = labels(fake)
    for key in changed:
        assert (LABEL in after[key]) == (ops[key] == "add")
    assert (LABEL in after[failing]) == (ops[failing] == "remove")  # as it was
    # Running again finishes exactly the rest.
    fake.faults.clear()
    rerun = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert rerun.code == 1
    rest = [key for key in ops if key not in changed]
    assert rerun.err.splitlines() == [said(ops[key], key) for key in rest]


def test_every_update_refused_at_once_names_them_all_and_claims_none(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    four_changes(fake)
    fake.inject(Fault("issue/", 403, {"errorMessages": ["No."]}, count=10, method="PUT"))
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 2
    account, error = run.err.splitlines()
    assert account == (
        f"readylint: label '{LABEL}': changed none; failed: SHOP-1, SHOP-2, SHOP-3, SHOP-6;"
        " not attempted: none"
    )
    assert "while updating the labels of SHOP-1: No." in error  # the first in backlog order
    assert "0 issue(s) were changed, 4 failed and 0 were not attempted" in error
    assert len(puts(fake)) == 4  # one each: a refusal is not retried


def test_a_rate_limited_update_waits_while_the_others_go_on(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    four_changes(fake)
    fake.inject(Fault.retry_after("issue/SHOP-2", 429, "0", count=2))
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 1, run.err
    lines = run.err.splitlines()
    retries = [line for line in lines if "rate limited" in line]
    assert len(retries) == 2 and all("updating the labels of SHOP-2" in r for r in retries)
    assert [line for line in lines if line not in retries] == [
        said("remove", "SHOP-1"),
        said("remove", "SHOP-2"),
        said("add", "SHOP-3"),
        said("remove", "SHOP-6"),
    ]  # each line whole, whichever thread said it
    assert LABEL not in labels(fake)["SHOP-2"]


def test_labels_are_written_from_packed_results_too(
    fake: FakeJira, monkeypatch: Any, capsys: Any
) -> None:
    from readylint import app
    from readylint.app import JiraOptions
    from readylint.models import RunResult
    from readylint.results import PackedResults

    monkeypatch.setattr(app, "PACK_ABOVE", 1)  # as a backlog of more than 2,000 issues
    packed: list[bool] = []
    write = app.write_jira_labels

    def noting(backlog: object, result: RunResult, options: JiraOptions) -> None:
        packed.append(isinstance(result.items, PackedResults))
        write(backlog, result, options)

    monkeypatch.setattr(app, "write_jira_labels", noting)
    four_changes(fake)
    run = check(fake, monkeypatch, capsys, "--label-unready", LABEL)
    assert run.code == 1, run.err
    assert packed == [True]
    assert run.err.splitlines() == [
        said("remove", "SHOP-1"),
        said("remove", "SHOP-2"),
        said("add", "SHOP-3"),
        said("remove", "SHOP-6"),
    ]
