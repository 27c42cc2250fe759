"""Text helpers shared by sources and checks: Markdown stripping, sections, placeholders, stories.

Every regular expression here is applied to user text, so each is written to run in linear time:
no nested quantifiers, bounded repetition where a group can repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from readylint.keys import normalise_key

# --- messages ---------------------------------------------------------------------------------

# Beginnings whose first letter misleads: a vowel said as a consonant ("a user", "a one-off") or
# a silent h ("an hour"). Check files name their own labels, so this serves any English label;
# a word it gets wrong reads no worse than "a" before every label did.
_SAID_AS_CONSONANT = ("eu", "ewe", "once", "one", "ubiq", "uni", "ura", "uri", "usa", "use", "usu",
                      "uti")  # fmt: skip
_SILENT_H = ("heir", "honest", "honor", "honour", "hour")


def indefinite(phrase: str) -> str:
    """``phrase`` after "a" or "an", chosen by how its first word is usually said."""
    word = phrase.lstrip("'\"").lower()
    if word.startswith(_SILENT_H):
        return f"an {phrase}"
    if word.startswith(_SAID_AS_CONSONANT) and not word.startswith("unin"):
        return f"a {phrase}"
    return f"an {phrase}" if word[:1] in ("a", "e", "i", "o", "u") else f"a {phrase}"


# --- characters no output can hold -------------------------------------------------------------

# Half of a UTF-16 pair, alone: JSON may escape one ("\\ud83d": a Jira summary cut in the middle
# of an emoji), as may PyYAML's pure-Python loader; no UTF-8 output can hold it.
HALF_PAIR = re.compile("[\ud800-\udfff]")


def whole(text: str) -> str:
    """``text`` with each half of a UTF-16 pair replaced by U+FFFD."""
    if text.isascii() or HALF_PAIR.search(text) is None:
        return text
    return HALF_PAIR.sub("\ufffd", text)


# --- Markdown to plain words ----------------------------------------------------------------

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\([^)\n]{0,2000}\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>\n]{0,500})?/?>")
_LINE_MARKERS = re.compile(r"^\s{0,12}(?:#{1,6}\s|h[1-6]\.\s|>\s?|[-*+]\s|\d{1,3}[.)]\s|\|)", re.M)
_EMPHASIS = re.compile(r"[*_~`|]+")
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")


# What may start a line marker (after up to 12 blanks), and the emphasis characters.
_MARKER_STARTS = frozenset("#h>-*+|0123456789")
_EMPHASIS_CHARS = "*_~`|"


@lru_cache(maxsize=64)  # an answer is stripped for its word count and again for boilerplate
def strip_markdown(text: str) -> str:
    """The words of a Markdown (or Jira wiki) text, without markup."""
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    # One line can hold a marker only at its start: skip the search when that start cannot.
    if "\n" in text or text.lstrip()[:1] in _MARKER_STARTS:
        text = _LINE_MARKERS.sub("", text)
    if any(char in text for char in _EMPHASIS_CHARS):
        text = _EMPHASIS.sub(" ", text)
    return text


def words(text: str) -> list[str]:
    """The words of a text after stripping Markdown."""
    return _WORD.findall(strip_markdown(text))


def word_count(text: str, *, at_least: int | None = None) -> int:
    """The number of words; with ``at_least``, counting stops once that many are found (the
    count is exact whenever it is below ``at_least``)."""
    if at_least is None:
        return len(words(text))
    count = 0
    for _ in _WORD.finditer(strip_markdown(text)):
        count += 1
        if count >= at_least:
            break
    return count


# --- Placeholders ---------------------------------------------------------------------------

PLACEHOLDER_WORDS = frozenset(
    {
        "tbd", "tbc", "tba", "todo", "to do", "fixme", "xxx", "n a", "na", "none", "nil",
        "null", "nothing", "empty", "unknown", "pending", "later", "wip", "placeholder",
        "to be defined", "to be determined", "to be confirmed", "to be decided", "to be done",
        "to be added", "to be written", "to be filled", "to be filled in", "to be agreed",
        "see above", "see below", "same as above", "as above", "see description",
        "see title", "see ticket", "fill in", "fill me in", "add later", "will add later",
        "coming soon", "lorem ipsum", "test", "asdf", "foo", "bar", "same", "ditto", "idem",
        "not applicable", "not sure", "dunno", "tk",
    }
)  # fmt: skip
_PLACEHOLDER_PUNCT = re.compile(r"^[\s\-?.!…_*/\\|:;,=#]*$")
_SLOT_ONLY = re.compile(r"^\s*(?:<[^<>\n]{0,200}>|\[[^\[\]\n]{0,200}\]|\{\{[^{}\n]{0,200}\}\})\s*$")
_LOREM = re.compile(r"\blorem ipsum\b", re.I)
_TO_BE = re.compile(
    r"^(?:still\s)?to be (?:defined|determined|confirmed|decided|clarified|discussed)\b"
)
_NORMALISE = re.compile(r"[^\w\s]+|_")
# ``_NORMALISE``'s replacement for ASCII text as a translation table (several times faster).
PUNCT_TO_SPACE = {code: " " for code in range(128) if _NORMALISE.fullmatch(chr(code))}
# Longer text is never a placeholder word ("to be filled in") nor a slot ("<describe ...>"):
# the slot pattern allows 200 characters, and 2 spaces on each side.
_LONGEST_PLACEHOLDER = 205
_SPACES = re.compile(r"\s+")


def placeholder(text: str) -> str | None:
    """The placeholder a text consists of (``"TBD"``, ``"<describe the need>"``), or None.

    Only text that is *nothing but* a placeholder counts: "TBD after the spike, but likely the
    export" says something and is judged as prose, not flagged here.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if len(stripped) > _LONGEST_PLACEHOLDER:
        # Too long to be a placeholder word or a slot; only "lorem ipsum" can still show, or
        # text that is all punctuation.
        if "lorem" in stripped or "Lorem" in stripped or "LOREM" in stripped:
            return "lorem ipsum" if _LOREM.search(stripped) else None
        head = stripped[0]
        if head.isalnum() or head in "\"'(":
            start = stripped[:12].lower()
            if not start.startswith(("to be", "still to be")):
                return None
    if _PLACEHOLDER_PUNCT.match(stripped):
        return stripped
    if _SLOT_ONLY.match(stripped):
        return stripped
    lowered = stripped.lower()
    # Each letter of "lorem" that ``re.I`` matches lowers to it, so no "lorem" is no match.
    if "lorem" in lowered and _LOREM.search(stripped):
        return "lorem ipsum"
    if lowered.isascii():
        plain = " ".join(lowered.translate(PUNCT_TO_SPACE).split())
    else:
        plain = _SPACES.sub(" ", _NORMALISE.sub(" ", lowered)).strip()
    if plain in PLACEHOLDER_WORDS or _TO_BE.match(plain):
        return stripped if len(stripped) <= 40 else stripped[:37] + "..."
    return None


# --- Sections of a description ---------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}|h[1-6]\.)\s+(.{1,200}?)\s*#*\s*$")
# A label line: "Trade-off: ...", "**Trade-off:** ...", "**Trade-off**: ...", "*Trade-off:*" (wiki),
# optionally as a list item. The label is at most six words.
_LABEL = re.compile(
    r"^\s{0,12}(?:[-*+]\s+)?(\*{1,2}|_{1,2})?\s?"
    r"([A-Za-z][A-Za-z0-9'\u2019/]{0,30}(?:[ \-_][A-Za-z0-9'\u2019/]{1,30}){0,5})\s?"
    r"(?:\??:\s?(?:\*{1,2}|_{1,2})?|(?:\*{1,2}|_{1,2})\s?\??:)(?:\s|$)(.*)$"
)


# Labels of a bug report's own parts: a label line with one of these names ends the section
# before it ("Expected result: ..." stops at "Actual result: ..."), though it answers nothing.
SECTION_BREAKS = frozenset(
    normalise_key(name)
    for name in (
        "actual result", "actual results", "actual behaviour", "actual behavior", "actual",
        "result", "results", "steps to reproduce", "steps to replicate", "to reproduce",
        "to replicate", "environment", "workaround",
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a description under a heading or label; ``offset`` is its 0-based line."""

    text: str
    offset: int


def heading_key(text: str) -> str:
    """Normalise heading or label text the way keys are normalised."""
    text = _EMPHASIS.sub("", text).strip().rstrip(":?").strip()
    return normalise_key(text)


def sections(description: str, known: frozenset[str]) -> dict[str, Section]:
    """Split a description at Markdown/wiki headings and at label lines with a known name.

    Every heading ends the section before it; a label line starts a section only when its label
    (normalised) is in ``known``, so ordinary prose such as "Note: ..." does not cut an answer.
    The first section of each name wins.
    """
    found: dict[str, Section] = {}
    current: str | None = None
    start = 0
    body: list[str] = []
    in_fence = False

    def close() -> None:
        if current is not None and current not in found:
            found[current] = Section("\n".join(body).strip(), start)

    for index, line in enumerate(description.splitlines()):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            heading = _HEADING.match(line)
            if heading:
                close()
                name = heading_key(heading.group(1))
                current = name if name in known else None
                start, body = index, []
                continue
            label = _LABEL.match(line) if ":" in line else None
            if label:
                name = heading_key(label.group(2))
                if name in known:
                    close()
                    current, start, body = name, index, [label.group(3)]
                    continue
                if name in SECTION_BREAKS and name not in known:
                    close()
                    current, start, body = None, index, []
                    continue
        if current is not None:
            body.append(line)
    close()
    return found


# --- User stories ------------------------------------------------------------------------------

_STORY = re.compile(
    r"\bas\s(?:an?|the|some|one)?\s?([^,.;:\n]{2,80}?),?\s(?:i|we)(?:\s(?:want|need|would like|wish|"
    r"can|could|should be able|must be able|am able|expect|require)|['\u2019]d (?:like|love))\b"
    r"([^\n]{0,600})",
    re.I,
)
_SO_THAT = re.compile(r"\bso\s(?:that|as)\b", re.I)


@dataclass(frozen=True, slots=True)
class Story:
    """A user story sentence: who, what they want, and the stated benefit (if any)."""

    role: str
    goal: str
    benefit: str | None


def user_story(text: str) -> Story | None:
    """The first "As a <role>, I want <goal> [so that <benefit>]" sentence in ``text``."""
    if "as " not in text.lower():
        return None
    match = _STORY.search(text)
    if not match:
        return None
    rest = match.group(2)
    so = _SO_THAT.search(rest)
    if so:
        return Story(
            match.group(1).strip(), rest[: so.start()].strip(" ,"), rest[so.end() :].strip()
        )
    return Story(match.group(1).strip(), rest.strip(), None)
