"""Hostile nesting (issue 7): deep YAML is refused with its file and line, never a crash.

Before the guard (yamlguard.py), 100,000 levels of ``[`` or ``- `` killed readylint with a
segmentation fault in PyYAML's C composer, and thousands of open ``[`` made libyaml quadratic.
The cases here are 10,000 levels deep (a few KB); benchmarks/hostile.py runs 1,000,000.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run, ready_items
from readylint import yamlguard
from readylint.sources.yaml_files import read_text
from readylint.yamlio import yaml_error

Write = Callable[[str, str], Path]
DEEP = "nested more than 100 levels deep"


def _deep_flow(levels: int) -> str:
    return "[" * levels + "x" + "]" * levels


def _deep_block(levels: int) -> str:
    return "- " * levels + "x"


def _deep_mapping(levels: int) -> str:
    return "".join(f"{' ' * (2 * i)}k{i}:\n" for i in range(levels)) + " " * (2 * levels) + "x"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("flow sequences", _deep_flow(10_000)),
        ("flow mappings", "{a: " * 10_000 + "x" + "}" * 10_000),
        ("compact block sequences", "\n      " + _deep_block(10_000)),
        ("unclosed flow", "[" * 10_000),
        ("flow in block", "\n      " + "- " * 60 + _deep_flow(60)),
    ],
)
def test_deep_value_in_an_item_is_refused_with_its_line(
    run: Callable[..., Run], tmp_path: Path, name: str, value: str
) -> None:
    head = ready_items("OK-1").lstrip("\n") + "  - id: D-1\n    title: deep\n"
    (tmp_path / "deep.yaml").write_text(head + f"    trade_off: {value}\n", encoding="utf-8")
    result = run("check", "deep.yaml")
    line = head.count("\n") + 1 + value.startswith("\n")  # where the value starts
    assert result.code == 2, name
    assert f"deep.yaml:{line}: error: invalid YAML: {DEEP}" in result.out, result.out
    assert "Traceback" not in result.out + result.err


def test_deep_block_mapping_by_indentation(run: Callable[..., Run], tmp_path: Path) -> None:
    value = _deep_mapping(2_000).replace("\n", "\n    ")
    text = "- id: D-1\n  title: deep\n  x:\n    " + value + "\n"
    (tmp_path / "deep.yaml").write_text(text, encoding="utf-8")
    result = run("check", "deep.yaml")
    assert result.code == 2
    assert re.search(rf"^deep.yaml:\d+: error: invalid YAML: {DEEP}", result.out, re.M)


def test_a_deep_file_never_hides_the_others(run: Callable[..., Run], write: Write) -> None:
    write("backlog/a.yaml", _deep_flow(10_000))
    write("backlog/b.yaml", ready_items("B-1"))
    result = run("check", "backlog")
    assert result.code == 2
    assert f"backlog/a.yaml:1: error: invalid YAML: {DEEP}" in result.out
    assert "All 1 items pass" in result.out


@pytest.mark.parametrize("where", ["config", "check file"])
def test_deep_config_and_check_file(run: Callable[..., Run], write: Write, where: str) -> None:
    write("b.yaml", ready_items("A-1"))
    if where == "config":
        write(".readylint.yaml", "paths: " + _deep_flow(10_000) + "\n")
    else:
        write(".readylint.yaml", "check_paths: [team]\n")
        write("team/deep.yaml", "id: deep\ntitle:\n  " + _deep_block(10_000) + "\n")
    result = run("check", "b.yaml")
    assert result.code == 2
    assert DEEP in result.err and result.err.count("\n") == 1, result.err


def test_libyaml_own_depth_limit_reads_as_ours() -> None:
    # PyYAML 6.0.4's libyaml refuses 1,000 levels before the guard's parse reaches 100 (its scanner
    # looks ahead); whichever PyYAML is installed, the message and line are the same.
    mark = yaml.Mark("<yaml>", 1002, 0, 1002, "", 0)
    exc = yaml.MarkedYAMLError(
        context="while increasing flow level",
        context_mark=mark,
        problem=yamlguard.LIBYAML_TOO_DEEP,
        problem_mark=mark,
    )
    err = yaml_error(exc)
    assert (err.message, err.line) == (f"invalid YAML: {yamlguard.TOO_DEEP}", 1)
    assert DEEP in yamlguard.TOO_DEEP


def test_shallow_nesting_is_read() -> None:
    # Up to 100 levels pass the guard; the item reader then refuses values deeper than 40.
    items, errors = read_text("- id: A\n  title: t\n  x: " + _deep_flow(95) + "\n", "a.yaml")
    assert not items and errors[0].line == 3
    assert errors[0].message == "value nested more than 40 levels deep"
    items, errors = read_text("- id: A\n  title: t\n  x: " + _deep_flow(30) + "\n", "a.yaml")
    assert [i.id for i in items] == ["A"] and not errors


# Texts the cheap proof must not clear: each hides 150 levels of real nesting behind something that
# looks like content. Were the proof wrong, the composer would accept them and the message differ.
DISGUISED = {
    "flow after a block scalar that ends early": "a: |\n  text\nb: " + _deep_flow(150),
    "fake header in a multi-line quoted scalar": (
        'a:\n    key: "abc\n  x: |\n    def"\n    other: ' + _deep_flow(150)
    ),
    "fake header in a single-quoted scalar": (
        "a:\n    key: 'abc\n  x: |\n    def'\n    other: " + _deep_flow(150)
    ),
    "quote closing then a comment": 'a:\n  k: "a\n x: |\n  b" # c\n  o: ' + _deep_flow(150),
    "fake header after an escaped quote": (
        'a:\n    key: "ab\\"c\n  x: |\n    def"\n    other: ' + _deep_flow(150)
    ),
    "fake header after doubled single quotes": (
        "a:\n    key: 'it''s\n  x: |\n    def'\n    other: " + _deep_flow(150)
    ),
    "fake header after more escaped quotes than are read back": (
        'a:\n    key: "' + '\\" ' * 70 + '\n  x: |\n    def"\n    other: ' + _deep_flow(150)
    ),
    "flow after a comment that looks like a header": "a: # c: |\n      d: " + _deep_flow(150),
    "brackets hidden behind a quote in flow": '- ["]", ' + _deep_flow(150) + "]",
    "pair mappings in a flow sequence": "- " + "[a: " * 80 + "x" + "]" * 80,
    "explicit keys in flow": "- " + "[? " * 80 + "x" + "]" * 80,
    "lone CR line breaks": "a: |\r  x\rb: " + _deep_flow(150),
    "line separator breaks": "a: |\u2028  x\u2028b: " + _deep_flow(150),
    "tag before the flow": "a: !!seq " + _deep_flow(150),
    "anchor before the flow": "a: &x " + _deep_flow(150),
    "document start": "--- " + _deep_flow(150),
    "compact sequence": "- - - " + _deep_flow(150),
    "flow key": _deep_flow(150) + ": x",
    "flow across lines": "a: [\n" + _deep_flow(150) + "\n]",
}


@pytest.mark.parametrize("name", list(DISGUISED))
def test_disguised_depth_is_still_refused(name: str) -> None:
    text = DISGUISED[name]
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yamlguard.check_nesting(text)
    assert DEEP in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "- id: A\n  labels: [a, b, 'c', \"d\"]\n  description: |\n    ## Trade-off\n"
        "    [WIP] {code} { not: closed\n    - [ ] task [[[[\n",
        "- title: 'it''s [x'\n  d: \"a [b\"\n  e: plain [text {more\n",
        # Prose ending a line with a closing quote, after a quoted title: its opening quote
        # follows a letter, so no quoted scalar can be open at the header.
        '- title: "Adapt ts_xml"\n  description: |\n    works with all runtimes"\n'
        "    [FAILing xrootd.[....] : Manager quit\n",
        "- title: 'The users'' view'\n  description: |\n    as the users'\n    [x [y\n",
        "- title: 'say ''hi'''\n  description: |\n    as the users'\n    [x [y\n",  # a run of 3
        "a: {b: [c, {d: e}]}\n" * 500,
    ],
)
def test_realistic_texts_are_proved_without_parsing(text: str) -> None:
    def fail(_: str) -> None:
        raise AssertionError("the cheap proof should have cleared this text")

    original = yamlguard._measure
    yamlguard._measure = fail  # type: ignore[assignment]
    try:
        yamlguard.check_nesting(text)
    finally:
        yamlguard._measure = original


# What comes before the header: a quoted scalar opened (most often still open at the header, its
# content with escapes, doubled quotes and backslashes), or any mix of quotes and indicators.
_OPENINGS = ['a:\n    key: "', "a:\n    key: '", 'a:\n  - "', "a:\n  - '", 'a: "', "- '", ""]
_INSIDE = ['"', "'", "''", "\\", '\\"', "\\\\", " ", "a", "\n    ", "\n ", "#", "[", "]", ",", ": ",
           "x: |", "\n  ", "- ", "{", "}", "!t "]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    opening=st.sampled_from(_OPENINGS),
    inside=st.lists(st.sampled_from(_INSIDE), max_size=16).map("".join),
    quote=st.sampled_from(['"', "'"]),
    rest=st.sampled_from(["", " # c", " x"]),
)
def test_a_header_is_trusted_only_where_no_quoted_scalar_can_hide_it(
    opening: str, inside: str, quote: str, rest: str
) -> None:
    """Whatever quotes come before a header whose content ends a line with a quote, a text that
    libyaml nests too deeply is refused: the header's content lines are skipped only where no
    quoted scalar can be open at the header (yamlguard._opening)."""
    text = f"{opening}{inside}\n  x: |\n    def{quote}{rest}\n    other: {_deep_flow(150)}\n"
    try:
        yamlguard._measure(text)
    except yaml.MarkedYAMLError as exc:
        if DEEP in str(exc):
            with pytest.raises(yaml.MarkedYAMLError, match=DEEP):
                yamlguard.check_nesting(text)
