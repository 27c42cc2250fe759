"""Property-based fuzz targets (issue 7), shared by tests/test_fuzz.py and benchmarks/fuzz.py.

Each target takes one generated input and checks, through public entry points, that readylint
gives findings or a clean error (one line naming the file, and the line where there is one),
never a traceback and never an item skipped silently. ``TARGETS`` pairs each target with its
strategy; the suite runs them with the fast "ci" profile, benchmarks/fuzz.py with 10,000
seeded examples each.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from readylint import app, text, yamlguard
from readylint.catalog import builtin_checks_dir
from readylint.cli import main
from readylint.config import Config, load_config
from readylint.definitions import CheckDefinition, load_check
from readylint.engine import Engine
from readylint.errors import ReadylintError
from readylint.judge import prose_sentences
from readylint.models import InputError
from readylint.paths import display_path
from readylint.sources import jira_text, yaml_files
from readylint.terminal import printable

_DIR = Path(tempfile.mkdtemp(prefix="readylint-fuzz-"))
_CONFIG = Config(root=_DIR)
_ENGINE, _CHECKS = app.build_engine(_CONFIG, app.Selection())
_KNOWN_SECTIONS = _ENGINE.known_sections


def _write(name: str, data: bytes) -> Path:
    path = _DIR / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _one_line(message: str) -> None:
    """A message as the terminal shows it (user text escaped) is one line, and not a crash."""
    shown = printable(message)
    assert shown.strip() and "\n" not in shown and "Traceback" not in shown, message


def _clean_errors(errors: list[InputError], path: str) -> None:
    for error in errors:
        assert error.path == path, (error, path)
        _one_line(error.message)


# --- strategies -------------------------------------------------------------------------------

_BYTE_PIECES = [
    b"- ", b"id: ", b"title: ", b"items:", b"\n", b"\n  ", b"\n    ", b"  ", b"[", b"]", b"{",
    b"}", b", ", b": ", b"? ", b"&a ", b"*a", b"<<: ", b"!!python/object/apply:os.system ",
    b"!custom ", b"!!binary ", b'"', b"'", b"\\", b"|", b">-", b"\t", b"\r", b"\r\n", b"#",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xe9", b"\xf0\x9f\x98", b"---", b"...", b"%YAML 1.1",
    b"rank: ", b"1e3", b"no", b"on", b"~", b"2024-01-01", b"0x1F", b"customer_need: ",
    b"trade_off: ", b"description: |\n  ## Trade-off\n  ", b"readylint-ignore: ", b"labels: ",
    b"PAY-12", b"TBD", b"As a user, I want x so that y",
]  # fmt: skip

yaml_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(st.sampled_from(_BYTE_PIECES), st.binary(max_size=6)), max_size=60).map(
        b"".join
    ),
)

_KEYS = [
    "id", "key", "title", "summary", "type", "status", "rank", "labels", "description",
    "customer_need", "business_reason", "trade_off", "Trade-off", "expected_outcome", "why_now",
    "story", "readylint-ignore", "items", "url", "custmer_need",
]  # fmt: skip
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["no", "on", "yes", "1e3", "2024-01-01", "TBD", "PAY-1", "0x1F", ""]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), inner, max_size=4)
    ),
    max_leaves=12,
)
_item = st.dictionaries(
    st.one_of(st.sampled_from(_KEYS), st.text(max_size=12)), _values, max_size=9
) | st.fixed_dictionaries(
    {"id": st.one_of(st.text(max_size=12), _values), "title": _values},
    optional=dict.fromkeys(_KEYS[5:], _values),
)


@dataclass(frozen=True)
class Backlog:
    """Items (dicts of random types), and how the YAML file is written."""

    items: list[Any]
    wrapped: bool  # under an 'items:' key
    flow: bool | None  # yaml.safe_dump's default_flow_style
    width: int
    crlf: bool


backlogs = st.builds(
    Backlog,
    items=st.lists(st.one_of(_item, _values), max_size=6),
    wrapped=st.booleans(),
    flow=st.sampled_from([False, True, None]),
    width=st.sampled_from([20, 80, 10_000]),
    crlf=st.booleans(),
)

_MARKUP = [
    "## Trade-off\n", "h3. Customer need\n", "**Trade-off:** ", "*Business reason:* ", "- ",
    "Trade-off: ", "Why now? ", "```\n", "{code}\n", "{noformat}\n", "> ", "| a | b |\n", "\n",
    "[link](http://x)", "<b>", "PAY-12 ", "TBD", "As a shopper, I want ", " so that ", "# ",
    "######## ", "_", "*", "~~~", "lorem ipsum", "\t", "\u2028", "\r",
]  # fmt: skip
markup = st.lists(st.one_of(st.sampled_from(_MARKUP), st.text(max_size=15)), max_size=40).map(
    "".join
)

_ADF_TYPES = [
    "doc", "paragraph", "heading", "text", "bulletList", "orderedList", "listItem", "table",
    "tableRow", "tableCell", "codeBlock", "blockquote", "panel", "expand", "rule", "hardBreak",
    "mention", "emoji", "inlineCard", "status", "date", "mediaSingle", "unknownNode",
]  # fmt: skip
_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
)
_json = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
adf = st.recursive(
    st.fixed_dictionaries(
        {"type": st.sampled_from(_ADF_TYPES)},
        optional={
            "text": st.one_of(st.text(max_size=20), _json_scalars),
            "attrs": st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "level": _json_scalars,
                        "title": _json_scalars,
                        "order": _json_scalars,
                        "url": _json_scalars,
                        "text": _json_scalars,
                    },
                ),
                _json,
            ),
            "marks": st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {"type": st.sampled_from(["strong", "em", "code", "link", "x"])},
                        optional={"attrs": _json},
                    )
                ),
                _json,
            ),
        },
    ),
    lambda inner: st.fixed_dictionaries(
        {"type": st.sampled_from(_ADF_TYPES), "content": st.lists(inner, max_size=4)},
        optional={"attrs": _json},
    ),
    max_leaves=25,
)
jira_values = st.one_of(adf, _json, markup)


def _check_template() -> dict[str, Any]:
    data = yaml.safe_load((builtin_checks_dir() / "trade-off.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


_TEMPLATE = _check_template()
_CHECK_KEYS = [
    "id", "title", "question", "kind", "severity", "hint", "rationale", "link", "answer",
    "pattern", "boilerplate", "message", "exempt_last", "order", "applies_to", "examples",
]  # fmt: skip
_PATTERNS = st.sampled_from(
    ["(a+)+$", r"\bok\b", "[", "(x)\\1", "a{1,3}", "(?:ab|cd){1,9}", "x{2,}", r"\d{1,9}%"]
)


@st.composite
def check_files(draw: st.DrawFn) -> dict[str, Any] | bytes:
    """A check file: a built-in one with parts replaced by random values, or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(yaml_bytes)
    data: dict[str, Any] = json.loads(json.dumps(_TEMPLATE))
    data["id"] = "fuzzed"
    for _ in range(draw(st.integers(0, 4))):
        where: Any = data
        path = draw(
            st.lists(
                st.sampled_from([*_CHECK_KEYS, "judge", "prose", "evidence"]),
                min_size=1,
                max_size=3,
            )
        )
        for key in path[:-1]:
            if isinstance(where, dict) and isinstance(where.get(key), dict):
                where = where[key]
        if isinstance(where, dict):
            if draw(st.booleans()):
                where.pop(path[-1], None)
            else:
                where[path[-1]] = draw(st.one_of(_values, _PATTERNS, st.lists(_PATTERNS)))
    if draw(st.booleans()):
        data["kind"] = "pattern"
        data.pop("answer", None)
        data["message"] = draw(st.text(max_size=20))
        data["pattern"] = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "field": st.sampled_from(["title", "trade_off", "x"]),
                    "must_match": _PATTERNS,
                    "must_not_match": _PATTERNS,
                    "ignore_case": st.booleans(),
                },
            )
        )
    return data


_CONFIG_KEYS = {
    "paths": st.lists(st.sampled_from(["backlog", "nope", "b.yaml", "", "/"]), max_size=3),
    "exclude": st.lists(st.sampled_from(["*.yaml", "**", "[", ""]), max_size=3),
    "select": st.lists(st.sampled_from(["trade-off", "customer-need", "nope"]), max_size=3),
    "ignore": st.lists(st.sampled_from(["boilerplate", "unknown-key", "x"]), max_size=3),
    "fail_on": st.sampled_from(["error", "warning", "never", "sometimes"]),
    "checks": st.dictionaries(
        st.sampled_from(["trade-off", "why-now", "ordering-rationale", "bogus"]),
        st.fixed_dictionaries(
            {},
            optional={
                "severity": st.sampled_from(["error", "warning", "info", "fatal"]),
                "min_words": st.integers(-2, 50),
                "strict": _scalars,
                "compare_with": st.integers(-1, 30),
                "require_labels": _scalars,
            },
        ),
        max_size=3,
    ),
    "check_paths": st.lists(st.sampled_from(["team", "missing", ""]), max_size=2),
    "aliases": st.dictionaries(
        st.sampled_from(["trade_off", "customer_need", "nope"]),
        st.lists(st.text(max_size=10), max_size=3),
        max_size=2,
    ),
    "jira": st.dictionaries(
        st.sampled_from(["url", "project", "jql", "board", "page_size", "api_version", "x"]),
        _scalars,
        max_size=3,
    ),
}


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any] | bytes:
    """A configuration: known keys with plausible or random values, unknown keys, or bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(yaml_bytes)
    data: dict[str, Any] = {}
    for key, values in _CONFIG_KEYS.items():
        if draw(st.booleans()):
            data[key] = draw(st.one_of(values, _values)) if draw(st.booleans()) else draw(values)
    if draw(st.integers(0, 4)) == 0:
        data[draw(st.text(min_size=1, max_size=8))] = draw(_values)
    return data


_GUARD_PIECES = [
    "[", "]", "{", "}", '"', "'", ": ", "- ", "? ", "|", ">", "|2", "\n", "\n  ", "\n    ", " ",
    "#", "a", "key", "x y", "&a ", "!t ", "\\", ",", ":", "-", "''", "\r", "\r\n", "\t", "*a",
    "--- ", "...", "\x85", "\u2028", "\n- |\n  ", "\n  x: |\n   ", 'key: "', "\n: ", "\n? ",
]  # fmt: skip
guard_texts = st.lists(st.sampled_from(_GUARD_PIECES), max_size=60).map("".join)


# --- targets ----------------------------------------------------------------------------------


def yaml_reader(data: bytes) -> None:
    """Any bytes as a backlog file: items and findings, or errors naming the file."""
    path = _write("backlog.yaml", data)
    source = app.read_yaml_backlog([str(path)], _CONFIG)
    _clean_errors(source.errors, display_path(path))
    result = app.lint(source, _ENGINE, _CHECKS)
    code = app.exit_code(result, "error")
    assert code == 2 if source.errors else code in (0, 1)
    for item in result.items:
        assert item.item.id and item.item.title


def _item_lines(document: str, backlog: Backlog) -> list[int] | None:
    """The 1-based line of each top-level item, as PyYAML itself composes the file."""
    node = yaml.compose(document, Loader=yaml.CSafeLoader)
    if backlog.wrapped:
        assert isinstance(node, yaml.MappingNode)
        node = node.value[0][1]
    if not isinstance(node, yaml.SequenceNode):
        return None
    return [child.start_mark.line + 1 for child in node.value]


def yaml_items(backlog: Backlog) -> None:
    """Items with random types in every field: each one is read, or named by an error."""
    root: Any = {"items": backlog.items} if backlog.wrapped else backlog.items
    document = yaml.safe_dump(
        root, default_flow_style=backlog.flow, width=backlog.width, allow_unicode=True
    )
    data = document.encode("utf-8")
    if backlog.crlf:
        data = data.replace(b"\n", b"\r\n")
    path = _write("items.yaml", data)
    source = app.read_yaml_backlog([str(path)], _CONFIG)
    _clean_errors(source.errors, display_path(path))
    lines = _item_lines(document, backlog)
    assert lines is not None
    # No item is skipped silently: each top-level entry gives one item or one error, at or after
    # its own line.
    assert len(source.items) + len(source.errors) == len(lines), (source, document)
    assert all(item.location.line in lines for item in source.items), (source, lines)
    assert all(e.line is not None and e.line >= lines[0] for e in source.errors), source.errors
    result = app.lint(source, _ENGINE, _CHECKS)
    size = document.count("\n") + 1
    for item in result.items:
        for finding in item.findings:
            assert finding.line is None or 1 <= finding.line <= size, (finding, size)
            _one_line(finding.message)


def sections(description: str) -> None:
    """Markdown and wiki descriptions: sections with valid offsets; the text helpers never fail."""
    found = text.sections(description, _KNOWN_SECTIONS)
    count = len(description.splitlines())
    for name, section in found.items():
        assert name in _KNOWN_SECTIONS
        assert 0 <= section.offset < max(count, 1), (section, count)
    assert isinstance(text.strip_markdown(description), str)
    assert text.word_count(description) >= 0
    text.placeholder(description)
    story = text.user_story(description)
    assert story is None or story.role
    assert all(isinstance(s, str) and s for s in prose_sentences(description))


def jira_rich_text(value: Any) -> None:
    """ADF documents, wiki markup and custom field values: text, and sections found in it."""
    result = jira_text.rich_text(value)
    assert result is None or (isinstance(result, str) and result.strip())
    assert isinstance(jira_text.plain_value(value), str)
    if isinstance(value, str):
        wiki = jira_text.wiki_to_text(value)
        made = _fences(wiki) - _fences(value.replace("\r\n", "\n").replace("\r", "\n"))
        assert made % 2 == 0, wiki  # every {code} block is closed
    if isinstance(value, dict):
        assert isinstance(jira_text.adf_to_text(value), str)
    if result is not None:
        sections(result)


def _fences(source: str) -> int:
    return sum(1 for line in source.split("\n") if line == "```")


def check_file(content: dict[str, Any] | bytes) -> None:
    """A team's check file: a check that runs, or an error naming the file (and line)."""
    data = content if isinstance(content, bytes) else yaml.safe_dump(content).encode("utf-8")
    path = _write("team/fuzzed.yaml", data)
    try:
        check = load_check(path)
    except ReadylintError as exc:
        assert exc.path is not None and exc.path.endswith("fuzzed.yaml"), exc
        _one_line(exc.message)
        return
    assert isinstance(check, CheckDefinition)
    engine = Engine([check], all_checks=[*_CHECKS, check])
    items = app.read_yaml_backlog([str(_write("b.yaml", _SMALL_BACKLOG))], _CONFIG).items
    for result in engine.run(items):
        for finding in result.findings:
            _one_line(finding.message)


_SMALL_BACKLOG = b"""\
- id: F-1
  title: Export reports as CSV
  trade_off: We postpone the dashboard (F-9) by a sprint.
- id: F-2
  title: fix stuff
  description: |
    ## Trade-off
    none
"""


def config_file(content: dict[str, Any] | bytes) -> None:
    """A configuration file: a run, or one error line naming it; then the CLI on a backlog."""
    data = content if isinstance(content, bytes) else yaml.safe_dump(content).encode("utf-8")
    path = _write("cfg/.readylint.yaml", data)
    _write("cfg/team/.keep", b"")
    _write("cfg/backlog/b.yaml", _SMALL_BACKLOG)
    try:
        config = load_config(path)
    except ReadylintError as exc:
        assert exc.path is not None and exc.path.endswith(".readylint.yaml"), exc
        _one_line(exc.message)
        return
    try:
        app.build_engine(config, app.Selection())
    except ReadylintError as exc:
        _one_line(exc.message)


def cli(backlog: Backlog, fmt: str) -> None:
    """The command line on a random backlog: exit 0, 1 or 2, never a traceback."""
    root: Any = {"items": backlog.items} if backlog.wrapped else backlog.items
    _write("cli/b.yaml", yaml.safe_dump(root, default_flow_style=backlog.flow).encode("utf-8"))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", str(_DIR / "cli" / "b.yaml"), "--format", fmt, "--color", "never"])
    assert code in (0, 1, 2), code
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if fmt == "json":
        report = json.loads(out.getvalue())
        assert (code == 2) == bool(report["errors"])
    if fmt == "text":
        for line in out.getvalue().splitlines():
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line), line  # escaped


def nesting_guard(source: str) -> None:
    """The nesting guard's cheap proof never under-estimates what libyaml really nests."""
    lines = yamlguard._lines(source)
    bound = yamlguard._flow_depth_bound(lines)
    flow, block = _real_depths(source)
    if bound is not None:
        assert flow <= bound, (source, bound, flow)
    leading = max(
        (len(m.group(0)) for m in re.finditer(r"(?:^|(?<=\n))[ \t\ufeff?:\-]*", lines)), default=0
    )
    assert block <= 2 * (leading + 1) + 2, (source, leading, block)


def _real_depths(source: str) -> tuple[int, int]:
    """(flow, block) nesting depth that libyaml reaches before it stops, from its events."""
    loader = yaml.CSafeLoader(source)
    open_flow: list[bool] = []
    flow = block = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                open_flow.append(bool(event.flow_style))
                flow = max(flow, sum(open_flow))
                block = max(block, len(open_flow) - sum(open_flow))
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                open_flow.pop()
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return flow, block


def streamed_reader(data: bytes, size: int) -> None:
    """A file read a part at a time gives what reading it whole gives, part by part, or is
    refused (and then read whole): never other items, errors or lines."""
    whole = yaml_files.read_bytes(data, "backlog.yaml")
    items: list[Any] = []
    errors: list[InputError] = []
    try:
        for part_items, part_errors in yaml_files.stream_bytes(data, "backlog.yaml", size):
            assert 0 < len(part_items) + len(part_errors) <= size
            items += part_items
            errors += part_errors
    except yaml_files.Unstreamable:
        return
    assert (items, errors) == whole, (data, whole)


def _rendered(backlog: Backlog) -> bytes:
    root: Any = {"items": backlog.items} if backlog.wrapped else backlog.items
    document = yaml.safe_dump(
        root, default_flow_style=backlog.flow, width=backlog.width, allow_unicode=True
    ).encode("utf-8")
    return document.replace(b"\n", b"\r\n") if backlog.crlf else document


FORMATS = st.sampled_from(["text", "json", "sarif", "junit", "github", "gitlab", "markdown"])

TARGETS: dict[str, tuple[Callable[..., None], tuple[st.SearchStrategy[Any], ...]]] = {
    "yaml-reader (bytes)": (yaml_reader, (yaml_bytes,)),
    "yaml-reader (random items)": (yaml_items, (backlogs,)),
    "sections (markdown, wiki)": (sections, (markup,)),
    "jira-text (adf, wiki, fields)": (jira_rich_text, (jira_values,)),
    "check-file loader": (check_file, (check_files(),)),
    "config loader": (config_file, (configs(),)),
    "cli (check)": (cli, (backlogs, FORMATS)),
    "nesting guard (soundness)": (nesting_guard, (guard_texts,)),
    "streamed reader (bytes)": (streamed_reader, (yaml_bytes, st.integers(1, 4))),
    "streamed reader (random items)": (
        streamed_reader,
        (backlogs.map(_rendered), st.integers(1, 4)),
    ),
    "streamed reader (nesting)": (
        streamed_reader,
        (
            guard_texts.map(lambda text: ("- id: A\n  title: B\n  x: " + text).encode()),
            st.integers(1, 4),
        ),
    ),
}
