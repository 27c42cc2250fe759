"""Jira rich text to the Markdown-ish text that ``readylint.text.sections`` understands.

Jira returns a description (and rich-text custom fields) in one of three forms:

- REST API v2 (Server/Data Center, and Cloud ``/rest/api/2``): a wiki-markup string. Headings
  (``h3. Trade-off``) and label lines (``*Trade-off:* ...``) are already understood by
  ``text.sections``; two more wiki habits are normalised here: a line that is *only* bold text
  (``*Customer need*``) becomes a heading, and ``{code}``/``{noformat}`` blocks become fences so
  that a heading inside them is not taken for a section.
- REST API v3 (Cloud): an Atlassian Document Format (ADF) tree. Heading nodes become ``## Heading``,
  a paragraph that starts with bold text ending in a colon becomes ``**Label:** text``, a paragraph
  that is nothing but short bold text becomes a heading, and lists, quotes, panels, tables
  (two-column rows become label lines) and code blocks keep their text.
- ``null``, an empty string or an empty document: no description.

Pure functions, no I/O: the Jira source calls them on raw JSON (``dict`` and ``list`` only, so
the type tests are the cheap exact ones, not the abstract ``Mapping``/``Sequence`` ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_DEPTH = 60  # ADF nests lists and tables; deeper trees are flattened, never recursed into
_BOLD_HEADING_WORDS = 8

_WIKI_BOLD_LINE = re.compile(r"^\s{0,3}\*([^*\n]{1,120})\*\s*$")
_WIKI_BLOCK = re.compile(r"^\s{0,3}\{(code|noformat)(?::[^}\n]{0,200})?\}", re.I)
_WIKI_BLOCK_END = re.compile(r"\{(code|noformat)\}\s*$", re.I)


# --- public entry points -----------------------------------------------------------------------


def rich_text(value: object) -> str | None:
    """The text of a description or rich-text field value, or None when it is empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = wiki_to_text(value)
    elif isinstance(value, dict):
        text = adf_to_text(value)
    else:
        text = plain_value(value)
    return text if text.strip() else None


def plain_value(value: object) -> str:
    """A custom field value as text: strings, numbers, options, users, lists of those, ADF."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, dict):
        if value.get("type") == "doc":
            return adf_to_text(value)
        for key in ("value", "displayName", "name", "key", "text"):
            inner = value.get(key)
            if isinstance(inner, str):
                child = value.get("child")
                if isinstance(child, dict) and isinstance(child.get("value"), str):
                    return f"{inner}: {child['value']}"  # a cascading select
                return inner
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(t for t in (plain_value(v) for v in _flat_items(value)) if t)
    return str(value)


def _flat_items(values: Sequence[object]) -> list[object]:
    """The items of a list, with nested lists flattened (without recursion: JSON nests deeply)."""
    found: list[object] = []
    stack: list[Sequence[object]] = [values]
    positions = [0]
    while stack:
        current, at = stack[-1], positions[-1]
        if at >= len(current):
            stack.pop()
            positions.pop()
            continue
        positions[-1] += 1
        item = current[at]
        if isinstance(item, list | tuple):
            stack.append(item)
            positions.append(0)
        else:
            found.append(item)
    return found


# --- wiki markup ------------------------------------------------------------------------------


def wiki_to_text(text: str) -> str:
    """Wiki markup with bold-only lines as headings and code blocks fenced; otherwise unchanged."""
    out: list[str] = []
    in_block = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if in_block:
            if _WIKI_BLOCK_END.search(line):
                in_block = False
                before = _WIKI_BLOCK_END.sub("", line)
                if before.strip():
                    out.append(before)
                out.append("```")
            else:
                out.append(line)
            continue
        block = _WIKI_BLOCK.match(line)
        if block:
            rest = line[block.end() :]
            out.append("```")
            if _WIKI_BLOCK_END.search(rest):  # {code}x{code} on one line
                out.extend([_WIKI_BLOCK_END.sub("", rest), "```"])
            else:
                in_block = True
                if rest.strip():
                    out.append(rest)
            continue
        bold = _WIKI_BOLD_LINE.match(line)
        if bold and len(bold.group(1).split()) <= _BOLD_HEADING_WORDS:
            out.append(f"## {bold.group(1).strip().rstrip(':').strip()}")
            continue
        out.append(line)
    if in_block:
        out.append("```")
    return "\n".join(out)


# --- Atlassian Document Format ----------------------------------------------------------------


def adf_to_text(document: Mapping[str, Any]) -> str:
    """An ADF document as Markdown-ish text (see the module docstring)."""
    content = document.get("content")
    if isinstance(content, list):
        plain = _plain_paragraphs(content)
        if plain is not None:
            return plain
    lines: list[str] = []
    _blocks(_children(document), lines, "", 0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _plain_paragraphs(content: list[Any]) -> str | None:
    """The text of a document made only of paragraphs of unmarked text (most answer fields),
    exactly as the general walk below renders it, or None for any other document."""
    lines: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") != "paragraph":
            return None
        children = block.get("content")
        parts: list[str] = []
        if isinstance(children, list):
            for child in children:
                if not isinstance(child, dict):
                    continue
                text = child.get("text", "")
                if child.get("type") != "text" or child.get("marks") or not isinstance(text, str):
                    return None
                parts.append(text)
        text = "".join(parts)
        if text.strip():
            lines.extend(line.rstrip() for line in text.split("\n"))
        if lines and lines[-1].strip():
            lines.append("")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _children(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = node.get("content")
    if not isinstance(content, list):
        return []
    return [c for c in content if isinstance(c, dict)]


def _blocks(nodes: Iterable[Mapping[str, Any]], out: list[str], prefix: str, depth: int) -> None:
    for node in nodes:
        _block(node, out, prefix, depth)


def _emit(out: list[str], prefix: str, text: str) -> None:
    if "\n" not in text:
        out.append(f"{prefix}{text}".rstrip() if text else prefix.rstrip())
        return
    for line in text.split("\n"):
        out.append(f"{prefix}{line}".rstrip() if line else prefix.rstrip())


def _block(node: Mapping[str, Any], out: list[str], prefix: str, depth: int) -> None:
    kind = node.get("type")
    if depth > MAX_DEPTH:
        flat = _flat_text(node)
        if flat:
            _emit(out, prefix, flat)
        return
    if kind == "heading":
        level = _attrs(node).get("level", 2)
        level = level if isinstance(level, int) and 1 <= level <= 6 else 2
        title = " ".join(_inline(_children(node), depth, marks=False).split())
        if title:
            _emit(out, prefix, f"{'#' * level} {title}")
    elif kind == "paragraph":
        children = _children(node)
        heading = _bold_heading(children)
        if heading is not None:
            _emit(out, prefix, f"## {heading}")
        else:
            text = _inline(children, depth)
            if text.strip():
                _emit(out, prefix, text)
        _blank(out, prefix)
    elif kind in ("bulletList", "orderedList"):
        start = _attrs(node).get("order", 1)
        number = start if isinstance(start, int) else 1
        for item in _children(node):
            marker = "- " if kind == "bulletList" else f"{number}. "
            number += 1
            sub: list[str] = []
            _blocks(_children(item), sub, "", depth + 1)
            sub = [s for s in sub if s.strip()]
            if not sub:
                continue
            out.append(f"{prefix}{marker}{sub[0]}")
            out.extend(f"{prefix}{' ' * len(marker)}{s}" for s in sub[1:])
        _blank(out, prefix)
    elif kind == "blockquote":
        _blocks(_children(node), out, prefix + "> ", depth + 1)
    elif kind in (
        "panel",
        "expand",
        "nestedExpand",
        "layoutSection",
        "layoutColumn",
        "bodiedExtension",
    ):
        caption = _attrs(node).get("title")
        if isinstance(caption, str) and caption.strip():
            _emit(out, prefix, f"## {caption.strip()}")
        _blocks(_children(node), out, prefix, depth + 1)
    elif kind == "codeBlock":
        _emit(out, prefix, "```")
        _emit(out, prefix, _inline(_children(node), depth, marks=False))
        _emit(out, prefix, "```")
        _blank(out, prefix)
    elif kind == "table":
        for row in _children(node):
            cells = [_cell_text(c, depth) for c in _children(row)]
            if len(cells) == 2 and cells[0]:
                label = cells[0].strip("*_ ").rstrip(":").strip()
                _emit(out, prefix, f"**{label}:** {cells[1]}")
            elif any(cells):
                _emit(out, prefix, "| " + " | ".join(cells) + " |")
        _blank(out, prefix)
    elif kind == "rule":
        _emit(out, prefix, "---")
    elif kind in ("mediaSingle", "mediaGroup", "media"):
        return
    elif "content" in node:  # a node type we do not know: keep its text
        children = _children(node)
        if children and all(_is_inline(c) for c in children):
            text = _inline(children, depth)
            if text.strip():
                _emit(out, prefix, text)
        else:
            _blocks(children, out, prefix, depth + 1)
    else:
        text = _inline([node], depth)
        if text.strip():
            _emit(out, prefix, text)


def _flat_text(node: Mapping[str, Any]) -> str:
    """All text below ``node``, gathered without recursion (for trees nested too deeply)."""
    parts: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        value = current.get("text")
        if current.get("type") == "text" and isinstance(value, str):
            parts.append(value)
        stack.extend(reversed(_children(current)))
    return " ".join(" ".join(parts).split())


def _attrs(node: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _blank(out: list[str], prefix: str) -> None:
    if out and out[-1].strip() and out[-1] != prefix.rstrip():
        out.append(prefix.rstrip())


_INLINE = frozenset(
    {"text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "placeholder",
     "inlineExtension", "mediaInline"}
)  # fmt: skip


def _is_inline(node: Mapping[str, Any]) -> bool:
    kind = node.get("type")  # an object or a list (a broken document) cannot be looked up
    return isinstance(kind, str) and kind in _INLINE


def _cell_text(cell: Mapping[str, Any], depth: int) -> str:
    lines: list[str] = []
    _blocks(_children(cell), lines, "", depth + 1)
    return " ".join(line.strip() for line in lines if line.strip())


def _bold_heading(children: Sequence[Mapping[str, Any]]) -> str | None:
    """A paragraph that is only bold text of a few words, such as **Customer need**."""
    texts = [c for c in children if c.get("type") != "hardBreak"]
    if not texts or any(c.get("type") != "text" or not _has_mark(c, "strong") for c in texts):
        return None
    title = " ".join("".join(str(c.get("text", "")) for c in texts).split()).rstrip(":").strip()
    if not title or len(title.split()) > _BOLD_HEADING_WORDS:
        return None
    return title


def _has_mark(node: Mapping[str, Any], name: str) -> bool:
    marks = node.get("marks")
    return isinstance(marks, list) and any(
        isinstance(m, dict) and m.get("type") == name for m in marks
    )


def _inline(nodes: Iterable[Mapping[str, Any]], depth: int, *, marks: bool = True) -> str:
    parts: list[str] = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            text = node.get("text", "")
            if not isinstance(text, str):
                text = str(text)
            if marks and node.get("marks") and text.strip():
                text = _marked(node, text)
            parts.append(text)
            continue
        attrs = _attrs(node)
        if kind == "hardBreak":
            parts.append("\n")
        elif kind == "mention":
            parts.append(str(attrs.get("text") or "@someone"))
        elif kind == "emoji":
            parts.append(str(attrs.get("text") or attrs.get("shortName") or ""))
        elif kind == "inlineCard":
            parts.append(str(attrs.get("url") or ""))
        elif kind == "status":
            parts.append(str(attrs.get("text") or ""))
        elif kind == "date":
            parts.append(str(attrs.get("timestamp") or ""))
        elif "content" in node and depth <= MAX_DEPTH:
            lines: list[str] = []
            _blocks([node], lines, "", depth + 1)
            parts.append(" ".join(line for line in lines if line.strip()))
    return "".join(parts)


def _marked(node: Mapping[str, Any], text: str) -> str:
    """Apply strong, em, code and link marks, keeping outer spaces outside the markers."""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    marks = node.get("marks")
    for mark in marks if isinstance(marks, list) else ():
        if not isinstance(mark, dict):
            continue
        kind = mark.get("type")
        if kind == "strong":
            core = f"**{core}**"
        elif kind == "em":
            core = f"_{core}_"
        elif kind == "code":
            core = f"`{core}`"
        elif kind == "link":
            attrs = mark.get("attrs")
            href = attrs.get("href") if isinstance(attrs, dict) else None
            if isinstance(href, str) and href:
                core = f"[{core}]({href})"
    return f"{lead}{core}{trail}"
