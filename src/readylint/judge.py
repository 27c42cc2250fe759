"""Judging what an answer says: prose cleaning, answers found in prose, and the judge rules.

The lists that decide (evidence, flags, cues, traps) come from the check files; this module only
interprets them. Every regular expression here runs in linear time: bounded repetition and no
nested quantifiers (``tests/test_quality_linear.py`` checks these with ``linear.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from readylint.definitions import Flag, JudgeSpec, ProseSpec
from readylint.linear import compile_linear, phrase_pattern, phrase_prefilter
from readylint.rx import AnyOf, Match, Pattern, TextPattern, ascii_splitter, compile_re2

# --- cleaning prose before it is judged -------------------------------------------------------

# Jira wiki blocks and Markdown fences whose content is code, logs or notes, not prose.
_WIKI_BLOCK = re.compile(r"\{(code|noformat|panel)(?::[^{}\n]{0,300})?\}")
_FENCE = re.compile(r"```|~~~")
_URL = re.compile(r"\b(?:https?|ftp|file)://[^\s|\]\)}>]{1,2000}")
_IMAGE = re.compile(r"![^!\s|]{1,300}(?:\|[^!\n]{0,200})?!")
_WIKI_LINK = re.compile(r"\[([^\[\]|\n]{0,300})\|[^\[\]\n]{0,2000}\]")
_MONO = re.compile(r"\{\{[^{}\n]{0,500}\}\}")
# Jira wiki emoticons used as list markers or status icons: (x) (/) (?) (!) (i) (y) (n) (+) (-).
_EMOTICON = re.compile(r"\((?:x|/|\?|!|i|y|n|\+|-|\*[rgby]?|on|off)\)", re.I)
# A removed part leaves a mark; the mark and the blanks around it become one space, so removing
# "{{name}}" from "a {{name}} b" does not leave the run of 3+ spaces that ends a sentence.
_GAP_MARK = "\x00"
_GAP = re.compile(r"[ \t]{0,50}\x00[ \t\x00]{0,50}")

# A sentence showing one of these is log output, a stack trace or a command, not prose.
LOG_SIGNS: tuple[str, ...] = (
    r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}",  # ISO timestamp
    r"\b[IWEF][0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}",  # glog (Mesos)
    r"\b[0-9]{2}:[0-9]{2}:[0-9]{2}[.,][0-9]{3}\b",  # time with milliseconds
    r"\bat [\w$.]{1,300}\([\w$.]{0,200}(?::[0-9]{1,7})?\)",  # Java stack frame
    r"\b[\w$.]{1,300}(?:Exception|Error):",  # exception header
    r"\[(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|SEVERE)\]",
    r"(?:^|\s)(?:INFO|WARN|ERROR|DEBUG|TRACE|FATAL|SEVERE)\s{1,5}[\[(:]",
    r"\bTraceback \(most recent call last\)",
    r"\bFile \"[^\"\n]{1,300}\", line [0-9]{1,7}",
    r"\bCaused by: ",
    r"(?:^|\s)[$#] (?:sudo|cd|ls|git|npm|mvn|pip|python|java|curl|ti|appc)\b",
)
# The same signs with their long bounded repetitions unbounded: a superset that RE2 runs several
# times faster (a bound of 300 multiplies its automaton's states). Sentences are log lines
# rarely, so the exact signs run only where these match.
_UNBOUNDED = (("{1,300}", "+", 300), ("{0,200}", "*", 200))  # (bound, rough, its limit)


def _rough(sign: str) -> str:
    for bound, rough, _ in _UNBOUNDED:
        sign = sign.replace(bound, rough)
    return sign


LOG_SIGNS_ROUGH: tuple[str, ...] = tuple(map(_rough, LOG_SIGNS))
_LOG_ROUGH = AnyOf(LOG_SIGNS_ROUGH, ignore_case=False)
# The rough signs over a text's sentences joined by line breaks ("^" at each line's start): a
# sentence that matches alone matches there too, so when the joined text does not match, no
# sentence is a log line, and one call replaces one call per sentence.
_LOG_ROUGH_LINES = AnyOf(tuple(f"(?m:{sign})" for sign in LOG_SIGNS_ROUGH), ignore_case=False)
# The exact test, in steps: the signs the rough list left as they were, in one alternation; then
# each bounded sign alone. The bounded signs in one alternation cost RE2 25 to 95 us a sentence
# (a bound of 300 swells its automaton), so each is first matched rough: a rough match no longer
# than the sign's smallest bound is a match of the exact sign too (every unbounded part lies
# within it), and only a longer one is tried exactly.
_LOG_SAME = AnyOf(
    tuple(s for s, rough in zip(LOG_SIGNS, LOG_SIGNS_ROUGH, strict=True) if s == rough),
    ignore_case=False,
)
_LOG_BOUNDED = tuple(
    (
        AnyOf((rough,), ignore_case=False),
        AnyOf((s,), ignore_case=False),
        min(limit for bound, _, limit in _UNBOUNDED if bound in s),
    )
    for s, rough in zip(LOG_SIGNS, LOG_SIGNS_ROUGH, strict=True)
    if s != rough
)


def is_log_line(sentence: str) -> bool:
    """True when ``sentence`` shows one of ``LOG_SIGNS``: log output, a stack trace, a command."""
    if not _LOG_ROUGH.matches(sentence):
        return False
    if _LOG_SAME.matches(sentence):
        return True
    for rough, exact, limit in _LOG_BOUNDED:
        found = rough.search(sentence)
        if found is not None and (found.end() - found.start() <= limit or exact.matches(sentence)):
            return True
    return False


# Sentence ends: ., ! or ? before a space; a line break; a run of 3+ spaces (flattened lines).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]{0,2}\s{1,50}|\n|\s{3,50}")
# The same for ASCII text in RE2's syntax, which has no look-behind: the end mark is matched
# and kept with the sentence (``rx.ascii_splitter``); the class is ``re``'s ``\s`` for ASCII.
# ``re`` tries the look-behind at every character; RE2 splits an answer three times faster.
_SENTENCE_END_ASCII = r"([.!?])[\"')\]]{0,2}[\t-\r\x1c-\x1f ]{1,50}|\n|[\t-\r\x1c-\x1f ]{3,50}"


@lru_cache(maxsize=1)
def _ascii_sentence_split() -> Callable[[str], list[str]] | None:
    return ascii_splitter(_SENTENCE_END_ASCII)


def sentence_parts(text: str) -> list[str]:
    """``_SENTENCE_END.split(text)``: by RE2 where the text is ASCII and RE2 is installed."""
    if text.isascii():
        split = _ascii_sentence_split()
        if split is not None:
            return split(text)
    return _SENTENCE_END.split(text)


_WORDISH = re.compile(r"[A-Za-z]{2,40}")
# A heading or label line on its own ("h5. Actual result", "*Expected Results*", "To reproduce:"):
# it is kept as the start of the sentence after it, so cues can see what that sentence is.
# ("#" is not a mark: in Jira wiki "# Open the editor" is a numbered step.)
_LEAD_IN = re.compile(
    r"^(?:h[1-6]\.\s{0,3})?[*_]{0,2}[A-Za-z][A-Za-z0-9 '/()-]{0,50}?[*_]{0,2}\s{0,3}:?[*_]{0,2}$"
)
_HEADING_MARK = re.compile(r"^h[1-6]\.|:[*_]{0,2}$|^[*_]{1,2}[^*_]{1,60}[*_]{1,2}$")
_WIKI_HEADING = re.compile(r"^[ \t]{0,3}(h[1-6]\.)[ \t]{1,10}", re.M)  # "h3. Title" -> "h3.Title"
_HEADING_NAME = re.compile(r"h[1-6]\.")  # what ``_WIKI_HEADING`` needs: most text has none


def strip_code(text: str) -> str:
    """``text`` without {code}/{noformat}/{panel} blocks and fenced code; URLs and images too."""
    # Each substitution only where its marker occurs: most answers have none of them.
    if "{" in text or "```" in text or "~~~" in text:
        text = _remove_blocks(text)
    if "|" in text:
        text = _WIKI_LINK.sub(r"\1", text)
    if "!" in text:
        text = _IMAGE.sub(_GAP_MARK, text)
    if "{{" in text:
        text = _MONO.sub(_GAP_MARK, text)
    if "(" in text:
        text = _EMOTICON.sub(_GAP_MARK, text)
    if "://" in text:
        text = _URL.sub(_GAP_MARK, text)
    return _GAP.sub(" ", text) if _GAP_MARK in text else text


def _remove_blocks(text: str) -> str:
    out: list[str] = []
    position = 0
    # Each kind's next opening is searched for again only once a block has ended past it: a
    # kind that does not occur is not searched for to the end of the text after every block.
    wiki = _WIKI_BLOCK.search(text)
    fence = _FENCE.search(text)
    while True:
        if wiki is not None and wiki.start() < position:
            wiki = _WIKI_BLOCK.search(text, position)
        if fence is not None and fence.start() < position:
            fence = _FENCE.search(text, position)
        opening = min(
            (m for m in (wiki, fence) if m is not None), key=lambda m: m.start(), default=None
        )
        if opening is None:
            out.append(text[position:])
            return "".join(out)
        out.append(text[position : opening.start()])
        if opening is wiki:
            closer = re.compile(r"\{" + re.escape(opening.group(1)) + r"\}")
        else:
            closer = re.compile(re.escape(opening.group(0)))
        end = closer.search(text, opening.end())
        if end is None:  # an unclosed block runs to the end
            return "".join(out)
        out.append(_GAP_MARK)
        position = end.end()


def prose_sentences(text: str) -> list[str]:
    """The sentences of a description that are prose: code, logs and stack traces removed."""
    cleaned = strip_code(text)
    if _HEADING_NAME.search(cleaned):  # else the substitution cannot match (and costs more)
        cleaned = _WIKI_HEADING.sub(r"\1", cleaned)  # "h3. " must not end a sentence
    found: list[str] = []
    lead_in = ""
    for part in sentence_parts(cleaned):
        sentence = " ".join(part.split())
        words = _WORDISH.finditer(sentence)
        if next(words, None) is None:  # nothing, or a list number such as "1."
            continue
        if len(sentence) <= 60 and _LEAD_IN.match(sentence) and _HEADING_MARK.search(sentence):
            lead_in = sentence  # a heading or label: it starts the next sentence
            continue
        if lead_in:
            sentence, lead_in = f"{lead_in} {sentence}", ""
            words = _WORDISH.finditer(sentence)
            next(words)
        # Three words or more: the first is found, the third decides (the rest are not read).
        if next(islice(words, 1, None), None) is not None:
            found.append(sentence)
    if found and _LOG_ROUGH_LINES.matches("\n".join(found)):
        found = [sentence for sentence in found if not is_log_line(sentence)]
    return found


# --- answers in prose --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProseHit:
    text: str  # the sentences quoted as the answer
    index: int  # 0-based sentence index of the first one


class ProseFinder:
    """Finds the sentence(s) of a description that answer a question, by cue and position."""

    def __init__(self, spec: ProseSpec) -> None:
        self.spec = spec
        self._cues = any_linear(spec.cues)
        self._lead = any_linear(spec.lead_cues)
        self._traps = any_linear(spec.traps)
        self._denials = any_linear(spec.denials)

    def find(self, sentences: Sequence[str], title: str | None = None) -> ProseHit | None:
        """The first cued sentence (and the next ones); with ``title``, sentences that only
        restate the title are skipped. None when a sentence denies the question."""
        if self._denials and any(self._denials.matches(s) for s in sentences):
            return None
        for index, sentence in enumerate(sentences):
            if self._traps.matches(sentence):
                continue
            if title is not None and restates(sentence, title):
                continue
            cued = self._cues.matches(sentence) or (
                index < self.spec.lead and self._lead.matches(sentence)
            )
            if cued:
                text = " ".join(sentences[index : index + self.spec.sentences])
                return ProseHit(text, index)
        return None


# --- judging an answer -------------------------------------------------------------------------

_CONTENT = re.compile(r"[a-z0-9]{2,40}")
_STOPWORDS_TEXT = """a an and are as at be by can could do does for from has have i in is it its of
on or our should so that the their them this to we when will with would been being not no need
needs want wants able into there which who what how all any more most must such where
h1 h2 h3 h4 h5 h6 expected actual result results behaviour behavior"""  # the last: bug-report labels
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


# A light stemmer, so "crashes" matches "crash" and "displays" matches "display": one of the
# endings "ing", "ed", "es", "s" comes off, then a final "e". Words repeat across a backlog, so
# each word's stem is remembered (the table is bounded; it only ever holds words).
_STEMS: dict[str, str] = {}
_STEMS_LIMIT = 200_000


def _stem(word: str) -> str:
    if len(word) < 4 or word.endswith("ss"):
        return word
    if word.endswith("ing"):
        cut = word[:-3]
    elif word.endswith(("ed", "es")):
        cut = word[:-2]
    elif word.endswith("s"):
        cut = word[:-1]
    else:
        cut = word
    return cut.removesuffix("e") or word


def _content_stems(text: str) -> Iterator[str]:
    """The text's words, less stopwords, lightly stemmed, in order (repeats included)."""
    stems = _STEMS
    for word in _CONTENT.findall(text.lower()):
        stem = stems.get(word)
        if stem is None:
            if word in STOPWORDS:
                continue
            stem = _stem(word)
            if len(stems) < _STEMS_LIMIT:
                stems[word] = stem
        yield stem


def content_words(text: str) -> set[str]:
    """The text's words, less stopwords, lightly stemmed."""
    return set(_content_stems(text))


@lru_cache(maxsize=16)  # each answer check of an item compares with the same title
def _title_words(title: str) -> frozenset[str]:
    return frozenset(content_words(title))


def _allowed(count: int) -> int:
    """How many of ``count`` content words may be new for the text to restate the title."""
    return max(1, count // 3) if count >= 3 else 0


def restates(answer: str, title: str) -> bool:
    """Whether the answer's content words are (nearly) all the title's: at most one in three is
    new (one, from three words on). "This is not intuitive" has one content word, and it is new.

    The words are read until the answer cannot restate the title whatever follows: once ``new``
    words are not the title's, the most the rest could add is the title's other words, so the
    answer fails when ``new`` exceeds what ``len(title words) + new`` words allow."""
    theirs = _title_words(title)
    limit = len(theirs)
    mine: set[str] = set()
    new = 0
    for stem in _content_stems(answer):
        if stem in mine:
            continue
        mine.add(stem)
        if stem not in theirs:
            new += 1
            if new > _allowed(limit + new):
                return False
    return not mine or new <= _allowed(len(mine))


@dataclass(frozen=True, slots=True)
class Reference:
    """An item id named in an answer, and whether it is named as coming first or after.

    ``role`` is "first" ("after PAY-1", "lower than PAY-1"), "after" ("before PAY-3",
    "PAY-3 depends on this") or None when the text names it without placing it.
    """

    item_id: str
    role: str | None


# How far before an item id the words that place it may start ("before we commit to the
# redesign in PAY-3").
_BEFORE_ID = 80


# Answers a flag reads with Python's engine alone before its RE2 prefilter is compiled: a short
# run would spend more compiling the prefilter than it saves.
_PREFILTER_AFTER = 64


class _CompiledFlag:
    __slots__ = ("_calls", "_rough", "flag", "patterns", "phrases", "prefilter")

    def __init__(self, flag: Flag) -> None:
        self.flag = flag
        self.phrases = phrase_pattern(flag.phrases)
        # The exact phrase pattern needs Python's engine (look-arounds); RE2 first rules out
        # the many answers that hold none of the phrases at all, several times faster. The
        # prefilter is a superset, so the verdict is the same with or without it.
        self._rough = phrase_prefilter(flag.phrases)
        self.prefilter: Pattern | None = None  # compiled after _PREFILTER_AFTER answers
        self._calls = 0
        self.patterns = [compile_linear_text(p) for p in flag.patterns]

    def _may_hold_phrase(self, text: str) -> bool:
        if self._calls <= _PREFILTER_AFTER:
            self._calls += 1
            if self._calls <= _PREFILTER_AFTER:
                return True
            # RE2 alone reads it; where RE2 cannot (a phrase list whose program is over RE2's
            # memory budget, say), the exact pattern reads every answer.
            self.prefilter = compile_re2(self._rough) if self._rough is not None else None
        return self.prefilter is None or self.prefilter.search(text) is not None

    def match(self, text: str) -> str | None:
        hits: list[Match] = []
        if self.phrases is not None and self._may_hold_phrase(text):
            found = self.phrases.search(text)
            if found:
                hits.append(found)
        hits.extend(m for p in self.patterns if (m := p.search(text)) is not None)
        for hit in hits:
            if not self.flag.whole or _nearly_whole(text, hit):
                return " ".join(hit.group(0).split())
        return None


def _nearly_whole(text: str, hit: Match) -> bool:
    rest = text[: hit.start()] + " " + text[hit.end() :]
    return len(content_words(rest)) <= 2


class Judge:
    """The compiled ``judge:`` rules of one answer check."""

    def __init__(self, spec: JudgeSpec) -> None:
        self.spec = spec
        self._evidence = any_linear(spec.evidence)
        self._flags = [_CompiledFlag(f) for f in spec.flags]
        self._id = compile_linear(spec.item_id, 0)
        self._first = any_linear(spec.predecessor)
        self._after = any_linear(spec.successor)
        self._after_id = [compile_linear_text(p) for p in spec.successor_after]

    def has_evidence(self, text: str) -> bool:
        """Whether any evidence pattern matches (the first list part that does decides)."""
        return self._evidence.matches(text)

    def flag(self, text: str, *, whole: bool) -> tuple[Flag, str] | None:
        """The first flag of the given sort (whole-answer or not) that the text matches."""
        for compiled in self._flags:
            if compiled.flag.whole != whole:
                continue
            phrase = compiled.match(text)
            if phrase is not None:
                return compiled.flag, phrase
        return None

    def references(self, text: str) -> list[Reference]:
        """Item ids named in the text, in order, each once (the first placing wins)."""
        seen: dict[str, Reference] = {}
        previous_end = 0
        for match in self._id.finditer(text):
            ident = match.group(0)
            before = text[max(previous_end, match.start() - _BEFORE_ID) : match.start()]
            after = text[match.end() : match.end() + 40]
            role: str | None = None
            if self._first.matches(before):
                role = "first"
            elif self._after.matches(before) or any(p.match(after) for p in self._after_id):
                role = "after"
            known = seen.get(ident)
            if known is None or known.role is None:
                seen[ident] = Reference(ident, role)
            previous_end = match.end()
        return list(seen.values())


def any_linear(patterns: Sequence[str]) -> AnyOf:
    """The patterns as one matcher. The check-file schema has already refused any pattern that
    is not linear (``linear.py``), so they are not parsed again here."""
    return AnyOf(patterns)


def compile_linear_text(pattern: str) -> TextPattern:
    """One pattern from a check file (already linear-checked), compiled on first use."""
    return TextPattern(pattern)
