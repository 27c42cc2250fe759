"""Hostile configuration and check files (issue 7): one error line naming the file (and line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Run, ready_items

Write = Callable[[str, str], Path]

BOMB = "".join(
    f"{name}: &{name} [" + ", ".join([f"*{prev}" if prev else "x"] * 9) + "]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh", strict=True)
)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            ".readylint.yaml",
            "fail_on: never\nselect: [trade-off]\nfail_on: error\n",
            ".readylint.yaml:3: duplicate key 'fail_on' (first on line 1); keep one of them",
        ),
        (
            ".readylint.yaml",
            "checks:\n  trade-off: {severity: warning}\n  trade-off: {severity: error}\n",
            ".readylint.yaml:3: duplicate key 'trade-off' (first on line 2)",
        ),
        (".readylint.yaml", "root: /etc\n", ".readylint.yaml:1: unknown key 'root'"),
        (".readylint.yaml", "source: x\n", ".readylint.yaml:1: unknown key 'source'"),
        (".readylint.yaml", BOMB + "select: *h\n", ".readylint.yaml:1: unknown key 'a'"),
        ("pyproject.toml", 'tool = "readylint"\n', None),
        ("pyproject.toml", "[tool]\nreadylint = 3\n", "must be a mapping of keys to values"),
        ("pyproject.toml", "[tool.readylint\nx = 1\n", "pyproject.toml: invalid TOML"),
        ("pyproject.toml", "[tool.readylint]\nfail_on = 'x'\n\xff", "pyproject.toml: invalid"),
    ],
)
def test_hostile_configs(
    run: Callable[..., Run], write: Write, name: str, text: str, expected: str | None
) -> None:
    write("b.yaml", ready_items("A-1"))
    Path(name).write_bytes(text.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    result = run("check", "b.yaml")
    assert "Traceback" not in result.out + result.err
    if expected is None:  # not a readylint table: no config, the defaults apply
        assert result.code == 0, result.err
        return
    assert result.code == 2
    assert expected in result.err and result.err.count("\n") == 1, result.err


def test_duplicate_key_in_a_check_file(run: Callable[..., Run], write: Write) -> None:
    body = (Path(__file__).resolve().parents[1] / "checks" / "trade-off.yaml").read_text()
    write("b.yaml", ready_items("A-1"))
    write(".readylint.yaml", "check_paths: [team]\n")
    write(
        "team/team-trade-off.yaml",
        body.replace("id: trade-off", "id: team-trade-off") + "order: 5\n",
    )
    result = run("check", "b.yaml")
    assert result.code == 2
    assert "team/team-trade-off.yaml:" in result.err and "duplicate key 'order'" in result.err
