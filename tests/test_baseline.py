"""Baselines: write, apply, new findings fail, stale entries are named, bad files exit 2."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci_support import DATA
from readylint import app
from readylint.cli import main
from readylint.config import Config
from readylint.models import BacklogItem, CheckInfo, Finding, ItemResult, Location, RunResult

BOARD = (DATA / "backlog" / "board.yaml").read_text(encoding="utf-8")
NEW_ITEM = """
  - id: CI-9
    rank: 9
    title: Gift cards
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "board.yaml").write_text(BOARD, encoding="utf-8")
    (tmp_path / ".readylint.yaml").write_text("paths: [backlog]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("READYLINT_FORMAT", raising=False)
    return tmp_path


def test_round_trip(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    capsys.readouterr()
    assert main(["check", "--write-baseline", "baseline.json"]) == 0
    captured = capsys.readouterr()
    assert "wrote 8 findings to baseline baseline.json" in captured.err
    document = json.loads((repo / "baseline.json").read_text(encoding="utf-8"))
    assert document["readylint_baseline"] == 1
    keys = [(e["item"], e["check"], e["count"]) for e in document["findings"]]
    assert ("CI-2", "trade-off", 1) in keys and ("CI-5", "suppression", 1) in keys
    assert keys == sorted(keys)
    assert all("line" not in e for e in document["findings"])

    # Same backlog, lines moved: still clean.
    board = repo / "backlog" / "board.yaml"
    board.write_text("# moved down\n\n" + board.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json"]) == 0
    out = capsys.readouterr().out
    assert "note: baseline baseline.json: 8 known findings hidden" in out

    # A new unready item fails, and only its findings are reported.
    board.write_text(board.read_text(encoding="utf-8") + NEW_ITEM, encoding="utf-8")
    assert main(["check", "--baseline", "baseline.json", "-q"]) == 1
    out = capsys.readouterr().out
    reported = [line for line in out.splitlines() if ": CI-" in line]
    assert reported
    # CI-5 is no longer the last item, so its missing ordering rationale is new too.
    assert all(": CI-9 " in line or ": CI-5 ordering-rationale:" in line for line in reported)

    # Fixing a baselined item names the entry that no longer occurs.
    board.write_text(
        board.read_text(encoding="utf-8").replace(
            "trade_off: TBD", "trade_off: We drop the promo banner for a sprint."
        ),
        encoding="utf-8",
    )
    main(["check", "--baseline", "baseline.json"])
    out = capsys.readouterr().out
    assert "CI-2 trade-off (1 of 1 no longer occur)" in out
    assert "run --write-baseline baseline.json to shrink it" in out


def test_removed_item_is_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--write-baseline", "b.json"])
    board = repo / "backlog" / "board.yaml"
    text = board.read_text(encoding="utf-8")
    board.write_text(text[: text.index("  - id: CI-5")], encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--baseline", "b.json", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "CI-5 business-reason (the item is gone)" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "b.json:1: baseline is not valid JSON"),
        ('{"findings": []}', "not a readylint baseline"),
        ('{"readylint_baseline": 1, "findings": [{"item": 3}]}', "baseline entry 1 needs"),
    ],
)
def test_bad_baseline_is_one_line_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    (repo / "b.json").write_text(content, encoding="utf-8")
    assert main(["check", "--baseline", "b.json"]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_missing_baseline_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--baseline", "nope.json"]) == 2
    assert "nope.json: cannot read baseline" in capsys.readouterr().err


def test_a_large_baseline_has_one_entry_per_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Above ``PRETTY_LIMIT`` items the baseline is written a piece at a time, an entry to a
    line (issue 6): the same document, and what ``write`` returns is what ``load`` reads."""
    from readylint import baseline, jsonstream

    assert main(["check", "--write-baseline", "pretty.json"]) == 0
    monkeypatch.setattr(jsonstream, "PRETTY_LIMIT", 0)
    assert main(["check", "--write-baseline", "large.json"]) == 0
    capsys.readouterr()
    pretty = (repo / "pretty.json").read_text(encoding="utf-8")
    large = (repo / "large.json").read_text(encoding="utf-8")
    assert json.loads(large) == json.loads(pretty)
    entries = json.loads(large)["findings"]
    assert len(entries) == 8 and large.count("\n") == len(entries) + 5
    assert all(line.startswith('    {"item": ') for line in large.splitlines()[3:-2])
    assert main(["check", "--baseline", "large.json"]) == 0
    assert "8 known findings hidden" in capsys.readouterr().out
    config = Config(root=repo)
    source = app.read_yaml_backlog(["backlog"], config)
    engine, chosen = app.build_engine(config, app.Selection())
    recorded = baseline.write(repo / "again.json", app.lint(source, engine, chosen))
    assert recorded == baseline.load(repo / "again.json").counts().total() > 0


def test_a_baseline_that_is_not_utf8_is_one_line_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "b.json").write_bytes(b'\xff\xfe{"readylint_baseline": 1}')
    assert main(["check", "--baseline", "b.json"]) == 2
    err = capsys.readouterr().err
    assert "b.json: baseline is not UTF-8 text (invalid start byte at byte 0)" in err
    assert len(err.strip().splitlines()) == 1


LARGE = (
    "{\n"
    '  "readylint_baseline": 1,\n'
    '  "findings": [\n'
    '    {"item": "A-1", "check": "trade-off", "count": 2, "message": "m"},\n'
    '    {"item": "A-2", "check": "trade-off", "message": "m"},\n'
    '    {"item": "A-1", "check": "trade-off", "count": 1}\n'
    "  ]\n"
    "}\n"
)


@pytest.mark.parametrize(
    "text",
    [
        LARGE,
        LARGE.replace("\n", "\r\n"),
        LARGE + "\n  \n",
        LARGE.replace('"m"},\n    {"item": "A-2"', '"m"}\n    {"item": "A-2"'),  # no comma
        LARGE.replace('"count": 1}\n', '"count": 1},\n'),  # a comma after the last
        LARGE.replace('"count": 2', '"count": 0'),
        LARGE.replace('"count": 2', '"count": true'),
        LARGE.replace('{"item": "A-2"', '{"item": 7'),
        LARGE.replace('"check": "trade-off", "message"', '"check": "x\\u00e9", "message"'),
        LARGE.replace("  ]\n}\n", '  ],\n  "more": 1\n}\n'),
        LARGE.replace("  ]\n}\n", "  ]\n}\n}\n"),
        LARGE.replace("  ]\n}\n", "  ]\n"),
        LARGE.replace('  "findings": [\n', '  "findings": [\n    1,\n'),
        LARGE.replace('"readylint_baseline": 1', '"readylint_baseline": 1.0'),
        LARGE.replace('    {"item": "A-2"', '{"item": "A-2"'),
        LARGE.replace('"m"}', '"m\\n"}'),
    ],
)
def test_the_line_reader_agrees_with_the_whole_file_reader(tmp_path: Path, text: str) -> None:
    """``load`` reads a large baseline a line at a time when it has the layout ``write`` gives;
    on any text it must give what reading the whole file gives: the same counts or error."""
    from readylint import baseline
    from readylint.errors import ReadylintError

    path = tmp_path / "b.json"
    path.write_bytes(text.encode())

    def outcome(read: object) -> object:
        try:
            return read()  # type: ignore[operator]
        except ReadylintError as exc:
            return str(exc)

    whole = outcome(lambda: baseline.load(path))
    line_read = baseline._load_lines(path)
    assert line_read is None or line_read == whole
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(baseline, "_load_lines", lambda _: None)
        assert outcome(lambda: baseline.load(path)) == whole
    if text in (LARGE, LARGE.replace("\n", "\r\n"), LARGE + "\n  \n"):
        assert line_read is not None
        assert line_read.counts() == {("A-1", "trade-off"): 3, ("A-2", "trade-off"): 1}


def test_apply_names_what_no_longer_occurs_of_a_count() -> None:

    from readylint import baseline
    from readylint.models import BacklogItem, CheckInfo, Finding, ItemResult, Location, RunResult

    item = BacklogItem(id="A-1", title="t", location=Location(path="b.yaml", line=1))
    result = RunResult(
        "0",
        [ItemResult(item, 1, [Finding("x", "error", "m"), Finding("y", "error", "n")])],
        checks=[CheckInfo(c, c, "", "error", "", "") for c in ("x", "y", "z")],
    )
    recorded = baseline.Recorded.of({("A-1", "x"): 3, ("A-1", "z"): 1, ("GONE-1", "y"): 2})
    applied = baseline.apply(result, recorded, name="b.json", known_items={"A-1"})
    assert [f.check for f in applied.items[0].findings] == ["y"]
    assert applied.notices == [
        "baseline b.json: 1 known finding hidden",
        "baseline b.json: 3 entries no longer occur: A-1 x (2 of 3 no longer occur); "
        "A-1 z (1 of 1 no longer occur); GONE-1 y (the item is gone); "
        "run --write-baseline b.json to shrink it",
    ]


def _shared_ids_result() -> RunResult:
    """Items that share ids (a copy-pasted item), several findings of one check, an item
    without findings, and messages that differ by item."""
    rows = [
        ("B-2", [("y", "late"), ("x", "first x of B-2"), ("x", "second x of B-2")]),
        ("A-1", [("x", "x of A-1")]),
        ("C-3", []),
        ("B-2", [("x", "x of the copy"), ("z", "z of the copy")]),
        ("A-10", [("y", "y of A-10")]),
        ("A-1", [("y", "y of the other A-1")]),
    ]
    return RunResult(
        "0",
        [
            ItemResult(
                BacklogItem(id=id_, title="t", location=Location(path="b.yaml", line=line)),
                line,
                [Finding(check, "error", message) for check, message in findings],
            )
            for line, (id_, findings) in enumerate(rows, 1)
        ],
        checks=[CheckInfo(c, c, "", "error", "", "") for c in ("x", "y", "z")],
    )


def test_written_entries_are_counted_by_item_id_and_check_with_the_first_message(
    tmp_path: Path,
) -> None:
    """As a count for each (item id, check) kept in backlog order, sorted: items that share an
    id are one entry per check, their counts added, the first message kept."""
    from readylint import baseline

    result = _shared_ids_result()
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], str] = {}
    for item_result in result.items:
        for finding in item_result.findings:
            counts[(item_result.item.id, finding.check)] += 1
            first.setdefault((item_result.item.id, finding.check), finding.message)
    expected = [
        {"item": i, "check": c, "count": counts[(i, c)], "message": first[(i, c)]}
        for i, c in sorted(counts)
    ]
    assert baseline.write(tmp_path / "b.json", result) == 8
    written = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["findings"]
    assert written == expected
    assert written[3:5] == [
        {"item": "B-2", "check": "x", "count": 3, "message": "first x of B-2"},
        {"item": "B-2", "check": "y", "count": 1, "message": "late"},
    ]


@pytest.mark.parametrize("packed", [False, True])
def test_the_written_baseline_hides_what_applying_it_hides(tmp_path: Path, packed: bool) -> None:
    """``--write-baseline`` hides the findings it wrote without reading the file back
    (``apply_written``): the same result as ``apply`` with the file's counts."""
    from readylint import baseline
    from readylint.results import PackedResults

    result = _shared_ids_result()
    if packed:
        result = dataclasses.replace(result, items=PackedResults(result.items))
    recorded = baseline.write(tmp_path / "b.json", result)
    known = {r.item.id for r in result.items}
    applied = baseline.apply(
        result, baseline.load(tmp_path / "b.json"), name="b", known_items=known
    )
    written = baseline.apply_written(result, recorded, name="b")
    assert isinstance(written.items, PackedResults) == packed
    assert list(written.items) == list(applied.items)
    assert all(not r.findings for r in written.items) and len(written.items) == 6
    assert written.notices == applied.notices == ["baseline b: 8 known findings hidden"]
    assert dataclasses.replace(written, items=[]) == dataclasses.replace(applied, items=[])


def _apply_by_keys(
    result: RunResult, counts: Counter[tuple[str, str]], known: set[str]
) -> tuple[list[list[Finding]], list[str]]:
    """What ``apply`` gave when the baseline was a count for each (item id, check id): each
    item's findings left, and the stale entries, in the order the notice names them."""
    remaining = Counter(counts)
    findings: list[list[Finding]] = []
    for r in result.items:
        findings.append([])
        for f in r.findings:
            if remaining[(r.item.id, f.check)] > 0:
                remaining[(r.item.id, f.check)] -= 1
            else:
                findings[-1].append(f)
    reported = {r.item.id for r in result.items}
    ran = {c.id for c in result.checks}
    stale = []
    for (item, check), left in sorted(e for e in remaining.items() if e[1] > 0):
        if check not in ran:
            continue
        if item in reported:
            stale.append(f"{item} {check} ({left} of {counts[(item, check)]} no longer occur)")
        elif item not in known:
            stale.append(f"{item} {check} (the item is gone)")
    return findings, stale


@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["A-1", "A-2", "B-1"]),
            st.lists(st.sampled_from(["x", "y", "z"]), max_size=4),
        ),
        max_size=6,
    ),
    entries=st.dictionaries(
        st.tuples(st.sampled_from(["A-1", "A-2", "B-1", "GONE-1"]), st.sampled_from("xyzw")),
        st.integers(1, 3),
        max_size=8,
    ),
    known_extra=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_apply_hides_what_a_count_for_each_item_and_check_hid(
    items: list[tuple[str, list[str]]], entries: dict[tuple[str, str], int], known_extra: bool
) -> None:
    """Items that share an id, entries used in part, checks that did not run ("w"), items gone
    or only unread: ``apply`` over ``Recorded`` hides and names what it did over a Counter."""
    from readylint import baseline

    result = RunResult(
        "0",
        [
            ItemResult(
                BacklogItem(id=id_, title="t", location=Location(path="b.yaml", line=n)),
                n,
                [Finding(check, "error", f"{check} {n}") for check in checks],
            )
            for n, (id_, checks) in enumerate(items, 1)
        ],
        checks=[CheckInfo(c, c, "", "error", "", "") for c in ("x", "y", "z")],
    )
    known = {id_ for id_, _ in items} | ({"GONE-1"} if known_extra else set())
    recorded = baseline.Recorded.of(entries)
    assert recorded.counts() == Counter(entries)
    applied = baseline.apply(result, recorded, name="b", known_items=known)
    findings, stale = _apply_by_keys(result, Counter(entries), known)
    assert [r.findings for r in applied.items] == findings
    hidden = sum(len(r.findings) for r in result.items) - sum(map(len, findings))
    expected = [f"baseline b: {hidden} known finding{'' if hidden == 1 else 's'} hidden"] * bool(
        hidden
    )
    if stale:
        expected.append(
            f"baseline b: {len(stale)} entr{'y' if len(stale) == 1 else 'ies'} no longer "
            f"occur{'s' if len(stale) == 1 else ''}: {'; '.join(stale)}; "
            "run --write-baseline b to shrink it"
        )
    assert applied.notices == expected


def test_recorded_merges_an_items_entries_wherever_they_are_in_the_file() -> None:
    from readylint import baseline

    recorded = baseline.Recorded()
    for item, check, count in [("B", "x", 1), ("A", "y", 2), ("B", "y", 1), ("B", "x", 2)]:
        recorded.add(item, check, count)
    recorded.seal()
    assert list(recorded.items()) == [("A", (("y", 2),)), ("B", (("x", 3), ("y", 1)))]
    assert recorded.get("C") == ()
    again = baseline.Recorded.of({("A", "y"): 2, ("B", "y"): 1, ("B", "x"): 3})
    assert again == recorded and again.get("B") is not recorded.get("B")
