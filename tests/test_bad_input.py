"""Bad input: one line naming file and line, exit 2, no traceback, other files still reported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Run, ready_items

Write = Callable[[str, str], Path]


def check_error(run: Callable[..., Run], expected: str, *paths: str) -> Run:
    result = run("check", *paths)
    assert result.code == 2, result
    assert expected in result.out, result.out
    assert "Traceback" not in result.out + result.err
    return result


def test_invalid_yaml_names_file_and_line(run: Callable[..., Run], write: Write) -> None:
    write("bad.yaml", "- id: A-1\n  title: [unclosed\n")
    check_error(run, "bad.yaml:3: error: invalid YAML", "bad.yaml")


def test_non_utf8(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"- id: A-1\n  title: caf\xe9\n")
    check_error(run, "latin1.yaml:2: error: not valid UTF-8 (byte 0xe9)", "latin1.yaml")


def test_utf16_with_bom_is_read(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "u16.yaml").write_bytes(ready_items("A-1").encode("utf-16"))
    assert run("check", "u16.yaml").code == 0


def test_missing_id_and_title(run: Callable[..., Run], write: Write) -> None:
    write("b.yaml", "- title: No id here\n- id: X-2\n")
    result = check_error(
        run, "b.yaml:1: error: item has no id (title: 'No id here'); add 'id:'", "b.yaml"
    )
    assert "b.yaml:2: error: item 'X-2' has no title; add 'title:'" in result.out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("just a string\n", "b.yaml:1: error: expected a list of items"),
        ("items: 3\n", "b.yaml:1: error: 'items' must be a list of items"),
        ("- just a string\n", "b.yaml:1: error: an item must be a mapping"),
        ("- id: [1, 2]\n  title: x\n", "b.yaml:1: error: id must be text, not a list"),
        ("- id: A\n  title: {a: b}\n", "b.yaml:2: error: title must be text, not a mapping"),
        ("- id: A\n  title: x\n  rank: first\n", "rank must be a whole number"),
        (
            "- id: A\n  title: x\n  trade_off: !!python/object:os.system ls\n",
            "unsupported YAML tag",
        ),
    ],
)
def test_wrong_shapes(run: Callable[..., Run], write: Write, text: str, expected: str) -> None:
    write("b.yaml", text)
    check_error(run, expected, "b.yaml")


def test_duplicate_key_inside_an_item(run: Callable[..., Run], write: Write) -> None:
    write("b.yaml", "- id: A\n  title: x\n  trade_off: one\n  Trade-off: two\n")
    check_error(
        run, "b.yaml:4: error: duplicate key 'Trade-off' (same as 'trade_off' on line 3)", "b.yaml"
    )


def test_duplicate_ids_across_files(run: Callable[..., Run], write: Write) -> None:
    write("a.yaml", ready_items("DUP-1"))
    write("b.yaml", ready_items("DUP-1"))
    check_error(
        run, "b.yaml:1: error: duplicate id 'DUP-1' (also used at a.yaml:1)", "a.yaml", "b.yaml"
    )


def test_missing_path(run: Callable[..., Run]) -> None:
    check_error(run, "nope.yaml: error: no such file or directory", "nope.yaml")


def test_unreadable_file(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("secret.yaml", ready_items("A-1"))
    write("other.yaml", ready_items("B-1"))
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:  # as chmod 000 does, but for root
        if self.name == path.name:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    result = check_error(
        run, "secret.yaml: error: cannot read: Permission denied", "secret.yaml", "other.yaml"
    )
    assert "1 input error" in result.out and "All 1 items pass" in result.out


def test_one_bad_file_never_hides_the_others(run: Callable[..., Run], write: Write) -> None:
    write("backlog/1_bad.yaml", "- id: A\n  title: [oops\n")
    write("backlog/2_good.yaml", ready_items("G-1") + "  - id: G-2\n    title: Unready item\n")
    result = run("check", "--format", "json", "backlog")
    report = json.loads(result.out)
    assert result.code == 2
    assert [i["id"] for i in report["items"]] == ["G-1", "G-2"]
    assert report["items"][1]["ready"] is False
    assert report["errors"][0]["path"] == "backlog/1_bad.yaml"
    assert report["errors"][0]["line"] == 3
    assert "backlog/1_bad.yaml:3: error: invalid YAML" in result.err  # also on stderr for machines


def test_billion_laughs_is_refused_not_expanded(run: Callable[..., Run], write: Write) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    write("bomb.yaml", "- id: B\n  title: bomb\n  trade_off:\n    " + bomb.replace("\n", "\n    "))
    check_error(run, "value too large (alias expansion?)", "bomb.yaml")


def test_forbidden_control_character_names_the_line(run: Callable[..., Run], write: Write) -> None:
    write("ctl.yaml", "- id: A-1\n  title: ok\n- id: A-2\n  title: bad \x1b[31m colour\n")
    check_error(
        run, "ctl.yaml:4: error: invalid YAML: character U+001B is not allowed in YAML", "ctl.yaml"
    )


def test_nul_byte_names_the_line(run: Callable[..., Run], write: Write) -> None:
    write("nul.yaml", "- id: A-1\n  title: a\x00b\n")
    check_error(run, "nul.yaml:2: error: invalid YAML", "nul.yaml")
