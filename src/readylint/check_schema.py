"""The schema of check files: pydantic models that validate a check file once.

Only ``definitions.load_check`` imports this module, and only when the validation cache
(``cache.py``) has no entry for the file: a run on a warm cache never imports pydantic. The
models here decide what a valid check file is and how its errors read; ``definitions.py`` holds
the plain records the engine uses, one per model, with the same fields and defaults
(``tests/test_startup_cache.py`` keeps the two in step).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from readylint.errors import CheckDefinitionError, ReadylintError
from readylint.linear import linear_problem
from readylint.models import Severity
from readylint.paths import display_path
from readylint.validation import describe
from readylint.yamlio import load_document

_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _linear(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        problem = linear_problem(pattern)
        if problem is not None:
            raise ValueError(problem)
    return patterns


class Flag(_Strict):
    """A phrase that, in an answer with no evidence, shows the answer does not answer."""

    name: str = Field(min_length=1, description="Short name, e.g. 'vague'.")
    phrases: tuple[str, ...] = Field(default=(), description="Literal phrases, whole words.")
    patterns: tuple[str, ...] = Field(default=(), description="Regular expressions (linear).")
    says: str = Field(min_length=1, description="What the answer does wrong, e.g. 'is vague'.")
    whole: bool = Field(
        default=False,
        description="Only when the phrase is (nearly) the whole answer, e.g. 'no trade-off'.",
    )

    @field_validator("patterns")
    @classmethod
    def _linear_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _linear(value)

    @model_validator(mode="after")
    def _something(self) -> Flag:
        if not self.phrases and not self.patterns:
            raise ValueError(f"flag '{self.name}' needs 'phrases' or 'patterns'")
        return self


class JudgeSpec(_Strict):
    """How an answer that exists is judged: evidence that makes it concrete, flags that don't.

    An answer with any ``evidence`` match passes. Otherwise the first ``flags`` entry that matches
    gives the finding (quoting the phrase); otherwise, with ``require_evidence``, the finding
    says what was looked for.
    """

    evidence: tuple[str, ...] = Field(default=(), description="Regexes; a match is concrete.")
    looked_for: str = Field(min_length=1, description="What counts as evidence, for messages.")
    ask: str = Field(min_length=1, description="What to add, e.g. 'by how much, by when?'.")
    flags: tuple[Flag, ...] = ()
    require_evidence: bool = True
    restates_title: bool = Field(
        default=False, description="An answer that only repeats the title's words is flagged."
    )
    name_successors: bool = Field(
        default=False, description="Naming an item ranked after this one counts as evidence."
    )
    stale: bool = Field(
        default=False,
        description="Item ids named as coming after this item must be ranked after it and exist.",
    )
    compare_with: int = Field(default=3, ge=1, le=20)
    item_id: str = Field(
        default=r"\b[A-Z][A-Z0-9_]{0,15}-[0-9]{1,9}\b",
        description="The shape of an item id in answer text.",
    )
    predecessor: tuple[str, ...] = Field(
        default=(),
        description="Regexes just before an id naming it as coming first ('after', 'lower than').",
    )
    successor: tuple[str, ...] = Field(
        default=(),
        description="Regexes just before an id naming it as coming after ('before', 'ahead of').",
    )
    successor_after: tuple[str, ...] = Field(
        default=(),
        description="Regexes just after an id naming it as coming after ('depends on this').",
    )

    @field_validator("evidence", "predecessor", "successor", "successor_after")
    @classmethod
    def _linear_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _linear(value)

    @field_validator("item_id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        _linear((value,))
        return value


class ProseSpec(_Strict):
    """How to find an answer in description prose when no field or section gives it.

    A sentence answers when it matches one of ``cues`` anywhere, or one of ``lead_cues`` within
    the first ``lead`` sentences, and matches none of ``traps``. A sentence matching one of
    ``denials`` says the question does not apply ("Nothing changes for users"): then the prose
    gives no answer at all.
    """

    cues: tuple[str, ...] = ()
    lead_cues: tuple[str, ...] = ()
    lead: int = Field(default=2, ge=0, le=20)
    traps: tuple[str, ...] = Field(
        default=(), description="Regexes: a sentence matching one is not an answer."
    )
    denials: tuple[str, ...] = Field(
        default=(), description="Regexes: a sentence matching one means no answer in prose."
    )
    sentences: int = Field(default=2, ge=1, le=5, description="How many sentences to quote.")

    @field_validator("cues", "lead_cues", "traps", "denials")
    @classmethod
    def _linear_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _linear(value)

    @model_validator(mode="after")
    def _some_cue(self) -> ProseSpec:
        if not self.cues and not self.lead_cues:
            raise ValueError("prose needs 'cues' or 'lead_cues'")
        return self


class BoilerplateSpec(_Strict):
    """Parameters of the ``boilerplate`` kind."""

    min_items: int = Field(default=3, ge=2, description="Items sharing a text before it counts.")
    similarity: float = Field(
        default=0.7, gt=0.0, le=1.0, description="Estimated Jaccard similarity of 3-word shingles."
    )
    min_words: int = Field(
        default=4, ge=1, description="Shorter answers are grouped only when identical."
    )
    template: tuple[str, ...] = Field(
        default=(), description="Regexes for template text left in an answer ('As a [user]')."
    )

    @field_validator("template")
    @classmethod
    def _linear_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _linear(value)


class AnswerSpec(_Strict):
    """Where an answer may be found and how much of it is enough."""

    field: str = Field(description="The canonical field name, e.g. trade_off.")
    label: str = Field(description="How messages name the answer, e.g. 'trade-off'.")
    aliases: tuple[str, ...] = ()
    headings: tuple[str, ...] = Field(
        default=(), description="Extra description headings/labels beyond the field and aliases."
    )
    min_words: int = Field(default=4, ge=1)
    user_story: bool = Field(
        default=False, description="A user story sentence (title, description, story) answers it."
    )
    judge: JudgeSpec | None = None
    prose: ProseSpec | None = None


class PatternSpec(_Strict):
    field: str = "title"
    must_match: str | None = None
    must_not_match: str | None = None
    ignore_case: bool = True

    @model_validator(mode="after")
    def _one_pattern(self) -> PatternSpec:
        if (self.must_match is None) == (self.must_not_match is None):
            raise ValueError("give exactly one of 'must_match' and 'must_not_match'")
        for pattern in (self.must_match, self.must_not_match):
            if pattern is not None:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return self


class AppliesTo(_Strict):
    """Restrict a check to some item types or statuses (matched case-insensitively)."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()


class Example(_Strict):
    item: dict[str, Any]
    expect: str | None = Field(default=None, description="Text the failing message contains.")
    last: bool = Field(default=False, description="Run the example as the last backlog item.")
    before: tuple[dict[str, Any], ...] = Field(
        default=(), description="Items ranked above the example item."
    )
    after: tuple[dict[str, Any], ...] | None = Field(
        default=None, description="Items ranked below it (default: one filler item)."
    )
    note: str | None = None


class Examples(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    passing: tuple[Example, ...] = Field(alias="pass", min_length=1)
    failing: tuple[Example, ...] = Field(alias="fail", min_length=1)


class CheckDefinition(_Strict):
    id: str
    title: str = Field(min_length=1)
    question: str = Field(min_length=1)
    kind: Literal["answer", "key-names", "pattern", "boilerplate"]
    severity: Severity = "error"
    hint: str = Field(min_length=1, description="What to write, in the imperative.")
    rationale: str = Field(min_length=1)
    link: str | None = None
    answer: AnswerSpec | None = None
    pattern: PatternSpec | None = None
    boilerplate: BoilerplateSpec | None = None
    message: str | None = Field(default=None, description="Message for the pattern kind.")
    exempt_last: bool = Field(default=False, description="The last backlog item is exempt.")
    order: int = Field(default=1000, description="Position in listings and reports; lower first.")
    applies_to: AppliesTo | None = None
    examples: Examples

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(
                "must be lower-case words joined by hyphens, e.g. 'acceptance-criteria'"
            )
        return value

    @model_validator(mode="after")
    def _kind_parameters(self) -> CheckDefinition:
        if self.kind == "answer" and self.answer is None:
            raise ValueError("kind 'answer' needs an 'answer:' mapping")
        if self.kind == "pattern" and (self.pattern is None or self.message is None):
            raise ValueError("kind 'pattern' needs 'pattern:' and 'message:'")
        if self.kind != "answer" and self.answer is not None:
            raise ValueError(f"'answer:' is only valid for kind 'answer', not '{self.kind}'")
        if self.kind != "pattern" and self.pattern is not None:
            raise ValueError(f"'pattern:' is only valid for kind 'pattern', not '{self.kind}'")
        if self.kind == "boilerplate" and self.boilerplate is None:
            raise ValueError("kind 'boilerplate' needs a 'boilerplate:' mapping")
        if self.kind != "boilerplate" and self.boilerplate is not None:
            raise ValueError(
                f"'boilerplate:' is only valid for kind 'boilerplate', not '{self.kind}'"
            )
        return self


_KNOWN: dict[tuple[str | int, ...], tuple[str, ...]] = {
    (): tuple(CheckDefinition.model_fields),
    ("answer",): tuple(AnswerSpec.model_fields),
    ("pattern",): tuple(PatternSpec.model_fields),
    ("applies_to",): tuple(AppliesTo.model_fields),
    ("answer", "judge"): tuple(JudgeSpec.model_fields),
    ("answer", "prose"): tuple(ProseSpec.model_fields),
    ("boilerplate",): tuple(BoilerplateSpec.model_fields),
    ("examples",): ("pass", "fail"),
}


def validate_check(path: Path) -> dict[str, Any]:
    """Load and validate one check file; its plain data (``model_dump``) for the records.

    Errors name the file and line.
    """
    shown = display_path(path)
    try:
        data, lines = load_document(path)
    except ReadylintError as exc:
        raise CheckDefinitionError(exc.message, path=exc.path, line=exc.line) from None
    if not isinstance(data, dict):
        raise CheckDefinitionError(
            "a check file must be a mapping of keys to values", path=shown, line=1
        )
    try:
        check = CheckDefinition.model_validate(data)
    except ValidationError as exc:
        message, line = describe(exc, lines, _KNOWN)
        raise CheckDefinitionError(message, path=shown, line=line) from None
    if check.id != path.stem:
        raise CheckDefinitionError(
            f"id '{check.id}' must equal the file name '{path.stem}'",
            path=shown,
            line=lines.get(("id",)),
        )
    return check.model_dump()
