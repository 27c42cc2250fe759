"""Project hygiene: the README's two quickstart commands and .ci/run stay in step."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "readylint check examples/backlog" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci.splitlines()


def test_example_backlog_is_realistic_in_size() -> None:
    text = "".join(p.read_text() for p in (REPO / "examples" / "backlog").glob("*.yaml"))
    assert 10 <= len(re.findall(r"^\s*-?\s*id:", text, re.M)) <= 15
