"""Where the first pass spends its time: each step of checking one answer, timed alone.

Generates a seeded backlog (generate.py), reads it, and times each piece of ``Engine.digest``
over the same answers in this one process (best of three), then the whole first pass and the
read. Figures are microseconds per call; CPU-bound, so they move less than whole-run timings.

    python benchmarks/bench_parts.py [--items 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import FIELDS, generate

from readylint import boilerplate, judge, text
from readylint.app import Selection, build_engine
from readylint.config import load_config
from readylint.sources.yaml_files import read_file


def timed(name: str, fn: Callable[[Any], object], data: Sequence[Any]) -> None:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for value in data:
            fn(value)
        best = min(best, time.perf_counter() - start)
    print(f"  {name:34s} {best / max(len(data), 1) * 1e6:8.2f} us  x{len(data)}")


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
    answers = [v.text for i in items for k, v in i.fields.items() if k in FIELDS]
    descriptions = [i.description for i in items if i.description]
    cleaned = [" ".join(judge.prose_sentences(t)) for t in answers]
    print(f"{len(items)} items, {len(answers)} field answers, {len(descriptions)} descriptions")
    print(f"  {'read (parse and build items)':34s} {read / len(items) * 1e6:8.2f} us  per item")
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
        timed(f"{check.id}: flags", lambda t, r=rules: r.flag(t, whole=False), cleaned)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
