"""Check definitions: YAML data interpreted by the engine's closed set of kinds.

Kinds:
- ``answer``: the item must answer a question in a field, a description section or (where
  allowed) a user story; the answer must not be a placeholder or thinner than ``min_words``.
- ``key-names``: warns about item keys that look like misspellings of known keys.
- ``pattern``: a field (or the title) must, or must not, match a regular expression.
- ``boilerplate``: the same or nearly the same answer text reused across items, and template
  text left in an answer.

An ``answer`` check may also judge what an answer says (``judge:``) and look for it in
description prose (``prose:``). Every regular expression in these must run in linear time
(see ``linear.py``); the lists live in the check files, not in code.

What a valid check file is, and how its errors read, is decided by the pydantic schema in
``check_schema.py``. The engine works on the plain, immutable records below (one per schema
model, same fields and defaults). ``load_check`` validates a file with the schema only when the
validation cache (``cache.py``) has no entry for exactly these bytes, so a warm run never imports
pydantic. The records are NamedTuples because a class costs a tenth of a dataclass to create at
import, which matters to a one-item run.
"""

# No ``from __future__ import annotations``: typing.NamedTuple compiles every string annotation
# (a ForwardRef each), which cost more than the rest of this module's import.

from pathlib import Path
from typing import Any, Literal, NamedTuple

from readylint import cache
from readylint.keys import normalise_key
from readylint.models import CheckInfo, Severity

KINDS = ("answer", "key-names", "pattern", "boilerplate")


class Flag(NamedTuple):
    """A phrase that, in an answer with no evidence, shows the answer does not answer."""

    name: str
    says: str  # what the answer does wrong, e.g. "is vague"
    phrases: tuple[str, ...] = ()  # literal phrases, whole words
    patterns: tuple[str, ...] = ()  # regular expressions (linear)
    whole: bool = False  # only when the phrase is (nearly) the whole answer


class JudgeSpec(NamedTuple):
    """How an answer that exists is judged: evidence that makes it concrete, flags that don't.

    An answer with any ``evidence`` match passes. Otherwise the first ``flags`` entry that matches
    gives the finding (quoting the phrase); otherwise, with ``require_evidence``, the finding
    says what was looked for. See ``check_schema.JudgeSpec`` for each field.
    """

    looked_for: str
    ask: str
    evidence: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    require_evidence: bool = True
    restates_title: bool = False
    name_successors: bool = False
    stale: bool = False
    compare_with: int = 3
    item_id: str = r"\b[A-Z][A-Z0-9_]{0,15}-[0-9]{1,9}\b"
    predecessor: tuple[str, ...] = ()
    successor: tuple[str, ...] = ()
    successor_after: tuple[str, ...] = ()


class ProseSpec(NamedTuple):
    """How to find an answer in description prose when no field or section gives it.

    A sentence answers when it matches one of ``cues`` anywhere, or one of ``lead_cues`` within
    the first ``lead`` sentences, and matches none of ``traps``.
    """

    cues: tuple[str, ...] = ()
    lead_cues: tuple[str, ...] = ()
    lead: int = 2
    traps: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()
    sentences: int = 2


class BoilerplateSpec(NamedTuple):
    """Parameters of the ``boilerplate`` kind."""

    min_items: int = 3
    similarity: float = 0.7
    min_words: int = 4
    template: tuple[str, ...] = ()


class AnswerSpec(NamedTuple):
    """Where an answer may be found and how much of it is enough."""

    field: str
    label: str
    aliases: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    min_words: int = 4
    user_story: bool = False
    judge: JudgeSpec | None = None
    prose: ProseSpec | None = None

    def names(self, extra_aliases: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Normalised field names, canonical first."""
        seen: dict[str, None] = {}
        for name in (self.field, *self.aliases, *extra_aliases):
            seen.setdefault(normalise_key(name), None)
        return tuple(seen)


class PatternSpec(NamedTuple):
    field: str = "title"
    must_match: str | None = None
    must_not_match: str | None = None
    ignore_case: bool = True


class AppliesTo(NamedTuple):
    """Restrict a check to some item types or statuses (matched case-insensitively)."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()


class Example(NamedTuple):
    item: dict[str, Any]
    expect: str | None = None  # text the failing message contains
    last: bool = False  # run the example as the last backlog item
    before: tuple[dict[str, Any], ...] = ()  # items ranked above the example item
    after: tuple[dict[str, Any], ...] | None = None  # items below it (default: one filler)
    note: str | None = None


class Examples(NamedTuple):
    passing: tuple[Example, ...]
    failing: tuple[Example, ...]


class CheckDefinition(NamedTuple):
    id: str
    title: str
    question: str
    kind: Literal["answer", "key-names", "pattern", "boilerplate"]
    hint: str
    rationale: str
    examples: Examples
    severity: Severity = "error"
    link: str | None = None
    answer: AnswerSpec | None = None
    pattern: PatternSpec | None = None
    boilerplate: BoilerplateSpec | None = None
    message: str | None = None  # message for the pattern kind
    exempt_last: bool = False  # the last backlog item is exempt
    order: int = 1000  # position in listings and reports; lower first
    applies_to: AppliesTo | None = None

    def info(self) -> CheckInfo:
        return CheckInfo(
            id=self.id,
            title=self.title,
            question=self.question.strip(),
            severity=self.severity,
            rationale=" ".join(self.rationale.split()),
            hint=self.hint,
        )

    def where(self) -> str:
        """Where the check looks, for ``explain`` and messages."""
        if self.kind == "boilerplate":
            return "the answers of every answer check, across all items"
        if self.answer is None:
            return (
                "item keys"
                if self.kind == "key-names"
                else f"field '{self.pattern.field if self.pattern else ''}'"
            )
        names = ", ".join(self.answer.names())
        story = (
            "; or a user story in the title, description or 'story' field"
            if self.answer.user_story
            else ""
        )
        prose = "; or cue phrases in the description prose" if self.answer.prose else ""
        return f"fields {names}; description headings or labels with those names{story}{prose}"


# Record fields that hold other records: one record, or a tuple of them (written ``(Kind,)``).
_NESTED: dict[type, dict[str, type | tuple[type]]] = {
    JudgeSpec: {"flags": (Flag,)},
    AnswerSpec: {"judge": JudgeSpec, "prose": ProseSpec},
    Examples: {"passing": (Example,), "failing": (Example,)},
    CheckDefinition: {
        "answer": AnswerSpec,
        "pattern": PatternSpec,
        "boilerplate": BoilerplateSpec,
        "applies_to": AppliesTo,
        "examples": Examples,
    },
}


def _record(kind: type, data: dict[str, Any]) -> Any:
    """The record ``kind`` built from validated plain data (nested mappings become records)."""
    values = dict(data)
    for name, inner in _NESTED.get(kind, {}).items():
        value = values.get(name)
        if value is None:
            continue
        if isinstance(inner, tuple):
            values[name] = tuple(_record(inner[0], v) for v in value)
        else:
            values[name] = _record(inner, value)
    return kind(**values)


def check_record(data: dict[str, Any]) -> CheckDefinition:
    """A ``CheckDefinition`` from the plain data the schema produced (or the cache kept)."""
    check: CheckDefinition = _record(CheckDefinition, data)
    return check


def load_check(path: Path) -> CheckDefinition:
    """Load and validate one check file; errors name the file and line.

    The schema validates the file unless the cache holds the validated data of exactly these
    bytes; a cache entry that does not build a record is ignored.
    """
    entry = cache.lookup("check", path)
    if entry.data is not None:
        try:
            return check_record(entry.data)
        except (TypeError, ValueError, AttributeError):
            pass  # an entry from another schema: validate the file again
    from readylint.check_schema import validate_check

    data = validate_check(path)
    check = check_record(data)
    entry.store(data)
    return check
