"""The compact path of large runs (issue 6: peak memory): first-pass results in columns
(store.py), prints in table rows (boilerplate.PrintTable), item results packed (results.py).

Each test compares the compact path with the plain one (``Engine.run`` over whole items, lists
of ``ItemResult``) on a mixed backlog: boilerplate groups (the same and nearly the same text),
stale and successor references, suppressions, unranked items, ``--top`` and report subsets.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path

import pytest

from readylint import app, boilerplate, pipeline, results, store
from readylint.cli import main
from readylint.config import Config, FailOn
from readylint.engine import _NOTHING, Digest, Pending
from readylint.models import BacklogItem, Finding, ItemResult, Location, RunResult
from readylint.suppress import apply as apply_suppressions

SHARED_REASON = (
    "Our enterprise customers keep asking for this in every quarterly review and the sales "
    "team says it blocks two renewals worth about forty thousand euros this year."
)
NEAR_REASON = (
    "Our enterprise customers keep asking for this in every quarterly review and the sales "
    "team says it blocks three renewals worth about forty thousand euros this year."
)
TRADE_OFF = "We postpone the wishlist export by one sprint and accept a manual CSV for now."


def _item(n: int, total: int, rng: random.Random) -> str:
    lines = [f"  - id: PAY-{n}", f"    title: Let shoppers keep their cart on item {n}"]
    if n % 7:  # every seventh item is unranked: ordered after the ranked ones
        lines.append(f"    rank: {total - n + 1 if n % 5 == 0 else n}")
    lines.append(
        "    customer_need: Shoppers on the phone lose their cart when they switch devices, "
        f"about {n * 3} a week."
    )
    reason = (
        SHARED_REASON
        if n % 4 == 0
        else NEAR_REASON
        if n % 4 == 1
        else f"Abandoned carts cost about {n}% of revenue in the last quarter."
    )
    lines.append(f"    business_reason: {reason}")
    lines.append(f"    trade_off: {TRADE_OFF if n % 3 == 0 else f'We postpone item {n} export.'}")
    if n % 6 != 5:
        lines.append(
            f"    expected_outcome: Cart abandonment falls from 31% to {20 + n % 9}% in two months."
        )
    other = rng.randint(1, total + 3)  # sometimes an id that is not in the backlog
    why = rng.choice(
        [
            f"Before PAY-{other} because it unblocks it.",
            f"PAY-{other} must come first; this builds on it.",
            "Because it matters.",
            f"It comes before PAY-{n + 1}, PAY-{n + 2} and PAY-{n + 3}, which reuse its API.",
        ]
    )
    lines.append(f"    why_now: {why}")
    if n % 11 == 0:
        lines.append(
            "    readylint-ignore: {trade-off: 'agreed with finance', business-reason: ''}"
        )
    if n % 13 == 0:
        lines.append("    labels: [readylint-ignore-expected-outcome, payments]")
    if n % 17 == 0:
        lines.append("    expected_outcom: a misspelt key")
    return "\n".join(lines) + "\n"


def _backlog(root: Path, files: int = 5, per_file: int = 12, seed: int = 6) -> Path:
    rng = random.Random(seed)
    root.mkdir()
    total = files * per_file
    n = 0
    for f in range(files):
        parts = ["items:\n"]
        for _ in range(per_file):
            n += 1
            parts.append(_item(n, total, rng))
        (root / f"b{f}.yaml").write_text("".join(parts), encoding="utf-8")
    return root


def _rows(result: RunResult) -> list[tuple[str, int, bool, list[Finding]]]:
    return [(r.item.id, r.rank, r.ready, list(r.findings)) for r in result.items]


@pytest.fixture
def compact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part of the compact path on, even for a small backlog."""
    monkeypatch.setattr(app, "PACK_ABOVE", 0)
    monkeypatch.setattr(results, "BATCH", 4)
    monkeypatch.setattr(boilerplate, "SPLIT_ABOVE", 0)  # with READYLINT_JOBS=2: a forked share
    monkeypatch.setattr(boilerplate, "_PART", 3)


@pytest.mark.parametrize("top", [None, 1, 17])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_compact_path_gives_the_findings_of_engine_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compact: None, top: int | None, jobs: str
) -> None:
    monkeypatch.setenv("READYLINT_JOBS", jobs)
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    root = _backlog(tmp_path / "backlog")
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection(strict=True))
    plain = app.lint(app.read_yaml_backlog([str(root)], config), engine, chosen, top=top)
    source = app.read_yaml_backlog([str(root)], config, engine)
    assert isinstance(source.digests, store.DigestStore)
    packed = app.lint(source, engine, chosen, top=top)
    assert isinstance(packed.items, results.PackedResults)
    assert _rows(packed) == _rows(plain)
    checks = {f.check for *_, found in _rows(plain) for f in found}
    messages = [f.message for *_, found in _rows(plain) for f in found]
    if top is None:
        assert {"boilerplate", "ordering-rationale", "unknown-key"} <= checks
        assert any(m.startswith("Stale") for m in messages)
        assert any("items use the same text" in m for m in messages)
        assert any("items use nearly the same text" in m for m in messages)
    assert packed.ready_count == plain.ready_count
    assert packed.finding_count == plain.finding_count
    fail_ons: tuple[FailOn, ...] = ("error", "warning", "never")
    for fail_on in fail_ons:
        assert app.exit_code(packed, fail_on) == app.exit_code(plain, fail_on)
    known = ["customer-need", "business-reason", "trade-off", "expected-outcome"]
    known += ["ordering-rationale", "boilerplate", "unknown-key"]
    refined_plain = apply_suppressions(plain, known)
    refined_packed = apply_suppressions(packed, known)
    assert isinstance(refined_packed.items, results.PackedResults)
    assert _rows(refined_packed) == _rows(refined_plain)
    assert refined_packed.notices == refined_plain.notices
    assert refined_packed.ready_count == refined_plain.ready_count
    assert refined_packed.finding_count == refined_plain.finding_count
    if top != 1:
        assert any(f.check == "suppression" for *_, found in _rows(refined_plain) for f in found)


def test_report_subset_on_the_compact_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compact: None
) -> None:
    root = _backlog(tmp_path / "backlog", files=3)
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection())

    def odd(item: BacklogItem) -> bool:
        return int(item.id.split("-")[1]) % 2 == 1

    plain = app.lint(app.read_yaml_backlog([str(root)], config), engine, chosen, report=odd)
    packed = app.lint(
        app.read_yaml_backlog([str(root)], config, engine), engine, chosen, report=odd
    )
    assert _rows(packed) == _rows(plain)
    assert len(packed.items) == len([r for r in plain.items if odd(r.item)]) > 0


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "junit", "markdown", "gitlab"])
def test_reports_are_the_same_whether_packed_or_not(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    from readylint.reporters import json as json_reporter

    root = _backlog(tmp_path / "backlog")
    monkeypatch.setattr(json_reporter, "PRETTY_LIMIT", 10)  # the streamed JSON form too
    outputs = []
    for pack_above in (10**9, 0):
        monkeypatch.setattr(app, "PACK_ABOVE", pack_above)
        monkeypatch.setattr(results, "BATCH", 5)
        code = main(["check", "--format", fmt, "--color", "never", str(root)])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 1 and outputs[0][1]
    if fmt == "json":
        assert len(json.loads(outputs[0][1])["items"]) == 60


def test_digest_store_gives_each_digest_back() -> None:
    one = Finding("trade-off", "error", "Missing trade-off", 4)
    two = Finding("trade-off", "warning", "Thin", None)
    facts = Pending([], "field 'why_now'", 9, (("PAY-2", "first"),), None, True, None, None)
    same = Pending([], "field 'why_now'", 30, (("PAY-2", "first"),), None, True, None, None)
    other = Pending([two], "the user story", None, (), "says no", False, None, "vague")
    digests = [
        Digest([[one, two], None, _NOTHING, facts]),
        Digest([_NOTHING, _NOTHING, None, other]),
        Digest([[one], [two], [one, one], same]),
    ]
    first, second = store.DigestStore(4), store.DigestStore(4)
    first.add(digests[0])
    for digest in digests[1:]:
        second.add(digest)
    second.prints.seal()
    first.prints.seal()
    first.extend(second)  # as the main process gathers files from workers
    assert len(first) == 3
    for index, digest in enumerate(digests):
        assert first[index].results == digest.results
    assert first[-1].results == digests[-1].results
    assert [d.results for d in first[1:]] == [d.results for d in digests[1:]]
    assert len(first.templates) == 2  # each distinct finding text once
    assert len(first.facts) == 2  # and each distinct Pending apart from its line
    with pytest.raises(IndexError):
        first[3]
    order = store.Reordered(first, [2, 0, 1])
    assert [d.results for d in order] == [digests[k].results for k in (2, 0, 1)]


def test_an_item_copied_in_columns_equals_its_digest_moved_and_added() -> None:
    """``DigestStore.copy`` (an unchanged item of an edited file, pipeline._digest_reusing) adds
    what ``add`` adds for the item's digest and prints taken back and moved, column for column:
    findings and facts (with the lines of the findings inside them), prints (a line of None
    stays None), a digest of prints only, and fields numbered otherwise in the new table."""
    one = Finding("trade-off", "error", "Missing trade-off", 4)
    two = Finding("trade-off", "warning", "Thin", None)
    inside = Finding("ordering-rationale", "warning", "Only in the prose", 12)
    facts = Pending([inside], "field 'why_now'", 9, (("PAY-2", "first"),), None, True, None, None)
    other = Pending([two], "the user story", None, (), "says no", False, None, "vague")
    printed = _prints(random.Random(3), 6)
    unlined = dataclasses.replace(printed[5], line=None)
    digests = [  # item 0 numbers trade_off first; item 2 starts with business_reason
        (Digest([[one, two], None, _NOTHING, facts], (printed[0], printed[1])), False),
        (Digest([], (printed[4],)), True),
        (Digest([[one], [two], [one, one], other], (printed[2], unlined, printed[3])), False),
    ]
    earlier = store.DigestStore(4)
    for digest, prints_only in digests:
        earlier.add(digest, prints_only=prints_only)
    earlier.prints.seal()
    excerpts = earlier.prints.excerpts(range(len(earlier.prints)))
    moves = [(2, 5), (0, 3), (1, 7), (0, 0), (2, -2)]  # (item, lines further down)
    copied, added = store.DigestStore(4), store.DigestStore(4)
    for index, lines in moves:
        copied.copy(earlier, index, lines, excerpts)
        digest = earlier[index]
        digest.prints = earlier.prints.item_prints(index, excerpts)
        added.add(digest.moved(lines), prints_only=index in earlier.partial)
    assert copied.prints.keys != earlier.prints.keys  # the fields' numbers were remapped
    for table in (copied, added):
        table.prints.seal()
    columns = ("rows", "starts", "templates", "facts", "partial")
    assert [getattr(copied, name) for name in columns] == [getattr(added, name) for name in columns]
    tables = copied.prints, added.prints
    for name in ("keys", "rows", "signed", "items", "lines", "starts"):
        assert getattr(tables[0], name) == getattr(tables[1], name), name
    everything = range(len(added.prints))
    assert tables[0].excerpts(everything) == tables[1].excerpts(everything)
    assert copied[0].results[3].findings == [other.findings[0]]  # type: ignore[union-attr]
    assert copied[1].results[3].findings == [  # type: ignore[union-attr]
        dataclasses.replace(inside, line=15)
    ]
    assert tables[0].line(1) is None and tables[0].line(9) is None and tables[0].line(8) == 1
    assert copied.partial == {2}


def test_print_tables_joined_equal_one_table_whatever_order_each_met_the_fields_in() -> None:
    """``PrintTable.extend`` (one file's table joined to the run's) renumbers the other table's
    fields as this one numbers them: each print keeps its field, row for row."""
    printed = _prints(random.Random(5), 8)  # trade_off for 0, 3 and 6; business_reason else
    parts: list[list[tuple[boilerplate.Print, ...]]] = [
        [(printed[1], printed[2]), (printed[3],)],  # business_reason numbered first
        [(printed[0], printed[4]), (), (printed[6], printed[5])],  # trade_off first
        [(printed[7],)],
    ]
    joined, whole = boilerplate.PrintTable(), boilerplate.PrintTable()
    for part in parts:
        table = boilerplate.PrintTable()
        for prints in part:
            table.add(prints)
            whole.add(prints)
        table.seal()
        joined.extend(table)
    whole.seal()
    assert joined.keys == whole.keys == ["business_reason", "trade_off"]
    for name in ("rows", "signed", "items", "lines", "starts"):
        assert getattr(joined, name) == getattr(whole, name), name
    everything = range(len(whole))
    assert joined.excerpts(everything) == whole.excerpts(everything)
    assert [joined.key(k) for k in everything] == [p.key for part in parts for i in part for p in i]


def _batched_table(batches: int, per_batch: int, unsealed: int) -> boilerplate.PrintTable:
    """A table of ``batches`` sealed batches of ``per_batch`` prints (one item each), then
    ``unsealed`` prints not yet sealed; print k's excerpt is "e{k}"."""
    printed = _prints(random.Random(11), batches * per_batch + unsealed)
    table = boilerplate.PrintTable()
    for number, found in enumerate(printed):
        table.add((found,))
        if (number + 1) % per_batch == 0 and number < batches * per_batch:
            table.seal()
    return table


def _count_openings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened: list[int] = []
    real = boilerplate.PrintTable._batch

    def counting(table: boilerplate.PrintTable, chunk: int) -> list[str]:
        opened.append(chunk)
        return real(table, chunk)

    monkeypatch.setattr(boilerplate.PrintTable, "_batch", counting)
    return opened


def test_excerpt_reader_reads_what_excerpts_reads_in_any_order() -> None:
    table = _batched_table(batches=7, per_batch=5, unsealed=3)
    everything = table.excerpts(range(len(table)))
    assert everything == {k: f"e{k}" for k in range(38)}
    orders = [list(range(38)), list(reversed(range(38))), random.Random(2).sample(range(38), 38)]
    for order in orders:
        reader = table.excerpt_reader()
        assert [reader[k] for k in order] == [everything[k] for k in order]
    reader = table.excerpt_reader()
    assert len(reader) == 38 and list(reader) == list(range(38))
    assert dict(reader) == everything
    for outside in (-1, 38):
        with pytest.raises(KeyError):
            reader[outside]


def test_excerpt_reader_in_order_holds_a_few_batches_and_opens_each_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copying a kept result reads its excerpts in order: each batch is opened once, and no
    more than ``HELD`` are held (before, every batch was opened at once: 95 MiB at 100,000)."""
    table = _batched_table(batches=20, per_batch=4, unsealed=0)
    opened = _count_openings(monkeypatch)
    reader = table.excerpt_reader()
    for k in range(len(table)):
        assert reader[k] == f"e{k}"
        assert len(reader._held) <= boilerplate.ExcerptReader.HELD
    assert opened == list(range(20))


def test_excerpt_reader_out_of_order_opens_three_times_the_batches_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Items moved in the file: reads jump between batches. Once the openings reach twice the
    number of batches, what is opened is held: each batch is opened once more at most, so the
    openings stay within three times the batches (opening all of them once: the old way)."""
    table = _batched_table(batches=12, per_batch=3, unsealed=2)
    opened = _count_openings(monkeypatch)
    reader = table.excerpt_reader()
    rng = random.Random(4)
    for _ in range(20):  # every print, in a new order each time: 720 reads
        order = rng.sample(range(len(table)), len(table))
        assert [reader[k] for k in order] == [f"e{k}" for k in order]
    assert 2 * 12 < len(opened) <= 3 * 12  # the reads did jump
    assert sorted(set(opened[2 * 12 :])) == sorted(opened[2 * 12 :])  # held from then on


def _prints(rng: random.Random, count: int) -> list[boilerplate.Print]:
    words = ["cart", "basket", "phone", "device", "revenue", "quarter", "sprint", "export"]
    base = [rng.choice(words) for _ in range(20)]
    found = []
    for n in range(count):
        text = list(base)
        for _ in range(n % 4):  # a few words changed: nearly the same text
            text[rng.randrange(len(text))] = rng.choice(words)
        if n % 5 == 0:
            text = [rng.choice(words) for _ in range(rng.randint(2, 20))]
        key = "business_reason" if n % 3 else "trade_off"
        made = boilerplate.fingerprint(key, " ".join(text), n + 1, min_words=8, excerpt=f"e{n}")
        assert made is not None
        found.append(made)
    return found


def test_print_table_groups_do_not_depend_on_reading_order_or_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(3)
    prints = _prints(rng, 120)
    per_item = [prints[k : k + 3] for k in range(0, len(prints), 3)]
    expected = boilerplate.groups(
        [(position, p) for position, item in enumerate(per_item) for p in item],
        min_items=3,
        threshold=0.7,
    )
    assert expected and any(len(g) > 3 for g in expected)
    reading = list(range(len(per_item)))
    rng.shuffle(reading)  # files read in another order than the backlog's
    positions = [0] * len(per_item)
    for part in (1 << 16, 2, 1):
        monkeypatch.setattr(boilerplate, "_PART", part)
        table, sealed = boilerplate.PrintTable(), boilerplate.PrintTable()
        for k, position in enumerate(reading):
            positions[k] = position
            (table if k < 20 else sealed).add(per_item[position])
        table.seal()
        sealed.seal()
        table.extend(sealed)
        got = table.groups(min_items=3, threshold=0.7, positions=positions)
        excerpts = table.excerpts(index for group in got for _, index in group)
        assert [[(pos, excerpts[index]) for pos, index in group] for group in got] == [
            [(pos, p.excerpt) for pos, p in group] for group in expected
        ]
        assert [table.line(index) for _, index in got[0]] == [p.line for _, p in expected[0]]
        assert [table.key(index) for _, index in got[0]] == [p.key for _, p in expected[0]]


def _grouped_one_by_one(
    prints: list[boilerplate.Print], order: list[int], *, min_items: int, threshold: float
) -> list[list[int]]:
    """``_group_rows`` written out plainly, one print at a time in ``order``: each print joins
    the first print of its exact text, and per band the first print of its bucket when their
    signatures are similar enough; only first prints of a text with a signature are banded."""
    parent = list(range(len(prints)))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        rx, ry = sorted((find(x), find(y)))
        parent[ry] = rx

    rank_of = {index: rank for rank, index in enumerate(order)}
    exact: dict[tuple[str, bytes], int] = {}
    banded: list[int] = []
    for index in order:
        first = exact.setdefault((prints[index].key, prints[index].exact), index)
        if first != index:
            union(rank_of[first], rank_of[index])
        elif prints[index].signature is not None:
            banded.append(index)
    width = 2 * boilerplate._ROWS
    for band in range(boilerplate._BANDS):
        buckets: dict[tuple[str, bytes], int] = {}
        for index in banded:
            signature = prints[index].signature
            assert signature is not None
            first = buckets.setdefault(
                (prints[index].key, signature[band * width : (band + 1) * width]), index
            )
            other = prints[first].signature
            assert other is not None
            agree = sum(signature[k : k + 2] == other[k : k + 2] for k in range(0, len(other), 2))
            if first != index and agree / boilerplate._HASHES >= threshold:
                union(rank_of[first], rank_of[index])
    members: dict[int, list[int]] = {}
    for rank, index in enumerate(order):
        members.setdefault(find(rank), []).append(index)
    return [
        group
        for group in members.values()
        if len(group) >= min_items and len({index // 3 for index in group}) >= min_items
    ]


@pytest.mark.parametrize("part", [1 << 14, 7])
@pytest.mark.parametrize("seed", range(4))
def test_print_table_groups_equal_grouping_one_print_at_a_time(
    monkeypatch: pytest.MonkeyPatch, seed: int, part: int
) -> None:
    monkeypatch.setattr(boilerplate, "_PART", part)  # 7: prints grouped in many dictionaries
    rng = random.Random(seed)
    prints = _prints(rng, 300)
    rng.shuffle(prints)  # exact and near duplicates scattered, in both fields
    prints += prints[:40]  # and exact repeats
    table = boilerplate.PrintTable()
    for k in range(0, len(prints), 3):
        table.add(prints[k : k + 3])
    order = list(range(len(prints)))
    rng.shuffle(order)
    for min_items in (1, 2, 3):
        for threshold in (0.5, 0.7, 0.9):
            got = boilerplate._group_rows(table, order, min_items=min_items, threshold=threshold)
            expected = _grouped_one_by_one(prints, order, min_items=min_items, threshold=threshold)
            assert got == expected
            assert any(len(group) > 3 for group in got)


@pytest.mark.parametrize("keys", [("business_reason", "trade_off"), ("trade_off",)])
def test_print_table_groups_are_the_same_when_a_forked_process_groups_some_fields(
    monkeypatch: pytest.MonkeyPatch, keys: tuple[str, ...]
) -> None:
    monkeypatch.setattr(boilerplate, "SPLIT_ABOVE", 0)
    rng = random.Random(11)
    prints = [
        dataclasses.replace(p, key=keys[n % len(keys)]) for n, p in enumerate(_prints(rng, 240))
    ]
    table = boilerplate.PrintTable()
    for k in range(0, len(prints), 3):
        table.add(prints[k : k + 3])
    positions = list(range(table.item_count))
    rng.shuffle(positions)
    alone = table.groups(min_items=3, threshold=0.7, positions=positions)
    assert len({table.key(index) for group in alone for _, index in group}) == len(keys)
    forked: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forked.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    shared = table.groups(min_items=3, threshold=0.7, positions=positions, jobs=2)
    assert shared == alone
    assert len(forked) == (1 if len(keys) > 1 else 0)  # one field: nothing to share


def test_packed_results_behave_as_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "BATCH", 2)
    items = [
        ItemResult(
            BacklogItem(f"A-{n}", f"t{n}", Location("f.yaml", n)),
            n + 1,
            [Finding("c", "error" if n % 3 == 0 else "warning", f"m{n % 2}", n)] * (n % 3),
        )
        for n in range(7)
    ]
    packed = results.PackedResults(items)
    assert list(packed) == items and len(packed) == 7
    assert packed[-1] == items[-1] and packed[2:5] == items[2:5]
    assert packed.ready_count == sum(r.ready for r in items)
    assert packed.finding_count == sum(len(r.findings) for r in items)
    assert packed.fails({"warning"}) and not packed.fails({"error"})
    changed = ItemResult(items[3].item, 4, [Finding("c", "error", "now", 1)])
    replaced = packed.replaced({3: changed})
    assert replaced[3] == changed and list(packed) == items  # the original is unchanged
    assert replaced.fails({"error"}) and replaced.ready_count == packed.ready_count - 1
    assert replaced.finding_count == packed.finding_count - len(items[3].findings) + 1
    assert list(results.backlog_items(replaced)) == [r.item for r in items]


def test_items_share_repeated_statuses_and_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READYLINT_JOBS", "2")
    monkeypatch.setattr(pipeline, "PARALLEL_BYTES", 0)
    root = tmp_path / "backlog"
    root.mkdir()
    for f in range(2):
        (root / f"b{f}.yaml").write_text(
            "items:\n"
            + "".join(
                f"  - {{id: S-{f}{n}, title: t, status: To refine, labels: [pay, web]}}\n"
                for n in range(3)
            ),
            encoding="utf-8",
        )
    engine, _ = app.build_engine(Config(), app.Selection())
    items = app.read_yaml_backlog([str(root)], Config(), engine).items
    assert len(items) == 6
    assert all(i.status is items[0].status and i.labels is items[0].labels for i in items)
    assert items[0].labels == ("pay", "web") and items[0].status == "To refine"


def test_baseline_and_top_work_on_packed_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _backlog(tmp_path / "backlog", files=2)
    runs = []
    for pack_above in (10**9, 0):
        monkeypatch.setattr(app, "PACK_ABOVE", pack_above)
        monkeypatch.setattr(results, "BATCH", 3)
        baseline = tmp_path / f"baseline-{pack_above}.json"
        codes = (
            main(["check", "--format", "json", "--write-baseline", str(baseline), str(root)]),
            main(["check", "--format", "json", "--baseline", str(baseline), str(root)]),
            main(["check", "--format", "text", "--top", "5", "--strict", str(root)]),
        )
        runs.append((codes, capsys.readouterr().out, baseline.read_text(encoding="utf-8")))
    assert runs[0] == runs[1]
    assert runs[0][0] == (0, 0, 1) and json.loads(runs[0][2])  # written findings are known
