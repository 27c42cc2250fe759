"""The data behind the readiness page: headline, counts per check, order, cells, links, to-dos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLES, ready_items
from readylint import app
from readylint.config import Config
from readylint.models import BacklogItem, Finding, ItemResult, Location, RunResult
from readylint.report.data import Linker, ReportData, build, headline, safe_href


def lint(*paths: Path) -> RunResult:
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection())
    return app.lint(app.read_yaml_backlog([str(p) for p in paths], config), engine, chosen)


def page(result: RunResult, top: int = 3, **kwargs: object) -> ReportData:
    return build(result, top=top, generated="2026-11-02T09:30:00Z", source="x", **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def example() -> ReportData:
    return page(lint(EXAMPLES))


def test_headline_counts_the_ready_items(example: ReportData) -> None:
    assert (example.ready, example.total, example.backlog_size) == (5, 11, 11)
    assert example.headline == "5 of 11 items pass the practical test"
    assert example.ready_percent == 45


@pytest.mark.parametrize(
    ("ready", "total", "size", "text"),
    [
        (7, 20, 20, "7 of 20 items pass the practical test"),
        (20, 20, 20, "All 20 items pass the practical test"),
        (0, 2, 2, "0 of 2 items pass the practical test"),
        (1, 1, 1, "The 1 item passes the practical test"),
        (0, 1, 1, "The 1 item does not pass the practical test"),
        (0, 0, 0, "No items to check"),
        (2, 5, 9, "2 of 5 items (the first 5 of 9) pass the practical test"),
    ],
)
def test_headline_wording(ready: int, total: int, size: int, text: str) -> None:
    assert headline(ready, total, size) == text


def test_failures_per_check_count_items_not_findings(example: ReportData) -> None:
    counts = {c.id: (c.failures, c.warnings) for c in example.checks}
    assert counts == {
        "customer-need": (2, 0),
        "business-reason": (1, 0),
        "trade-off": (4, 0),
        "expected-outcome": (2, 0),
        "ordering-rationale": (2, 0),
        "boilerplate": (0, 0),
        "unknown-key": (0, 1),
    }
    # Columns keep the catalogue order; the chart's order is most failures first.
    assert [c.id for c in example.checks][:2] == ["customer-need", "business-reason"]
    assert example.failures_by_count[0].id == "trade-off"
    # Warnings count after failures; a check with neither comes last.
    assert [c.id for c in example.failures_by_count][-2:] == ["unknown-key", "boilerplate"]


def test_rows_follow_backlog_order_and_agree_with_the_json_report(example: ReportData) -> None:
    from readylint.reporters.json import as_dict

    expected = as_dict(lint(EXAMPLES))["items"]
    assert [(r.rank, r.id, r.ready) for r in example.rows] == [
        (i["rank"], i["id"], i["ready"]) for i in expected
    ]
    assert [r.rank for r in example.rows] == list(range(1, 12))


def test_cells_give_status_and_what_to_write(example: ReportData) -> None:
    row = next(r for r in example.rows if r.id == "LAR-203")
    cells = {c.check: c for c in row.cells}
    assert [c.check for c in row.cells] == [c.id for c in example.checks]
    assert cells["customer-need"].status == "fail"
    assert cells["customer-need"].icon == "\u2717"
    assert "Missing customer need" in cells["customer-need"].text
    assert cells["customer-need"].text.startswith("customer-need: fail. ")
    assert cells["unknown-key"].status == "warning"
    assert cells["business-reason"].status == "pass"
    assert cells["business-reason"].text == "business-reason: pass"
    assert row.verdict == "not ready"


def test_next_refinement_is_the_first_n_items(example: ReportData) -> None:
    assert [r.id for r in example.rows if r.next_up] == ["LAR-101", "LAR-102", "LAR-201"]
    assert (example.next_count, example.next_ready) == (3, 2)
    five = page(lint(EXAMPLES), top=5)
    assert (five.next_count, five.next_ready) == (5, 2)
    none = page(lint(EXAMPLES), top=0)
    assert none.next_count == 0
    assert not any(r.next_up for r in none.rows)


def test_todo_lists_unready_items_then_warnings_errors_first(example: ReportData) -> None:
    listed = [(r.id, r.verdict) for r in example.todo_rows]
    assert listed == [
        ("LAR-102", "not ready"),
        ("LAR-103", "not ready"),
        ("LAR-202", "not ready"),
        ("LAR-104", "not ready"),
        ("LAR-203", "not ready"),
        ("LAR-206", "not ready"),
    ]
    lar203 = next(r for r in example.todo_rows if r.id == "LAR-203")
    assert [t.severity for t in lar203.todos] == ["error", "warning"]
    assert lar203.todos[1].link.label == "examples/backlog/delivery.yaml:23"


def test_items_with_only_warnings_are_listed_as_ready(
    write: Callable[[str, str], Path],
) -> None:
    path = write("b.yaml", ready_items("A-1") + "    custmer_need: typo\n" + ready_items("A-2"))
    data = page(lint(path))
    assert [(r.id, r.verdict) for r in data.todo_rows] == [("A-1", "ready, with warnings")]
    assert data.headline == "All 2 items pass the practical test"


def test_yaml_links_are_relative_to_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parents[1])
    result = lint(Path("examples/backlog"))
    out = tmp_path / "site" / "reports"
    out.mkdir(parents=True)
    linker = Linker(output_dir=out)
    first = result.items[0]
    target = Path(first.item.location.path or "").resolve()
    href = linker(first).href
    assert href is not None
    assert (out / href).resolve() == target
    assert linker(first).label == "examples/backlog/checkout.yaml:6"
    assert linker(first, 9).label == "examples/backlog/checkout.yaml:9"


def test_link_base_points_at_file_and_line() -> None:
    result = lint(EXAMPLES)
    linker = Linker(base="https://git.example.org/org/repo/blob/main", root=EXAMPLES.parents[1])
    link = linker(result.items[1], 37)
    assert (
        link.href == "https://git.example.org/org/repo/blob/main/examples/backlog/checkout.yaml#L37"
    )
    assert Linker(base="javascript:alert(1)//").href("a.yaml", 1) is None
    outside = Linker(base="https://git.example.org/r/", root=EXAMPLES)
    assert outside.href(str(EXAMPLES.parents[1] / "README.md"), 1) is None


def _item(url: str | None) -> ItemResult:
    item = BacklogItem(id="PROJ-7", title="t", location=Location(url=url))
    return ItemResult(item, 1, [Finding("trade-off", "error", "write it")])


def test_tracker_items_link_to_their_browse_url_and_unsafe_urls_are_dropped() -> None:
    link = Linker()(_item("https://jira.example.org/browse/PROJ-7"))
    assert link == type(link)(
        "https://jira.example.org/browse/PROJ-7", "https://jira.example.org/browse/PROJ-7"
    )
    hostile = Linker()(_item("javascript:alert(document.cookie)"))
    assert hostile.href is None
    assert Linker()(_item(None)).label == "PROJ-7"
    assert safe_href(" data:text/html,x") is None
    assert safe_href("HTTP://example.org/x") == "HTTP://example.org/x"


def test_a_finding_for_a_check_not_in_the_list_gets_its_own_column() -> None:
    result = RunResult(version="0", items=[_item(None)], checks=[], backlog_size=1)
    data = page(result)
    assert [(c.id, c.failures) for c in data.checks] == [("trade-off", 1)]
    assert data.rows[0].cells[0].status == "fail"


def test_hostile_text_stays_raw_in_the_data(write: Callable[[str, str], Path]) -> None:
    """The data layer keeps text as written; escaping is the template's job (tested there)."""
    path = write("b.yaml", '- id: "X<1>"\n  title: "<script>alert(\'x\')</script>"\n')
    data = page(lint(path))
    assert data.rows[0].title == "<script>alert('x')</script>"
    assert data.rows[0].id == "X<1>"


def test_input_errors_are_carried_to_the_page(write: Callable[[str, str], Path]) -> None:
    good = write("good.yaml", ready_items("G-1"))
    bad = write("bad.yaml", "- id: [\n")
    data = page(lint(good, bad), errors=["h.jsonl:3: error: history line"])
    assert len(data.errors) == 2
    assert data.errors[0].startswith("bad.yaml:")
    assert data.total == 1


def test_rows_limit_the_heat_map_and_the_list_but_not_the_counts() -> None:
    """A page for people (issue 6): at 100,000 items every row would be some 450 MB of HTML."""
    result = lint(EXAMPLES)
    example = page(result)
    limited = page(result, rows=4)
    assert [r.id for r in limited.rows] == [r.id for r in example.rows[:4]]
    assert limited.rows == example.rows[:4]
    assert limited.rows_left_out == example.total - 4 and example.rows_left_out == 0
    for field in ("total", "ready", "headline", "checks", "next_count", "next_ready"):
        assert getattr(limited, field) == getattr(example, field), field
    assert set(limited.todo_rows) <= set(limited.rows)
    assert page(result, rows=0).rows == () and page(result, rows=0).total == example.total
    assert page(result, top=6, rows=2).next_count == 6  # the next refinement is counted whole
