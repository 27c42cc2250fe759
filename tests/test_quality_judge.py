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
