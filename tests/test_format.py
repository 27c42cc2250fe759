"""The backlog file format: shapes, keys, aliases, sections, stories, order (through the CLI)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Run, ready_items

Write = Callable[[str, str], Path]


def as_json(run: Callable[..., Run], *args: str) -> tuple[int, dict[str, Any]]:
    result = run("check", "--format", "json", *args)
    return result.code, json.loads(result.out)


def findings(report: dict[str, Any], item_id: str) -> list[str]:
    for item in report["items"]:
        if item["id"] == item_id:
            return [f["check"] for f in item["findings"]]
    raise AssertionError(f"{item_id} not reported")


def test_three_file_shapes(run: Callable[..., Run], write: Write) -> None:
    write("backlog/a_list.yaml", ready_items("A-1"))
    write("backlog/b_mapping.yaml", "product: Shop\nitems:\n" + ready_items("B-1"))
    single = ready_items("C-1").replace("\n    ", "\n").replace("  - ", "", 1)
    write("backlog/c_single.yml", single)
    code, report = as_json(run)
    assert code == 0, report
    assert [i["id"] for i in report["items"]] == ["A-1", "B-1", "C-1"]
    assert report["summary"] == {"items": 3, "ready": 3, "not_ready": 0}


def test_keys_are_case_space_hyphen_insensitive_and_aliases_count(
    run: Callable[..., Run], write: Write
) -> None:
    write(
        "backlog.yaml",
        """
        - ID: 42
          Summary: Saved baskets
          Customer need: Shoppers lose their basket between devices every week.
          business-value: Abandoned baskets cost 8% of orders each month.
          What we give up: The wishlist moves one sprint later for this.
          Success Metric: Basket recovery reaches 15% in the first month.
          Why-Now: The campaign starts in six weeks and needs saved baskets.
          story_points: 3
        - id: LAST
          title: Last item
          need: Shoppers cannot find the returns page at all today.
          why: Return calls cost support two hours every single day.
          cost: The FAQ redesign waits until next quarter for this.
          outcome: Calls about returns fall by half within a month.
        """,
    )
    code, report = as_json(run, "backlog.yaml")
    assert report["items"][0]["id"] == "42"  # an integer id is taken as a string
    assert report["items"][0]["title"] == "Saved baskets"
    assert code == 0, report


def test_near_miss_key_gets_a_suggestion(run: Callable[..., Run], write: Write) -> None:
    write("b.yaml", ready_items("A-1").replace("customer_need", "custmer_need"))
    result = run("check", "b.yaml")
    assert "Unknown key 'custmer_need' looks like 'customer_need'" in result.out
    assert "is 'custmer_need' a misspelling of 'customer_need'?" in result.out
    assert result.code == 1


def test_answers_in_description_headings_and_labels(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        """
        - id: D-1
          title: Saved baskets
          description: |
            Some context first.

            ## Customer need
            Shoppers lose their basket between devices every week.

            ### Business reason
            Abandoned baskets cost 8% of orders each month.

            **Trade-off:** the wishlist moves one sprint later.
            Expected outcome: basket recovery reaches 15% in a month.
            __Why now:__ the campaign starts in six weeks.
        """,
    )
    code, report = as_json(run, "b.yaml")
    assert code == 0, report


def test_a_dedicated_field_wins_over_a_section(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        ready_items("A-1").replace(
            "    trade_off: We postpone the wishlist by one sprint to do this first.",
            "    trade_off: TBD\n    description: |\n      Trade-off: we postpone the wishlist by a sprint.",
        ),
    )
    result = run("check", "b.yaml")
    assert "trade-off: The trade-off in field 'trade_off' is a placeholder ('TBD')" in result.out


def test_finding_lines_point_at_the_field_or_section(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        """
        - id: L-1
          title: Line numbers
          customer_need: TBD
          description: |
            intro
            ## Trade-off
            n/a
        """,
    )
    _, report = as_json(run, "b.yaml")
    by_check = {f["check"]: f["line"] for f in report["items"][0]["findings"]}
    assert by_check["customer-need"] == 3
    assert by_check["trade-off"] == 6
    assert by_check["business-reason"] == 1  # missing: the item's line
    assert report["items"][0]["location"] == {"path": "b.yaml", "line": 1, "url": None}


def test_user_story_supplies_the_need_but_not_the_business_reason(
    run: Callable[..., Run], write: Write
) -> None:
    write(
        "b.yaml",
        """
        - id: S-1
          title: As a returning shopper, I want my basket on every device so that I can buy later
        - id: S-2
          title: Basket sync
          story: As a returning shopper, I want my basket on every device
        - id: S-3
          title: Basket sync
          description: As an admin I need an audit log of basket changes.
        """,
    )
    _, report = as_json(run, "b.yaml")
    for item_id in ("S-1", "S-2", "S-3"):
        assert "customer-need" not in findings(report, item_id)
        assert "business-reason" in findings(report, item_id)


def test_placeholders_and_thin_answers(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        ready_items("P-1").replace(
            "We postpone the wishlist by one sprint to do this first.", "To be decided"
        )
        + ready_items("P-2").replace(
            "We postpone the wishlist by one sprint to do this first.", "Some delay."
        ),
    )
    result = run("check", "b.yaml")
    assert (
        "P-1 trade-off: The trade-off in field 'trade_off' is a placeholder ('To be decided')"
        in result.out
    )
    assert (
        "P-2 trade-off: The trade-off in field 'trade_off' is too thin (2 words; at least 4 needed)"
        in result.out
    )
    assert "say what you give up, postpone or risk" in result.out


def test_last_item_is_exempt_from_ordering_rationale(run: Callable[..., Run], write: Write) -> None:
    text = ready_items("O-1", "O-2").replace(
        "    why_now: The holiday campaign starts in six weeks and depends on saved baskets.\n", ""
    )
    write("b.yaml", text)
    _, report = as_json(run, "b.yaml")
    assert findings(report, "O-1") == ["ordering-rationale"]
    assert findings(report, "O-2") == []


def test_rank_ordering_across_files(run: Callable[..., Run], write: Write) -> None:
    write("backlog/a.yaml", ready_items("U-1") + "    rank: 3\n" + ready_items("U-2"))
    write("backlog/b.yaml", ready_items("R-1") + "    rank: 1\n" + ready_items("U-3"))
    write("backlog/c/d.yaml", ready_items("R-2") + "    rank: 2\n")
    _, report = as_json(run, "backlog")
    assert [i["id"] for i in report["items"]] == ["R-1", "R-2", "U-1", "U-2", "U-3"]
    assert [i["rank"] for i in report["items"]] == [1, 2, 3, 4, 5]


def test_hidden_files_and_non_yaml_are_skipped_in_directories(
    run: Callable[..., Run], write: Write
) -> None:
    write("backlog/items.yaml", ready_items("A-1"))
    write("backlog/.hidden.yaml", "not: [valid")
    write("backlog/notes.md", "# not a backlog")
    code, report = as_json(run, "backlog")
    assert code == 0 and len(report["items"]) == 1


def test_pure_python_loader_gives_the_same_result(
    run: Callable[..., Run], write: Write, monkeypatch: Any
) -> None:
    """PyYAML's C loader is used when present; the pure-Python loader is the fallback."""
    import yaml

    from readylint import yamlio

    write(
        "b.yaml",
        ready_items("A-1")
        + "  - id: U-1\n    title: Unready\n    trade_off: TBD\n"
        + ready_items("Z-1"),
    )
    with_c = json.loads(run("check", "--format", "json", "b.yaml").out)
    monkeypatch.setattr(yamlio, "SafeLoader", yaml.SafeLoader)
    pure = json.loads(run("check", "--format", "json", "b.yaml").out)
    assert pure == with_c
    assert pure["items"][1]["findings"][2]["line"] == 10
