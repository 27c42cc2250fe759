"""Judgement rules of issue 5: answers that exist but do not answer, stale ordering, prose."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from readylint.catalog import load_checks
from readylint.engine import CheckOptions, Engine
from readylint.models import BacklogItem, Finding
from readylint.sources.yaml_files import read_text

CHECKS = load_checks()


def run(
    documents: list[dict[str, Any]],
    check: str,
    *,
    at: int = 0,
    options: dict[str, CheckOptions] | None = None,
    strict: bool = False,
) -> list[Finding]:
    items, errors = read_text(yaml.safe_dump(documents, sort_keys=False), "backlog.yaml")
    assert not errors
    engine = Engine(CHECKS, options=options, strict=strict)
    (result,) = engine.run(items, report=[at])
    return [f for f in result.findings if f.check == check]


def one(item: dict[str, Any], check: str) -> list[Finding]:
    return run([item, {"id": "X-2", "title": "Next"}], check)


def messages(findings: list[Finding]) -> str:
    return " | ".join(f.message for f in findings)


# --- expected outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome",
    [
        "Improve the user experience of the checkout flow.",
        "Make it better for everyone who uses the page.",
        "Customers will be happier with the new search results.",
    ],
)
def test_vague_outcomes_are_warnings_that_ask_for_the_missing_piece(outcome: str) -> None:
    found = one({"id": "X-1", "title": "Search", "outcome": outcome}, "expected-outcome")
    assert [f.severity for f in found] == ["warning"]
    assert "by how much, measured where, and by when" in found[0].message
    assert "looked for a number or percentage" in found[0].message


@pytest.mark.parametrize(
    "outcome",
    [
        "Checkout abandonment drops from 30% to 20% within two months.",
        "Support agents can issue a refund without asking finance.",
        "Median search time falls below 2 seconds.",
    ],
)
def test_concrete_outcomes_pass(outcome: str) -> None:
    assert one({"id": "X-1", "title": "Search", "outcome": outcome}, "expected-outcome") == []


def test_numbers_in_a_log_are_not_an_outcome() -> None:
    item = {
        "id": "X-1",
        "title": "Import times out",
        "expected_outcome": "{noformat}\n2024-05-01 10:22:13,094 ERROR [main] took 30000 ms\n{noformat}",
    }
    found = one(item, "expected-outcome")
    assert found and "holds only code, log lines" in found[0].message


# --- trade-off ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("No trade-off, this is a pure win.", "No trade-off"),
        ("Nothing really, to be honest.", "Nothing really"),
    ],
)
def test_trade_offs_that_give_nothing_up(text: str, phrase: str) -> None:
    found = one({"id": "X-1", "title": "Cart", "trade_off": text}, "trade-off")
    assert f"gives nothing up ('{phrase}')" in messages(found)


def test_a_denial_does_not_hide_a_real_trade_off() -> None:
    text = "Nothing big: we postpone PAY-31 by a sprint and accept manual refunds until then."
    assert one({"id": "X-1", "title": "Cart", "trade_off": text}, "trade-off") == []


def test_instead_of_describing_a_fix_is_not_a_trade_off() -> None:
    item = {
        "id": "X-1",
        "title": "Dates parse wrongly",
        "description": "European users see the wrong month.\nParse the date with the ISO format "
        "instead of the browser locale.",
    }
    found = one(item, "trade-off")
    assert found and found[0].message.startswith("Missing trade-off")


def test_an_explicit_scope_cut_in_prose_is_found_and_says_so() -> None:
    item = {
        "id": "X-1",
        "title": "Instrument Java 8",
        "description": "Instrument Java 8 sources. Lambdas are out of scope for this release.",
    }
    assert one(item, "trade-off") == []
    required = run(
        [item, {"id": "X-2", "title": "n"}],
        "trade-off",
        options={"trade-off": CheckOptions(require_labels=True)},
    )
    assert "only in the description prose ('" in messages(required)
    assert required[0].severity == "warning"


def test_missing_answer_messages_take_the_right_article() -> None:
    """'an Expected outcome heading', 'a Trade-off heading': the message reads as English."""
    item = {"id": "X-1", "title": "Export"}
    assert "an 'Expected outcome' heading or label" in messages(one(item, "expected-outcome"))
    assert "a 'Trade-off' heading or label" in messages(one(item, "trade-off"))
    required = run(
        [
            {"id": "X-1", "title": "Export", "description": "We expect refunds to drop by 20%."},
            {"id": "X-2", "title": "n"},
        ],
        "expected-outcome",
        options={"expected-outcome": CheckOptions(require_labels=True)},
    )
    assert "under an 'Expected outcome:' label" in messages(required)


# --- business reason ----------------------------------------------------------------------------


def test_business_filler_is_named() -> None:
    found = one(
        {"id": "X-1", "title": "Cart", "why": "It adds value and aligns with our strategy."},
        "business-reason",
    )
    assert "is generic business filler ('adds value')" in messages(found)


def test_because_explaining_a_bug_is_not_a_business_reason() -> None:
    item = {
        "id": "X-1",
        "title": "Import fails",
        "description": "The import fails because the parser changed and the data loss tool broke.",
    }
    found = one(item, "business-reason")
    assert found and found[0].message.startswith("Missing business reason")


def test_a_business_risk_in_prose_counts_and_is_marked_as_prose() -> None:
    item = {
        "id": "X-1",
        "title": "Rename wipes report",
        "description": "Renaming a report empties it. Customers lose their data when they rename it.",
    }
    assert one(item, "business-reason") == []
    item["description"] += " It is important."  # still fine: evidence wins over filler


# --- customer need ------------------------------------------------------------------------------


def test_a_need_that_restates_the_title() -> None:
    found = one(
        {
            "id": "X-1",
            "title": "Export the report to PDF",
            "need": "Export the report to PDF files.",
        },
        "customer-need",
    )
    assert "only restates the title" in messages(found)


def test_a_need_that_only_describes_the_solution() -> None:
    found = one(
        {"id": "X-1", "title": "Report export", "need": "Add a PDF button to the report toolbar."},
        "customer-need",
    )
    assert "only describes the solution ('Add')" in messages(found)


def test_a_user_story_is_a_customer_and_goal_and_a_template_story_is_a_placeholder() -> None:
    story = {"id": "X-1", "title": "As a buyer, I want to export invoices so that I can file them"}
    assert one(story, "customer-need") == []
    template = {"id": "X-1", "title": "As a [user], I want [goal]"}
    found = one(template, "customer-need")
    assert found[0].severity == "error" and "placeholder" in found[0].message


# --- ordering rationale -------------------------------------------------------------------------


def backlog(why: str, *, position: int = 1) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"id": f"PAY-{n}", "title": f"Item {n}"} for n in range(1, 7)]
    items[position]["why_now"] = why
    return items


@pytest.mark.parametrize(
    ("why", "expected"),
    [
        (
            "This is a high priority item for the team.",
            "gives a priority, not a reason ('high priority')",
        ),
        ("The CEO wants it in the next demo we give.", "loudest stakeholder"),
        ("Requested by sales for their big accounts.", "loudest stakeholder"),
        ("Customers have asked for it many times already.", "is not concrete"),
    ],
)
def test_rationales_that_do_not_compare(why: str, expected: str) -> None:
    found = run(backlog(why), "ordering-rationale", at=1)
    assert expected in messages(found)
    assert "the next items are PAY-3, PAY-4, PAY-5" in messages(found)


@pytest.mark.parametrize(
    "why",
    [
        "Do it before PAY-4 so the reminder has carts to point at.",
        "PAY-3 builds on this, and the campaign starts in six weeks.",
        "The contract renews on 1 March and this is a condition of it.",
    ],
)
def test_rationales_that_compare(why: str) -> None:
    assert run(backlog(why), "ordering-rationale", at=1) == []


def test_stale_rationale_names_an_item_ranked_above_as_coming_after() -> None:
    found = run(
        backlog("Must land before PAY-1 so that reminders work.", position=2),
        "ordering-rationale",
        at=2,
    )
    assert [f.severity for f in found] == ["error"]
    assert (
        "PAY-1 is named as coming after this item but is ranked 1, above it (3)" in found[0].message
    )


def test_stale_rationale_names_an_unknown_id_of_the_same_project() -> None:
    found = run(
        backlog("Must land before PAY-99 so that reminders work."), "ordering-rationale", at=1
    )
    assert "PAY-99 is not in the backlog" in messages(found)
    assert found[0].severity == "error"


def test_ids_of_other_projects_are_not_stale() -> None:
    assert (
        run(backlog("Must land before HDFS-99 ships, a dependency."), "ordering-rationale", at=1)
        == []
    )


def test_an_item_named_as_coming_first_must_be_ranked_above() -> None:
    ok = run(
        backlog("Comes after PAY-1, which it needs; do it before PAY-3.", position=1),
        "ordering-rationale",
        at=1,
    )
    assert ok == []
    stale = run(
        backlog("Comes after PAY-5, then unblocks the release.", position=1),
        "ordering-rationale",
        at=1,
    )
    assert "PAY-5 is named as coming first but is ranked 5, below this item (2)" in messages(stale)


def test_strict_lists_the_next_three_ids() -> None:
    why = "Do it before PAY-3 because the campaign starts in six weeks."
    assert run(backlog(why), "ordering-rationale", at=1) == []
    found = run(backlog(why), "ordering-rationale", at=1, strict=True)
    assert (
        "names 1 of the items after it; compare it with the next 3: PAY-3, PAY-4, PAY-5"
        in messages(found)
    )
    near_end = run(
        backlog("Do it before PAY-6, a dependency.", position=4),
        "ordering-rationale",
        at=4,
        strict=True,
    )
    assert near_end == []  # only one item comes after it, and it is named


def test_compare_with_per_check() -> None:
    why = "Do it before PAY-3 because the campaign starts in six weeks."
    found = run(
        backlog(why),
        "ordering-rationale",
        at=1,
        options={"ordering-rationale": CheckOptions(strict=True, compare_with=1)},
    )
    assert found == []


def test_cross_item_context_is_built_once_per_run() -> None:
    items, _ = read_text(yaml.safe_dump(backlog("Before PAY-3, a dependency.")), "b.yaml")
    engine = Engine(CHECKS)
    results = engine.run(items)
    assert len(results) == 6 and isinstance(results[0].item, BacklogItem)


# --- prose cleaning and title restatement (accuracy follow-up) ----------------------------------


def test_removed_code_does_not_split_a_sentence_and_emoticons_go() -> None:
    from readylint.judge import prose_sentences

    found = prose_sentences("If I version {{0.1.0-0}} then {{appcd exec}} {{x}} will not find it.")
    assert found == ["If I version then will not find it."]
    assert prose_sentences("(x) add an extra warning here") == ["add an extra warning here"]


def test_a_heading_or_label_line_starts_the_next_sentence() -> None:
    from readylint.judge import prose_sentences

    text = (
        "h5.Steps to reproduce\n\n1. Open the editor now\n\nh3. Actual result\nIt crashes on save"
    )
    assert prose_sentences(text) == [
        "h5.Steps to reproduce Open the editor now",
        "h3.Actual result It crashes on save",
    ]
    # "#" is a numbered step in Jira wiki, not a heading
    assert prose_sentences("# Import a backup using IE 11\nThe upload never ends here") == [
        "# Import a backup using IE 11",
        "The upload never ends here",
    ]


@pytest.mark.parametrize(
    ("answer", "title", "expected"),
    [
        ("Opening the invoice crashes.", "Crash when opening an invoice", True),  # stems
        ("This is not intuitive.", "Add a logout menu", False),  # one new word is new
        ("Email view should appear", "Email View does not appear on Kindle", True),
        ("Users lose their cart on the phone.", "Save the cart", False),
    ],
)
def test_restates_compares_stemmed_content_words(answer: str, title: str, expected: bool) -> None:
    from readylint.judge import restates

    assert restates(answer, title) is expected


def test_an_outcome_that_only_negates_the_title_is_flagged() -> None:
    item = {
        "id": "X-1",
        "title": "Email view does not appear on Kindle",
        "description": "Steps:\n1. Pick an image\n\nExpected result:\nEmail view should appear",
    }
    assert "only restates the title" in messages(one(item, "expected-outcome"))


def test_a_bug_reports_own_labels_end_a_section() -> None:
    from readylint.text import sections

    found = sections(
        "Expected result: it works\nActual result: it fails", frozenset({"expected_result"})
    )
    assert found["expected_result"].text == "it works"


def test_monospace_in_a_story_is_not_a_template_slot() -> None:
    item = {
        "id": "X-1",
        "title": "Versions from one list",
        "description": "As a developer, I'd like the {{publish.gradle}} script to read versions.",
    }
    assert one(item, "customer-need") == []


# --- customer need in prose ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    [
        "Steps to reproduce:\n1. Open the run configurations\n2. Drag the divider\n\nResult: an "
        "outline stays.",
        "Currently the builder offers fields of the collection. I'd like to see the new fields too.",
        "Login takes about six seconds for some users.",
        "rename folder, then rename a file in the folder and get an error.",
        "They are inefficient, out of date, and nearly unmaintainable.",
        "When adding the tag in the editor it will be flagged with the below error.",
    ],
)
def test_needs_in_prose_without_headings(description: str) -> None:
    item = {"id": "X-1", "title": "Something is off", "description": description}
    assert one(item, "customer-need") == []


@pytest.mark.parametrize(
    "description",
    [
        "The leak is caused by the default profile holding a reference.",
        "PAY-12 changed the name of a keyword but did not update the caller.",
        "Q: What if there is a duplicate named field?",
        "Unsure if this means the call is empty. I'm not able to duplicate with my accounts.",
        "Node 18 no longer gets security patches. Nothing changes for users.",
    ],
)
def test_causes_questions_and_denials_are_not_needs(description: str) -> None:
    item = {"id": "X-1", "title": "Something is off", "description": description}
    found = one(item, "customer-need")
    assert found and found[0].message.startswith("Missing customer need")


@pytest.mark.parametrize(
    ("need", "title", "expected"),
    [
        ("Users want it faster.", "Improve performance", "says who wants it"),
        ("Marketing wants more newsletter sign-ups.", "Newsletter footer", "names who asked"),
        ("Users want to upload a logo for their invoices.", "Let users upload a logo", "restates"),
    ],
)
def test_needs_in_fields_that_do_not_answer(need: str, title: str, expected: str) -> None:
    assert expected in messages(one({"id": "X-1", "title": title, "need": need}, "customer-need"))


# --- business reason, trade-off, outcome and ordering (accuracy follow-up) ----------------------


@pytest.mark.parametrize(
    ("description", "found"),
    [
        ("Renaming a folder makes the file in it lose its content.", False),
        ("This issue manifests as junk characters written to the file.", False),
        ("German invoicing rules require a correct VAT amount on every invoice.", False),
        ("As of June 17, 2016 PayPal will require TLS 1.2 connections.", False),
        ("Slow PDFs are the reason given in our 1-star app-store reviews.", False),
        ("Each change takes a developer about three days and broke production twice.", False),
        ("This works fine for internal structures, but not for the API.", True),
    ],
)
def test_business_reasons_in_prose(description: str, found: bool) -> None:
    item = {"id": "X-1", "title": "Something", "description": description}
    assert bool(one(item, "business-reason")) is found


@pytest.mark.parametrize(
    ("why", "flagged"),
    [
        ("Improves customer satisfaction and retention.", True),
        ("Three of the last ten accounts that cancelled named it.", False),
    ],
)
def test_business_filler_next_to_a_goal_word(why: str, flagged: bool) -> None:
    found = one({"id": "X-1", "title": "Cart", "why": why}, "business-reason")
    assert bool(found) is flagged
    if flagged:
        assert "is generic business filler" in messages(found)


@pytest.mark.parametrize(
    ("description", "found"),
    [
        ("This could cause unexpected results. Deemed unlikely and an extreme edge case.", False),
        ("We will tag the default template only; custom templates wait.", False),
        ("After the sync the model has no id, so it won't be deleted from the set.", True),
    ],
)
def test_trade_offs_in_prose(description: str, found: bool) -> None:
    item = {"id": "X-1", "title": "Something", "description": description}
    assert bool(one(item, "trade-off")) is found


@pytest.mark.parametrize(
    ("description", "found"),
    [
        ("We expect the share of mobile invoices to rise from 12% to 20%.", False),
        ("After the fix, the VAT total equals the screen total for all 340 invoices.", False),
        ("Within two weeks of release, support should no longer receive such tickets.", False),
    ],
)
def test_outcomes_in_prose(description: str, found: bool) -> None:
    item = {"id": "X-1", "title": "Something", "description": description}
    assert bool(one(item, "expected-outcome")) is found


def test_a_cause_is_not_an_outcome_and_marked_criteria_state_behaviour() -> None:
    cause = {"id": "X-1", "title": "No gaps", "outcome": "Gaps appear because drafts use a number."}
    assert "is not concrete" in messages(one(cause, "expected-outcome"))
    criteria = {
        "id": "X-1",
        "title": "Inline edit",
        "description": "Acceptance criteria:\n- Clicking the estimate field will allow inline edit",
    }
    assert one(criteria, "expected-outcome") == []


def test_an_id_is_not_a_number_and_coming_after_is_no_reason() -> None:
    found = run(backlog("Should come after PAY-1 is done.", position=2), "ordering-rationale", at=2)
    assert "is not concrete" in messages(found)


@pytest.mark.parametrize(
    "description",
    [
        "XD-162 requires registering message converters first.",
        "As an agency user, I want the data loaded for FABS go-live next week.",
        "We do it now because TAL-455 adds two templates, which would otherwise add more lines.",
        "It should come before the tablet layout because that layout is built on it.",
    ],
)
def test_why_now_in_prose(description: str) -> None:
    item = {"id": "Y-1", "title": "Something", "description": description}
    assert run([item, {"id": "Y-2", "title": "Next"}], "ordering-rationale") == []


def test_before_names_an_item_far_back_as_coming_after() -> None:
    why = "A cheap test that tells us whether messages matter before we commit to the redesign in PAY-1."
    found = run(backlog(why, position=2), "ordering-rationale", at=2)
    assert "PAY-1 is named as coming after this item but is ranked 1" in messages(found)
