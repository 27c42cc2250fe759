"""A large backlog's items in columns (itemtable.py): every item comes back equal to the slim
item that went in, in backlog order, through pickling and merging, and the parent of a read
keeps no item objects."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path
from random import Random

from hypothesis import given
from hypothesis import strategies as st

from readylint import app, pipeline
from readylint.backlog import duplicate_ids, order_items
from readylint.config import Config
from readylint.engine import Engine
from readylint.itemtable import ItemTable, Ordered, item_ids, marked_positions
from readylint.models import BacklogItem, Finding, ItemResult, Location, Suppression
from readylint.paths import display_path
from readylint.results import PackedResults, backlog_items

TEXT = st.text(
    st.characters(exclude_categories=()),  # lone surrogates too (items made by other code)
    max_size=12,
)
RANK = st.none() | st.integers(min_value=1, max_value=40) | st.sampled_from([0, -3, 2**64 + 1])
PLACE = st.tuples(
    st.none() | st.sampled_from(["backlog/a.yaml", "backlog/b.yaml", "é/c.yaml"]),
    st.none() | st.integers(min_value=1, max_value=10_000),
    st.none() | st.sampled_from(["https://jira.example/browse/PAY-1"]),
)
ITEMS = st.lists(
    st.builds(
        lambda ident, title, place, kind, status, labels, rank, order, ignores: BacklogItem(
            ident,
            title,
            Location(*place),
            kind,
            status,
            labels,
            rank=rank,
            order=order,
            suppressions=ignores,
        ),
        st.sampled_from(["PAY-1", "PAY-2", "PAY-3", "X"]) | TEXT,
        TEXT,
        PLACE,
        st.sampled_from(["story", "bug", "1"]),
        st.none() | st.sampled_from(["To Do", "1", "story"]),
        st.lists(st.sampled_from(["a", "b", "1", "story"]), max_size=3).map(tuple),
        RANK,
        st.integers(min_value=0, max_value=2**40),
        st.lists(
            st.builds(Suppression, st.sampled_from(["trade-off", "why-now"]), TEXT), max_size=2
        ).map(tuple),
    ),
    max_size=25,
)


@given(ITEMS)
def test_every_item_comes_back_as_it_went_in(items: list[BacklogItem]) -> None:
    table = ItemTable(items)
    assert len(table) == len(items)
    assert list(table) == items
    assert [table[k] for k in range(-len(items), 0)] == items
    assert table[1:4] == items[1:4]
    assert item_ids(table) == [item.id for item in items]


@given(ITEMS)
def test_backlog_order_from_the_columns_is_order_items(items: list[BacklogItem]) -> None:
    table = ItemTable(items)
    ordered = Ordered(table, table.backlog_order())
    assert list(ordered) == order_items(items)
    assert item_ids(ordered) == [item.id for item in order_items(items)]
    assert [str(e) for e in duplicate_ids(ordered)] == [
        str(e) for e in duplicate_ids(order_items(items))
    ]


@given(ITEMS, ITEMS)
def test_a_pickled_table_merges_into_another_numbering_the_order_on(
    first: list[BacklogItem], second: list[BacklogItem]
) -> None:
    table = ItemTable(first)
    table.extend(pickle.loads(pickle.dumps(ItemTable(second))), 1000)
    table.append(BacklogItem("LAST", "Last", Location("z.yaml", 1), labels=("story",)))
    expected = [*first, *(_with_order(item, 1000 + k) for k, item in enumerate(second))]
    assert list(table)[:-1] == expected
    assert table[-1].labels == ("story",) and table[-1].type == "story"


def _with_order(item: BacklogItem, order: int) -> BacklogItem:
    copy = ItemTable([item])[0]
    copy.order = order
    return copy


def test_the_parent_of_a_read_keeps_no_item_objects(tmp_path: Path) -> None:
    root = tmp_path / "backlog"
    root.mkdir()
    for f in range(3):
        (root / f"b{f}.yaml").write_text(
            "items:\n"
            + "".join(
                f"  - id: PAY-{f}-{k}\n    title: Item {k} ✓\n    rank: {100 - k}\n"
                for k in range(20)
            ),
            encoding="utf-8",
        )
    engine, _ = app.build_engine(Config(), app.Selection())
    gc.collect()
    before = _live_items()
    source = pipeline.read_and_check(sorted(root.iterdir()), engine)
    gc.collect()
    assert _live_items() == before
    assert isinstance(source.items, ItemTable) and len(source.items) == 60
    assert source.items[0] == BacklogItem(
        "PAY-0-0", "Item 0 ✓", Location(display_path(root / "b0.yaml"), 2), rank=100, order=0
    )
    assert source.items[20].order == 20  # numbered on across files


def _live_items() -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, BacklogItem))


def test_packed_results_of_rows_build_their_items_when_read() -> None:
    table = ItemTable(
        BacklogItem(f"PAY-{k}", f"Item {k}", Location("b.yaml", k + 1), order=k) for k in range(5)
    )
    items = Ordered(table, [4, 3, 2, 1, 0])
    found = Finding("trade-off", "error", "Missing trade-off", 3)
    rows = [(0, [found]), (2, []), (4, [found, found])]
    packed = PackedResults.of(items, iter(rows))
    plain = [ItemResult(items[k], k + 1, findings) for k, findings in rows]
    assert list(packed) == plain == list(PackedResults(plain))
    assert list(backlog_items(packed)) == [items[0], items[2], items[4]]
    assert (packed.ready_count, packed.finding_count) == (1, 3)


def _wants_b(labels: tuple[str, ...]) -> bool:
    return "b" in labels


def _is_marked(item: BacklogItem) -> bool:
    return bool(item.suppressions) or _wants_b(item.labels)


@given(ITEMS, st.randoms(use_true_random=False))
def test_marked_items_are_found_in_the_columns(items: list[BacklogItem], rng: Random) -> None:
    """``marked``: the items with ``readylint-ignore`` entries or a wanted label set, by position,
    from a table, a table in another order and packed results of some of them, as a scan of the
    built items finds them."""
    table = ItemTable(items)
    assert table.marked(_wants_b) == [k for k, item in enumerate(items) if _is_marked(item)]
    order = list(range(len(items)))
    rng.shuffle(order)
    ordered = Ordered(table, order)
    expected = [k for k, item in enumerate(ordered) if _is_marked(item)]
    assert marked_positions(ordered, _wants_b) == expected
    assert marked_positions(list(ordered), _wants_b) == expected
    reported = sorted(rng.sample(order, len(order) // 2))
    packed = PackedResults.of(ordered, ((k, []) for k in reported))
    assert packed.marked(_wants_b) == [k for k, r in enumerate(packed) if _is_marked(r.item)]
    if reported:  # a replaced result is asked itself
        other = BacklogItem("NEW", "New", Location("n.yaml", 1), labels=("b",))
        changed = packed.replaced({0: ItemResult(other, 1, [])})
        assert changed.marked(_wants_b) == [k for k, r in enumerate(changed) if _is_marked(r.item)]


def test_an_engine_finishes_table_items_as_it_does_a_list() -> None:
    config = Config()
    engine: Engine
    engine, _ = app.build_engine(config, app.Selection())
    items = [
        BacklogItem(f"PAY-{k}", f"Item {k}", Location("b.yaml", k + 1), rank=k + 1, order=k)
        for k in range(4)
    ]
    digests = [engine.digest(item) for item in items]
    table = ItemTable(items)
    from_table = engine.finish(Ordered(table, range(4)), digests, range(4))
    assert from_table == engine.finish(items, digests, range(4))
