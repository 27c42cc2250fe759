"""Checking Jira items while the next page travels (issue 6): ``pipeline.Digester`` as the
source's ``ItemSink``, against the fake Jira with a delay on every search page."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from jira_fake import FakeJira, Fault, rank_last, shop_site
from readylint import app, pipeline
from readylint.config import load_config
from readylint.engine import Digest, Engine
from readylint.itemtable import ItemTable
from readylint.models import BacklogItem, SourceResult
from readylint.pipeline import Digester
from readylint.sources import jira_source
from readylint.sources.yaml_files import read_file

PAGE_DELAY = 0.15  # seconds on every search page: room to check a page's two items meanwhile


def _engine() -> Engine:
    engine, _ = app.build_engine(load_config(None), app.Selection())
    return engine


def _yaml_items(tmp_path: Path, count: int) -> list[BacklogItem]:
    text = "".join(
        f"- id: PAY-{n}\n  title: Keep the cart on item {n}\n  rank: {n}\n"
        f"  customer_need: Shoppers on the phone lose their cart {n} times a week.\n"
        "  business_reason: Abandoned carts cost us about four percent of revenue.\n"
        for n in range(1, count + 1)
    )
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    items, errors = read_file(path)
    assert errors == []
    assert len(items) == count
    return items


class Recording(Digester):
    """A Digester that notes how far it had got at each hand-over."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.takes: list[tuple[int, int, int]] = []  # (start, items handed, digested so far)

    def take(self, start: int, items: Sequence[BacklogItem]) -> None:
        self.takes.append((start, len(items), self.done))
        super().take(start, items)


def finished(digester: Digester) -> tuple[list[BacklogItem], list[Digest]]:
    """What the digester kept: the items (without their texts) and each one's whole digest,
    its prints taken back from the print table."""
    table, store = digester.finish()
    assert len(table) == len(store)
    excerpts = store.prints.excerpts(range(len(store.prints)))
    digests = []
    for k in range(len(store)):
        digest = store[k]
        digest.prints = store.prints.item_prints(k, excerpts)
        digests.append(digest)
    return list(table), digests


def slim(items: Sequence[BacklogItem]) -> list[BacklogItem]:
    return list(ItemTable(items))


def test_digester_gives_the_engines_digests_whatever_was_done_while_waiting(
    tmp_path: Path,
) -> None:
    engine = _engine()
    items = _yaml_items(tmp_path, 20)
    expected = [engine.digest(item) for item in items]
    for idle_calls in (0, 1, 5):
        digester = Digester(engine)
        digester.take(0, items[:9])
        for _ in range(idle_calls):
            digester.idle()
        assert digester.done == min(9, idle_calls * pipeline.IDLE_BATCH)
        digester.take(9, items[9:])
        assert finished(digester) == (slim(items), expected)
    digester = Digester(engine)
    digester.take(0, items)
    while digester.idle():
        pass
    assert not digester.idle()  # nothing left: the source waits without work
    kept, digests = finished(digester)
    assert (kept, digests) == (slim(items), expected)
    assert all(item.fields == {} and item.description is None for item in kept)  # no texts


def test_digester_keeps_every_item_in_order_across_many_seals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "SEAL_EVERY", 3)  # excerpts compressed every 3 items
    engine = _engine()
    items = _yaml_items(tmp_path, 20)
    digester = Digester(engine)
    for start in range(0, 20, 5):  # pages of 5, each partly checked while "waiting"
        digester.take(start, items[start : start + 5])
        digester.idle()
    assert finished(digester) == (slim(items), [engine.digest(item) for item in items])


def test_digester_starts_again_when_the_source_reads_again(tmp_path: Path) -> None:
    engine = _engine()
    items = _yaml_items(tmp_path, 12)
    digester = Digester(engine)
    digester.take(0, items[6:])  # the first read, abandoned after its first page
    while digester.idle():
        pass
    digester.take(0, items[:4])  # the second read
    digester.idle()
    digester.take(4, items[4:])
    assert finished(digester) == (slim(items), [engine.digest(item) for item in items])
    digester = Digester(engine)
    digester.take(0, items[:6])
    with pytest.raises(ValueError, match="handed over after"):
        digester.take(7, items[7:])
    digester.take(3, items[3:])  # the rest of a page that was not checked yet: fine
    while digester.idle():
        pass
    with pytest.raises(ValueError, match="only 0 starts again"):
        digester.take(5, items[5:])


def test_digester_gives_unreported_items_their_prints_only(tmp_path: Path) -> None:
    engine = _engine()
    items = _yaml_items(tmp_path, 10)
    digester = Digester(engine, range(3))  # --top 3
    digester.take(0, items)
    digester.idle()  # some made while waiting, the rest after the read
    _, digests = finished(digester)
    assert digests[:3] == [engine.digest(item) for item in items[:3]]
    assert digests[3:] == [engine.digest(item, prints_only=True) for item in items[3:]]
    assert all(d.prints for d in digests)


def test_items_checked_for_their_prints_only_are_never_reported_as_passing(
    tmp_path: Path,
) -> None:
    config = load_config(None)
    engine, chosen = app.build_engine(config, app.Selection())
    items = _yaml_items(tmp_path, 10)
    digester = Digester(engine, range(3))  # --top 3
    digester.take(0, items)
    table, store = digester.finish()
    assert store.partial == set(range(3, 10))
    source = SourceResult(table, digests=store)
    assert len(app.lint(source, engine, chosen, top=3).items) == 3
    with pytest.raises(ValueError, match="prints only"):  # a caller that asked for more
        app.lint(source, engine, chosen, top=5)


@pytest.fixture(params=["cloud", "server"])
def slow(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeJira]:
    search = "search/jql" if request.param == "cloud" else "/search"
    delay = Fault(search, None, delay=PAGE_DELAY, count=10**6)
    yield from shop_site(request.param, tmp_path, monkeypatch, faults=(delay,))


def _read(fake: FakeJira, sink: Digester | None) -> SourceResult:
    backlog = jira_source.JiraBacklog(
        load_config(None),
        jira_source.JiraRequest(project="SHOP"),
        env=fake.env(),
        echo=lambda _: None,
    )
    return backlog.read(sink=sink)


def test_each_page_is_checked_while_the_next_one_travels(slow: FakeJira) -> None:
    config = load_config(None)
    engine, chosen = app.build_engine(config, app.Selection())
    digester = Recording(engine)
    source = _read(slow, digester)
    assert source.items == []  # they are the sink's
    # Data Center asks for pages 2 and 3 together, so page 3 may be in by page 2's turn.
    assert [(start, digested) for start, _, digested in digester.takes][:2] == [(0, 0), (2, 2)]
    assert digester.done >= 2  # before the read was over
    source.items, source.digests = digester.finish()
    ids = [item.id for item in source.items]
    assert ids == ["SHOP-1", "SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6"]
    assert sum(handed for _, handed, _ in digester.takes) == len(ids)
    with_sink = app.lint(source, engine, chosen)
    without = app.lint(_read(slow, None), engine, chosen)  # whole items, both passes at once
    assert [(r.item.id, r.findings) for r in with_sink.items] == [
        (r.item.id, r.findings) for r in without.items
    ]
    assert any(r.findings for r in with_sink.items) and any(r.ready for r in with_sink.items)


def test_a_read_again_hands_its_items_over_from_the_start(slow: FakeJira) -> None:
    # SHOP-1 dragged to the bottom while page 2 is requested: read again from the start.
    search = "search/jql" if slow.mode == "cloud" else "/search"
    slow.faults.insert(0, Fault.edit(search, rank_last("SHOP-1"), after=1))
    engine = _engine()
    digester = Recording(engine)
    _read(slow, digester)
    restarts = [k for k, (start, _, _) in enumerate(digester.takes) if k and start == 0]
    assert restarts, digester.takes
    assert digester.takes[restarts[0]][2] > 0  # the first read's items had been checked
    items, digests = finished(digester)
    assert [item.id for item in items] == ["SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6", "SHOP-1"]
    slow.faults.pop(0)
    whole = _read(slow, None).items  # read again without a sink: the same order now
    assert (items, digests) == (slim(whole), [engine.digest(item) for item in whole])


def test_a_store_keeps_which_digests_hold_prints_only_when_joined(tmp_path: Path) -> None:
    from readylint.store import DigestStore

    engine = _engine()
    items = _yaml_items(tmp_path, 4)
    first, second = DigestStore(len(engine.checks)), DigestStore(len(engine.checks))
    for store, (whole, partial) in ((first, items[:2]), (second, items[2:])):
        store.add(engine.digest(whole))
        store.add(engine.digest(partial, prints_only=True), prints_only=True)
        store.prints.seal()
    first.extend(second)
    assert first.partial == {1, 3}
    assert [len(d.results) for d in first] == [len(engine.checks), 0, len(engine.checks), 0]
