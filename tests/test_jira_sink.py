"""Checking Jira items while the next page travels (issue 6): ``pipeline.Digester`` as the
source's ``ItemSink``, against the fake Jira with a delay on every search page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from jira_fake import FakeJira, Fault, rank_last, shop_site
from readylint import app
from readylint.config import load_config
from readylint.engine import Engine
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
        self.takes.append((start, len(items), len(self._digests)))
        super().take(start, items)

    @property
    def digested(self) -> int:
        return len(self._digests)


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
        digester.take(9, items[9:])
        assert digester.digests(items) == expected
    digester = Digester(engine)
    digester.take(0, items)
    while digester.idle():
        pass
    assert not digester.idle()  # nothing left: the source waits without work
    assert digester.digests(items) == expected


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
    assert digester.digests(items) == [engine.digest(item) for item in items]
    with pytest.raises(ValueError, match="differ"):
        digester.digests(items[::-1])
    with pytest.raises(ValueError, match="handed over after"):
        digester.take(len(items) + 1, items)


def test_digester_gives_unreported_items_their_prints_only(tmp_path: Path) -> None:
    engine = _engine()
    items = _yaml_items(tmp_path, 10)
    digester = Digester(engine, range(3))  # --top 3
    digester.take(0, items)
    digester.idle()  # some made while waiting, the rest after the read
    digests = digester.digests(items)
    assert digests[:3] == [engine.digest(item) for item in items[:3]]
    assert digests[3:] == [engine.digest(item, prints_only=True) for item in items[3:]]
    assert all(d.prints for d in digests)


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
        progress=False,
    )
    return backlog.read(sink=sink)


def test_each_page_is_checked_while_the_next_one_travels(slow: FakeJira) -> None:
    config = load_config(None)
    engine, chosen = app.build_engine(config, app.Selection())
    digester = Recording(engine)
    source = _read(slow, digester)
    ids = [item.id for item in source.items]
    assert ids == ["SHOP-1", "SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6"]
    # Data Center asks for pages 2 and 3 together, so page 3 may be in by page 2's turn.
    assert [(start, digested) for start, _, digested in digester.takes][:2] == [(0, 0), (2, 2)]
    assert sum(handed for _, handed, _ in digester.takes) == len(ids)
    assert digester.digested >= 2  # before the read was over
    source.digests = digester.digests(source.items)
    with_sink = app.lint(source, engine, chosen)
    without = app.lint(dataclasses.replace(source, digests=None), engine, chosen)
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
    source = _read(slow, digester)
    assert [item.id for item in source.items] == ["SHOP-2", "SHOP-3", "SHOP-5", "SHOP-6", "SHOP-1"]
    restarts = [k for k, (start, _, _) in enumerate(digester.takes) if k and start == 0]
    assert restarts, digester.takes
    assert digester.takes[restarts[0]][2] > 0  # the first read's items had been checked
    assert digester.digests(source.items) == [engine.digest(item) for item in source.items]
