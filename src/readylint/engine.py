"""The engine: interprets check definitions over items in backlog order and returns findings.

The engine knows nothing of where items came from or how findings are shown. Each check kind is
a small function; a check definition picks one and supplies its data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import yaml

from readylint.definitions import CheckDefinition, Example
from readylint.keys import CORE_KEYS, normalise_key, suggest
from readylint.models import BacklogItem, Finding, ItemResult, Severity
from readylint.text import Section, heading_key, placeholder, sections, user_story, word_count

# Keys that are part of the format but answer no check.
EXTRA_KNOWN_KEYS = frozenset({"story", "user_story", "readylint_ignore", "url", "items"})
_STORY_FIELDS = ("story", "user_story")


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    line: int | None
    where: str  # "field 'trade_off'", "description section 'Trade-off'", "user story"
    structured: bool = False  # a user story: judged as a whole, not by word count


class ItemView:
    """One item plus lazily computed, cached derived data shared by all checks."""

    __slots__ = ("_sections", "index", "item", "known_sections", "total")

    def __init__(
        self, item: BacklogItem, index: int, total: int, known_sections: frozenset[str]
    ) -> None:
        self.item = item
        self.index = index
        self.total = total
        self.known_sections = known_sections
        self._sections: dict[str, Section] | None = None

    @property
    def sections(self) -> dict[str, Section]:
        if self._sections is None:
            description = self.item.description
            self._sections = sections(description, self.known_sections) if description else {}
        return self._sections

    def section_line(self, section: Section) -> int | None:
        base = self.item.description_line
        return None if base is None else base + section.offset


CheckFn = Callable[[ItemView], list[Finding]]


@dataclass(frozen=True, slots=True)
class ActiveCheck:
    definition: CheckDefinition
    severity: Severity
    run: CheckFn

    @property
    def id(self) -> str:
        return self.definition.id


class Engine:
    """Runs a set of checks. ``all_checks`` gives context (known keys and headings)."""

    def __init__(
        self,
        checks: Sequence[CheckDefinition],
        *,
        all_checks: Sequence[CheckDefinition] | None = None,
        severities: dict[str, Severity] | None = None,
        min_words: dict[str, int] | None = None,
        aliases: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        everything = list(all_checks if all_checks is not None else checks)
        aliases = {normalise_key(k): v for k, v in (aliases or {}).items()}
        self._aliases = aliases
        known_sections: set[str] = set()
        known_keys: set[str] = set(CORE_KEYS) | EXTRA_KNOWN_KEYS
        for check in everything:
            if check.answer is not None:
                names = check.answer.names(aliases.get(normalise_key(check.answer.field), ()))
                known_keys.update(names)
                known_sections.update(names)
                known_sections.update(heading_key(h) for h in check.answer.headings)
            if check.pattern is not None:
                known_keys.add(normalise_key(check.pattern.field))
        self.known_sections = frozenset(known_sections)
        self.known_keys = frozenset(known_keys)
        severities = severities or {}
        min_words = min_words or {}
        self.checks = [
            ActiveCheck(c, sev, self._build(c, sev, min_words.get(c.id)))
            for c in checks
            for sev in (severities.get(c.id, c.severity),)
        ]

    # -- running ---------------------------------------------------------------------------

    def run(
        self, items: Sequence[BacklogItem], report: Iterable[int] | None = None
    ) -> list[ItemResult]:
        """Findings for the items at the ``report`` positions (all by default), in that order.

        ``items`` is the whole backlog in order: checks that look across items see all of it.
        """
        total = len(items)
        indices = range(total) if report is None else report
        results: list[ItemResult] = []
        for index in indices:
            view = ItemView(items[index], index, total, self.known_sections)
            findings: list[Finding] = []
            for check in self.checks:
                if _applies(check.definition, view):
                    findings.extend(check.run(view))
            results.append(ItemResult(items[index], index + 1, findings))
        return results

    # -- building check functions -----------------------------------------------------------

    def _build(self, check: CheckDefinition, severity: Severity, min_words: int | None) -> CheckFn:
        if check.kind == "answer":
            return self._answer_check(check, severity, min_words)
        if check.kind == "key-names":
            return self._key_names_check(check, severity)
        return self._pattern_check(check, severity)

    def _answer_check(
        self, check: CheckDefinition, severity: Severity, min_words_override: int | None
    ) -> CheckFn:
        spec = check.answer
        assert spec is not None
        names = spec.names(self._aliases.get(normalise_key(spec.field), ()))
        section_names = tuple(dict.fromkeys((*names, *(heading_key(h) for h in spec.headings))))
        minimum = min_words_override or spec.min_words
        label = spec.label
        hint = check.hint
        check_id = check.id
        looked = (
            f"looked for field '{names[0]}' or an alias, and a '{spec.label.capitalize()}' "
            "heading or label in the description"
            + (", and a user story" if spec.user_story else "")
        )
        names_set = frozenset(names)

        def run(view: ItemView) -> list[Finding]:
            if check.exempt_last and view.index == view.total - 1:
                return []
            answer = _find_answer(view, names, section_names, spec.user_story)
            if answer is None:
                near = _near_miss(view.item, names_set, self.known_keys)
                extra = f"; is '{near[0]}' a misspelling of '{near[1]}'?" if near else ""
                return [
                    Finding(
                        check_id,
                        severity,
                        f"Missing {label}: {hint} ({looked}){extra}",
                        view.item.location.line,
                    )
                ]
            text = answer.text.strip()
            if not text:
                return [
                    Finding(
                        check_id, severity, f"Empty {label} in {answer.where}: {hint}", answer.line
                    )
                ]
            slot = placeholder(text)
            if slot is not None:
                return [
                    Finding(
                        check_id,
                        severity,
                        f"The {label} in {answer.where} is a placeholder ({slot!r}): {hint}",
                        answer.line,
                    )
                ]
            if not answer.structured:
                count = word_count(text)
                if count < minimum:
                    return [
                        Finding(
                            check_id,
                            severity,
                            f"The {label} in {answer.where} is too thin ({count} word"
                            f"{'' if count == 1 else 's'}; at least {minimum} needed): {hint}",
                            answer.line,
                        )
                    ]
            return []

        return run

    def _key_names_check(self, check: CheckDefinition, severity: Severity) -> CheckFn:
        known = sorted(self.known_keys)
        known_set = self.known_keys

        def run(view: ItemView) -> list[Finding]:
            findings: list[Finding] = []
            for norm, value in view.item.fields.items():
                if norm in known_set:
                    continue
                guess = suggest(norm, known)
                if guess is not None:
                    findings.append(
                        Finding(
                            check.id,
                            severity,
                            f"Unknown key '{value.key}' looks like '{guess}': {check.hint}",
                            value.line,
                        )
                    )
            return findings

        return run

    def _pattern_check(self, check: CheckDefinition, severity: Severity) -> CheckFn:

        spec = check.pattern
        assert spec is not None and check.message is not None
        flags = re.I if spec.ignore_case else 0
        source = spec.must_match if spec.must_match is not None else spec.must_not_match
        assert source is not None
        regex = re.compile(source, flags)
        want_match = spec.must_match is not None
        field = normalise_key(spec.field)
        message = check.message

        def run(view: ItemView) -> list[Finding]:
            item = view.item
            if field == "title":
                text, line = item.title, item.title_line or item.location.line
            elif field in item.fields:
                text, line = item.fields[field].text, item.fields[field].line
            else:
                return []
            if bool(regex.search(text)) != want_match:
                return [Finding(check.id, severity, f"{message}: {check.hint}", line)]
            return []

        return run


def _applies(check: CheckDefinition, view: ItemView) -> bool:
    scope = check.applies_to
    if scope is None:
        return True
    kind = view.item.type.lower()
    if scope.types and kind not in {t.lower() for t in scope.types}:
        return False
    if kind in {t.lower() for t in scope.exclude_types}:
        return False
    status = (view.item.status or "").lower()
    return not (scope.statuses and status not in {s.lower() for s in scope.statuses})


def _find_answer(
    view: ItemView, names: tuple[str, ...], section_names: tuple[str, ...], story: bool
) -> Answer | None:
    """A dedicated field wins over a description section, which wins over a user story."""
    item = view.item
    for name in names:
        value = item.fields.get(name)
        if value is not None:
            return Answer(value.text, value.line, f"field '{value.key}'")
    if item.description:
        found = view.sections
        for name in section_names:
            section = found.get(name)
            if section is not None:
                return Answer(section.text, view.section_line(section), "the description section")
    if story:
        candidates: list[tuple[str, int | None]] = [(item.title, item.title_line)]
        for key in _STORY_FIELDS:
            if key in item.fields:
                candidates.append((item.fields[key].text, item.fields[key].line))
        if item.description:
            candidates.append((item.description, item.description_line))
        for text, line in candidates:
            found_story = user_story(text)
            if found_story is not None:
                summary = f"As {found_story.role}, I want {found_story.goal}"
                return Answer(summary, line, "the user story", structured=True)
    return None


def _near_miss(
    item: BacklogItem, names: frozenset[str], known: frozenset[str]
) -> tuple[str, str] | None:
    for norm, value in item.fields.items():
        if norm not in known:
            guess = suggest(norm, names)
            if guess is not None:
                return value.key, guess
    return None


# -- examples -------------------------------------------------------------------------------

_FILLER = {
    "id": "EXAMPLE-NEXT",
    "title": "The item ranked after the example",
}


def example_items(example: Example) -> list[BacklogItem]:
    """The example item in a small backlog: followed by a filler item unless ``last`` is set."""
    from readylint.sources.yaml_files import read_text

    documents = [example.item] if example.last else [example.item, _FILLER]
    items, errors = read_text(yaml.safe_dump(documents, sort_keys=False), "<example>")
    if errors:
        raise ValueError(f"example item is invalid: {errors[0]}")
    return items


def example_findings(engine: Engine, check_id: str, example: Example) -> list[Finding]:
    """Findings of one check on an example item."""
    items = example_items(example)
    (result,) = engine.run(items, report=[0])
    return [f for f in result.findings if f.check == check_id]
