"""Kept results reused item by item (filecache.item_key, pipeline.check_file): in a file that
changed, only the items whose text changed are checked again; the others' digests are taken from
the earlier result, moved to their new lines. What comes out is exactly what checking every
item afresh gives."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import test_filecache
from conftest import Report
from readylint import filecache, pipeline
from readylint.app import Selection, build_engine
from readylint.catalog import load_checks
from readylint.config import load_config
from readylint.engine import CheckOptions, Digest, Engine
from readylint.models import BacklogItem
from test_filecache import FILES, PER_FILE

ENGINE, _ = build_engine(load_config(None), Selection())
# An engine whose order-dependent checks hold findings of their own (``require_labels``).
_LABELLED = Engine(
    load_checks(),
    options={c: CheckOptions(require_labels=True) for c in ("trade-off", "ordering-rationale")},
)
backlog = test_filecache.backlog  # the same fixture: three files of 60 items


@pytest.fixture
def digested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the items the first pass checked (in this process)."""
    seen: list[str] = []
    real = Engine.digest

    def counting(self: Engine, item: BacklogItem, **options: bool) -> Digest:
        seen.append(item.id)
        return real(self, item, **options)

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
    from readylint.sources.yaml_files import read_text

    engine = _LABELLED
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


# --- Any edit: reuse equals checking afresh ----------------------------------------------------
# A backlog file is checked and kept, then edited and checked again with the earlier result at
# hand; what comes out must equal a fresh check, whatever was reused. Each respect in which an
# item can change is tried alone (so a key that leaves out a fact the first pass reads fails a
# test), then edits are drawn at random and combined: items dropped, moved, copied, added,
# reworded, given labels, a suppression, a comment or a blank line, folded instead of plain.

_ANSWERS = (
    "Analysts reconcile exports by hand every month and lose about two days doing it.",
    "TBD",
    "Churn among finance teams costs us renewals every quarter (exit survey, Q3).",
    "We postpone the PDF export by one sprint, so that part is out of scope for now.",
    "Median reconcile time falls from two days to one hour within a month.",
    "This comes before A-2 because A-2 builds on the export format.",
    "As a user, I want {{goal}} so that {{reason}}.",
    "2024-01-05 12:00:01 ERROR export failed at step 3",
    "Needed.",
    "Reconcile exports.",
)
_FIELDS = ("customer_need", "business_reason", "trade_off", "expected_outcome", "why_now")
_SUPPRESSED = ("trade-off", "ordering-rationale", "no-such-check")
_LABELS = ("checkout", "trade-off")


@dataclasses.dataclass(frozen=True)
class _Item:
    id: str
    title: str
    answers: tuple[tuple[str, str], ...]  # (field, answer)
    description: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    suppressed: str | None = None
    folded: bool = False
    comment: bool = False  # a comment line above the item
    spaced: bool = False  # a blank line under the id: what follows moves within the item
    noted: bool = False  # a comment under the title: the answers move, the title does not


def _item_strategy(number: int) -> st.SearchStrategy[_Item]:
    answers = st.lists(
        st.tuples(st.sampled_from(_FIELDS), st.sampled_from(_ANSWERS)),
        max_size=4,
        unique_by=lambda pair: pair[0],
    )
    return st.builds(
        _Item,
        id=st.just(f"A-{number}") | st.sampled_from(("A-1", "A-2")),
        title=st.sampled_from(
            ("Export", "Reconcile exports", "As an analyst, I want exports so that I save a day")
        ),
        answers=answers.map(tuple),
        description=st.lists(st.sampled_from(("## Trade-off", *_ANSWERS, "")), max_size=4).map(
            tuple
        ),
        labels=st.lists(st.sampled_from(_LABELS), max_size=2, unique=True).map(tuple),
        suppressed=st.none() | st.sampled_from(_SUPPRESSED),
        folded=st.booleans(),
        comment=st.booleans(),
        spaced=st.booleans(),
        noted=st.booleans(),
    )


def _render(items: list[_Item]) -> str:
    lines = ["items:"]
    for item in items:
        if item.comment:
            lines.append("  # refined on Tuesday")
        lines += [f"  - id: {item.id}", *[""] * item.spaced, f"    title: {item.title}"]
        if item.noted:
            lines.append("    # asked the team on Monday")
        if item.labels:
            lines.append(f"    labels: [{', '.join(item.labels)}]")
        for field, answer in item.answers:
            if item.folded:
                lines += [f"    {field}: >", f"      {answer}"]
            else:
                lines.append(f"    {field}: {json.dumps(answer)}")
        if item.description:
            lines.append("    description: |")
            lines += [f"      {line}" if line else "" for line in item.description]
        if item.suppressed is not None:
            lines.append(f'    readylint-ignore: {{{item.suppressed}: "nothing is given up"}}')
    return "\n".join(lines) + "\n"


@st.composite
def _edited_backlogs(draw: st.DrawFn) -> tuple[list[_Item], list[_Item]]:
    """A backlog and the same backlog edited: each item kept as it was, dropped, copied, given
    a new item above it, or changed in one respect; in any order."""
    before = [draw(_item_strategy(k)) for k in range(draw(st.integers(1, 8)))]
    after: list[_Item] = []
    for item in draw(st.permutations(before)):
        edit = draw(st.sampled_from(("keep", "drop", "copy", "new above", "change")))
        if edit == "drop":
            continue
        if edit == "new above":
            after.append(draw(_item_strategy(100 + len(after))))
        if edit == "change":
            name = draw(st.sampled_from([f.name for f in dataclasses.fields(_Item)]))
            value: Any = getattr(item, name)  # of the field's type
            value = not value if isinstance(value, bool) else getattr(draw(_item_strategy(0)), name)
            item = dataclasses.replace(item, **{name: value})
        after += [item, item] if edit == "copy" else [item]
    return before, after


@contextlib.contextmanager
def _keeping(results: filecache.ResultCache) -> Iterator[None]:
    """``pipeline.check_file`` keeps and reuses results in ``results`` meanwhile."""
    pipeline._RESULTS = results
    try:
        yield
    finally:
        pipeline._RESULTS = None


def _check_edit(engine: Engine, before: list[_Item], after: list[_Item]) -> int:
    """Assert that ``after`` checked with ``before``'s result at hand equals ``after`` checked
    afresh; return how many of its items were checked again (the others were reused)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backlog.yaml"
        results = filecache.ResultCache(Path(folder) / "results", engine.inputs)
        path.write_text(_render(before), encoding="utf-8")
        with _keeping(results):
            pipeline.check_file(path, engine)
            path.write_text(_render(after), encoding="utf-8")
            with mock.patch.object(engine, "digest", wraps=engine.digest) as digest:
                reused = pipeline.check_file(path, engine)
        fresh = pipeline.check_file(path, engine)
    assert _state(reused) == _state(fresh)
    return digest.call_count


_RICH = _Item(
    id="A-2",
    title="As an analyst, I want exports so that I save a day",
    answers=(("trade_off", "TBD"), ("business_reason", _ANSWERS[2]), ("why_now", _ANSWERS[5])),
    description=("## Expected outcome", _ANSWERS[4], "", _ANSWERS[7]),
    labels=("trade-off",),
    suppressed="trade-off",
)
_CHANGES: dict[str, Any] = {  # a value of each field's type
    "id": "A-3",
    "title": "Reconcile exports",
    "answers": (("trade_off", "Needed."), *_RICH.answers[1:]),
    "description": ("## Expected outcome", _ANSWERS[3], "", _ANSWERS[7]),  # the same lines
    "labels": (),
    "suppressed": "no-such-check",
    "folded": True,
    "comment": True,
    "spaced": True,
    "noted": True,
}


# Items with less, so that a line that moves moves alone: the answers' lines, the title's
# line, the description's line.
_PLAIN = dataclasses.replace(_RICH, description=(), suppressed=None)
_TITLED = dataclasses.replace(_PLAIN, answers=())
_DESCRIBED = dataclasses.replace(_RICH, answers=(), suppressed=None)


@pytest.mark.parametrize("labelled", [False, True], ids=["default engine", "labels required"])
@pytest.mark.parametrize(
    "item", [_RICH, _PLAIN, _TITLED, _DESCRIBED], ids=["rich", "answers", "title", "description"]
)
@pytest.mark.parametrize("name", _CHANGES)
def test_a_change_in_any_one_respect_is_seen(name: str, item: _Item, labelled: bool) -> None:
    """The middle item changes in one respect only; the items around it do not, and are not
    checked again. Nor is the middle item where the change only moves it (a comment above it)
    or moves no line of what the first pass reads (a folded style with no answers; a comment
    under the title with nothing under it that has a line in the key)."""
    assert set(_CHANGES) == {f.name for f in dataclasses.fields(_Item)}
    around = [_Item("A-1", "Export", ((f, _ANSWERS[0]),)) for f in ("customer_need", "trade_off")]
    changed = dataclasses.replace(item, **{name: _CHANGES[name]})
    engine = _LABELLED if labelled else ENGINE
    moved_only = (
        name == "comment"
        or (name == "folded" and not item.answers)
        or (name == "noted" and not (item.answers or item.description or item.suppressed))
    )
    checked = _check_edit(engine, [around[0], item, around[1]], [around[0], changed, around[1]])
    assert checked == (0 if moved_only else 1)


@settings(max_examples=150)  # moves, copies and drops together: more than the profile's 40
@given(backlogs=_edited_backlogs(), labelled=st.booleans())
def test_any_edit_checked_with_reuse_equals_a_fresh_check(
    backlogs: tuple[list[_Item], list[_Item]], labelled: bool
) -> None:
    _check_edit(_LABELLED if labelled else ENGINE, *backlogs)
