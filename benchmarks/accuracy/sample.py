"""Draw the seeded corpus sample for the accuracy benchmark and write corpus_items.yaml.

Run from the repository root::

    python benchmarks/accuracy/sample.py            # corpus at ../shared/corpus
    python benchmarks/accuracy/sample.py --corpus /path/to/corpus

The corpus (see its PROVENANCE.md) is not part of the repository. This script reads it and
writes only small excerpts (at most ~700 characters of each description) with each item's
source named, so the labelled sample can live in the repository.

Sampling (deterministic: the same corpus gives the same file, byte for byte):

* Deep-SE (``deep-se/*.csv``, 16 projects): ``DEEP_SE_PER_FILE`` rows from every file.
* TAWOS (``tawos/*.csv``, 21 projects): ``TAWOS_PER_FILE`` rows from every file.
* Dalpiaz user stories (``dalpiaz-user-stories/*.txt``, 22 sets): ``DALPIAZ_PER_FILE``
  stories from every set.

Files are visited in sorted order. Each file has its own ``random.Random`` seeded with
``f"{SEED}:{relative path}"``, so the draw from one file does not depend on the others. Rows
whose title is empty are not eligible (readylint requires a title); rows with an empty
description are eligible (a real backlog holds them too). The drawn rows keep their file order.

Conversion to the readylint YAML item format:

* ``id``: the source issue key (Deep-SE, TAWOS) or ``<set>-<n>`` for Dalpiaz, where ``<set>`` is
  the file's set id (``g02``) and ``<n>`` the 1-based number of the story among the file's
  non-empty lines.
* ``title``: the source title, unchanged (for Dalpiaz: the story, with its ``#G02#`` tag removed).
* ``type``: the Jira issue type from ``jira-metadata/issuetype_from_tawos_tfidf.csv`` when that
  table knows the key; otherwise no type.
* ``description``: the source description. Deep-SE and TAWOS flattened line breaks to runs of
  spaces (``\\r\\n`` became two spaces), so a run of 2-3 spaces becomes one line break and a run
  of 4 or more spaces becomes a blank line; this restores most of the original structure
  (headings such as ``Problem`` or ``Steps to reproduce`` start a line again). Tabs and other
  text are kept as they are (HTML entities included). The result is cut to at most
  ``MAX_DESCRIPTION`` characters at a word boundary, and `` [...]`` marks a cut. Labels judge
  the excerpt, not the full upstream text.
* ``source``: ``"<dataset>: <file> <key or line>"``, naming where the excerpt comes from.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

SEED = 20260505
DEEP_SE_PER_FILE = 8  # 16 files -> 128 items
TAWOS_PER_FILE = 5  # 21 files -> 105 items
DALPIAZ_PER_FILE = 4  # 22 files -> 88 items
MAX_DESCRIPTION = 700

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
OUTPUT = HERE / "corpus_items.yaml"

_SPACE_RUN = re.compile(r" {2,}")
_TAG = re.compile(r"^#G\d\d#\s*")


def restore_breaks(text: str) -> str:
    """Turn the flattened line breaks (runs of spaces) back into line breaks."""

    def repl(match: re.Match[str]) -> str:
        return "\n\n" if len(match.group(0)) >= 4 else "\n"

    lines = _SPACE_RUN.sub(repl, text.strip()).split("\n")
    return "\n".join(line.strip() for line in lines).strip()


def truncate(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """At most ``limit`` characters, cut at a word boundary, with `` [...]`` marking a cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 6]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " [...]"


def read_types(corpus: Path) -> dict[str, str]:
    path = corpus / "jira-metadata" / "issuetype_from_tawos_tfidf.csv"
    types: dict[str, str] = {}
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                types.setdefault(row["issuekey"], row["issuetype"])
    return types


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    csv.field_size_limit(10**9)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, strict=True))


def draw(population: list[Any], count: int, key: str) -> list[Any]:
    """``count`` elements of ``population`` (all of them if fewer), in their original order."""
    rng = random.Random(f"{SEED}:{key}")
    if len(population) <= count:
        return list(population)
    picked = sorted(rng.sample(range(len(population)), count))
    return [population[i] for i in picked]


def jira_items(corpus: Path, folder: str, dataset: str, per_file: int) -> list[dict[str, str]]:
    types = read_types(corpus)
    items: list[dict[str, str]] = []
    for path in sorted((corpus / folder).glob("*.csv")):
        rel = f"{folder}/{path.name}"
        rows = [r for r in read_csv_rows(path) if r["title"].strip()]
        for row in draw(rows, per_file, rel):
            key = row["issuekey"].strip()
            item: dict[str, str] = {"id": key, "title": row["title"].strip()}
            if key in types:
                item["type"] = types[key]
            description = truncate(restore_breaks(row["description"]))
            if description:
                item["description"] = description
            item["source"] = f"{dataset}: {rel} {key}"
            items.append(item)
    return items


def dalpiaz_items(corpus: Path, per_file: int) -> list[dict[str, str]]:
    folder = "dalpiaz-user-stories"
    items: list[dict[str, str]] = []
    for path in sorted((corpus / folder).glob("*.txt")):
        rel = f"{folder}/{path.name}"
        set_id = path.name.split("-", 1)[0]
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        numbered = [(n, _TAG.sub("", ln).strip()) for n, ln in enumerate(lines, start=1)]
        for n, story in draw(numbered, per_file, rel):
            items.append(
                {
                    "id": f"{set_id}-{n}",
                    "title": story,
                    "source": f"Dalpiaz user stories (CC BY 4.0): {rel} story {n}",
                }
            )
    return items


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def build(corpus: Path) -> str:
    items = (
        jira_items(corpus, "deep-se", "Deep-SE (no licence given)", DEEP_SE_PER_FILE)
        + jira_items(corpus, "tawos", "TAWOS (Apache-2.0, research use)", TAWOS_PER_FILE)
        + dalpiaz_items(corpus, DALPIAZ_PER_FILE)
    )
    ids = [item["id"] for item in items]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate ids in the sample")
    header = (
        "# Generated by benchmarks/accuracy/sample.py (seed "
        f"{SEED}); do not edit by hand.\n"
        "# Excerpts of public backlog items; each item's source names dataset, file and key.\n"
        "# Licences: Deep-SE none given; TAWOS Apache-2.0 with research-use terms;\n"
        "# Dalpiaz user stories CC BY 4.0. See benchmarks/accuracy/README.md.\n"
    )
    body = yaml.dump(
        {"items": items},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not (args.corpus / "deep-se").is_dir():
        print(f"corpus not found at {args.corpus} (use --corpus)", file=sys.stderr)
        return 2
    text = build(args.corpus)
    args.output.write_text(text, encoding="utf-8")
    count = text.count("\n- id: ") + text.startswith("- id: ")
    print(f"wrote {args.output} ({count} items)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
