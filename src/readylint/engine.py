"""The engine: interprets check definitions over items in backlog order and returns findings.

The engine knows nothing of where items came from or how findings are shown. Each check kind is
a small function; a check definition picks one and supplies its data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from readylint import boilerplate
from readylint.definitions import AnswerSpec, CheckDefinition, Example
from readylint.judge import Judge, ProseFinder, prose_sentences, restates
from readylint.keys import CORE_KEYS, normalise_key, suggest
from readylint.linear import compile_linear
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
    prose: bool = False  # found by cue phrases in description prose, not in a labelled place


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """Per-run options of one check (from the config and the command line)."""

    strict: bool | None = None  # None: the run's --strict decides
    compare_with: int | None = None
    require_labels: bool = False


class RunContext:
    """What cross-item checks need, built once per run and shared by all items.

    ``positions`` maps each id to its first 0-based position; ``report`` holds the positions
    being reported. Everything is built lazily in one pass, so per-item cost does not grow with
    the size of the backlog.
    """

    __slots__ = ("_positions", "_prefixes", "_views", "cache", "items", "known_sections", "report")

    def __init__(
        self, items: Sequence[BacklogItem], report: Iterable[int], known_sections: frozenset[str]
    ) -> None:
        self.items = items
        self.report = frozenset(report)
        self.known_sections = known_sections
        self.cache: dict[str, Any] = {}
        self._positions: dict[str, int] | None = None
        self._prefixes: frozenset[str] | None = None
        self._views: dict[int, ItemView] = {}

    @property
    def positions(self) -> dict[str, int]:
        if self._positions is None:
            positions: dict[str, int] = {}
            for index, item in enumerate(self.items):
                positions.setdefault(item.id, index)
            self._positions = positions
        return self._positions

    @property
    def prefixes(self) -> frozenset[str]:
        """Id prefixes used in the backlog ("PAY" for PAY-140): ids elsewhere are external."""
        if self._prefixes is None:
            self._prefixes = frozenset(_prefix(i) for i in self.positions)
        return self._prefixes

    def successors(self, index: int, count: int) -> list[BacklogItem]:
        return list(self.items[index + 1 : index + 1 + count])

    def view(self, index: int) -> ItemView:
        view = self._views.get(index)
        if view is None:
            view = ItemView(self.items[index], index, len(self.items), self.known_sections, self)
            self._views[index] = view
        return view


def _prefix(item_id: str) -> str:
    return item_id.rpartition("-")[0]


class ItemView:
    """One item plus lazily computed, cached derived data shared by all checks."""

    __slots__ = ("_prose", "_sections", "context", "index", "item", "known_sections", "total")

    def __init__(
        self,
        item: BacklogItem,
        index: int,
        total: int,
        known_sections: frozenset[str],
        context: RunContext | None = None,
    ) -> None:
        self.item = item
        self.index = index
        self.total = total
        self.known_sections = known_sections
        self.context = context or RunContext([item], [0], known_sections)
        self._sections: dict[str, Section] | None = None
        self._prose: list[str] | None = None

    @property
    def prose(self) -> list[str]:
        """The description's prose sentences (code, logs and stack traces removed)."""
        if self._prose is None:
            description = self.item.description
            self._prose = prose_sentences(description) if description else []
        return self._prose

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
        options: dict[str, CheckOptions] | None = None,
        strict: bool = False,
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
        self._options = options or {}
        self._strict = strict
        # Answer checks whose answers the boilerplate kind compares: (field, label, names).
        self._answers: list[tuple[AnswerSpec, tuple[str, ...], tuple[str, ...]]] = []
        for check in everything:
            if check.answer is not None:
                spec = check.answer
                names = spec.names(aliases.get(normalise_key(spec.field), ()))
                headings = (*names, *(heading_key(h) for h in spec.headings))
                self._answers.append((spec, names, tuple(dict.fromkeys(headings))))
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
        indices = list(range(total) if report is None else report)
        context = RunContext(items, indices, self.known_sections)
        results: list[ItemResult] = []
        for index in indices:
            view = context.view(index)
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
        if check.kind == "boilerplate":
            return self._boilerplate_check(check, severity)
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
        names_set = frozenset(names)
        options = self._options.get(check_id, CheckOptions())
        finder = ProseFinder(spec.prose) if spec.prose is not None else None
        places = [f"a '{spec.label.capitalize()}' heading or label"]
        if spec.user_story:
            places.append("a user story")
        if finder is not None:
            places.append("its cue phrases in the prose")
        looked = f"looked for field '{names[0]}' or an alias; in the description, {_join(places)}"
        judge = Judge(spec.judge) if spec.judge is not None else None
        avoid_title = spec.judge is not None and spec.judge.restates_title
        strict = options.strict if options.strict is not None else self._strict
        compare_with = options.compare_with or (spec.judge.compare_with if spec.judge else 3)

        def run(view: ItemView) -> list[Finding]:
            if check.exempt_last and view.index == view.total - 1:
                return []
            answer = _find_answer(view, names, section_names, spec.user_story)
            if answer is None and finder is not None and view.item.description:
                hit = finder.find(view.prose, view.item.title if avoid_title else None)
                if hit is not None:
                    answer = Answer(
                        hit.text,
                        view.item.description_line,
                        f"the description prose (found in prose: '{_excerpt(hit.text)}')",
                        prose=True,
                    )
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
            if slot is None and (answer.structured or spec.user_story):
                story = text if answer.structured else user_story(text)
                if story is not None:  # a story template left unfilled: "As a [user], ..."
                    template = _TEMPLATE_SLOT.search(
                        story if isinstance(story, str) else f"{story.role} {story.goal}"
                    )
                    slot = template.group(0) if template else None
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
            findings: list[Finding] = []
            if answer.prose and options.require_labels:
                findings.append(
                    Finding(
                        check_id,
                        "warning",
                        f"The {label} is only in the description prose ('{_excerpt(text)}'): "
                        f"put it in field '{names[0]}' or under a '{label.capitalize()}:' label",
                        answer.line,
                    )
                )
            if judge is not None and not answer.structured:
                findings.extend(_judged(judge, view, answer, text, strict, compare_with))
            return findings

        def _judged(
            judge: Judge,
            view: ItemView,
            answer: Answer,
            text: str,
            strict: bool,
            compare_with: int,
        ) -> list[Finding]:
            rules = judge.spec
            found: list[Finding] = []
            where = answer.where
            if not answer.prose:  # prose answers were cleaned before they were found
                text = " ".join(prose_sentences(text))
                if not text:
                    return [
                        Finding(
                            check_id,
                            "warning",
                            f"The {label} in {where} holds only code, log lines or a stack "
                            f"trace; looked for {rules.looked_for}: {rules.ask}",
                            answer.line,
                        )
                    ]
            named_after: set[str] = set()
            if rules.stale or rules.name_successors:
                stale: list[str] = []
                context = view.context
                for ref in judge.references(text):
                    if ref.item_id == view.item.id:
                        continue
                    position = context.positions.get(ref.item_id)
                    here = view.index + 1
                    if position is None:
                        if _prefix(ref.item_id) in context.prefixes:
                            stale.append(f"{ref.item_id} is not in the backlog")
                    elif ref.role == "first" and position > view.index:
                        stale.append(
                            f"{ref.item_id} is named as coming first but is ranked "
                            f"{position + 1}, below this item ({here})"
                        )
                    elif ref.role == "after" and position < view.index:
                        stale.append(
                            f"{ref.item_id} is named as coming after this item but is ranked "
                            f"{position + 1}, above it ({here})"
                        )
                    elif position > view.index:
                        named_after.add(ref.item_id)
                if stale and rules.stale:
                    found.append(
                        Finding(
                            check_id,
                            severity,
                            f"Stale {label} in {where}: {'; '.join(stale)}: rewrite it for the "
                            "current order, or move the items",
                            answer.line,
                        )
                    )
            following = (
                view.context.successors(view.index, compare_with) if rules.name_successors else []
            )
            next_ids = ", ".join(i.id for i in following)
            ask = rules.ask + (f" (the next items are {next_ids})" if next_ids else "")
            problem: str | None = None
            denial = judge.flag(text, whole=True)
            if denial is not None:
                problem = f"{denial[0].says} ('{denial[1]}')"
            elif not named_after and judge.evidence(text) is None:
                if rules.restates_title and restates(text, view.item.title):
                    problem = f"only restates the title ('{_excerpt(view.item.title)}')"
                else:
                    flagged = judge.flag(text, whole=False)
                    if flagged is not None:
                        problem = f"{flagged[0].says} ('{flagged[1]}')"
                    elif rules.require_evidence:
                        problem = "is not concrete"
            if problem is not None:
                found.append(
                    Finding(
                        check_id,
                        "warning",
                        f"The {label} in {where} {problem}; looked for {rules.looked_for}: {ask}",
                        answer.line,
                    )
                )
            elif strict and rules.name_successors and len(named_after) < len(following):
                found.append(
                    Finding(
                        check_id,
                        "warning",
                        f"The {label} in {where} names {len(named_after)} of the items after "
                        f"it; compare it with the next {len(following)}: {next_ids}",
                        answer.line,
                    )
                )
            return found

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
        regex = compile_linear(source, flags)  # validated on load; refuse here too
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

    def _boilerplate_check(self, check: CheckDefinition, severity: Severity) -> CheckFn:
        spec = check.boilerplate
        assert spec is not None
        templates = [compile_linear(p) for p in spec.template]
        answers = self._answers

        def groups(context: RunContext) -> dict[int, list[Finding]]:
            entries: list[boilerplate.Entry] = []
            by_position: dict[int, list[Finding]] = {}
            labels: dict[str, str] = {}
            for position in range(len(context.items)):
                view = context.view(position)
                for answer_spec, names, section_names in answers:
                    answer = _find_answer(view, names, section_names, story=False)
                    if answer is None or placeholder(answer.text) is not None:
                        continue
                    labels[answer_spec.field] = answer_spec.label
                    entries.append(
                        boilerplate.Entry(answer_spec.field, position, answer.text, answer.line)
                    )
                    if position in context.report:
                        for template in templates:
                            left = template.search(answer.text)
                            if left is not None:
                                by_position.setdefault(position, []).append(
                                    Finding(
                                        check.id,
                                        severity,
                                        f"Template text left in the {answer_spec.label} in "
                                        f"{answer.where} ('{left.group(0)}'): {check.hint}",
                                        answer.line,
                                    )
                                )
                                break
            for group in boilerplate.groups(
                entries,
                min_items=spec.min_items,
                threshold=spec.similarity,
                min_words=spec.min_words,
            ):
                reporter = next((e for e in group if e.position in context.report), None)
                if reporter is None:
                    continue
                ids = list(dict.fromkeys(context.items[e.position].id for e in group))
                exact = len({boilerplate.normalise(e.text) for e in group}) == 1
                how = "the same" if exact else "nearly the same"
                by_position.setdefault(reporter.position, []).append(
                    Finding(
                        check.id,
                        severity,
                        f"Boilerplate {labels[reporter.key]}: {len(ids)} items use {how} text "
                        f"('{_excerpt(reporter.text)}'): {', '.join(ids)}: {check.hint}",
                        reporter.line,
                    )
                )
            return by_position

        def run(view: ItemView) -> list[Finding]:
            cached = view.context.cache.get(check.id)
            if cached is None:
                cached = groups(view.context)
                view.context.cache[check.id] = cached
            found: list[Finding] = cached.get(view.index, [])
            return found

        return run


_TEMPLATE_SLOT = re.compile(r"<[^<>\n]{1,80}>|\[[^\[\]\n]{1,80}\](?!\()|\{\{[^{}\n]{1,80}\}\}")


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


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
    """The example item in a small backlog: ``before`` items, the item, then ``after`` items
    (by default one filler item, none when ``last`` is set)."""
    from readylint.sources.yaml_files import read_text

    after = list(example.after) if example.after is not None else [_FILLER]
    documents = [*example.before, example.item, *([] if example.last else after)]
    items, errors = read_text(yaml.safe_dump(documents, sort_keys=False), "<example>")
    if errors:
        raise ValueError(f"example item is invalid: {errors[0]}")
    return items


def example_findings(engine: Engine, check_id: str, example: Example) -> list[Finding]:
    """Findings of one check on an example item."""
    items = example_items(example)
    (result,) = engine.run(items, report=[len(example.before)])
    return [f for f in result.findings if f.check == check_id]


def _join(parts: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
