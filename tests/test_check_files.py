"""Every check file loads, documents itself, and its pass/fail examples hold (examples are tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readylint.catalog import builtin_checks_dir, check_files, load_checks
from readylint.definitions import CheckDefinition, Example
from readylint.docs import checks_table
from readylint.engine import Engine, example_findings

BUILTIN = load_checks()
ENGINE = Engine(BUILTIN)
PRACTICAL_TEST = [
    "customer-need",
    "business-reason",
    "trade-off",
    "expected-outcome",
    "ordering-rationale",
]


def _cases() -> list[tuple[CheckDefinition, str, int, Example]]:
    cases = []
    for check in BUILTIN:
        cases += [(check, "pass", i, e) for i, e in enumerate(check.examples.passing)]
        cases += [(check, "fail", i, e) for i, e in enumerate(check.examples.failing)]
    return cases


@pytest.mark.parametrize(
    ("check", "outcome", "index", "example"),
    _cases(),
    ids=[f"{c.id}-{o}-{i}" for c, o, i, _ in _cases()],
)
def test_example(check: CheckDefinition, outcome: str, index: int, example: Example) -> None:
    findings = example_findings(ENGINE, check.id, example)
    if outcome == "pass":
        assert findings == [], f"{check.id} pass example {index} gave {findings}"
    else:
        assert findings, f"{check.id} fail example {index} gave no finding"
        if example.expect:
            assert any(example.expect in f.message for f in findings), [f.message for f in findings]


def test_the_practical_test_checks_ship_in_order() -> None:
    ids = [c.id for c in BUILTIN]
    assert ids[:5] == PRACTICAL_TEST
    assert all(c.severity == "error" for c in BUILTIN[:5])


@pytest.mark.parametrize("check", BUILTIN, ids=[c.id for c in BUILTIN])
def test_check_documents_itself(check: CheckDefinition) -> None:
    assert check.question.strip().endswith("?")
    assert len(check.rationale.split()) >= 25, "the rationale should explain why it matters"
    assert check.hint[0].islower(), "hints continue a sentence: 'Missing X: <hint>'"
    assert check.examples.passing and check.examples.failing


def test_file_names_match_ids() -> None:
    for path in check_files(builtin_checks_dir()):
        assert path.stem in {c.id for c in BUILTIN}


def test_answer_aliases_from_the_issue() -> None:
    aliases = {c.answer.field: set(c.answer.aliases) for c in BUILTIN if c.answer}
    assert aliases["customer_need"] >= {"need", "problem", "customer_problem", "user_need"}
    assert aliases["business_reason"] >= {
        "why",
        "business_value",
        "value",
        "reason",
        "business_case",
    }
    assert aliases["trade_off"] >= {
        "tradeoff",
        "trade_offs",
        "tradeoffs",
        "cost",
        "what_we_give_up",
        "alternatives",
    }
    assert aliases["expected_outcome"] >= {
        "outcome",
        "expected_result",
        "success_metric",
        "success_metrics",
        "success_criteria",
    }
    assert aliases["ordering_rationale"] >= {
        "ordering",
        "priority_rationale",
        "priority_reason",
        "why_now",
        "why_before",
        "sequencing",
    }


def test_readme_table_matches_the_check_files() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- checks-table:start -->\n(.*?)<!-- checks-table:end -->", readme, re.S)
    assert match, "README.md lacks the generated checks table markers"
    assert match.group(1) == checks_table(BUILTIN, markdown=True), (
        "README checks table is out of date: run `readylint checks --format markdown` and paste it"
    )
