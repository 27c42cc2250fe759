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
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from readylint.models import ItemResult, RunResult
from readylint.reporters import ReportOptions
from readylint.reporters._common import check_list, finding_line, item_path

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _suite_name(result: ItemResult) -> str:
    location = result.item.location
    if location.path is not None:
        return location.path
    if location.url:
        parts = urlsplit(location.url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else location.url
    return result.item.id


def render(result: RunResult, options: ReportOptions) -> str:
    checks = check_list(result)
    suites: dict[str, list[ET.Element]] = {}
    failures: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for item_result in result.items:
        suite = _suite_name(item_result)
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
            if (classname, name) in seen:  # duplicate item ids (reported as input errors)
                number = 2
                while (classname, f"{name} ({number})") in seen:
                    number += 1
                name = f"{name} ({number})"
            seen.add((classname, name))
            case = ET.Element("testcase", classname=classname, name=name, time="0")
            if item_result.item.location.path is not None:
                case.set("file", item_result.item.location.path)
            problems = by_check.get(check.id)
            if problems:
                own = [f for f in item_result.findings if f.check == check.id]
                severities = {f.severity for f in own}
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=_clean(own[0].message)[:500],
                    type="error" if "error" in severities else "warning",
                )
                failure.text = _clean("\n".join(problems))
                failures[suite] = failures.get(suite, 0) + 1
            cases.append(case)
    if result.errors:
        cases = suites.setdefault("input", [])
        for number, error in enumerate(result.errors, 1):
            where = (error.path or "input") + (f":{error.line}" if error.line is not None else "")
            case = ET.Element("testcase", classname="input", name=f"{number}: {where}", time="0")
            if error.path:
                case.set("file", error.path)
            element = ET.SubElement(
                case, "error", message=_clean(error.message)[:500], type="input"
            )
            element.text = _clean(f"{where}: {error.message}")
            cases.append(case)
    root = ET.Element("testsuites", name="readylint")
    total_tests = total_failures = 0
    for name, cases in suites.items():
        errors = sum(1 for c in cases if c.find("error") is not None)
        fails = failures.get(name, 0)
        suite_element = ET.SubElement(
            root,
            "testsuite",
            name=_clean(name),
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
