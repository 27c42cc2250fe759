"""Hostile YAML content (issue 7): each case gives findings or one error line naming file and
line, exit 2, never a traceback, and never an item skipped silently.

Already covered elsewhere and not repeated here: invalid YAML, Latin-1 bytes, UTF-16 LE with a
BOM, NUL and control characters, an id that is a list, a title that is a mapping, a python/object
tag in a field, duplicate keys in an item, duplicate ids, the single-value billion laughs
(tests/test_bad_input.py); nesting (tests/test_hostile_nesting.py). Heavy sizes run in
benchmarks/hostile.py.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Run, ready_items
from readylint.sources import yaml_aliases
from readylint.sources.yaml_files import read_text

Write = Callable[[str, str], Path]


def check_error(result: Run, expected: str) -> None:
    assert result.code == 2, result
    assert expected in result.out, result.out
    assert "Traceback" not in result.out + result.err


def report(run: Callable[..., Run], *paths: str) -> tuple[int, dict[str, object]]:
    result = run("check", "--format", "json", *paths)
    assert "Traceback" not in result.out + result.err
    return result.code, json.loads(result.out)


# --- alias bombs -----------------------------------------------------------------------------


def test_alias_bomb_spread_over_many_items(run: Callable[..., Run], tmp_path: Path) -> None:
    # Each item aliases a value just under the per-value bound: 1,000 x 100,000 node visits
    # took 101 s before the per-file budget.
    big = "v: &big [" + ", ".join(["[" + ", ".join(["x"] * 99) + "]"] * 999) + "]\n"
    items = "".join(f"  - id: A-{i}\n    title: t\n    trade_off: *big\n" for i in range(1000))
    (tmp_path / "spread.yaml").write_text(big + "items:\n" + items, encoding="utf-8")
    code, data = report(run, "--select", "unknown-key", "spread.yaml")  # keys only: fast
    errors = data["errors"]
    assert code == 2 and isinstance(errors, list) and len(errors) == 1
    assert "aliases in this file expand to more than 1,000,000 extra nodes" in errors[0]["message"]
    assert "after it are not checked" in errors[0]["message"]  # never skipped silently
    assert errors[0]["line"] == 3 + 3 * 11  # item 12 (index 11) is the first past the budget


def test_alias_cycle(run: Callable[..., Run], write: Write) -> None:
    write("cycle.yaml", "- &a {id: A, title: t, trade_off: *a}\n")
    check_error(run("check", "cycle.yaml"), "cycle.yaml:1: error:")


def test_reused_small_values_are_fine(run: Callable[..., Run], tmp_path: Path) -> None:
    shared = "why: &why The holiday campaign starts in six weeks and depends on this.\nitems:\n"
    items = ready_items(*(f"S-{i}" for i in range(300))).replace(
        "why_now: The holiday campaign starts in six weeks and depends on saved baskets.",
        "why_now: *why",
    )
    (tmp_path / "shared.yaml").write_text(shared + items, encoding="utf-8")
    code, data = report(run, "shared.yaml")
    assert code == 0 and len(data["items"]) == 300  # type: ignore[arg-type]


def test_merge_keys_are_refused_not_silently_ignored(run: Callable[..., Run], write: Write) -> None:
    write("merge.yaml", "- &base {id: M-1, title: t}\n- <<: *base\n  id: M-2\n")
    result = run("check", "merge.yaml")
    check_error(result, "merge.yaml:2: error: merge keys ('<<') are not supported")


_BREAKS = {"LF": "\n", "CR": "\r", "CR LF": "\r\n", "NEL": "\x85", "LS": "\u2028", "PS": "\u2029"}


def test_alias_bomb_with_its_anchor_after_a_lone_cr() -> None:
    # The anchor opens a line; until the budget's prefilter took every YAML line break, a file
    # with lone CR (or NEL, LS, PS) breaks got past it and each item expanded 100,000 nodes.
    # (Each break before an anchor: ANCHOR_PLACES below.)
    br = "\r"
    big = "[" + ", ".join(["[" + ", ".join(["x"] * 99) + "]"] * 999) + "]"
    items = ", ".join(f"{{id: A-{i}, title: t, trade_off: *big}}" for i in range(40))
    text = "{v:" + br + "&big " + big + "," + br + "items: [" + items + "]}" + br
    found, errors = read_text(text, "b.yaml")
    assert len(found) == 11 and len(errors) == 1
    assert "aliases in this file expand to more than 1,000,000" in errors[0].message


def _yaml_with_anchors(rng: random.Random) -> str:
    """A small YAML text with anchors and aliases where the syntax allows them: block and flow
    collections, explicit keys, document start, BOM, any line break, tabs after indicators."""
    br = rng.choice(list(_BREAKS.values()))
    names: list[str] = []

    def blank() -> str:
        return rng.choice([" ", "  ", "\t", " \t"])

    def anchor() -> str:
        names.append(rng.choice(["a", "b-1", "x_y", "A9"]))
        return "&" + names[-1]

    def flow(depth: int) -> str:
        pick = rng.random()
        if depth > 2 or pick < 0.4:
            if names and rng.random() < 0.5:
                return "*" + rng.choice(names)
            scalar = rng.choice(["x", "'q'", '"d"', "1", ""])  # "": an empty node, as "&a,"
            return anchor() + blank() * bool(scalar) + scalar if rng.random() < 0.4 else scalar
        if pick < 0.7:
            joiner = rng.choice([",", ", ", " ,"])
            collection = "[" + joiner.join(flow(depth + 1) for _ in range(rng.randint(0, 3))) + "]"
        else:
            pairs = []
            for _ in range(rng.randint(0, 3)):
                key = rng.choice(["k", '"k"', "? k", "anchored"])
                key = anchor() if key == "anchored" else key  # "&a: x": an anchored empty key
                colon = rng.choice([": ", ":", " : "]) if key == '"k"' else ": "
                pairs.append(key + colon + flow(depth + 1))
            collection = "{" + rng.choice([",", ", "]).join(pairs) + "}"
        if rng.random() < 0.4:
            return anchor() + rng.choice([" ", "", "\t", br + "  "]) + collection
        return collection

    def block(indent: int, depth: int) -> str:
        pad, pick = " " * indent, rng.random()
        if depth > 2 or pick < 0.3:
            return flow(depth)
        lines = []
        for number in range(rng.randint(1, 3)):
            if pick < 0.65:
                value = block(indent + 2, depth + 1).lstrip() if rng.random() < 0.5 else flow(depth)
                lines.append(f"{pad}-{blank()}{value}")
            elif rng.random() < 0.2:
                lines.append(f"{pad}? q{br}{pad}:{blank()}{flow(depth + 1)}")
            elif rng.random() < 0.6:
                lines.append(f"{pad}k{number}:{blank()}{flow(depth + 1)}")
            else:
                properties = " " + anchor() if rng.random() < 0.5 else ""
                lines.append(f"{pad}k{number}:{properties}{br}{block(indent + 2, depth + 1)}")
        return br.join(lines)

    head = rng.choice(["", "--- ", "---" + br, "\ufeff", "# c" + br, anchor() + br])
    text = head + block(0, 0) + rng.choice(["", br, br + "# end"])
    if rng.random() < 0.2:  # something else at a random place
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(["&", "*a", " ", br, "&nbsp;", "R&D"]) + text[at:]
    return text


_ANCHORED = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


@settings(max_examples=400, deadline=None)
@given(rng=st.randoms(use_true_random=False))
def test_no_anchor_libyaml_or_pyyaml_reads_escapes_the_prefilter(rng: random.Random) -> None:
    """Every text that parses whole with an anchor in it (so every text whose nodes an alias can
    reach twice) passes the alias budget's prefilter (``yaml_aliases.may_hold_anchor``), whichever
    loader parsed it."""
    text = _yaml_with_anchors(rng)
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        try:  # an anchor on a node, not an alias's name
            anchored = any(isinstance(e, _ANCHORED) and e.anchor for e in yaml.parse(text, loader))
        except (yaml.YAMLError, RecursionError):
            continue
        if anchored:
            assert yaml_aliases.may_hold_anchor(text), text


ANCHOR_PLACES = {  # where libyaml takes "&" for an anchor: what comes before it, and after
    "at the start": "&a [x]",
    "at the end": "[x, *a]\n--- &a",
    "after a blank": "- &a x\n- *a",
    "after a tab": "k:\t&a x\nj: *a",
    "after [": "[&a x, *a]",
    "after {": "{&a k: v}",
    "after ,": "[x,&a y]",
    "after : in flow": '{"k":&a x}',
    "after ? in flow": "{?&a k : v}",
    "before ]": "[[&a]]",
    "before }": "{k: &a}",
    "before ,": "[&a, *a]",
    "before :": "{&a: x}",
    **{f"after a {name} break": f"[x,{br}&a y]" for name, br in _BREAKS.items()},
}


@pytest.mark.parametrize("text", list(ANCHOR_PLACES.values()), ids=list(ANCHOR_PLACES))
def test_an_anchor_in_any_place_passes_the_prefilter(text: str) -> None:
    events = list(yaml.parse(text, yaml.CSafeLoader))
    assert any(isinstance(e, _ANCHORED) and e.anchor == "a" for e in events)  # libyaml reads one
    assert yaml_aliases.may_hold_anchor(text)


@pytest.mark.parametrize(
    "text", ["R&D and Q&A", "&nbsp;", "a && b", "x &= y", "&amp;", "see https://x/?a=1&b=2"]
)
def test_ampersands_in_prose_are_not_anchors(text: str) -> None:
    assert not yaml_aliases.may_hold_anchor(f"- id: A\n  title: {text}\n  d: |\n    {text}\n")


# --- unsafe tags: refused, and no code runs ----------------------------------------------------

PAYLOADS = {
    "apply": "!!python/object/apply:os.system ['touch {marker}']",
    "new": "!!python/object/new:os.system ['touch {marker}']",
    "name": "!!python/name:os.system",
    "module": "!!python/module:os",
    "custom": "!ruby/object:Gem::Installer {{x: 1}}",
}


@pytest.mark.parametrize("where", ["field", "item", "items list", "root", "key", "id"])
@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_unsafe_tags_are_refused_and_never_run(
    run: Callable[..., Run], tmp_path: Path, where: str, kind: str
) -> None:
    marker = tmp_path / "PWNED"
    tag = PAYLOADS[kind].format(marker=marker).split(" ", 1)[0]
    payload = PAYLOADS[kind].format(marker=marker)
    text = {
        "field": f"- id: A\n  title: t\n  trade_off: {payload}\n",
        "item": f"- {tag} {{id: A, title: t}}\n",
        "items list": f"items: {tag} [{{id: A, title: t}}]\n",
        "root": f"{tag} [{{id: A, title: t}}]\n",
        "key": f"- id: A\n  title: t\n  {tag} k: v\n",
        "id": f"- id: {payload}\n  title: t\n",
    }[where]
    (tmp_path / "tag.yaml").write_text(text, encoding="utf-8")
    result = run("check", "tag.yaml")
    check_error(result, "error: unsupported YAML tag")
    assert result.out.splitlines()[0].startswith("tag.yaml:"), result.out
    assert not marker.exists()


def test_the_payload_is_live(tmp_path: Path) -> None:
    # The same text does run code under PyYAML's unsafe loader: the refusal above is what stops it.
    marker = tmp_path / "PWNED"
    script = f"import yaml; yaml.unsafe_load({PAYLOADS['apply'].format(marker=marker)!r})"
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    assert marker.exists()


@pytest.mark.parametrize("where", ["config", "check file"])
def test_unsafe_tags_in_config_and_check_files(
    run: Callable[..., Run], write: Write, tmp_path: Path, where: str
) -> None:
    marker = tmp_path / "PWNED"
    payload = PAYLOADS["apply"].format(marker=marker)
    write("b.yaml", ready_items("A-1"))
    if where == "config":
        write(".readylint.yaml", f"paths: {payload}\n")
    else:
        write(".readylint.yaml", "check_paths: [team]\n")
        write("team/x.yaml", f"id: x\ntitle: {payload}\n")
    result = run("check", "b.yaml")
    assert result.code == 2 and "could not determine a constructor" in result.err, result.err
    assert not marker.exists()


# --- YAML 1.1 surprises: values are read as written --------------------------------------------


def test_yaml_11_scalars_keep_their_text(run: Callable[..., Run], write: Write) -> None:
    ids = ["no", "on", "off", "yes", "1e3", "2024-01-01", "0x1F", "012", "1_000", ".inf", "NaN"]
    write("b.yaml", "".join(f"- id: {i}\n  title: {i}\n" for i in ids))
    code, data = report(run, "b.yaml")
    items = data["items"]
    assert isinstance(items, list)
    assert [i["id"] for i in items] == ids and [i["title"] for i in items] == ids
    assert code == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- id: A\n  title: t\n  rank: 1e3\n", "b.yaml:3: error: item 'A': rank must be a whole"),
        ("- id: A\n  title: t\n  rank: 0x10\n", "b.yaml:3: error: item 'A': rank must be a whole"),
        ("- id: A\n  title: t\n  rank: 0\n", "b.yaml:3: error: item 'A': rank must be 1 or more"),
        ("- id: ~\n  title: t\n", "b.yaml:1: error: item has no id (title: 't')"),
        ("- id: {a: b}\n  title: t\n", "b.yaml:1: error: id must be text, not a mapping"),
        ("- id: A\n  title: [x]\n", "b.yaml:2: error: title must be text, not a list"),
        ("- id: A\n  title: t\n  rank: [1]\n", "b.yaml:3: error: rank must be text, not a list"),
        ("- id: A\n  title: t\n  labels: {a: b}\n", "b.yaml:3: error: labels must be text"),
        ("- id: A\n  title: t\n  type: [story]\n", "b.yaml:3: error: type must be text"),
        (
            "- id: A\n  title: t\n  ? [k]\n  : v\n",
            "b.yaml:3: error: a key must be text, not a list",
        ),
        ("items: [{id: A, title: t}]\nItems: []\n", "b.yaml:2: error: duplicate key 'Items'"),
    ],
)
def test_wrong_types_name_the_line(
    run: Callable[..., Run], write: Write, text: str, expected: str
) -> None:
    write("b.yaml", text)
    check_error(run("check", "b.yaml"), expected)


def test_yaml_11_keys_and_odd_values_are_read(run: Callable[..., Run], write: Write) -> None:
    write(
        "b.yaml",
        """
        - id: A-1
          title: Odd values
          on: true
          labels: [on, off, 3]
          description: [a list, {of: things}]
          trade_off: 2024-01-01
          readylint-ignore: 5
        """,
    )
    code, data = report(run, "b.yaml")
    items = data["items"]
    assert isinstance(items, list) and items[0]["id"] == "A-1"
    assert code == 1  # findings, not input errors


# --- encodings, line ends, bytes ----------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_boms_are_read(run: Callable[..., Run], tmp_path: Path, codec: str) -> None:
    text = ready_items("A-1")
    bom = {
        "utf-8-sig": b"",
        "utf-16-le": b"\xff\xfe",
        "utf-16-be": b"\xfe\xff",
        "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff",
    }[codec]
    (tmp_path / "bom.yaml").write_bytes(bom + text.encode(codec))
    assert run("check", "bom.yaml").code == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"- id: A\n".decode().encode("utf-16-le"),
            "u.yaml:1: error: invalid YAML: character U+0000",
        ),
        (b"- id: A\n  title: t\xc3", "u.yaml:2: error: not valid UTF-8 (byte 0xc3)"),
        (b"- id: A\n  title: \xc0\xaf\n", "u.yaml:2: error: not valid UTF-8 (byte 0xc0)"),
        (b"- id: A\n\n  title: \xed\xa0\x80\n", "u.yaml:3: error: not valid UTF-8 (byte 0xed)"),
        (b"- id: A\r\r  title: \x80\r", "u.yaml:3: error: not valid UTF-8 (byte 0x80)"),
        (b"\xff\xfe\x00", "u.yaml: error: not valid UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "u.yaml:1: error: not valid UTF-8 (byte 0x89)"),
        (b"GIF89a\x01\x00\x01\x00", "u.yaml:1: error: invalid YAML: character U+0001"),
        (b"\x7fELF\x02\x01\x01\x00", "u.yaml:1: error: invalid YAML: character U+007F"),
        (b"- id: A\n  title: t\x00\n", "u.yaml:2: error: invalid YAML: character U+0000"),
    ],
)
def test_bad_bytes_name_file_and_line(
    run: Callable[..., Run], tmp_path: Path, data: bytes, expected: str
) -> None:
    (tmp_path / "u.yaml").write_bytes(data)
    check_error(run("check", "u.yaml"), expected)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_hold_for_every_line_end(
    run: Callable[..., Run], tmp_path: Path, newline: str
) -> None:
    text = "- id: A-1\n  title: t\n  trade_off: TBD\n- id: A-2\n  title: [unclosed\n"
    (tmp_path / "a.yaml").write_bytes(text.replace("\n", newline).encode())
    (tmp_path / "b.yaml").write_bytes(
        "- id: B-1\n  title: t\n  trade_off: TBD\n".replace("\n", newline).encode()
    )
    result = run("check", "--select", "trade-off", "a.yaml", "b.yaml")
    assert result.code == 2
    assert "a.yaml:6: error: invalid YAML" in result.out, result.out
    assert "b.yaml:3: B-1 trade-off: The trade-off in field 'trade_off' is a placeholder" in (
        result.out
    )


def test_tabs_in_indentation_name_the_line(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("- id: A\n\ttitle: t\n", encoding="utf-8")
    check_error(run("check", "t.yaml"), "t.yaml:2: error: invalid YAML")


# --- sizes: small versions of benchmarks/hostile.py ---------------------------------------------


def test_big_single_scalar(run: Callable[..., Run], tmp_path: Path) -> None:
    text = ready_items("A-1") + "  - id: A-2\n    title: big\n    description: " + "word " * 200_000
    (tmp_path / "big.yaml").write_text(text + "\n", encoding="utf-8")
    code, data = report(run, "big.yaml")
    items = data["items"]
    assert isinstance(items, list)
    assert code == 1 and [i["id"] for i in items] == ["A-1", "A-2"]


def test_very_long_line_and_long_key(run: Callable[..., Run], tmp_path: Path) -> None:
    (tmp_path / "long.yaml").write_text(
        "- id: L-1\n  title: " + "x" * 1_000_000 + "\n", encoding="utf-8"
    )
    code, data = report(run, "long.yaml")
    assert code == 1 and data["items"][0]["id"] == "L-1"  # type: ignore[index]
    (tmp_path / "key.yaml").write_text(
        "- id: L-1\n  title: t\n  " + "k" * 2000 + ": v\n", encoding="utf-8"
    )
    check_error(run("check", "key.yaml"), "key.yaml:3: error: invalid YAML")


def test_many_items_with_one_bad_one(run: Callable[..., Run], tmp_path: Path) -> None:
    ids = [f"M-{i}" for i in range(2000)]
    text = ready_items(*ids[:1000]) + "  - id: BAD\n" + ready_items(*ids[1000:])
    (tmp_path / "many.yaml").write_text(text, encoding="utf-8")
    code, data = report(run, "many.yaml")
    assert code == 2 and len(data["items"]) == 2000  # type: ignore[arg-type]
    errors = data["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0]["message"] == "item 'BAD' has no title; add 'title:'"
    assert errors[0]["line"] == 8 * 1000 + 1  # each ready item is 8 lines (a blank one first)


# --- escapes of half a UTF-16 pair ("\ud83d") ----------------------------------------------------

HALF_PAIR_ERROR = "invalid YAML: while parsing a quoted scalar; found invalid Unicode character"


def _outcome(text: str) -> tuple[str, int | None] | None:
    """None when the text composes; else its one-line error and line."""
    from readylint import yamlio

    try:
        yamlio.compose(text)
    except yaml.YAMLError as exc:
        error = yamlio.yaml_error(exc, text)
        return error.message, error.line
    return None


def test_the_pure_python_loader_refuses_an_escaped_half_pair_as_libyaml_does(
    run: Callable[..., Run], write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML's own loader takes "\\ud83d" for a character that no UTF-8 output can hold (the
    report stopped with a traceback); libyaml refuses it. Both now give libyaml's error line."""
    from readylint import yamlio

    write("good.yaml", ready_items("A-1"))
    written = write(
        "b.yaml", ready_items("B-1") + '  - id: B-2\n    title: "Cut in half \\ud83d"\n'
    )
    with_c = run("check", "good.yaml", "b.yaml")
    monkeypatch.setattr(yamlio, "SafeLoader", yaml.SafeLoader)
    pure = run("check", "good.yaml", "b.yaml")
    assert pure == with_c, pure
    assert pure.code == 2 and "Traceback" not in pure.out + pure.err
    title_line = written.read_text(encoding="utf-8").count("\n")  # the last line
    assert f"b.yaml:{title_line}: error: {HALF_PAIR_ERROR}" in pure.out, pure.out
    assert "All 1 items" in pure.out  # good.yaml's item is still checked


ESCAPE_PIECES = st.sampled_from(
    ["\\ud83d", "\\ude00", "\\udfff", "\\ud7ff", "\\ue000", "\\U0000d800", "\\U0001F600",
     "\\u00e9", "\\\\", "\\\\ud800", "\\n", "\\\"", "ud800", "x", " ", "\n  ", "\n\n  ", "é"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(ESCAPE_PIECES, max_size=6).map("".join), min_size=1, max_size=4))
def test_both_loaders_refuse_the_same_escapes_on_the_same_line(values: list[str]) -> None:
    from readylint import yamlio

    text = "".join(f'k{n}: "{value}"\n' for n, value in enumerate(values))
    with_c = _outcome(text)
    shipped = yamlio.SafeLoader
    yamlio.SafeLoader = yaml.SafeLoader
    try:
        pure = _outcome(text)
    finally:
        yamlio.SafeLoader = shipped
    assert pure == with_c, text
