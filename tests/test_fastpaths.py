"""Fast paths in the per-answer code must give exactly what the plain formulas give."""

from __future__ import annotations

import re
import zlib
from hashlib import blake2b

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from readylint import boilerplate, engine, judge, text
from readylint.rx import HAS_RE2, AnyOf

# Markdown and punctuation pieces among words, so the fast paths' guards are exercised.
PIECES = st.sampled_from(
    ["Users", "cannot", "export", "reports", "crashes", "displays", "singing", "  ", "\n", "\t",
     "# ", "## Heading", "- ", "* ", "1. ", "> ", "| ", "h3. ", "**bold**", "_x_", "`code`",
     "~~", "[link](http://x)", "<b>", "!", ".", ",", "'", "\u2019", "_", "caf\u00e9", "\u00a0",
     "\u2014", "na\u00efve", "12", "x" * 3, "ing", "es", "ss"]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=25).map("".join)


@given(TEXTS)
def test_normalise_is_the_substitution(value: str) -> None:
    lowered = text.strip_markdown(value).lower()
    assert boilerplate.normalise(value) == " ".join(boilerplate._PUNCT.sub(" ", lowered).split())


_LINE_MARKERS = text._LINE_MARKERS
_EMPHASIS = text._EMPHASIS


@given(TEXTS)
def test_strip_markdown_fast_paths_change_nothing(value: str) -> None:
    plain = value
    if "](" in plain:
        plain = text._LINK.sub(r"\1", plain)
    if "<" in plain:
        plain = text._HTML_TAG.sub(" ", plain)
    assert text.strip_markdown(value) == _EMPHASIS.sub(" ", _LINE_MARKERS.sub("", plain))


_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


@given(st.text(alphabet="abegindsx", min_size=1, max_size=9))
def test_stem_is_the_suffix_rule(word: str) -> None:
    expected = word
    if len(word) >= 4 and not word.endswith("ss"):
        expected = _SUFFIX.sub("", word).removesuffix("e") or word
    assert judge._stem(word) == expected


@given(TEXTS)
def test_content_words_remembered_stems_are_the_same(value: str) -> None:
    words = re.findall(r"[a-z0-9]{2,40}", value.lower())
    expected = {judge._stem(w) for w in words if w not in judge.STOPWORDS}
    assert judge.content_words(value) == expected
    assert judge.content_words(value) == expected  # again, from the remembered stems


TITLE_WORDS = st.sampled_from(["users", "cannot", "export", "reports", "the", "crash", "logo"])


@given(TEXTS, st.lists(TITLE_WORDS, max_size=6).map(" ".join))
@example("Users cannot export reports daily anymore", "Users cannot export reports")
def test_restates_stops_early_but_is_the_set_rule(value: str, title: str) -> None:
    mine, theirs = judge.content_words(value), judge.content_words(title)
    allowed = max(1, len(mine) // 3) if len(mine) >= 3 else 0
    assert judge.restates(value, title) == (not mine or len(mine - theirs) <= allowed)


def _reference_signature(words: list[str]) -> tuple[int, ...]:
    """The signature as first written (str shingles, encoded one by one), as the oracle."""
    hashes_, span = boilerplate._HASHES, boilerplate._SPAN
    words = words[: boilerplate._MAX_WORDS]
    if len(words) < 3:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(t) for t in zip(words, words[1:], words[2:], strict=False)]
    first: dict[int, int] = {}
    for value in sorted({zlib.crc32(s.encode()) for s in shingles}):
        first.setdefault(value // span, value)
    first.pop(hashes_, None)
    if not first:
        return (0,) * hashes_
    result = []
    for index in range(hashes_):
        distance = next(d for d in range(hashes_) if (index + d) % hashes_ in first)
        at = (index + distance) % hashes_
        offset = first[at] - at * span
        result.append((offset + distance * span) & 0xFFFFFFFF)
    return tuple(result)


SEPARATED = st.lists(st.one_of(PIECES, st.sampled_from(["\x1c", "\x1f", "\x0b", "\x0c"])),
                     max_size=25).map("".join)  # fmt: skip


@given(SEPARATED, st.integers(min_value=1, max_value=12))
@example("Users\x1ccannot export reports", 3)  # a separator str.split() takes as white space
def test_fingerprint_is_normalise_and_signature(value: str, min_words: int) -> None:
    data = boilerplate.normalise(value).encode()
    found = boilerplate.fingerprint("f", value, 1, min_words=min_words, excerpt="")
    if not data:
        assert found is None
        return
    assert found is not None
    assert found.exact == blake2b(data, digest_size=boilerplate._EXACT).digest()
    words = data.split()
    if len(words) < min_words:
        assert found.signature is None
    else:
        signature = boilerplate._signature(words[: boilerplate._MAX_WORDS])
        assert found.signature == boilerplate._PACK.pack(*(v & 0xFFFF for v in signature))


@given(TEXTS)
def test_signature_of_bytes_is_the_reference_signature(value: str) -> None:
    words = boilerplate.normalise(value).split()
    if not words:
        return
    expected = _reference_signature(words)
    assert boilerplate.signature(words) == expected
    assert boilerplate._signature(" ".join(words).encode().split(b" ")) == expected


LOG_PIECES = st.sampled_from(
    ["at ", "com.example.Foo", "(", ")", "Foo.java", ":", "12", "Exception", "Error", "$", ".",
     " ", "File \"", "x.py", "\", line ", "INFO", "[", "]", "2024-01-01", " ", "10:00", "a" * 310,
     "Caused by: ", "# ", "git", "\n"]
)  # fmt: skip


LOG_LIST = AnyOf(judge.LOG_SIGNS, ignore_case=False)  # the signs in one alternation: the oracle


@given(st.lists(LOG_PIECES, max_size=14).map("".join))
def test_rough_log_signs_let_through_every_log_line(value: str) -> None:
    if LOG_LIST.matches(value):
        assert judge._LOG_ROUGH.matches(value)


@given(st.lists(LOG_PIECES, max_size=14).map("".join))
def test_log_line_in_two_steps_is_the_whole_list(value: str) -> None:
    assert judge.is_log_line(value) == LOG_LIST.matches(value)


# Sentence ends and what sits round them: closers, every ASCII white space ``re`` knows
# (vertical tab and the separators 0x1C to 0x1F included), and runs of them.
END_PIECES = st.sampled_from(
    [".", "!", "?", '"', "'", ")", "]", " ", "  ", "   ", "\n", "\t", "\v", "\f", "\r",
     "\x1c", "\x1f", "word", "e.g", "3.5", "x" * 60, " " * 49, " " * 51]
)  # fmt: skip


@given(st.lists(END_PIECES, max_size=30).map("".join))
@example('Done!" )  Next.\x1c\x1c\x1cthen')
def test_sentence_parts_by_re2_are_the_look_behind_split(value: str) -> None:
    assert judge.sentence_parts(value) == judge._SENTENCE_END.split(value)


@pytest.mark.skipif(not HAS_RE2, reason="google-re2 is not installed: re splits every text")
def test_sentence_parts_of_ascii_text_go_through_re2() -> None:
    assert judge._ascii_sentence_split() is not None
    assert judge.sentence_parts("It failed.  Then? It\nworked") == [
        "It failed.",
        "Then?",
        "It",
        "worked",
    ]


def _reference_prose_sentences(value: str) -> list[str]:
    """``prose_sentences`` as first written: every heading substituted, every word of a sentence
    counted, and each sentence tested against the whole list of log signs."""
    cleaned = judge._WIKI_HEADING.sub(r"\1", judge.strip_code(value))
    found: list[str] = []
    lead_in = ""
    for part in judge._SENTENCE_END.split(cleaned):
        sentence = " ".join(part.split())
        if not judge._WORDISH.search(sentence):
            continue
        if (
            len(sentence) <= 60
            and judge._LEAD_IN.match(sentence)
            and judge._HEADING_MARK.search(sentence)
        ):
            lead_in = sentence
            continue
        if lead_in:
            sentence, lead_in = f"{lead_in} {sentence}", ""
        if len(judge._WORDISH.findall(sentence)) < 3 or LOG_LIST.matches(sentence):
            continue
        found.append(sentence)
    return found


PROSE_PIECES = st.one_of(
    LOG_PIECES,
    PIECES,
    st.sampled_from(
        [
            "Users cannot export reports. ",
            "h3. Steps",
            "*Expected*:",
            "   ",
            ". ",
            " h6.\t",
            "h7. ",
            "ab",
            "a" * 41,
            "a" * 80,
        ]
    ),
)


@given(st.lists(PROSE_PIECES, max_size=30).map("".join))
@example("h3. Steps to reproduce\nOpen the editor now")  # the heading starts the next sentence
def test_prose_sentences_drop_exactly_the_log_lines(value: str) -> None:
    assert judge.prose_sentences(value) == _reference_prose_sentences(value)


@given(TEXTS, st.integers(min_value=1, max_value=12))
def test_word_count_stops_early_but_is_exact_below_the_limit(value: str, limit: int) -> None:
    full = len(text.words(value))
    counted = text.word_count(value, at_least=limit)
    assert counted == min(full, limit)


def test_the_two_punctuation_classes_are_one_table() -> None:
    assert {
        code: " " for code in range(128) if boilerplate._PUNCT.fullmatch(chr(code))
    } == text.PUNCT_TO_SPACE


@given(TEXTS)
def test_placeholder_plain_text_is_the_substitution(value: str) -> None:
    stripped = value.strip()
    lowered = stripped.lower()
    slow = text._SPACES.sub(" ", text._NORMALISE.sub(" ", lowered)).strip()
    fast = " ".join(lowered.translate(text.PUNCT_TO_SPACE).split())
    if lowered.isascii():
        assert fast == slow


def _reference_placeholder(value: str) -> str | None:
    """``text.placeholder`` as it was before the "lorem" guard."""
    stripped = value.strip()
    if not stripped:
        return None
    if len(stripped) > text._LONGEST_PLACEHOLDER:
        return text.placeholder(value)  # this branch is not what the guard changed
    if text._PLACEHOLDER_PUNCT.match(stripped) or text._SLOT_ONLY.match(stripped):
        return stripped
    if text._LOREM.search(stripped):
        return "lorem ipsum"
    plain = text._SPACES.sub(" ", text._NORMALISE.sub(" ", stripped.lower())).strip()
    if plain in text.PLACEHOLDER_WORDS or text._TO_BE.match(plain):
        return stripped if len(stripped) <= 40 else stripped[:37] + "..."
    return None


LOREM_PIECES = st.one_of(
    PIECES,
    st.sampled_from(
        ["lorem", "Lorem", "LOREM", "lOrEm", "ipsum", "IPSUM", "ip\u017fum", "\u0131psum", " ",
         "tbd", "TBD", "to be defined", "\u212a", "-", "x"]
    ),
)  # fmt: skip


@given(st.lists(LOREM_PIECES, max_size=12).map("".join))
@example("LoReM IP\u017fUM")  # the long s matches "s" only ignoring case
def test_placeholder_asks_for_lorem_ipsum_only_where_lorem_is(value: str) -> None:
    assert text.placeholder(value) == _reference_placeholder(value)


EXCERPT_TEXTS = st.lists(
    st.sampled_from(["word", " ", "   ", "\n", "\t", "x" * 70, "ab."]), max_size=40
).map("".join)


@given(EXCERPT_TEXTS, st.integers(min_value=4, max_value=90))
# the head is white space past the limit: the whole text decides
@example("x" * 75 + " " * 90 + "y", 80)
@example("x" * 80 + " " * 90, 80)  # exactly the limit, flattened: not cut
def test_excerpt_from_the_head_is_the_excerpt_of_the_whole(value: str, limit: int) -> None:
    flat = " ".join(value.split())
    expected = flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."
    assert engine._excerpt(value, limit) == expected


def _reference_remove_blocks(value: str) -> str:
    """``judge._remove_blocks`` as it was: both kinds searched for again after every block."""
    out: list[str] = []
    position = 0
    while True:
        wiki = judge._WIKI_BLOCK.search(value, position)
        fence = judge._FENCE.search(value, position)
        opening = min((m for m in (wiki, fence) if m), key=lambda m: m.start(), default=None)
        if opening is None:
            return "".join([*out, value[position:]])
        out.append(value[position : opening.start()])
        if opening is wiki:
            closer = re.compile(r"\{" + re.escape(opening.group(1)) + r"\}")
        else:
            closer = re.compile(re.escape(opening.group(0)))
        end = closer.search(value, opening.end())
        if end is None:
            return "".join(out)
        out.append(judge._GAP_MARK)
        position = end.end()


BLOCK_PIECES = st.sampled_from(
    ["{code}", "{code:java}", "{noformat}", "{panel}", "{panel:title=x}", "{code", "}", "{",
     "```", "~~~", "``", "~~", "`", "x", " step ", "\n", "{{mono}}", "{quote}"]
)  # fmt: skip


@given(st.lists(BLOCK_PIECES, max_size=40).map("".join))
@example("{code}a{code} ``` b ``` {noformat}c{noformat}")
@example("```{code}``` {code}x{code}")  # a block of one kind inside one of the other
def test_blocks_are_removed_as_when_each_block_searched_the_whole_rest(value: str) -> None:
    """Each kind's next opening is kept until a block ends past it (not searched for again to
    the end of the text after every block, which made 100,000 blocks take minutes)."""
    assert judge._remove_blocks(value) == _reference_remove_blocks(value)
