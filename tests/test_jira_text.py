"""Jira rich text (wiki markup, ADF, null) to text that the description-section rules read."""

from __future__ import annotations

from typing import Any

import pytest

from readylint import app
from readylint.config import Config
from readylint.engine import Engine
from readylint.models import BacklogItem, Location
from readylint.sources.jira_text import adf_to_text, plain_value, rich_text, wiki_to_text
from readylint.text import sections


@pytest.fixture(scope="module")
def engine() -> Engine:
    return app.build_engine(Config(), app.Selection())[0]


def text(value: str, marks: tuple[str, ...] = ()) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = [{"type": m} for m in marks]
    return node


def para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


def doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def heading(level: int, title: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": level}, "content": [text(title)]}


def findings(engine: Engine, description: str | None) -> set[str]:
    items = [
        BacklogItem("J-1", "Cart sync", Location(url="u"), description=description),
        BacklogItem("J-2", "Next", Location(url="u2")),
    ]
    (result,) = engine.run(items, [0])
    return {f.check for f in result.findings}


NEED = "Shoppers who browse on the phone and buy on the laptop lose their cart."
REASON = "Abandoned carts cost us eight percent of orders every month."
TRADE = "We postpone the wish list, which three customers asked for."
OUTCOME = "Cart abandonment between devices drops by a quarter within a month."
ORDER = "The holiday campaign starts in six weeks and depends on this."


def test_adf_headings_become_markdown_headings_and_feed_sections(engine: Engine) -> None:
    document = doc(
        heading(2, "Customer need"),
        para(text(NEED)),
        heading(3, "Business reason"),
        para(text(REASON)),
        heading(2, "Trade-off"),
        para(text(TRADE)),
        heading(2, "Expected outcome"),
        para(text(OUTCOME)),
        heading(2, "Why now"),
        para(text(ORDER)),
    )
    converted = rich_text(document)
    assert converted is not None
    assert converted.startswith("## Customer need\n" + NEED)
    assert "### Business reason" in converted
    found = sections(converted, engine.known_sections)
    assert found["customer_need"].text == NEED
    assert found["trade_off"].text == TRADE
    assert findings(engine, converted) == set()


def test_adf_bold_labels_lists_panels_and_tables(engine: Engine) -> None:
    document = doc(
        para(text("Customer need:", ("strong",)), text(" " + NEED)),
        {
            "type": "panel",
            "attrs": {"panelType": "info"},
            "content": [para(text("Business reason", ("strong",)), text(": " + REASON))],
        },
        {
            "type": "bulletList",
            "content": [
                {"type": "listItem", "content": [para(text("Trade-off: " + TRADE))]},
                {
                    "type": "listItem",
                    "content": [
                        para(text("nested below")),
                        {
                            "type": "orderedList",
                            "content": [{"type": "listItem", "content": [para(text("deep"))]}],
                        },
                    ],
                },
            ],
        },
        {
            "type": "table",
            "content": [
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableHeader", "content": [para(text("Expected outcome"))]},
                        {"type": "tableCell", "content": [para(text(OUTCOME))]},
                    ],
                },
                {
                    "type": "tableRow",
                    "content": [
                        {"type": "tableCell", "content": [para(text("Why now"))]},
                        {"type": "tableCell", "content": [para(text(ORDER))]},
                    ],
                },
            ],
        },
    )
    converted = adf_to_text(document)
    assert f"**Customer need:** {NEED}" in converted
    assert f"**Business reason**: {REASON}" in converted
    assert f"- Trade-off: {TRADE}" in converted
    assert "  1. deep" in converted
    assert f"**Expected outcome:** {OUTCOME}" in converted
    found = sections(converted, engine.known_sections)
    assert found["customer_need"].text.startswith(NEED)
    assert found["expected_outcome"].text == OUTCOME
    assert findings(engine, converted) == set()


def test_adf_bold_only_paragraph_is_a_heading(engine: Engine) -> None:
    converted = adf_to_text(doc(para(text("Customer need", ("strong",))), para(text(NEED))))
    assert converted.splitlines()[0] == "## Customer need"
    assert sections(converted, engine.known_sections)["customer_need"].text == NEED


def test_adf_code_block_hides_headings_and_marks_render() -> None:
    converted = adf_to_text(
        doc(
            {
                "type": "codeBlock",
                "attrs": {"language": "text"},
                "content": [text("h2. Trade-off")],
            },
            {"type": "blockquote", "content": [para(text("quoted"))]},
            para(
                text("see "),
                text("docs", ("em",)),
                {"type": "mention", "attrs": {"id": "1", "text": "@Pat"}},
                {"type": "hardBreak"},
                {"type": "inlineCard", "attrs": {"url": "https://example.com/x"}},
                {
                    "type": "text",
                    "text": "link",
                    "marks": [{"type": "link", "attrs": {"href": "https://e.x"}}],
                },
            ),
            {"type": "rule"},
            {"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "m"}}]},
        )
    )
    assert converted.splitlines()[:3] == ["```", "h2. Trade-off", "```"]
    assert "> quoted" in converted
    assert "see _docs_@Pat\nhttps://example.com/x[link](https://e.x)" in converted
    assert sections(converted, frozenset({"trade_off"})) == {}


@pytest.mark.parametrize(
    "value", [None, "", "   \n", doc(), {"type": "doc", "version": 1}, doc(para())]
)
def test_null_and_empty_descriptions_are_no_description(value: Any) -> None:
    assert rich_text(value) is None


def test_null_description_fails_every_answer_check(engine: Engine) -> None:
    assert findings(engine, rich_text(None)) == {
        "customer-need",
        "business-reason",
        "trade-off",
        "expected-outcome",
        "ordering-rationale",
    }


def test_wiki_markup_headings_and_labels_pass_through(engine: Engine) -> None:
    wiki = (
        f"h3. Customer need\n{NEED}\n\n*Business reason:* {REASON}\n"
        f"*Trade-off*\n{TRADE}\n\nh2. Expected outcome\n{OUTCOME}\n\n* Why now: {ORDER}\n"
        "{code:java}\nh2. Not a heading\n{code}\n"
    )
    converted = wiki_to_text(wiki)
    assert converted.splitlines()[:2] == ["h3. Customer need", NEED]  # unchanged
    assert "## Trade-off" in converted  # a bold-only line became a heading
    assert "```\nh2. Not a heading\n```" in converted
    found = sections(converted, engine.known_sections)
    assert found["customer_need"].text == NEED
    assert found["business_reason"].text == REASON
    assert found["trade_off"].text == TRADE
    assert findings(engine, converted) == set()


def test_wiki_noformat_on_one_line_and_unclosed_block() -> None:
    assert wiki_to_text("{noformat}x{noformat}\nafter") == "```\nx\n```\nafter"
    assert wiki_to_text("{code}\nh2. inside") == "```\nh2. inside\n```"


def test_deeply_nested_adf_does_not_recurse_without_bound() -> None:
    node: dict[str, Any] = para(text("bottom"))
    for _ in range(500):
        node = {"type": "blockquote", "content": [node]}
    assert "bottom" in adf_to_text(doc(node))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        (3.0, "3"),
        (2.5, "2.5"),
        (7, "7"),
        (True, "yes"),
        ({"value": "Gold", "id": "1"}, "Gold"),
        ({"value": "EU", "child": {"value": "Berlin"}}, "EU: Berlin"),
        ({"displayName": "Pat Owner"}, "Pat Owner"),
        ([{"value": "a"}, {"value": "b"}], "a\nb"),
        (doc(para(text("rich"))), "rich"),
        ({"unknown": 1}, ""),
        (None, ""),
    ],
)
def test_custom_field_values_as_text(value: Any, expected: str) -> None:
    assert plain_value(value) == expected


def test_the_plain_paragraph_fast_path_renders_like_the_general_walk() -> None:
    """Seeded random documents of paragraphs (with blank, multi-line, padded and junk parts):
    the shortcut for unmarked paragraphs gives exactly what the general walk gives."""
    import random

    from readylint.sources import jira_text

    def general(document: dict[str, Any]) -> str:
        lines: list[str] = []
        jira_text._blocks(jira_text._children(document), lines, "", 0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)

    rng = random.Random(7)
    pieces = ["", " ", "a", "b c ", "\n", "x\n y  ", "  lead", "tail  \n", "\n\n"]
    taken = 0
    for _ in range(2000):
        content: list[Any] = []
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.05:
                content.append("junk")
                continue
            kids: list[Any] = []
            for _ in range(rng.randint(0, 3)):
                node: Any = {"type": "text", "text": rng.choice(pieces)}
                roll = rng.random()
                if roll < 0.05:
                    node = 7
                elif roll < 0.1:
                    node["marks"] = [] if roll < 0.08 else [{"type": "strong"}]
                kids.append(node)
            block: dict[str, Any] = {"type": "paragraph"}
            if rng.random() < 0.9:
                block["content"] = kids
            content.append(block)
        if rng.random() < 0.1:
            content.append({"type": "heading", "content": [{"type": "text", "text": "Why now"}]})
        document = {"type": "doc", "version": 1, "content": content}
        assert jira_text.adf_to_text(document) == general(document), document
        taken += jira_text._plain_paragraphs(content) is not None
    assert 1000 < taken < 2000  # both paths were exercised


@pytest.mark.parametrize("kind", [{}, [], {"a": 1}, ["text"], None, 7])
def test_a_node_type_that_is_not_a_string_is_an_unknown_node(kind: object) -> None:
    """A broken document (a node's "type" an object or a list) was looked up in a set of names
    and stopped the run; such a node is now one of an unknown type, its text kept."""
    document = doc({"type": "x", "content": [{"type": kind}, text(NEED)]}, para(text(REASON)))
    converted = rich_text(document)
    assert converted is not None and NEED in converted and REASON in converted
