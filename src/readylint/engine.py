"""The engine: interprets check definitions over items in backlog order and returns findings.

The engine knows nothing of where items came from or how findings are shown. Each check kind is
a small function; a check definition picks one and supplies its data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from readylint import boilerplate
from readylint.definitions import AnswerSpec, CheckDefinition, Example
from readylint.itemtable import item_ids
from readylint.judge import Judge, ProseFinder, any_linear, prose_sentences, restates
from readylint.keys import CORE_KEYS, normalise_key, suggest
from readylint.linear import compile_linear
from readylint.models import BacklogItem, Finding, ItemResult, Severity
from readylint.text import (
    Section,
    heading_key,
    indefinite,
    placeholder,
    sections,
    user_story,
    word_count,
)

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
    """What the second pass needs of the whole backlog: ids in order, positions, and what is
    reported. Built once per run, so per-item cost does not grow with the backlog."""

    __slots__ = ("_positions", "_prefixes", "cache", "ids", "report")

    def __init__(self, ids: Sequence[str], report: Iterable[int]) -> None:
        self.ids = ids
        self.report = frozenset(report)
        self.cache: dict[str, Any] = {}
        self._positions: dict[str, int] | None = None
        self._prefixes: frozenset[str] | None = None

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def positions(self) -> dict[str, int]:
        if self._positions is None:
            positions: dict[str, int] = {}
            for index, ident in enumerate(self.ids):
                positions.setdefault(ident, index)
            self._positions = positions
        return self._positions

    @property
    def prefixes(self) -> frozenset[str]:
        """Id prefixes used in the backlog ("PAY" for PAY-140): ids elsewhere are external."""
        if self._prefixes is None:
            self._prefixes = frozenset(_prefix(i) for i in self.positions)
        return self._prefixes

    def successors(self, index: int, count: int) -> Sequence[str]:
        return self.ids[index + 1 : index + 1 + count]


def _prefix(item_id: str) -> str:
    return item_id.rpartition("-")[0]


class ItemView:
    """One item plus lazily computed, cached derived data shared by all checks."""

    __slots__ = ("_answers", "_placeholders", "_prose", "_sections", "item", "known_sections")

    def __init__(self, item: BacklogItem, known_sections: frozenset[str]) -> None:
        self.item = item
        self.known_sections = known_sections
        self._sections: dict[str, Section] | None = None
        self._prose: list[str] | None = None
        self._answers: dict[tuple[tuple[str, ...], bool], Answer | None] = {}
        self._placeholders: dict[str, str | None] = {}

    def answer(
        self, names: tuple[str, ...], section_names: tuple[str, ...], story: bool
    ) -> Answer | None:
        """``_find_answer``, once per item for each question (several checks ask the same)."""
        key = (section_names, story)
        if key in self._answers:
            return self._answers[key]
        found = self._answers[key] = _find_answer(self, names, section_names, story)
        return found

    def placeholder(self, text: str) -> str | None:
        """``text.placeholder``, once per answer text."""
        if text in self._placeholders:
            return self._placeholders[text]
        found = self._placeholders[text] = placeholder(text)
        return found

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


@dataclass(slots=True)
class Pending:
    """An answer check's facts about one item whose verdict depends on the backlog order (which
    items come after it): found in the first pass, decided in the second."""

    findings: list[Finding]  # findings that hold whatever the order
    where: str
    line: int | None
    references: tuple[tuple[str, str | None], ...]  # (item id, "first" | "after" | None)
    denial: str | None  # a whole-answer flag ("no trade-off"), as the problem it shows
    evidence: bool
    restates: str | None  # "only restates the title (...)" when it does
    flagged: str | None  # a partial flag, as the problem it shows


CheckResult = list[Finding] | Pending
# The one empty result every digest shares (a large backlog keeps a digest per item); nothing
# appends to a check's result after the first pass, so sharing it is safe.
_NOTHING: list[Finding] = []


@dataclass(slots=True)
class Digest:
    """One item after the first pass: each active check's result (in the engine's check order)
    and the prints of its answers for the cross-item boilerplate check. Holds no item text."""

    results: list[CheckResult | None]  # None: the check does not apply to this item
    prints: tuple[boilerplate.Print, ...] = ()

    def moved(self, lines: int) -> Digest:
        """This digest for the same item written ``lines`` lines further down (up if below 0):
        the first pass puts the item's lines in findings and prints, never in their texts."""
        if not lines:
            return self

        def at(line: int | None) -> int | None:
            return None if line is None else line + lines

        def findings(found: Iterable[Finding]) -> list[Finding]:
            return [Finding(f.check, f.severity, f.message, at(f.line)) for f in found]

        results: list[CheckResult | None] = []
        for result in self.results:
            if isinstance(result, Pending):
                result = Pending(
                    findings(result.findings),
                    result.where,
                    at(result.line),
                    result.references,
                    result.denial,
                    result.evidence,
                    result.restates,
                    result.flagged,
                )
            elif result:
                result = findings(result)
            results.append(result)
        prints = tuple(
            boilerplate.Print(p.key, p.packed, at(p.line), p.excerpt) for p in self.prints
        )
        return Digest(results, prints)


CheckFn = Callable[[ItemView], CheckResult]
# The second pass of a check: its first-pass result, the item's position, the whole run.
FinishFn = Callable[[CheckResult, int, RunContext], list[Finding]]


def _as_is(result: CheckResult, index: int, context: RunContext) -> list[Finding]:
    assert isinstance(result, list)
    return result


@dataclass(frozen=True, slots=True)
class ActiveCheck:
    definition: CheckDefinition
    severity: Severity
    run: CheckFn
    finish: FinishFn = _as_is

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
        # Everything the engine is built from, for the key of kept results (filecache.py).
        self.inputs = (
            tuple(checks),
            tuple(everything),
            severities,
            min_words,
            aliases,
            self._options,
            strict,
        )
        self.checks = [
            ActiveCheck(c, sev, *self._build(c, sev, min_words.get(c.id)))
            for c in checks
            for sev in (severities.get(c.id, c.severity),)
        ]
        self._boilerplate = next(
            (c.definition.boilerplate for c in self.checks if c.definition.boilerplate), None
        )

    # -- running ---------------------------------------------------------------------------

    def run(
        self, items: Sequence[BacklogItem], report: Iterable[int] | None = None
    ) -> list[ItemResult]:
        """Findings for the items at the ``report`` positions (all by default), in that order.

        ``items`` is the whole backlog in order: checks that look across items see all of it.
        """
        indices = list(range(len(items)) if report is None else report)
        wanted = set(indices)
        digests = [
            self.digest(item) if index in wanted else self.digest(item, prints_only=True)
            for index, item in enumerate(items)
        ]
        return self.finish(items, digests, indices)

    def digest(self, item: BacklogItem, *, prints_only: bool = False) -> Digest:
        """The first pass over one item: everything that does not depend on the other items.

        With ``prints_only``, only what the cross-item checks need (for unreported items).
        """
        view = ItemView(item, self.known_sections)
        results: list[CheckResult | None] = (
            []
            if prints_only
            else [
                (check.run(view) or _NOTHING) if _applies(check.definition, view) else None
                for check in self.checks
            ]
        )
        spec = self._boilerplate
        if spec is None:
            return Digest(results)
        prints: list[boilerplate.Print] = []
        for answer_spec, names, section_names in self._answers:
            answer = view.answer(names, section_names, False)
            if answer is None or view.placeholder(answer.text) is not None:
                continue
            found = boilerplate.fingerprint(
                answer_spec.field,
                answer.text,
                answer.line,
                min_words=spec.min_words,
                excerpt=_excerpt(answer.text),
            )
            if found is not None:
                prints.append(found)
        return Digest(results, tuple(prints))

    def finish(
        self, items: Sequence[BacklogItem], digests: Sequence[Digest], report: Iterable[int]
    ) -> list[ItemResult]:
        """The second pass: decide what depends on the backlog order, for the reported items.

        ``items`` and ``digests`` are the whole backlog in order; ``report`` the positions wanted.
        ``finish_rows`` is the same one item at a time, and can take prints already grouped.
        """
        return [
            ItemResult(items[index], index + 1, findings)
            for index, findings in self.finish_rows(items, digests, report)
        ]

    def finish_rows(
        self,
        items: Sequence[BacklogItem],
        digests: Sequence[Digest],
        report: Iterable[int],
        *,
        prints: boilerplate.PrintTable | None = None,
        positions: Sequence[int] | None = None,
        jobs: int = 1,
    ) -> Iterator[tuple[int, list[Finding]]]:
        """``finish`` as (position, findings), one reported item at a time, without the item
        itself: a large run packs these (``results.PackedResults.of``) and builds its items again
        only to report them. The digests' prints are grouped, unless ``prints`` holds them
        already (``pipeline.py``): item k of that table is at backlog position ``positions[k]``.
        ``jobs`` above 1 allows a forked process to share the grouping (no other thread runs)."""
        indices = list(report)
        context = RunContext(item_ids(items), indices)
        context.cache["digests"] = digests
        context.cache["jobs"] = jobs
        if prints is not None:
            context.cache["prints"] = prints
            context.cache["positions"] = positions
        last = len(items) - 1
        for index in indices:
            findings: list[Finding] = []
            for check, result in zip(self.checks, digests[index].results, strict=True):
                if result is None or (check.definition.exempt_last and index == last):
                    continue
                findings.extend(check.finish(result, index, context))
            yield index, findings

    # -- building check functions -----------------------------------------------------------

    def _build(
        self, check: CheckDefinition, severity: Severity, min_words: int | None
    ) -> tuple[CheckFn, FinishFn]:
        if check.kind == "answer":
            return self._answer_check(check, severity, min_words)
        if check.kind == "key-names":
            return self._key_names_check(check, severity), _as_is
        if check.kind == "boilerplate":
            return self._boilerplate_check(check, severity)
        return self._pattern_check(check, severity), _as_is

    def _answer_check(
        self, check: CheckDefinition, severity: Severity, min_words_override: int | None
    ) -> tuple[CheckFn, FinishFn]:
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
        quoted = f"'{label.capitalize()}'"
        quoted_colon = f"'{label.capitalize()}:'"
        places = [f"{indefinite(quoted)} heading or label"]
        if spec.user_story:
            places.append("a user story")
        if finder is not None:
            places.append("its cue phrases in the prose")
        looked = f"looked for field '{names[0]}' or an alias; in the description, {_join(places)}"
        judge = Judge(spec.judge) if spec.judge is not None else None
        avoid_title = spec.judge is not None and spec.judge.restates_title
        strict = options.strict if options.strict is not None else self._strict
        compare_with = options.compare_with or (spec.judge.compare_with if spec.judge else 3)

        missing_message = f"Missing {label}: {hint} ({looked})"
        ordered = spec.judge is not None and (spec.judge.stale or spec.judge.name_successors)

        def run(view: ItemView) -> CheckResult:
            answer = view.answer(names, section_names, spec.user_story)
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
                        f"{missing_message}{extra}" if extra else missing_message,
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
            slot = view.placeholder(answer.text)
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
                count = word_count(text, at_least=minimum)
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
                        f"put it in field '{names[0]}' or under {indefinite(quoted_colon)} label",
                        answer.line,
                    )
                )
            if judge is not None and not answer.structured:
                judged = _judged(judge, view, answer, text)
                if isinstance(judged, Pending):
                    judged.findings[:0] = findings
                    return judged
                findings.extend(judged)
            return findings

        def _judged(judge: Judge, view: ItemView, answer: Answer, text: str) -> CheckResult:
            rules = judge.spec
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
            denial = judge.flag(text, whole=True)
            denied = f"{denial[0].says} ('{denial[1]}')" if denial is not None else None
            restated: str | None = None
            if denied is None and rules.restates_title and restates(text, view.item.title):
                restated = f"only restates the title ('{_excerpt(view.item.title)}')"
            evidence = denied is None and restated is None and judge.has_evidence(text)
            flagged: str | None = None
            if denied is None and restated is None and not evidence:
                partial = judge.flag(text, whole=False)
                flagged = f"{partial[0].says} ('{partial[1]}')" if partial else None
            facts = Pending(
                [],
                where,
                answer.line,
                tuple(
                    (ref.item_id, ref.role)
                    for ref in (judge.references(text) if ordered else ())
                    if ref.item_id != view.item.id
                ),
                denied,
                evidence,
                restated,
                flagged,
            )
            if ordered:
                return facts
            return decide(facts, -1, None)

        def decide(facts: Pending, index: int, context: RunContext | None) -> list[Finding]:
            """The verdict, given the item's position and the backlog (None: not needed)."""
            assert judge is not None
            rules = judge.spec
            found = list(facts.findings)
            where = facts.where
            named_after: set[str] = set()
            if context is not None and (rules.stale or rules.name_successors):
                stale: list[str] = []
                here = index + 1
                for ident, role in facts.references:
                    position = context.positions.get(ident)
                    if position is None:
                        if _prefix(ident) in context.prefixes:
                            stale.append(f"{ident} is not in the backlog")
                    elif role == "first" and position > index:
                        stale.append(
                            f"{ident} is named as coming first but is ranked "
                            f"{position + 1}, below this item ({here})"
                        )
                    elif role == "after" and position < index:
                        stale.append(
                            f"{ident} is named as coming after this item but is ranked "
                            f"{position + 1}, above it ({here})"
                        )
                    elif position > index:
                        named_after.add(ident)
                if stale and rules.stale:
                    found.append(
                        Finding(
                            check_id,
                            severity,
                            f"Stale {label} in {where}: {'; '.join(stale)}: rewrite it for the "
                            "current order, or move the items",
                            facts.line,
                        )
                    )
            following = (
                context.successors(index, compare_with)
                if context is not None and rules.name_successors
                else ()
            )
            next_ids = ", ".join(following)
            ask = rules.ask + (f" (the next items are {next_ids})" if next_ids else "")
            problem: str | None = None
            if facts.denial is not None:
                problem = facts.denial
            elif facts.restates is not None:
                # before evidence: "Users want to upload a logo" names users, yet only
                # restates the title "Let users upload a logo"
                problem = facts.restates
            elif not named_after and not facts.evidence:
                if facts.flagged is not None:
                    problem = facts.flagged
                elif rules.require_evidence:
                    problem = "is not concrete"
            if problem is not None:
                found.append(
                    Finding(
                        check_id,
                        "warning",
                        f"The {label} in {where} {problem}; looked for {rules.looked_for}: {ask}",
                        facts.line,
                    )
                )
            elif strict and rules.name_successors and len(named_after) < len(following):
                found.append(
                    Finding(
                        check_id,
                        "warning",
                        f"The {label} in {where} names {len(named_after)} of the items after "
                        f"it; compare it with the next {len(following)}: {next_ids}",
                        facts.line,
                    )
                )
            return found

        def finish(result: CheckResult, index: int, context: RunContext) -> list[Finding]:
            if isinstance(result, Pending):
                return decide(result, index, context)
            return result

        return run, finish

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

    def _boilerplate_check(
        self, check: CheckDefinition, severity: Severity
    ) -> tuple[CheckFn, FinishFn]:
        spec = check.boilerplate
        assert spec is not None
        templates = any_linear(spec.template)
        answers = self._answers
        labels = {answer_spec.field: answer_spec.label for answer_spec, _, _ in answers}

        def run(view: ItemView) -> CheckResult:
            """Template text left in an answer: a finding of this item alone."""
            found: list[Finding] = []
            for answer_spec, names, section_names in answers:
                answer = view.answer(names, section_names, False)
                if answer is None or view.placeholder(answer.text) is not None:
                    continue
                left = templates.search(answer.text) if templates else None
                if left is not None:
                    found.append(
                        Finding(
                            check.id,
                            severity,
                            f"Template text left in the {answer_spec.label} in "
                            f"{answer.where} ('{left.group(0)}'): {check.hint}",
                            answer.line,
                        )
                    )
            return found

        def groups(context: RunContext) -> dict[int, list[Finding]]:
            table: boilerplate.PrintTable | None = context.cache.get("prints")
            positions: Sequence[int] | None = context.cache.get("positions")
            if table is None:
                table = boilerplate.PrintTable()
                for digest in context.cache["digests"]:
                    table.add(digest.prints)
            reported: list[tuple[int, int, list[tuple[int, int]]]] = []
            for group in table.groups(
                min_items=spec.min_items,
                threshold=spec.similarity,
                positions=positions,
                jobs=context.cache.get("jobs", 1),
            ):
                reporter = next((e for e in group if e[0] in context.report), None)
                if reporter is not None:
                    reported.append((*reporter, group))
            excerpts = table.excerpts(index for _, index, _ in reported)
            by_position: dict[int, list[Finding]] = {}
            for position, index, group in reported:
                ids = list(dict.fromkeys(context.ids[at] for at, _ in group))
                exact = len({table.exact(member) for _, member in group}) == 1
                how = "the same" if exact else "nearly the same"
                by_position.setdefault(position, []).append(
                    Finding(
                        check.id,
                        severity,
                        f"Boilerplate {labels[table.key(index)]}: {len(ids)} items use {how} text "
                        f"('{excerpts[index]}'): {', '.join(ids)}: {check.hint}",
                        table.line(index),
                    )
                )
            return by_position

        def finish(result: CheckResult, index: int, context: RunContext) -> list[Finding]:
            assert isinstance(result, list)
            cached = context.cache.get(check.id)
            if cached is None:
                cached = groups(context)
                context.cache[check.id] = cached
            return [*result, *cached.get(index, ())]

        return run, finish


# "{{...}}" is a slot only when it holds words ("{{user}}"); "{{build.gradle}}" is Jira monospace.
_TEMPLATE_SLOT = re.compile(
    r"<[^<>\n]{1,80}>|\[[^\[\]\n]{1,80}\](?!\()|\{\{[A-Za-z][A-Za-z ]{0,79}\}\}"
)


def _excerpt(text: str, limit: int = 80) -> str:
    """The text on one line, cut to ``limit`` characters with "..." where it is longer."""
    if len(text) > 2 * limit:  # most answers: the head alone, flattened, is long enough
        # a prefix of the flattened text (a word cut short, or the white space dropped at its end)
        head = " ".join(text[: 2 * limit].split())
        if len(head) > limit:
            return head[: limit - 3].rstrip() + "..."
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
