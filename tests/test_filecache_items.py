"""Kept results reused item by item (filecache.item_key, pipeline.check_file): in a file that
changed, only the items whose text changed are checked again; the others' digests are taken from
the earlier result, moved to their new lines. What comes out is exactly what checking every
item afresh gives."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import test_filecache
from conftest import Report
from readylint import filecache, pipeline
from readylint.app import Selection, build_engine
from readylint.config import load_config
from readylint.engine import Engine
from test_filecache import FILES, PER_FILE

ENGINE, _ = build_engine(load_config(None), Selection())
backlog = test_filecache.backlog  # the same fixture: three files of 60 items


@pytest.fixture
def digested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the items the first pass checked (in this process)."""
    seen: list[str] = []
    real = Engine.digest

    def counting(self: Engine, item: object, **options: bool) -> object:
        seen.append(item.id)  # type: ignore[attr-defined]
        return real(self, item, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(Engine, "digest", counting)
    monkeypatch.setenv("READYLINT_JOBS", "1")
    return seen


def _items(text: str) -> list[str]:
    """The file's items as text blocks (after the 'items:' line)."""
    return re.split(r"(?m)^(?=  - id: )", text.split("\n", 1)[1])[1:]


def _file(blocks: list[str]) -> str:
    return "items:\n" + "".join(blocks)


def _insert_line(text: str) -> str:  # item 10 gets a line: the 50 after it move down
    blocks = _items(text)
    blocks[10] = blocks[10].replace("    rank:", "    labels: [checkout]\n    rank:", 1)
    return _file(blocks)


def _reword(text: str) -> str:  # item 20's trade-off is now a placeholder, same lines
    blocks = _items(text)
    blocks[20] = re.sub(r"trade_off: .*", "trade_off: TBD", blocks[20])
    return _file(blocks)


def _drop_and_swap(text: str) -> str:  # item 0 gone, items 30 and 40 change places
    blocks = _items(text)
    blocks[30], blocks[40] = blocks[40], blocks[30]
    return _file(blocks[1:])


def _comment_on_top(text: str) -> str:  # every item moves down two lines, none changes
    return "# the checkout team's backlog\n# ranked by the PO\n" + text


def _suppress(text: str) -> str:  # item 5 asks to skip a check, with a reason
    blocks = _items(text)
    blocks[5] = blocks[5].replace(
        "    rank:", '    readylint-ignore: {trade-off: "nothing is given up"}\n    rank:', 1
    )
    return _file(blocks)


EDITS: dict[str, tuple[Callable[[str], str], int]] = {
    # name: (edit, how many items are checked again)
    "a line added to one item": (_insert_line, 1),
    "one answer reworded in place": (_reword, 1),
    "an item removed, two swapped": (_drop_and_swap, 0),
    "a comment above all items": (_comment_on_top, 0),
    "a suppression added": (_suppress, 1),
}


def _state(result: pipeline.FileResult) -> tuple[object, ...]:
    """Everything a file's result holds but its keys, as values to compare."""
    items, digests, prints = result.items, result.digests, result.digests.prints
    return (
        [items[k] for k in range(len(items))],
        list(digests),  # each item's Digest, findings and facts with their lines
        (digests.rows, digests.starts, digests.templates, digests.facts),
        (prints.keys, prints.rows, prints.signed, prints.items, prints.lines, prints.starts),
        prints.excerpts(range(len(prints))),
        result.errors,
    )


@pytest.mark.parametrize("name", EDITS)
def test_reused_digests_equal_checking_every_item_again(
    backlog: list[Path], cache_dir: Path, digested: list[str], name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    edit, checked = EDITS[name]
    path = backlog[1]
    results = filecache.ResultCache.for_run(ENGINE.inputs, backlog)
    assert results is not None
    monkeypatch.setattr(pipeline, "_RESULTS", results)
    pipeline.check_file(path, ENGINE)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    digested.clear()
    reused = pipeline.check_file(path, ENGINE)
    assert len(digested) == checked
    monkeypatch.setattr(pipeline, "_RESULTS", None)
    fresh = pipeline.check_file(path, ENGINE)
    assert _state(reused) == _state(fresh)
    assert len(reused.keys) == filecache.KEY_SIZE * len(reused.items)


@pytest.mark.parametrize(
    ("args", "checked"),
    [((), ["PAY-131"]), (("--ignore", "ordering-rationale"), None)],
    ids=["the same engine: the changed item alone", "another engine: every item"],
)
def test_a_run_after_an_edit_checks_what_changed_and_reports_the_same(
    backlog: list[Path], cache_dir: Path, digested: list[str], report: Report,
    args: tuple[str, ...], checked: list[str] | None,
) -> None:  # fmt: skip
    report()
    path = backlog[2]
    path.write_text(_insert_line(path.read_text(encoding="utf-8")), encoding="utf-8")
    digested.clear()
    served = report(*args)
    if checked is not None:
        assert digested == checked  # item 10 of the third file
    else:
        assert len(digested) == FILES * PER_FILE
    assert served == report(*args, "--no-cache")


def test_a_damaged_earlier_entry_is_not_reused(
    backlog: list[Path], cache_dir: Path, digested: list[str], report: Report
) -> None:
    first = report()
    entries = sorted(p for p in (cache_dir / filecache.FOLDER).iterdir() if p.name[0] != ".")
    for entry in entries:
        blob = bytearray(entry.read_bytes())
        blob[-10] ^= 0xFF
        entry.write_bytes(bytes(blob))
    path = backlog[0]
    path.write_text(_comment_on_top(path.read_text(encoding="utf-8")), encoding="utf-8")
    digested.clear()
    served = report()
    assert len(digested) == FILES * PER_FILE  # every file: each entry is damaged
    assert served == report("--no-cache") != first  # first: two lines higher in one file


def test_item_key_counts_lines_from_the_item_and_sees_every_fact(tmp_path: Path) -> None:
    from readylint.sources.yaml_files import read_text

    block = "  - id: A-1\n    title: Export\n    customer_need: Analysts reconcile by hand.\n"
    (one,), _ = read_text("items:\n" + block, "b.yaml")
    (moved,), _ = read_text("items:\n\n\n" + block, "b.yaml")
    assert one.location.line != moved.location.line
    assert filecache.item_key(one) == filecache.item_key(moved)
    for changed in (
        block.replace("Export", "Export v2"),
        block.replace("A-1", "A-2"),
        block.replace("customer_need", "customer_needs"),
        block.replace("    title: Export\n", "    title: Export\n    labels: [x]\n"),
        block.replace("    title: Export\n", "    title: Export\n\n"),  # a blank line inside
    ):
        (other,), _ = read_text("items:\n" + changed, "b.yaml")
        assert filecache.item_key(other) != filecache.item_key(one), changed
    (elsewhere,), _ = read_text("items:\n" + block, "c.yaml")
    assert filecache.item_key(elsewhere) != filecache.item_key(one)


def test_a_digest_moved_equals_the_digest_of_the_item_further_down() -> None:
    """Every line a first pass records moves: findings, an order-dependent check's facts and
    the findings inside them (here the prose-only warning of ``require_labels``), and prints."""
    from readylint.catalog import load_checks
    from readylint.engine import CheckOptions
    from readylint.sources.yaml_files import read_text

    engine = Engine(
        load_checks(),
        options={c: CheckOptions(require_labels=True) for c in ("trade-off", "ordering-rationale")},
    )
    block = (
        "  - id: A-1\n    title: Export\n    customer_need: TBD\n"
        "    business_reason: Churn among finance teams costs us renewals every quarter.\n"
        "    description: |\n      Analysts reconcile by hand today.\n"
        "      We postpone the PDF export to do this, so that is out of scope.\n"
        "      This comes before A-2 because A-2 builds on the export format.\n"
    )
    (here,), _ = read_text("items:\n" + block, "b.yaml")
    (lower,), _ = read_text("items:\n" + "\n" * 7 + block, "b.yaml")
    digest = engine.digest(here)
    assert any(  # the case this test is for: a Pending holding a finding with a line
        getattr(result, "findings", None) for result in digest.results
    )
    assert digest.moved(7) == engine.digest(lower) != digest
    assert digest.moved(7).moved(-7) == digest
