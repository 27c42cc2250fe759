"""Every report format is written a piece at a time (issue 6: a 100,000-item report must not be
held in memory whole), and the pieces make the same report as before.

The JUnit report used to be an ``ElementTree`` built whole and serialized at the end; it is now
written a case at a time by hand. ``reference_junit`` is that old code, kept here as the
reference the new writer is compared with, byte for byte, on hostile text.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci_support import fixture_result, jira_result
from readylint import jsonstream
from readylint.models import (
    BacklogItem,
    CheckInfo,
    Finding,
    InputError,
    ItemResult,
    Location,
    RunResult,
)
from readylint.reporters import REPORTERS, STREAMERS, ReportOptions, in_chunks, junit
from readylint.reporters import json as json_reporter
from readylint.reporters._common import check_list, finding_line, item_path

# --- the JUnit report as it was built before (ElementTree), for comparison -------------------


def reference_junit(result: RunResult) -> str:
    """The JUnit report as readylint wrote it with ``ElementTree``, except that item ids and
    paths are cleaned of characters XML forbids as messages were (they used to be written raw,
    which made the report unreadable)."""
    clean = junit._clean

    checks = check_list(result)
    suites: dict[str, list[ET.Element]] = {}
    failures: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for item_result in result.items:
        suite = junit._suite_name(item_result)
        cases = suites.setdefault(suite, [])
        classname = item_result.item.id
        by_check: dict[str, list[str]] = {}
        for finding in item_result.findings:
            line = finding_line(item_result, finding)
            where = item_path(item_result) + (f":{line}" if line is not None else "")
            if item_result.item.location.url and item_result.item.location.path is None:
                where = f"{where} ({item_result.item.location.url})"
            by_check.setdefault(finding.check, []).append(
                f"{where}: [{finding.severity}] {finding.message}"
            )
        for check in checks:
            name = check.id
            if (classname, name) in seen:
                number = 2
                while (classname, f"{name} ({number})") in seen:
                    number += 1
                name = f"{name} ({number})"
            seen.add((classname, name))
            case = ET.Element("testcase", classname=clean(classname), name=clean(name), time="0")
            if item_result.item.location.path is not None:
                case.set("file", clean(item_result.item.location.path))
            problems = by_check.get(check.id)
            if problems:
                own = [f for f in item_result.findings if f.check == check.id]
                severities = {f.severity for f in own}
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=clean(own[0].message)[:500],
                    type="error" if "error" in severities else "warning",
                )
                failure.text = clean("\n".join(problems))
                failures[suite] = failures.get(suite, 0) + 1
            cases.append(case)
    if result.errors:
        cases = suites.setdefault("input", [])
        for number, error in enumerate(result.errors, 1):
            where = (error.path or "input") + (f":{error.line}" if error.line is not None else "")
            case = ET.Element(
                "testcase", classname="input", name=clean(f"{number}: {where}"), time="0"
            )
            if error.path:
                case.set("file", clean(error.path))
            element = ET.SubElement(case, "error", message=clean(error.message)[:500], type="input")
            element.text = clean(f"{where}: {error.message}")
            cases.append(case)
    root = ET.Element("testsuites", name="readylint")
    total_tests = total_failures = 0
    for name, cases in suites.items():
        errors = sum(1 for c in cases if c.find("error") is not None)
        fails = failures.get(name, 0)
        suite_element = ET.SubElement(
            root,
            "testsuite",
            name=clean(name),
            tests=str(len(cases)),
            failures=str(fails),
            errors=str(errors),
            skipped="0",
            time="0",
        )
        suite_element.extend(cases)
        total_tests += len(cases)
        total_failures += fails
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(len(result.errors)))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- hostile run results -----------------------------------------------------------------------

# What item text may hold: markup characters, quotes, line breaks, tabs, characters XML forbids,
# non-ASCII; no lone surrogates (no source yields them as UTF-8 text).
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("&<>\"'\r\n\t \x00\x07\x0b\x1f\ufffe\uffff%:,|`\\[]é漢"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=30,
)
CHECKS = ["customer-need", "trade-off", "boilerplate", "a&b <c>"]


@st.composite
def run_results(draw: st.DrawFn) -> RunResult:
    paths = draw(st.lists(st.one_of(TEXT, st.none()), min_size=1, max_size=3))
    ids = draw(st.lists(TEXT, min_size=1, max_size=4))  # few ids: duplicates are likely
    items: list[ItemResult] = []
    for rank in range(1, draw(st.integers(0, 8)) + 1):
        path = draw(st.sampled_from(paths))  # files interleave in rank order
        url = None if path is not None else draw(st.sampled_from([None, "https://j.example/b/X"]))
        item = BacklogItem(
            id=draw(st.sampled_from(ids)),
            title=draw(TEXT),
            location=Location(
                path=path, line=draw(st.one_of(st.none(), st.integers(1, 99))), url=url
            ),
        )
        findings = draw(
            st.lists(
                st.builds(
                    Finding,
                    st.sampled_from([*CHECKS, "own-check"]),
                    st.sampled_from(["error", "warning"]),
                    TEXT,
                    st.one_of(st.none(), st.integers(1, 99)),
                ),
                max_size=4,
            )
        )
        items.append(ItemResult(item, rank, findings))
    errors = draw(
        st.lists(
            st.builds(
                InputError,
                TEXT,
                st.one_of(st.none(), TEXT),
                st.one_of(st.none(), st.integers(1, 9)),
            ),
            max_size=2,
        )
    )
    checks = [
        CheckInfo(c, c.title(), "", "error", "", "")
        for c in draw(st.sampled_from([CHECKS, CHECKS[:2], []]))
    ]
    return RunResult("0.0.0+test", items, errors=errors, checks=checks, backlog_size=len(items))


@settings(max_examples=300, deadline=None)
@given(run_results(), st.integers(1, 400))
def test_junit_written_by_hand_equals_element_tree(result: RunResult, block: int) -> None:
    junit_block = junit._BLOCK
    junit._BLOCK = block  # small blocks: the cases of a suite come back from several
    try:
        text = REPORTERS["junit"](result, ReportOptions())
    finally:
        junit._BLOCK = junit_block
    assert text == reference_junit(result)
    ET.fromstring(text.encode())  # well-formed


@pytest.mark.parametrize("make", ["fixture", "jira"])
def test_junit_equals_element_tree_on_real_runs(make: str, monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixture_result(monkeypatch) if make == "fixture" else jira_result()
    assert REPORTERS["junit"](result, ReportOptions()) == reference_junit(result)


# --- JSON documents with a streamed array ------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON, max_size=5), JSON, st.integers(0, 3))
def test_json_with_array_is_json_dumps(values: list[Any], other: Any, depth: int) -> None:
    hole = jsonstream.marker()
    document: Any = hole
    whole: Any = values
    for level in range(depth):  # the array a few levels down, beside other values
        document = {"before": other, f"level{level}": [document], "after": other}
        whole = {"before": other, f"level{level}": [whole], "after": other}
    expected = json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    pretty = "".join(jsonstream.json_with_array(document, hole, iter(values), pretty=True))
    assert pretty == expected
    compact = "".join(jsonstream.json_with_array(document, hole, iter(values), pretty=False))
    assert json.loads(compact) == whole
    if depth == 0 and values:  # one element to a line between the brackets
        assert compact.count("\n") == len(values) + 2


class _Word(str):
    """A subclass of str, as an enum of strings is."""


class _Count(int):
    """A subclass of int, as an IntEnum is."""


class _Mapping(dict[str, Any]):
    """A subclass of dict."""


# Every kind of value json.dumps takes: floats (NaN and infinities too), tuples, keys that are
# not strings, and subclasses of str, int, dict and list.
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | TEXT
    | TEXT.map(_Word)
    | st.integers().map(_Count),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(TEXT, inner, max_size=4)
        | st.dictionaries(TEXT, inner, max_size=3).map(_Mapping)
        | st.dictionaries(
            st.integers() | st.booleans() | st.none() | st.floats(), inner, max_size=3
        )
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(ANY_JSON, st.integers(0, 8))
def test_indented_is_json_dumps_indent_2(value: Any, depth: int) -> None:
    inner = "\n" + " " * depth
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    assert jsonstream.indented(value) == expected
    assert jsonstream.indented(value, inner) == expected.replace("\n", inner)


def test_indented_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonstream.indented({"when": {1, 2}})
    with pytest.raises(TypeError):
        jsonstream.indented({("a", "b"): 1})


def test_a_document_without_its_marker_is_refused() -> None:
    with pytest.raises(ValueError, match="marker"):
        list(jsonstream.json_with_array({"results": []}, jsonstream.marker(), [], pretty=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=12), st.integers(1, 5))
def test_in_chunks_is_the_joined_lines(lines: list[str], size: int) -> None:
    expected = "\n".join(lines) + "\n" if lines else ""
    assert "".join(in_chunks(iter(lines), size)) == expected


# --- every format in pieces --------------------------------------------------------------------


def large_result(count: int) -> RunResult:
    checks = [CheckInfo(c, c, "", "error", "", "") for c in CHECKS]
    items = [
        ItemResult(
            BacklogItem(
                id=f"PAY-{n}",
                title=f"Let shoppers keep their cart {n}",
                location=Location(path=f"backlog/part-{n % 3}.yaml", line=n * 7),
            ),
            n,
            [
                Finding(
                    "trade-off",
                    "error",
                    f"Missing trade-off on item {n}: say what you give up",
                    n * 7 + 2,
                ),
                Finding("boilerplate", "warning", "Boilerplate customer need: PAY-1, PAY-2", None),
            ],
        )
        for n in range(1, count + 1)
    ]
    return RunResult("0.0.0+test", items, checks=checks, backlog_size=count)


@pytest.mark.parametrize("name", sorted(STREAMERS))
def test_every_format_is_written_in_pieces(name: str) -> None:
    result = large_result(3 * jsonstream.PRETTY_LIMIT)
    pieces = list(STREAMERS[name](result, ReportOptions()))
    whole = "".join(pieces)
    assert whole == REPORTERS[name](result, ReportOptions())
    assert len(pieces) > 5
    assert max(map(len, pieces)) < len(whole) / 5, "one piece holds most of the report"


@pytest.mark.parametrize("name", ["sarif", "gitlab", "json"])
def test_large_json_reports_are_the_same_documents(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``PRETTY_LIMIT`` items an array holds one element per line: the same document."""
    result = fixture_result(monkeypatch)
    pretty = REPORTERS[name](result, ReportOptions())
    monkeypatch.setattr(jsonstream, "PRETTY_LIMIT", 0)
    monkeypatch.setattr(json_reporter, "PRETTY_LIMIT", 0)
    compact = REPORTERS[name](result, ReportOptions())
    assert compact != pretty
    assert json.loads(compact) == json.loads(pretty)
    many = dataclasses.replace(result, items=list(result.items) * 3)
    assert json.loads(REPORTERS[name](many, ReportOptions()))  # more lines, still a document


def encoded_item(result: ItemResult) -> str:
    return json.dumps(json_reporter._item(result), ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(run_results())
def test_a_large_json_report_writes_each_item_as_the_encoder_would(result: RunResult) -> None:
    for item in result.items:
        assert json_reporter._item_line(item) == encoded_item(item)


@pytest.mark.parametrize(
    "text", ["\ud800 lone", "nul \x00 del \x7f", "𝄞 \u2028 \u2029", 'q"\\/', "\x1f\t\r\n"]
)
def test_item_lines_escape_as_the_encoder_does(text: str) -> None:
    result = ItemResult(
        BacklogItem(text, text, Location(text, 10**20, text)),
        7,
        [Finding(text, "error", text, None), Finding("c", "warning", text, 0)],
    )
    assert json_reporter._item_line(result) == encoded_item(result)


def test_a_large_json_report_is_the_encoders_document() -> None:
    """The streamed JSON report, item lines written directly, is the one the encoder writes."""
    result = large_result(3 * jsonstream.PRETTY_LIMIT)
    expected = "".join(
        [
            f'{{\n  "version": {json.dumps(result.version)},\n',
            f'  "summary": {json.dumps(json_reporter._summary(result))},\n  "items": ',
            *jsonstream.json_array(map(json_reporter._item, result.items), indent=4, pretty=False),
            ',\n  "errors": []\n}\n',
        ]
    )
    assert "".join(json_reporter.chunks(result, ReportOptions())) == expected
