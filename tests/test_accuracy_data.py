"""Invariants of the labelled accuracy data set in benchmarks/accuracy/ (reads only repo files)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from readylint.sources.yaml_files import read_files

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "accuracy"
CHECKS = {"customer-need", "business-reason", "trade-off", "expected-outcome", "ordering-rationale"}
ITEM_FILES = ("corpus_items.yaml", "hard_cases.yaml")


def _load(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def _items(name: str) -> list[dict[str, Any]]:
    items = _load(name)["items"]
    assert isinstance(items, list)
    return items


def _label(value: object) -> bool:
    """yes/no, read by PyYAML (YAML 1.1) as booleans; accept the strings too."""
    if isinstance(value, bool):
        return value
    assert value in ("yes", "no"), value
    return value == "yes"


@pytest.mark.parametrize("name", ITEM_FILES)
def test_item_files_read_cleanly_as_readylint_backlogs(name: str) -> None:
    result = read_files([DATA / name])
    assert result.errors == []
    assert len(result.items) == len(_items(name))
    assert all(item.id and item.title for item in result.items)


def test_ids_are_unique_across_both_files() -> None:
    ids = [item["id"] for name in ITEM_FILES for item in _items(name)]
    assert len(ids) == len(set(ids))


def test_sizes_meet_the_issue() -> None:
    corpus = _items("corpus_items.yaml")
    hard = _items("hard_cases.yaml")
    assert len(corpus) >= 300
    assert len(hard) >= 60
    datasets = {item["source"].split(":", 1)[0].split(" (", 1)[0] for item in corpus}
    assert datasets == {"Deep-SE", "TAWOS", "Dalpiaz user stories"}


def test_corpus_items_name_their_source_and_keep_excerpts_small() -> None:
    for item in _items("corpus_items.yaml"):
        source = item["source"]
        assert item["id"] in source or source.endswith(f"story {item['id'].split('-', 1)[1]}")
        assert len(item.get("description", "")) <= 700


def test_hard_cases_are_one_ranked_written_backlog() -> None:
    hard = _items("hard_cases.yaml")
    assert all(item["source"] == "written" for item in hard)
    ranks = [item["rank"] for item in hard]
    assert all(isinstance(rank, int) for rank in ranks)
    assert len(ranks) == len(set(ranks))


def test_every_item_has_exactly_the_five_labels() -> None:
    labels = _load("labels.yaml")
    ids = {item["id"] for name in ITEM_FILES for item in _items(name)}
    assert set(labels) == ids
    for ident, entry in labels.items():
        assert set(entry) - {"note"} == CHECKS, ident
        for check in CHECKS:
            _label(entry[check])
        if "note" in entry:
            assert isinstance(entry["note"], str)
            assert entry["note"].strip()


def test_labels_use_both_values_for_every_check() -> None:
    labels = _load("labels.yaml")
    for check in CHECKS:
        values = {_label(entry[check]) for entry in labels.values()}
        assert values == {True, False}, check


def test_item_ids_named_in_hard_cases_exist_except_the_deliberate_unknown() -> None:
    hard = _items("hard_cases.yaml")
    ids = {item["id"] for item in hard}
    named: set[str] = set()
    for item in hard:
        text = " ".join(str(v) for k, v in item.items() if k not in ("id", "rank"))
        named |= set(re.findall(r"\bTAL-\d+\b", text))
    assert named - ids == {"TAL-999"}


def test_sample_script_is_seeded_and_documented() -> None:
    text = (DATA / "sample.py").read_text(encoding="utf-8")
    assert re.search(r"^SEED = \d+", text, re.MULTILINE)
    assert "python benchmarks/accuracy/sample.py" in text


def test_label_corrections_are_recorded_and_applied() -> None:
    labels = _load("labels.yaml")
    corrections = _load("corrections.yaml")["corrections"]
    assert corrections
    for entry in corrections:
        assert set(entry) == {"id", "check", "was", "now", "reason"}, entry
        assert entry["check"] in CHECKS
        assert _label(entry["was"]) != _label(entry["now"])
        assert _label(labels[entry["id"]][entry["check"]]) == _label(entry["now"]), entry["id"]
        assert "corrected" in labels[entry["id"]]["note"]
        assert len(entry["reason"]) > 20


def _run_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("accuracy_run", DATA / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_dev_and_test_halves_are_seeded_disjoint_and_cover_the_corpus() -> None:
    run = _run_module()
    items = run.read_backlog("corpus")
    halves = run.split(items)
    again = run.split(list(reversed(items)))  # the input order does not matter
    assert halves == again
    ids = {item.id for item in items}
    assert halves["dev"] | halves["test"] == ids
    assert not halves["dev"] & halves["test"]
    assert abs(len(halves["dev"]) - len(halves["test"])) <= 1
    other = run.split(items, seed=run.SPLIT_SEED + 1)
    assert other["dev"] != halves["dev"]
