"""Where the first pass spends its time: each step of checking one answer, timed alone.

Generates a seeded backlog (generate.py), reads it, and times each piece of ``Engine.digest``
over the same answers in this one process (best of three), then the whole first pass and the
read. Figures are microseconds per call; CPU-bound, so they move less than whole-run timings.

The parse lines say what a faster YAML parser could save: the C loader's plain load (issue 6's
baseline), its compose (what readylint parses with: nodes keep their lines), and, when they are
installed, rapidyaml (``ryml``, a parse and a walk over every value) and ``yaml_rs`` (a load).
Neither gives line numbers through its Python API, which readylint's messages need.

    python benchmarks/bench_parts.py [--items 3000]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import yaml
from generate import FIELDS, generate

from readylint import boilerplate, judge, text
from readylint.app import Selection, build_engine
from readylint.config import load_config
from readylint.sources.yaml_files import read_file


def timed(
    name: str,
    fn: Callable[[Any], object],
    data: Sequence[Any],
    *,
    per: float = 1.0,
    unit: str = "",
) -> None:
    """Best of three passes of ``fn`` over ``data``, in microseconds per value (``per``: the
    values one stands for, such as the items of a file)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for value in data:
            fn(value)
        best = min(best, time.perf_counter() - start)
    print(f"  {name:40s} {best / max(len(data) * per, 1) * 1e6:8.2f} us  {unit or f'x{len(data)}'}")


def parsers() -> list[tuple[str, Callable[[bytes], object]]]:
    """The YAML parsers to time on whole files: PyYAML's C loader, and others when installed."""

    def compose(data: bytes) -> object:
        loader = yaml.CSafeLoader(data)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()

    found: list[tuple[str, Callable[[bytes], object]]] = [
        ("C loader load (the bar's baseline)", lambda data: yaml.load(data, yaml.CSafeLoader)),
        ("C loader compose (readylint)", compose),
    ]
    try:
        ryml: Any = importlib.import_module("ryml")
    except ImportError:
        print("  (rapidyaml is not installed: pip install rapidyaml to time it)")
    else:

        def walk(data: bytes) -> list[bytes]:
            tree = ryml.parse_in_arena(data)
            values: list[bytes] = []
            stack = [tree.root_id()]
            while stack:
                node = stack.pop()
                if tree.has_val(node):
                    values.append(bytes(tree.val(node)))
                stack.extend(ryml.children(tree, node))
            return values

        found.append(("rapidyaml parse (no lines)", ryml.parse_in_arena))
        found.append(("rapidyaml parse and walk", walk))
    try:
        yaml_rs: Any = importlib.import_module("yaml_rs")
    except ImportError:
        print("  (yaml-rs is not installed: pip install yaml-rs to time it)")
    else:
        found.append(("yaml-rs load (no lines)", lambda data: yaml_rs.loads(data.decode())))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=3000)
    args = parser.parse_args()
    engine, _ = build_engine(load_config(None), Selection())
    with tempfile.TemporaryDirectory() as tmp:
        generate(args.items, Path(tmp))
        files = sorted(Path(tmp).glob("*.yaml"))
        start = time.perf_counter()
        items = [item for path in files for item in read_file(path)[0]]
        read = time.perf_counter() - start
        sources = [path.read_bytes() for path in files]
    answers = [v.text for i in items for k, v in i.fields.items() if k in FIELDS]
    descriptions = [i.description for i in items if i.description]
    cleaned = [" ".join(judge.prose_sentences(t)) for t in answers]
    print(f"{len(items)} items, {len(answers)} field answers, {len(descriptions)} descriptions")
    print(f"  {'read (parse and build items)':40s} {read / len(items) * 1e6:8.2f} us  per item")
    for name, parse in parsers():
        timed(f"parse: {name}", parse, sources, per=len(items) / len(sources), unit="per item")
    timed("first pass, whole item", engine.digest, items)
    timed("prose_sentences (field answer)", judge.prose_sentences, answers)
    timed("prose_sentences (description)", judge.prose_sentences, descriptions)
    timed("sections (description)", lambda d: text.sections(d, engine.known_sections), descriptions)
    timed("placeholder", text.placeholder, answers)
    timed("word_count (at least 5)", lambda t: text.word_count(t, at_least=5), answers)
    timed("boilerplate fingerprint", lambda t: boilerplate.fingerprint("f", t, 1, min_words=8,
                                                                       excerpt=""), answers)  # fmt: skip
    timed("restates the title", lambda t: judge.restates(t, "Users cannot export reports"), cleaned)
    for check in engine.checks:
        spec = check.definition.answer
        if spec is None or spec.judge is None:
            continue
        rules = judge.Judge(spec.judge)
        timed(f"{check.id}: evidence", rules.has_evidence, cleaned)

        def flags(t: str, r: judge.Judge = rules) -> object:
            return r.flag(t, whole=False)

        timed(f"{check.id}: flags", flags, cleaned)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
