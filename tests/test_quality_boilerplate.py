"""The boilerplate check: the same or nearly the same answer reused across items, in linear time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from readylint import boilerplate
from readylint.catalog import load_checks
from readylint.engine import Engine
from readylint.models import ItemResult
from readylint.sources.yaml_files import read_text

CHECKS = load_checks()
REASON = "Improves customer satisfaction and aligns with our quarterly goals."


def lint(documents: list[dict[str, Any]], report: list[int] | None = None) -> list[ItemResult]:
    items, errors = read_text(yaml.safe_dump(documents, sort_keys=False), "b.yaml")
    assert not errors
    return Engine(CHECKS).run(items, report=report)


def found(results: list[ItemResult]) -> dict[str, list[str]]:
    return {
        r.item.id: [f.message for f in r.findings if f.check == "boilerplate"]
        for r in results
        if any(f.check == "boilerplate" for f in r.findings)
    }


def test_same_text_in_three_items_is_reported_once_with_all_ids() -> None:
    docs = [
        {"id": "A-1", "title": "One", "why": REASON},
        {"id": "A-2", "title": "Two", "why": REASON.upper()},
        {
            "id": "A-3",
            "title": "Three",
            "why": "  improves customer satisfaction, and aligns with our quarterly goals",
        },
        {"id": "A-4", "title": "Four", "why": "Refunds cost 3% of margin."},
    ]
    result = found(lint(docs))
    assert list(result) == ["A-1"]
    (message,) = result["A-1"]
    assert "3 items use the same text" in message and "A-1, A-2, A-3" in message


def test_two_items_are_not_boilerplate() -> None:
    docs = [{"id": f"A-{n}", "title": "t", "why": REASON} for n in range(2)]
    assert found(lint(docs)) == {}


def test_near_duplicates_are_grouped_but_different_texts_are_not() -> None:
    base = "Shoppers can finish the order on any device and fewer support calls reach the team about lost carts"
    docs = [
        {"id": "A-1", "title": "t", "outcome": base + " in the shop."},
        {"id": "A-2", "title": "t", "outcome": base + " in the app."},
        {"id": "A-3", "title": "t", "outcome": base + " on the web."},
        {
            "id": "A-4",
            "title": "t",
            "outcome": "Median search time falls below two seconds for every catalogue page we serve.",
        },
    ]
    result = found(lint(docs))
    assert list(result) == ["A-1"]
    assert "nearly the same text" in result["A-1"][0] and "A-4" not in result["A-1"][0]


def test_same_text_in_different_fields_is_not_grouped() -> None:
    docs = [
        {"id": "A-1", "title": "t", "why": REASON},
        {"id": "A-2", "title": "t", "outcome": REASON},
        {"id": "A-3", "title": "t", "trade_off": REASON},
    ]
    assert found(lint(docs)) == {}


def test_the_group_is_reported_on_the_first_reported_member() -> None:
    docs = [{"id": f"A-{n}", "title": "t", "why": REASON} for n in range(1, 5)]
    result = found(lint(docs, report=[2, 3]))
    assert list(result) == ["A-3"]
    assert "A-1, A-2, A-3, A-4" in result["A-3"][0]


def test_template_leftovers_count() -> None:
    docs = [
        {
            "id": "A-1",
            "title": "t",
            "need": "As a <type of user>, I want to keep my cart between visits.",
        }
    ]
    result = found(lint(docs))
    assert "Template text left in the customer need" in result["A-1"][0]


# Monospace in Jira's wiki markup, from real issues (../shared/corpus/deep-se: appcelerator
# studio, mesos, datamanagement); the whole corpus has 11,414 such spans, and the old pattern
# ("{{" anything "}}") called every one template text.
@pytest.mark.parametrize(
    "text",
    [
        "Run {{npm install}} again after {{chokidar}} is updated, or the build breaks.",
        "There was no HTTP Pipelining abstraction in Libprocess {{process::post}}.",
        "Ensure that the {{utils}} package will work with Python 3.",
        "We need to change this so that {{setUp}} allocates the buffers once.",
        "The value is interpreted as an {{unsigned long}}, which overflows.",
    ],
)
def test_jira_monospace_is_not_template_text(text: str) -> None:
    assert found(lint([{"id": "A-1", "title": "t", "need": text}])) == {}


@pytest.mark.parametrize(
    "text",
    [
        "As a {{role}}, I want to keep my cart between visits.",
        "I want {{feature}} so that shoppers come back.",
        "Shoppers come back so that {{benefit}}.",
        "Shoppers lose carts: {{describe the customer's problem}}",
        "{{your reason here}} and more words to make it long enough",
    ],
)
def test_template_slots_in_braces_are_template_text(text: str) -> None:
    result = found(lint([{"id": "A-1", "title": "t", "need": text}]))
    assert "Template text left in the customer need" in result["A-1"][0]


def test_grouping_is_linear_not_pairwise() -> None:
    # 3000 answers, half of them one reused text: one group, built without comparing all pairs
    # (each entry meets at most one representative per band).
    entries = [
        boilerplate.Entry(
            "why",
            n,
            REASON if n % 2 else f"Specific reason number {n} about item {n} and its own customers",
        )
        for n in range(3000)
    ]
    groups = boilerplate.groups_of(entries, min_items=3, threshold=0.8, min_words=4)
    assert len(groups) == 1 and len(groups[0]) == 1500


def test_signatures_are_stable_across_runs() -> None:
    words = boilerplate.normalise(REASON).split()
    assert boilerplate.signature(words) == boilerplate.signature(list(words))
    assert boilerplate.similarity(boilerplate.signature(words), boilerplate.signature(words)) == 1.0


def _table(texts: list[str]) -> boilerplate.PrintTable:
    table = boilerplate.PrintTable()
    for n, text in enumerate(texts):
        found = boilerplate.fingerprint("why", text, n + 1, min_words=4, excerpt=text[:20])
        table.add([found] if found is not None else [])
    table.seal()
    return table


def test_groups_are_kept_for_the_next_run_under_everything_they_are_made_from(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog whose answers did not change takes its groups from the cache (issue 6); any
    change to the prints, their order or the settings groups them again."""
    from readylint import cache

    monkeypatch.setattr(boilerplate, "KEEP_GROUPS_FROM", 10)
    texts = [
        REASON if n % 3 == 0 else f"Specific reason number {n} about item {n} and its customers"
        for n in range(60)
    ]
    texts[7] = REASON.replace("renewals", "renewal")  # nearly the same
    grouped: list[int] = []
    real = boilerplate._split_rows

    def counting(*args: Any, **kwargs: Any) -> list[list[int]]:
        grouped.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(boilerplate, "_split_rows", counting)

    def groups(table: boilerplate.PrintTable, **changes: Any) -> Any:
        settings: dict[str, Any] = {"min_items": 3, "threshold": 0.8, **changes}
        found = table.groups(**settings)
        cache.flush()
        return found

    first = groups(_table(texts))
    assert first and len(grouped) == 1
    assert groups(_table(texts)) == first and len(grouped) == 1  # kept
    reversed_positions = list(range(59, -1, -1))
    assert groups(_table(texts), positions=reversed_positions) == groups(
        _table(texts), positions=reversed_positions
    )
    assert len(grouped) == 2  # another order: grouped again, then kept
    changed = [*texts[:-1], REASON]  # one answer more joins the group
    assert groups(_table(changed)) != first and len(grouped) == 3
    assert groups(_table(texts), threshold=0.5) is not None and len(grouped) == 4
    monkeypatch.setattr(boilerplate, "KEEP_GROUPS_FROM", 1000)  # small tables: never kept
    groups(_table(texts))
    groups(_table(texts))
    assert len(grouped) == 6
    monkeypatch.setattr(boilerplate, "KEEP_GROUPS_FROM", 10)
    with_cache = groups(_table(changed))  # one entry is kept: the last run's
    assert len(grouped) == 7
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    assert groups(_table(changed)) == with_cache and len(grouped) == 8  # no cache: grouped
