"""JUnit XML, as GitLab (``artifacts:reports:junit``) and Jenkins (``junit``) read it.

One ``<testsuite>`` per file, one ``<testcase>`` per item and check: ``classname`` is the item id,
``name`` the check id, so (classname, name) pairs are unique and GitLab can compare failures
between branches. A check the item passes is a passed case; its findings become one
``<failure>`` (``type`` is the severity). Input errors are ``<error>`` cases in a suite named
``input``. Tracker items (Jira) are grouped in one suite per tracker host, and the failure text
names the browse URL.

The report never sets the job status: GitLab's JUnit reports "do not affect job status", so the
job must still fail through readylint's exit code.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from readylint.models import Finding, InputError, ItemResult, RunResult
from readylint.reporters import ReportOptions
from readylint.reporters._common import check_list, finding_line, item_path

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCK = 1 << 18  # characters of a suite's cases kept before they are compressed


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


# The report is written by hand, a case at a time, in the layout ``ElementTree.indent`` gives,
# escaped as ``xml.etree.ElementTree`` escapes (tests compare the two).
_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE = (*_TEXT, ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _escaped(text: str, references: tuple[tuple[str, str], ...] = _TEXT) -> str:
    """Character data (or with ``_ATTRIBUTE``, an attribute value): characters XML forbids
    replaced, the rest escaped."""
    text = _clean(text)
    for character, reference in references:
        if character in text:
            text = text.replace(character, reference)
    return text


def _attribute(text: str) -> str:
    return _escaped(text, _ATTRIBUTE)


def _suite_name(result: ItemResult) -> str:
    location = result.item.location
    if location.path is not None:
        return location.path
    if location.url:
        parts = urlsplit(location.url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else location.url
    return result.item.id


def _case(head: str, tag: str = "", message: str = "", kind: str = "", text: str = "") -> str:
    """One ``<testcase`` ``head`` as ``ElementTree.indent`` lays it out in a suite, with its
    newline: passed when ``tag`` is empty, else holding a ``<failure>`` or ``<error>``."""
    if not tag:
        return f"    {head} />\n"
    return (
        f'    {head}>\n      <{tag} message="{_attribute(message[:500])}" type="{kind}">'
        f"{_escaped(text)}</{tag}>\n    </testcase>\n"
    )


class _Suite:
    """One ``<testsuite>``'s counts and its cases' XML, compressed a block at a time: the cases
    of a large backlog are written out only once every suite's counts are known."""

    __slots__ = ("_blocks", "_open", "_size", "errors", "failures", "tests")

    def __init__(self) -> None:
        self.tests = self.failures = self.errors = 0
        self._blocks: list[bytes] = []
        self._open: list[str] = []
        self._size = 0

    def add(self, case: str) -> None:
        self.tests += 1
        self._open.append(case)
        self._size += len(case)
        if self._size > _BLOCK:
            self._blocks.append(zlib.compress("".join(self._open).encode(), 1))
            self._open = []
            self._size = 0

    def cases(self) -> Iterator[str]:
        for block in self._blocks:
            yield zlib.decompress(block).decode()
        yield "".join(self._open)


def _item_cases(
    item_result: ItemResult, checks: list[tuple[str, str]], taken: set[str] | None
) -> Iterator[tuple[str, bool]]:
    """(case XML, failed) for each check, in ``checks`` order ((id, escaped id) pairs).
    ``taken``: the case names this item id already has (a duplicate id), which get a number."""
    item = item_result.item
    location = item.location
    file = f' file="{_attribute(location.path)}"' if location.path is not None else ""
    prefix = f'<testcase classname="{_attribute(item.id)}" name="'
    own: dict[str, list[Finding]] = {}
    for finding in item_result.findings:
        own.setdefault(finding.check, []).append(finding)
    for check, escaped in checks:
        if taken is not None:
            name = check
            number = 2
            while name in taken:
                name = f"{check} ({number})"
                number += 1
            taken.add(name)
            escaped = _attribute(name)
        head = f'{prefix}{escaped}" time="0"{file}'
        findings = own.get(check)
        if not findings:
            yield _case(head), False
            continue
        problems = []
        for finding in findings:
            line = finding_line(item_result, finding)
            where = item_path(item_result) + (f":{line}" if line is not None else "")
            if location.url and location.path is None:
                where = f"{where} ({location.url})"
            problems.append(f"{where}: [{finding.severity}] {finding.message}")
        kind = "error" if any(f.severity == "error" for f in findings) else "warning"
        yield _case(head, "failure", findings[0].message, kind, "\n".join(problems)), True


def _error_case(number: int, error: InputError) -> str:
    where = (error.path or "input") + (f":{error.line}" if error.line is not None else "")
    file = f' file="{_attribute(error.path)}"' if error.path else ""
    head = f'<testcase classname="input" name="{_attribute(f"{number}: {where}")}" time="0"{file}'
    return _case(head, "error", error.message, "input", f"{where}: {error.message}")


def chunks(result: RunResult, options: ReportOptions) -> Iterator[str]:
    """The report in pieces, in one pass over the items (see ``_Suite``)."""
    checks = [(check.id, _attribute(check.id)) for check in check_list(result)]
    suites: dict[str, _Suite] = {}
    met: set[str] = set()  # item ids
    taken: dict[str, set[str]] = {}  # the case names of item ids met more than once
    for item_result in result.items:
        name = _suite_name(item_result)
        suite = suites.get(name)
        if suite is None:
            suite = suites[name] = _Suite()
        ident = item_result.item.id
        names: set[str] | None = None
        if ident in met:  # a duplicate id (reported as an input error): number its cases
            names = taken.get(ident)
            if names is None:
                names = taken[ident] = {check for check, _ in checks}
        met.add(ident)
        for case, failed in _item_cases(item_result, checks, names):
            suite.add(case)
            suite.failures += failed
    if result.errors:
        suite = suites.setdefault("input", _Suite())
        for number, error in enumerate(result.errors, 1):
            suite.add(_error_case(number, error))
            suite.errors += 1
    tests = sum(suite.tests for suite in suites.values())
    failures = sum(suite.failures for suite in suites.values())
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    root = (
        f'<testsuites name="readylint" tests="{tests}" failures="{failures}" '
        f'errors="{len(result.errors)}" time="0"'
    )
    if not suites:
        yield root + " />\n"
        return
    yield root + ">\n"
    for name, suite in suites.items():
        head = (
            f'  <testsuite name="{_attribute(name)}" tests="{suite.tests}" '
            f'failures="{suite.failures}" errors="{suite.errors}" skipped="0" time="0"'
        )
        if not suite.tests:
            yield head + " />\n"
            continue
        yield head + ">\n"
        yield from suite.cases()
        yield "  </testsuite>\n"
    yield "</testsuites>\n"
