"""Seeded generator of realistic backlogs for the benchmarks.

Answer texts are drawn from ../shared/corpus/ (real issue titles, descriptions and user stories),
so lengths and wording are real. Where the corpus is absent, a small built-in phrase set is used
and the generator says so. 1,000 items per file, like a large backlog repository; ``--per-file``
changes that (the items are the same whatever the split: one seeded sequence).

    python benchmarks/generate.py 10000 /tmp/backlog-10k
    python benchmarks/generate.py 100000 /tmp/one-file --per-file 100000
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ITEMS_PER_FILE = 1000
FIELDS = ("customer_need", "business_reason", "trade_off", "expected_outcome", "why_now")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Characters YAML forbids (the corpus has a few terminal escapes and backspaces).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

FALLBACK = [
    "Users cannot export their reports to CSV and copy numbers by hand every week.",
    "Support spends two hours a day answering questions about failed payments.",
    "We postpone the dashboard redesign by one sprint to ship this first.",
    "Failed logins drop from 4% to under 1% within a month of release.",
    "The partner integration in March depends on this API being stable.",
]


def corpus_texts(limit: int = 20000) -> tuple[list[str], list[str], bool]:
    """(titles, sentences, from_corpus): real text when the corpus is present."""
    if not CORPUS.is_dir():
        return [s[:60] for s in FALLBACK], FALLBACK, False
    csv.field_size_limit(10**9)
    titles: list[str] = []
    sentences: list[str] = []
    for path in sorted((CORPUS / "deep-se").glob("*.csv")) + sorted(
        (CORPUS / "tawos").glob("*.csv")
    ):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                titles.append(_CONTROL.sub(" ", row["title"]).strip())
                description = _CONTROL.sub(" ", row["description"])
                for sentence in _SENTENCE.split(" ".join(description.split())):
                    if 4 <= len(sentence.split()) <= 60:
                        sentences.append(sentence)
                if len(sentences) > limit * 5:
                    break
    for path in sorted((CORPUS / "dalpiaz-user-stories").glob("*.txt")):
        titles.extend(
            _CONTROL.sub(" ", line).strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
    return titles, sentences, True


def _quote(text: str) -> str:
    text = _CONTROL.sub(" ", text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(count: int, out: Path, seed: int = 20261124, per_file: int = ITEMS_PER_FILE) -> int:
    """Write ``count`` items under ``out``, ``per_file`` to a file; returns the number of files
    written."""
    rng = random.Random(seed)
    titles, sentences, _ = corpus_texts()
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, count, per_file):
        lines = ["items:"]
        for n in range(start, min(start + per_file, count)):
            lines.append(f"  - id: BENCH-{n + 1}")
            lines.append(f"    title: {_quote(rng.choice(titles))}")
            if rng.random() < 0.6:
                lines.append(f"    rank: {n + 1}")
            style = rng.random()
            present = [f for f in FIELDS if rng.random() < 0.8]
            if style < 0.7:  # answers in fields
                for field in present:
                    text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
                    lines.append(f"    {field}: {_quote(text)}")
            else:  # answers under description headings
                lines.append("    description: |")
                lines.append(f"      {rng.choice(sentences)}")
                for field in present:
                    lines.append(f"      ## {field.replace('_', ' ').capitalize()}")
                    lines.append(f"      {rng.choice(sentences)}")
        (out / f"backlog-{start // per_file:04d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )
        files += 1
    return files


class MiddleItemEdit:
    """An edit to one generated file, made and undone in turn: each call writes the file with
    its middle item one line longer (``labels: [edited]``), then as it was, and so on. What a
    backlog file goes through between two runs of a hook or a CI job."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_text(encoding="utf-8")
        lines = self.original.splitlines(keepends=True)
        starts = [k for k, line in enumerate(lines) if line.startswith("  - id: ")]
        middle = starts[len(starts) // 2]
        self.edited = "".join(
            [*lines[: middle + 1], "    labels: [edited]\n", *lines[middle + 1 :]]
        )
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        self.path.write_text(self.edited if self.calls % 2 else self.original, encoding="utf-8")

    def undo(self) -> None:
        """The file as it was generated."""
        self.path.write_text(self.original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many items to write")
    parser.add_argument("out", type=Path, help="the directory to write them to")
    parser.add_argument("--per-file", type=int, default=ITEMS_PER_FILE, metavar="N",
                        help=f"items per file (default {ITEMS_PER_FILE:,})")  # fmt: skip
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    if args.count < 1 or args.per_file < 1:
        parser.error("count and --per-file must be 1 or more")
    files = generate(args.count, args.out, args.seed, args.per_file)
    print(f"wrote {args.count} items in {files} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
