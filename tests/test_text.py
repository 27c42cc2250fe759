"""Text helpers: placeholders, word counts, sections, user stories."""

from __future__ import annotations

import pytest

from readylint.text import (
    indefinite,
    placeholder,
    sections,
    strip_markdown,
    user_story,
    whole,
    word_count,
)

KNOWN = frozenset({"trade_off", "customer_need", "business_reason", "why_now", "tradeoff"})


@pytest.mark.parametrize(
    "text",
    ["TBD", "tbc.", "TODO", "N/A", "n/a", "none", "Nil", "null", "-", "?", "...", "…",
     "To be defined", "to be determined", "To Be Confirmed.", "to be decided", "See above",
     "see below", "Lorem ipsum dolor sit amet", "<describe the outcome>", "[template slot]",
     "{{outcome}}", "**TBD**", "  ?? "],
)  # fmt: skip
def test_placeholders(text: str) -> None:
    assert placeholder(text) is not None


@pytest.mark.parametrize(
    "text",
    ["TBD after the spike, but likely the CSV export", "None of our competitors offer this yet",
     "We give up the dark mode work", "See the 40 support tickets a week about hidden fees"],
)  # fmt: skip
def test_real_answers_are_not_placeholders(text: str) -> None:
    assert placeholder(text) is None


def test_word_count_strips_markdown() -> None:
    assert word_count("**Bold** _words_ and [a link](https://example.com/x-y)") == 5
    assert word_count("- one\n- two") == 2
    assert word_count("### Heading text") == 2
    assert "https" not in strip_markdown("[text](https://example.com)")


def test_sections_from_markdown_headings_and_labels() -> None:
    description = (
        "Intro text.\n"
        "## Trade-off\n"
        "We postpone the wishlist.\n"
        "It costs a sprint.\n"
        "## Notes\n"
        "Not an answer.\n"
        "**Customer need:** shoppers lose baskets\n"
        "Business reason: abandoned baskets cost 8%\n"
        "Note: this line does not end the business reason\n"
        "*Why now:* campaign starts soon\n"
    )
    found = sections(description, KNOWN)
    assert found["trade_off"].text == "We postpone the wishlist.\nIt costs a sprint."
    assert found["trade_off"].offset == 1
    assert found["customer_need"].text == "shoppers lose baskets"
    assert "Note: this line" in found["business_reason"].text
    assert found["why_now"].text == "campaign starts soon"


@pytest.mark.parametrize(
    "line",
    ["# Trade-off", "###### trade off", "h3. Trade-off", "Trade-off: x", "**Trade-off:** x",
     "**Trade-off**: x", "__Trade-off:__ x", "*Trade-off:* x", "- **Trade-off:** x", "Tradeoff: x",
     "TRADE-OFF: x", "Trade_off: x"],
)  # fmt: skip
def test_heading_and_label_forms(line: str) -> None:
    assert set(sections(line + "\nmore", KNOWN)) & {"trade_off", "tradeoff"}


def test_headings_inside_code_fences_are_ignored() -> None:
    text = "```\n# Trade-off\n```\n"
    assert sections(text, KNOWN) == {}


def test_user_story() -> None:
    story = user_story(
        "As a returning shopper, I want my cart on every device so that I can buy later."
    )
    assert story is not None
    assert story.role == "returning shopper"
    assert story.goal.startswith("my cart on every device")
    assert story.benefit is not None and story.benefit.startswith("I can buy later")
    assert user_story("As an admin I need an audit log") is not None
    assert user_story("Add a save button") is None
    assert user_story("Works as expected, I think") is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("'Expected outcome'", "an"), ("'Trade-off'", "a"), ("'Ordering rationale:'", "an"),
     ("'Impact'", "an"), ("'Acceptance criteria'", "an"), ("'User need'", "a"),
     ("'Use case'", "a"), ("'Unit of work'", "a"), ("'Urgency'", "an"), ("'Update'", "an"),
     ("'Uninstall path'", "an"), ("'One-line pitch'", "a"), ("'Hour budget'", "an"),
     ("'Hypothesis'", "a"), ("'Business reason'", "a"), ("'Euro impact'", "a")],
)  # fmt: skip
def test_indefinite_article_follows_how_the_word_is_said(phrase: str, expected: str) -> None:
    assert indefinite(phrase) == f"{expected} {phrase}"


def test_whole_replaces_only_halves_of_a_pair() -> None:
    assert whole("plain") == "plain"
    assert whole("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"
    assert whole("cut \ud83d") == "cut \ufffd"
    assert whole("\ude00 and \ud83d\ude00") == "\ufffd and \ufffd\ufffd"
