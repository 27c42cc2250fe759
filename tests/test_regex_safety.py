"""Regular-expression safety (issue 7).

1. Every regex applied to item text (module-level patterns of the modules that read item text,
   and every pattern of the built-in check files compiled as the engine compiles them) runs over
   1 MB adversarial strings: its own characters repeated, near-misses of its longest literal word,
   and long runs of spaces, word characters and punctuation. Each run is bounded (2 s: generous,
   so that a slow CI machine does not flake; a catastrophic pattern takes hours).
2. A user check file's pattern, in every place a check file can hold one, is refused when it could
   backtrack catastrophically, with one line naming the file, the line and the construct.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import readylint
from conftest import Run, ready_items
from readylint.catalog import load_checks
from readylint.definitions import CheckDefinition
from readylint.linear import LinearPattern, compile_linear, phrase_pattern

SIZE = 1_000_000
# Seconds per regex per string: the slowest here take about 0.3 s; a catastrophic pattern takes
# hours on 1 MB, so a generous bound catches it without flaking on a slow or busy CI machine.
BOUND = 2.0

# A check file's patterns are compiled as the engine compiles them: ``LinearPattern``s, which
# have the methods of ``re.Pattern`` run here.
Pattern = re.Pattern[str] | LinearPattern


def _modules() -> Iterator[ModuleType]:
    """Every module of the package (``__main__`` would run the CLI): new modules are covered
    without editing this test, and a pattern moved between modules is still found."""
    for info in pkgutil.walk_packages(readylint.__path__, "readylint."):
        if not info.name.endswith("__main__"):
            yield importlib.import_module(info.name)


def module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    """Module-level compiled patterns, and pattern objects that carry their source and flags."""
    for module in _modules():
        for name, value in vars(module).items():
            where = f"{module.__name__.removeprefix('readylint.')}.{name}"
            if isinstance(value, re.Pattern):
                if isinstance(value.pattern, str):  # (bytes patterns only split raw lines)
                    yield where, value
            elif isinstance(getattr(value, "pattern", None), str) and hasattr(value, "search"):
                yield where, re.compile(value.pattern, getattr(value, "flags", 0))
            elif name.endswith("_SIGNS") and isinstance(value, tuple) and value:
                # A list of patterns matched as one alternation (judge.LOG_SIGNS).
                yield where, re.compile("|".join(f"(?:{v})" for v in value))


def check_patterns(check: CheckDefinition) -> Iterator[tuple[str, Pattern]]:
    """The check's patterns, compiled as the engine and the judge compile them."""
    where = check.id
    spec = check.answer
    if spec is not None and spec.judge is not None:
        rules = spec.judge
        yield f"{where}.item_id", compile_linear(rules.item_id, 0)
        for field in ("evidence", "predecessor", "successor", "successor_after"):
            for index, pattern in enumerate(getattr(rules, field)):
                yield f"{where}.{field}[{index}]", compile_linear(pattern)
        for flag in rules.flags:
            phrases = phrase_pattern(flag.phrases)
            if phrases is not None:
                yield f"{where}.flags.{flag.name}.phrases", phrases
            for index, pattern in enumerate(flag.patterns):
                yield f"{where}.flags.{flag.name}[{index}]", compile_linear(pattern)
    if spec is not None and spec.prose is not None:
        for field in ("cues", "lead_cues", "traps"):
            for index, pattern in enumerate(getattr(spec.prose, field)):
                yield f"{where}.prose.{field}[{index}]", compile_linear(pattern)
    if check.boilerplate is not None:
        for index, pattern in enumerate(check.boilerplate.template):
            yield f"{where}.template[{index}]", compile_linear(pattern)
    if check.pattern is not None:
        source = check.pattern.must_match or check.pattern.must_not_match or ""
        yield f"{where}.pattern", compile_linear(source, re.I if check.pattern.ignore_case else 0)


PATTERNS = dict([*module_patterns(), *(p for c in load_checks() for p in check_patterns(c))])


def _fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


GENERIC = {
    "spaces": _fill(" "),
    "word characters": _fill("a"),
    "punctuation": _fill("-.,:;!?([{<'\"*_`|#>}])"),
}


def adversarial(pattern: Pattern) -> dict[str, str]:
    """Strings built from the pattern itself: its characters, and near-misses of its words."""
    source = pattern.pattern
    own = "".join(sorted(set(re.sub(r"\\[a-zA-Z]|[\\()\[\]{}|?*+^$.]", "", source)))) or "x"
    found = {"own characters": _fill(own)}
    words = re.findall(r"[A-Za-z][a-z]{2,}", source)
    if words:
        word = max(words, key=len)
        found["near-miss"] = _fill(word[:-1] + " ")
    return found


# Patterns the code only ever matches at one position it has found (a token, a line start), never
# searches with: they are run the way the code runs them. (Searched from every position, a pattern
# such as "scan to the closing quote" is quadratic by design, and the code never does that.)
ANCHORED = frozenset(
    f"yamlguard.{name}"
    for name in (
        "_DEEP_BLOCK", "_FLOW_AT_START", "_HEADER_HERE", "_DOUBLE", "_SINGLE", "_PLAIN_RUN",
        "_BLANKS", "_NON_BLANK", "_SPACES", "_DOUBLE_CLOSE", "_SINGLE_CLOSE", "_REST_OF_LINE",
    )
)  # fmt: skip


def _run(name: str, pattern: Pattern, subject: str) -> int:
    if name in ANCHORED:
        return sum(1 for at in (0, 1, SIZE // 2) if pattern.match(subject, at))
    return len(pattern.findall(subject))  # every start position, as finditer, counted in C


@pytest.mark.parametrize("name", list(PATTERNS))
def test_every_item_text_regex_runs_in_bounded_time(name: str) -> None:
    pattern = PATTERNS[name]
    for label, subject in {**GENERIC, **adversarial(pattern)}.items():
        start = time.perf_counter()
        matches = _run(name, pattern, subject)
        elapsed = time.perf_counter() - start
        assert elapsed < BOUND, f"{name} on 1 MB of {label}: {elapsed:.2f} s ({matches} matches)"


def test_the_collection_is_not_empty() -> None:
    names = list(PATTERNS)
    for prefix in ("judge.", "text.", "sources.jira_text.", "boilerplate.", "keys.", "engine."):
        assert any(n.startswith(prefix) for n in names), prefix
    for check in load_checks():
        if check.kind in ("answer", "pattern"):
            assert any(n.startswith(f"{check.id}.") for n in names), check.id
    assert len(names) > 60


# --- user check files ------------------------------------------------------------------------

CATASTROPHIC = {
    "(a+)+$": "has an unbounded repetition at '(a+)+'",
    r"(?:\w{1,9}\s?){1,50}x": r"nests one repetition inside another at '(?:\w{1,9}\s?){1,50}'",
    "(?:ab|a){1,30}c": "repeats an alternation at '(?:ab|a){1,30}'",
    r"(\w)\1{1,9}": "uses a back-reference",
    "x{1,5000}": "has an unbounded repetition at 'x{1,5000}'",
}

SLOTS = {
    "evidence": ("answer", "judge", "evidence"),
    "flag patterns": ("answer", "judge", "flags", 0, "patterns"),
    "item_id": ("answer", "judge", "item_id"),
    "predecessor": ("answer", "judge", "predecessor"),
    "successor": ("answer", "judge", "successor"),
    "successor_after": ("answer", "judge", "successor_after"),
    "cues": ("answer", "prose", "cues"),
    "lead_cues": ("answer", "prose", "lead_cues"),
    "traps": ("answer", "prose", "traps"),
    "template": ("boilerplate", "template"),
    "must_match": ("pattern", "must_match"),
    "must_not_match": ("pattern", "must_not_match"),
}


def _check_file(slot: str, pattern: str) -> dict[str, object]:
    """A valid team check of the kind that holds ``slot``, with ``pattern`` put there."""
    checks = Path(__file__).resolve().parents[1] / "checks"
    path = SLOTS[slot]
    if path[0] == "pattern":
        data: dict[str, object] = {
            "id": "team-check",
            "title": "Titles say what changes",
            "question": "Does the title say what changes?",
            "kind": "pattern",
            "hint": "start the title with a verb",
            "rationale": "A title is read in lists.",
            "message": "The title does not say what changes",
            "pattern": {"field": "title", path[1]: pattern},
            "examples": {"pass": [{"item": {"id": "A-1", "title": "x"}}], "fail": [{"item": {}}]},
        }
        return data
    source = "boilerplate.yaml" if path[0] == "boilerplate" else "trade-off.yaml"
    data = yaml.safe_load((checks / source).read_text(encoding="utf-8"))
    data["id"] = "team-check"
    data.pop("order", None)
    where: object = data
    for part in path[:-1]:
        if isinstance(where, dict):
            where = where.setdefault(part, {"cues": ["x"]} if part == "prose" else {})
        elif isinstance(where, list):
            where = where[part]  # type: ignore[index]
    assert isinstance(where, dict)
    where[path[-1]] = pattern if path[-1] == "item_id" else [pattern]
    return data


def _key_line(document: str, path: tuple[str | int, ...]) -> int:
    """The 1-based line of the key at the end of ``path`` (PyYAML's own reading of the file)."""
    node = yaml.compose(document, Loader=yaml.CSafeLoader)
    line = 0
    for part in path:
        if isinstance(node, yaml.SequenceNode):
            assert isinstance(part, int)
            node = node.value[part]
            continue
        assert isinstance(node, yaml.MappingNode)
        key, node = next((k, v) for k, v in node.value if k.value == part)
        line = key.start_mark.line + 1
    return line


@pytest.mark.parametrize("slot", list(SLOTS))
@pytest.mark.parametrize("pattern", list(CATASTROPHIC))
def test_a_catastrophic_pattern_in_a_check_file_is_refused(
    run: Callable[..., Run], write: Callable[[str, str], Path], slot: str, pattern: str
) -> None:
    text_ = yaml.safe_dump(_check_file(slot, pattern), sort_keys=False, width=10_000)
    write("team/team-check.yaml", text_)
    write(".readylint.yaml", "check_paths: [team]\n")
    write("b.yaml", ready_items("A-1"))
    result = run("check", "b.yaml")
    assert result.code == 2
    line = _key_line(text_, SLOTS[slot])
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith(f"readylint: error: team/team-check.yaml:{line}: "), (
        result.err,
        line,
    )
    assert CATASTROPHIC[pattern] in result.err, result.err


def test_a_safe_pattern_check_runs(
    run: Callable[..., Run], write: Callable[[str, str], Path]
) -> None:
    data = _check_file("must_not_match", r"^(?:fix|update|misc)\b")
    write("team/team-check.yaml", yaml.safe_dump(data, sort_keys=False))
    write(".readylint.yaml", "check_paths: [team]\n")
    write("b.yaml", "- id: A-1\n  title: fix stuff\n")
    result = run("check", "--select", "team-check", "b.yaml")
    assert result.code == 1 and "The title does not say what changes" in result.out
