"""Several outputs in one run, READYLINT_FORMAT, and bad --output-format values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci_support import DATA
from readylint.cli import main


@pytest.fixture(autouse=True)
def _here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)


def test_one_run_several_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif, junit, gitlab = tmp_path / "r.sarif", tmp_path / "r.xml", tmp_path / "cq.json"
    code = main(
        [
            "check",
            "backlog",
            "--output-format",
            f"sarif:{sarif}",
            "--output-format",
            f"junit:{junit}",
            "--output-format",
            f"gitlab:{gitlab}",
        ]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "3 of 5 items fail the practical test" in out  # text on the terminal
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    assert len(json.loads(gitlab.read_text(encoding="utf-8"))) == 8


def test_environment_sets_the_default_format(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("READYLINT_FORMAT", "gitlab")
    main(["check", "backlog"])
    assert json.loads(capsys.readouterr().out)[0]["check_name"] == "trade-off"
    # The option beats the environment.
    main(["check", "backlog", "--format", "text", "-q"])
    assert capsys.readouterr().out.startswith("backlog/board.yaml:16: CI-2 trade-off")


def test_bad_environment_format_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("READYLINT_FORMAT", "xml")
    assert main(["check", "backlog"]) == 2
    assert "'xml' is not one of" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("sarif", "write FORMAT:FILE"),
        ("yaml:out.yaml", "unknown format 'yaml'"),
        (":x", "write FORMAT:FILE"),
    ],
)
def test_bad_output_format_exit_2(
    spec: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "backlog", "--output-format", spec]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_notices_reach_stderr_for_machine_formats(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "backlog", "--format", "sarif"])
    assert "readylint: note: 2 findings suppressed by readylint-ignore" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_reader_that_stops_early_ends_the_run_quietly(fmt: str, tmp_path: Path) -> None:
    """``readylint check | head``: the report is written a piece at a time, so the pipe closes
    while readylint still writes. That ends the run with exit 1 and nothing on stderr (it
    printed "None: cannot write: Broken pipe", exit 2, for the pieces after the first)."""
    import os
    import subprocess
    import sys

    items = "".join(f"  - id: P-{n}\n    title: Item {n}\n" for n in range(600))
    (tmp_path / "backlog.yaml").write_text("items:\n" + items, encoding="utf-8")
    env = {**os.environ, "READYLINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "readylint", "check", "--format", fmt, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100)  # more than a pipe's 64 KiB is on its way
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert error == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "json", "backlog"],
        ["check", "--format", "text", "backlog"],
        ["checks"],
    ],
)
def test_standard_output_with_no_room_is_one_line_and_exit_2(
    args: list[str], tmp_path: Path
) -> None:
    """``readylint ... > file`` on a full disk: one line on stderr, exit 2, no traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "READYLINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "readylint", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            cwd=DATA,
            timeout=120,
        )
    error = done.stderr.decode()
    assert done.returncode == 2, error
    assert error.startswith("readylint: error: ") and "No space left on device" in error
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("fmt", "limit", "says"),
    [
        ("sarif", "SARIF_RESULTS_LIMIT", "the SARIF report holds {:,} results; GitHub code scan"),
        ("markdown", "COMMENT_LIMIT", "the Markdown report is {:,} characters; a GitHub comment"),
    ],
)
def test_a_report_over_a_github_limit_says_so(
    fmt: str,
    limit: str,
    says: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Code scanning rejects a SARIF run of more than 25,000 results; a GitHub comment holds
    65,536 characters. A report over either says so on stderr (not with --quiet)."""
    from readylint import outputs

    report = tmp_path / f"r.{fmt}"
    run = ["check", "backlog", "--format", "json", "--output-format", f"{fmt}:{report}"]
    main(run)
    text = report.read_text(encoding="utf-8")
    size = len(json.loads(text)["runs"][0]["results"]) if fmt == "sarif" else len(text)
    capsys.readouterr()
    monkeypatch.setattr(outputs, limit, size - 1)
    main(run)
    assert says.format(size) in capsys.readouterr().err
    note = says.split("{")[0]
    main(["check", "backlog", "--format", fmt, "-q"])
    assert note not in capsys.readouterr().err
    monkeypatch.setattr(outputs, limit, size)
    main(run)
    assert note not in capsys.readouterr().err
