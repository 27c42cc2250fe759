"""Refuse YAML nested too deeply before libyaml sees it.

Two limits of PyYAML's C loader make deep nesting dangerous, not merely slow:

- its composer recurses once per level in C, so some 25,000 levels (50 KB of ``[``) overflow the
  stack and kill the process with a segmentation fault, which no ``except`` can catch;
- libyaml rescans every open flow level (``[`` and ``{``) at each token, so a file that keeps
  thousands of flow levels open costs time proportional to tokens x depth (a 200 KB file takes
  minutes).

``check_nesting`` proves cheaply that a text stays shallow, or measures its real depth with the
parser's event stream and stops at ``MAX_DEPTH``. The cheap proof, sound for any text:

- Block collections: a nested block collection starts at a greater column than its parent,
  except a sequence written at its key's column, so block depth is at most twice the number of
  columns a block collection can start at. One starts after indentation and compact indicators
  only (``- - - a``), so when no line begins with ``BLOCK_COLUMNS`` characters of spaces and
  ``-?:``, block depth is at most ``2 * BLOCK_COLUMNS + 2``.
- Flow collections: the outermost one of each nest starts where a block token may start (after
  indentation, ``- ``, ``? ``, ``: `` or node properties). Each line holding such a place is read
  left to right as libyaml reads a block line, so brackets inside a quoted or plain scalar do not
  count; a collection that closes on its line has a known depth. Anything else (a comment, tag
  or anchor inside a collection, a collection spanning lines) is not proved here.
- The content lines of a block scalar (``description: |``) hold no collection and are skipped.
  A line inside a multi-line quoted scalar can look like a header; such a scalar closes at the
  first quote after that line, and only when nothing but a comment follows that quote on its line
  can libyaml go on reading block content after it. So a header is trusted unless the first
  (unescaped) quote after it, within its content, ends its line, and a scalar of that quote
  can be open where the header's line starts: its opening quote would be the last quote before
  that line that the scalar's escapes (``\\"``, ``''``) leave unpaired, and an opening quote
  stands where a token may start (after a blank, a line break or an indicator), never after a
  letter. (Prose in a block scalar may end a line with a closing quote; the last quote before
  its header is then usually a title's closing quote, after a letter.)

Whatever is not proved is measured exactly with the parser's events (linear, and stopped at
``MAX_DEPTH`` so the per-level rescan stays bounded). Realistic backlogs are proved without it.
"""

from __future__ import annotations

import functools
import heapq
import re

import yaml

MAX_DEPTH = 100  # collections nested deeper than this are refused
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep; flatten the structure"
# PyYAML 6.0.4's libyaml refuses 1,000 levels itself, with this problem (context: "while
# increasing flow level"). Its scanner looks up to 1,024 characters ahead for a simple key, so it
# can meet that limit before the parser's events reach MAX_DEPTH; yamlio reports it as TOO_DEEP.
LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
BLOCK_COLUMNS = 1000  # see the module docstring: bounds block depth at 2 * 1000 + 2

# All patterns below assume "\n" line breaks: other breaks are replaced first (see _lines).
_OTHER_BREAKS = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_DEEP_BLOCK = re.compile(rf"[ \t\ufeff?:\-]{{{BLOCK_COLUMNS}}}")
_DEEP_BLOCK_LINE = re.compile(rf"\n[ \t\ufeff?:\-]{{{BLOCK_COLUMNS}}}")
_PROPERTIES = r"(?:[&!][^ \t\n]*[ \t]+){0,2}"  # libyaml takes one anchor and one tag
# Where a flow collection may start in block context (a superset): after indentation, or after a
# block indicator, then node properties. The last group is the bracket.
_FLOW_AT_START = re.compile(r"[ \t\ufeff]*" + _PROPERTIES + r"([\[{])")
_FLOW_AT_LINE = re.compile(r"\n[ \t\ufeff]*" + _PROPERTIES + r"([\[{])")
_FLOW_AFTER_INDICATOR = re.compile(r"[-?:][ \t]+" + _PROPERTIES + r"([\[{])")
# A line ending in what may be a block scalar header ('|', '>-', '|2', ...).
_HEADER = re.compile(r"[|>][0-9+\-]{0,2}[ \t]*(?:#[^\n]*)?(?=\n|\Z)")
_HEADER_HERE = re.compile(r"[|>](?:([1-9])[+\-]?|[+\-]([1-9])?)?(?=[ \t\n]|\Z)")
# From inside a quoted scalar, up to the quote closing it (a superset for single quotes).
# (A lookahead with a back-reference is an atomic group: a failed search does not backtrack.)
_DOUBLE_CLOSE = re.compile(r'(?=([^"\\]*(?:\\[\s\S][^"\\]*)*))\1"')
_SINGLE_CLOSE = re.compile(r"(?=([^']*(?:''[^']*)*))\1'")
_REST_OF_LINE = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_DOUBLE = re.compile(r'"(?=([^"\\\n]*(?:\\[^\n][^"\\\n]*)*))\1"')
_SINGLE = re.compile(r"'(?=([^'\n]*(?:''[^'\n]*)*))\1'")
_PLAIN_RUN = re.compile(r"[^\[\]{},:#\"'\s]+")
_PLAIN_END = re.compile(r":(?=[ \t\n]|\Z)|[ \t]#|\n")
_BLANKS = re.compile(r"[ \t]+")
_NON_BLANK = re.compile(r"[^ \t\n]+")
_SPACES = re.compile(r" +")
_UNSURE_AT_TOKEN = frozenset("!&*|>%@`#")


def check_nesting(text: str) -> None:
    """Raise ``yaml.MarkedYAMLError`` when ``text`` nests collections deeper than ``MAX_DEPTH``.

    Only texts the cheap proof cannot clear are parsed (once, with early exit)."""
    lines = _lines(text)
    if (
        _DEEP_BLOCK.match(lines) is None
        and _DEEP_BLOCK_LINE.search(lines) is None
        and _flow_depth_bound(lines) is not None
    ):
        return
    _measure(text)


def _lines(text: str) -> str:
    """``text`` with every YAML line break (CR LF, CR, NEL, LS, PS) as LF."""
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return _OTHER_BREAKS.sub("\n", text)
    return text


def _flow_depth_bound(text: str) -> int | None:
    """An upper bound of the flow nesting depth, or None when the cheap proof does not apply.

    Only lines where a flow collection may start are read, each once. A block scalar header is
    read only when such a line follows it before the next header; when trusted, its content
    lines are skipped.
    """
    if "[" not in text and "{" not in text:
        return 0
    flows = _flow_marks(text)
    headers = [m.start() for m in _HEADER.finditer(text)]
    deepest = 0
    done = -1  # the line break ending the last line read: each line is read once
    skip = -1  # where the trusted block scalar being skipped ends
    next_header = 0
    # Block scalars nested like a staircase would make the header reads overlap (quadratic):
    # past this many characters read, the text is measured instead.
    budget = 4 * len(text) + 1_000_000
    for at in flows:
        if at <= done or at < skip:
            continue
        while next_header < len(headers) and headers[next_header] < at:
            header = headers[next_header]
            next_header += 1
            if header <= done or header < skip:
                continue
            if next_header < len(headers) and headers[next_header] < at:
                continue  # a later header comes before this line: read that one
            start = _line_start(text, header, max(done, skip))
            line = _Line(text, start)
            if line.depth is None or line.depth > MAX_DEPTH:
                return None
            deepest = max(deepest, line.depth)
            done = _line_end(text, header)
            if line.block_indent is not None:
                end = _block_scalar_end(text, done, line.block_indent)
                budget -= 2 * (end - start)
                if budget < 0:
                    return None
                if at < end and not _may_close_quote(text, start, end):
                    skip = end
        if at <= done or at < skip:
            continue
        line = _Line(text, _line_start(text, at, max(done, skip)))
        if line.depth is None or line.depth > MAX_DEPTH:
            return None
        deepest = max(deepest, line.depth)
        done = _line_end(text, at)
    return deepest


def _line_start(text: str, at: int, floor: int) -> int:
    """The start of the line holding ``at``; ``floor`` is a line start or a line break."""
    found = text.rfind("\n", max(floor, 0), at)
    return found + 1 if found >= 0 else max(floor, 0)


def _line_end(text: str, at: int) -> int:
    found = text.find("\n", at)
    return len(text) if found < 0 else found


def _may_close_quote(text: str, start: int, end: int) -> bool:
    """Whether a quoted scalar open at ``start`` (a line start) could close before ``end`` and
    leave the rest of its line empty (which would put the lines after it in block context).
    Elsewhere libyaml stops with an error at what follows the quote."""
    for pattern, quote in ((_DOUBLE_CLOSE, '"'), (_SINGLE_CLOSE, "'")):
        closing = pattern.match(text, start, end)
        if (
            closing is not None
            and _REST_OF_LINE.match(text, closing.end()) is not None
            and _may_open(text, _opening(text, start, quote))
        ):
            return True
    return False


# Where a quoted scalar may open: at the start of the text or after one of these (a blank, a
# line break, an indicator, the end of a flow collection or of another quoted scalar). libyaml
# starts a token nowhere else; after an anchor, alias, tag or block scalar header a quote is an
# error. ``_lines`` has made every line break "\n".
_BEFORE_TOKEN = frozenset(" \t\n\ufeff[]{},:?-\"'")
_NONE = -1  # no quote could open a scalar that is still open
_UNSURE = -2  # too many quotes to pair: assume one could
_QUOTES_READ = 64  # how many quotes (or runs of them) a look back reads at most


def _may_open(text: str, at: int) -> bool:
    """Whether the quote ``_opening`` found at ``at`` can open a scalar (where a token starts)."""
    if at == _NONE:
        return False
    return at in (_UNSURE, 0) or text[at - 1] in _BEFORE_TOKEN


def _opening(text: str, start: int, quote: str) -> int:
    """Where a scalar in ``quote`` quotes still open at ``start`` must have opened, or
    ``_NONE``. Inside it a quote comes only escaped: after an odd run of backslashes in double
    quotes, doubled in single ones (so the opening quote starts an odd run of quotes). The
    opening quote is then the last one before ``start`` not escaped so; the start of its run
    (of backslashes before it, or of quotes) is returned. For a double quote that differs from
    the quote only where no open scalar can hold it (after ``\\\\``), and errs to "may open"."""
    escape = "\\" if quote == '"' else quote
    at = start
    for _ in range(_QUOTES_READ):
        found = text.rfind(quote, 0, at)
        if found < 0:
            return _NONE
        run = found
        while run > 0 and text[run - 1] == escape:
            run -= 1
        if (found - run) % 2 == 0:
            return run
        at = run
    return _UNSURE


def _flow_marks(text: str) -> list[int]:
    """Positions of possible flow starts, in order."""
    first = _FLOW_AT_START.match(text)
    return list(
        heapq.merge(
            [first.start(1)] if first else [],
            (m.start(1) for m in _FLOW_AT_LINE.finditer(text)),
            (m.start(1) for m in _FLOW_AFTER_INDICATOR.finditer(text)),
        )
    )


def _block_scalar_end(text: str, header_end: int, indent: int) -> int:
    """Where the block scalar whose header line ends at ``header_end`` ends, as libyaml finds it.

    ``indent`` is the content indentation the header fixes, or minus (the parent's indentation
    plus one) when the content sets it: then it is the largest run of leading spaces up to and
    including the first line with content, and at least the parent's plus one.
    """
    if indent < 0:
        indent = -indent
        scan = header_end + 1
        while scan < len(text):
            spaces = _SPACES.match(text, scan)
            end = spaces.end() if spaces else scan
            indent = max(indent, end - scan)
            if not text.startswith("\n", end):
                break
            scan = end + 1
    found = _less_indented(indent).search(text, header_end)
    return len(text) if found is None else found.start() + 1


@functools.lru_cache(maxsize=64)
def _less_indented(indent: int) -> re.Pattern[str]:
    """A line with content indented less than ``indent`` spaces (from its line break)."""
    return re.compile(rf"\n {{0,{indent - 1}}}[^ \n]")


class _Line:
    """One line read as a block-context line, left to right: indentation, ``- ``, ``? ``,
    ``: ``, node properties, a key, a value. Brackets inside a quoted or plain scalar are not
    taken for a collection. A line that is really inside a multi-line scalar or a block scalar
    holds no collection of its own, so reading it this way can only over-count.

    ``depth``: the deepest flow collection on the line (None when unsure). ``block_indent``: for a
    block scalar header (``key: |``), what ``_block_scalar_end`` takes; None for other lines.
    """

    __slots__ = ("block_indent", "depth")

    def __init__(self, text: str, start: int) -> None:
        self.depth: int | None = 0
        self.block_indent: int | None = None
        size = len(text)
        pos = start
        while pos < size and text[pos] in " \t\ufeff":
            pos += 1
        if text.startswith(("---", "..."), pos) and (pos + 3 >= size or text[pos + 3] in " \t\n"):
            pos += 3
        parent: int | None = None  # the column of the innermost block collection on this line
        node = pos  # where the current node's content starts
        while pos < size:
            char = text[pos]
            after = text[pos + 1] if pos + 1 < size else "\n"
            if char in " \t":
                pos += 1
            elif char in "\n#":
                return  # the end of the line, or a comment
            elif char in "|>":
                if parent is not None:
                    self._header(text, pos, parent)
                return
            elif char in "-?:" and after in " \t\n":
                # '- ' and '? ' open a collection at their column; ': ' after a key belongs to
                # the key's mapping; a ': ' opening the line is an explicit value at its column.
                parent = (node if char == ":" and node < pos else pos) - start
                pos += 1
                node = pos
            elif char in "&!*":
                end = _NON_BLANK.match(text, pos)
                assert end is not None
                pos = end.end()
            elif char in "[{":
                node = pos
                found = _closed_on_line(text, pos)
                if found is None:
                    self.depth = None
                    return
                # An entry 'a: b' or '? a' of a flow sequence is a one-pair mapping, a level
                # of its own: at most one per bracket.
                self.depth = max(self.depth or 0, 2 * found[0])
                pos = found[1]
            elif char in "\"'":
                node = pos
                quoted = (_DOUBLE if char == '"' else _SINGLE).match(text, pos)
                if quoted is None:
                    return  # a quoted scalar going on past this line
                pos = quoted.end()
            else:  # a plain scalar: up to ': ', ' #' or the end of the line
                node = pos
                end = _PLAIN_END.search(text, pos)
                if end is None or text[end.start()] != ":":
                    return
                pos = end.start()

    def _header(self, text: str, pos: int, parent: int) -> None:
        header = _HEADER_HERE.match(text, pos)
        if header is None:
            return  # not a header libyaml accepts; it reports the error itself
        digit = header.group(1) or header.group(2)
        self.block_indent = parent + int(digit) if digit else -(parent + 1)


def _closed_on_line(text: str, start: int) -> tuple[int, int] | None:
    """(depth, end) of the flow collection opening at ``start`` when it closes on its line.

    Reads as libyaml's scanner does in flow context: brackets and commas are structure; a quote
    starts a quoted scalar only where a token starts; a plain scalar runs through spaces and
    quotes up to a flow indicator, ``": "`` or ``" #"``. Returns None for anything it does not
    model (comments, tags, anchors, aliases, a line break inside the collection).
    """
    depth = 0
    deepest = 0
    expect = True  # at a token start (after an indicator, a bracket, a comma or a quoted scalar)
    pos = start
    size = len(text)
    while pos < size:
        char = text[pos]
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            expect = True
            pos += 1
        elif char in "]}":
            depth -= 1
            pos += 1
            if depth == 0:
                return deepest, pos
            expect = True
        elif char == ",":
            expect = True
            pos += 1
        elif char in " \t":
            blanks = _BLANKS.match(text, pos)
            assert blanks is not None
            pos = blanks.end()
            if pos < size and text[pos] == "#":
                return None  # a comment
        elif char == "\n":
            return None  # the collection goes on past its line
        elif char == ":":
            after = text[pos + 1] if pos + 1 < size else "\n"
            if expect or after in " \t\n,?[]{}":
                expect = True  # a value indicator
            elif after in "\"'":
                return None  # '"a":"b"' or a plain 'a:"b"': versions of libyaml differ
            pos += 1
        elif expect:
            if char in "\"'":
                quoted = (_DOUBLE if char == '"' else _SINGLE).match(text, pos)
                if quoted is None:
                    return None  # unterminated on this line, or an escaped line break
                pos = quoted.end()
            elif char in _UNSURE_AT_TOKEN:
                return None
            elif char == "?" or (char == "-" and (pos + 1 >= size or text[pos + 1] in " \t\n")):
                pos += 1  # an indicator ('?' always is in flow context; '- ' is an error)
            else:
                expect = False
                pos += 1
        else:  # inside a plain scalar
            run = _PLAIN_RUN.match(text, pos)
            pos = run.end() if run is not None else pos + 1
    return None


def _measure(text: str) -> None:
    """Parse ``text`` (events only, no nodes) and stop at the first level past ``MAX_DEPTH``."""
    from readylint.yamlio import SafeLoader

    loader = SafeLoader(text)
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, starts):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None
                    raise yaml.MarkedYAMLError(
                        problem=TOO_DEEP,
                        problem_mark=yaml.Mark("<yaml>", mark.index, mark.line, mark.column, "", 0),
                    )
            elif isinstance(event, ends):
                depth -= 1
    finally:
        loader.dispose()
