"""Every report format, and the other outputs, on a large backlog: whole-process time, peak
memory and output size.

A CI job on a large backlog repository asks for SARIF, JUnit, GitLab Code Quality, GitHub
annotations or Markdown as often as for JSON, writes and applies a baseline, or publishes the
readiness page, so the memory bar of issue 6 (under 200 MiB at 100,000 items) is applied to
each. The files are checked once first (their results are kept: filecache.py), so every timed
run is a kept run, the case in which the output is the largest share of the time; "x json" is
each run's time over the JSON run's in this same script. The extra runs:
  baseline-w   check --format json --write-baseline FILE (the output is FILE)
  baseline     check --format json --baseline FILE (the one just written: every finding hidden)
  report       report -o FILE.html (the readiness page, its default 1,000 rows)

    python benchmarks/bench_formats.py [--items 100000] [--repeat 1] [--formats text,json,...]
                                       [--dir DIR]

"MiB" is ru_maxrss of the run (the largest of the process and its workers); "tree" is the peak
sum of their PSS (see bench_yaml.py). readylint runs as ``python -m readylint`` with this
interpreter, so PYTHONPATH can point the script at another checkout to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_yaml import best, verdict
from generate import generate

FORMATS = ("text", "json", "github", "gitlab", "markdown", "junit", "sarif")
EXTRA = ("baseline-w", "baseline", "report")
MEMORY_BAR_MIB = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--formats", default=",".join(FORMATS + EXTRA))
    parser.add_argument("--dir", type=Path, help="an existing generated backlog to use")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory(prefix="readylint-formats-") as temporary:
        root = Path(temporary)
        backlog = args.dir
        if backlog is None:
            backlog = root / "backlog"
            generate(args.items, backlog)
        os.environ["READYLINT_CACHE_DIR"] = str(root / "cache")
        os.environ.pop("READYLINT_NO_CACHE", None)
        command = [sys.executable, "-m", "readylint", "check", "--fail-on", "never"]
        first = best([*command, "--format", "json", "-o", os.devnull, str(backlog)], 1)
        print(f"{backlog}: first run (keeps the file results) {first[0]:.2f} s")
        print(f"{'run':<10} {'wall':>8} {'x json':>7} {'MiB':>6} {'tree':>6} {'output':>10}")
        rows: dict[str, tuple[float, float, float, int]] = {}
        check = [*command, "--format", "json", "-o", os.devnull]
        baseline = root / "baseline.json"
        for name in formats:
            out = root / f"report.{name}"
            argv = {
                "baseline-w": [*check, "--write-baseline", str(baseline)],
                "baseline": [*check, "--baseline", str(baseline)],
                "report": [sys.executable, "-m", "readylint", "report", "-o", str(out)],
            }.get(name, [*command, "--format", name, "-o", str(out)])
            wall, rss, tree, status = best([*argv, str(backlog)], args.repeat)
            if status != 0:
                print(f"{name}: exit status {status}", file=sys.stderr)
                return 1
            written = baseline if name == "baseline-w" else out
            rows[name] = (wall, rss, tree, written.stat().st_size if written.exists() else 0)
            out.unlink(missing_ok=True)
        base = rows.get("json", (float("nan"),))[0]
        for name, (wall, rss, tree, size) in rows.items():
            print(
                f"{name:<10} {wall:>7.2f}s {wall / base:>6.2f}x {rss:>6.0f} {tree:>6.0f} "
                f"{size / 2**20:>7.0f} MiB"
            )
        for name, (_, rss, tree, _) in rows.items():  # the bar is set at 100,000 items
            peak = max(rss, tree) if tree == tree else rss  # tree is nan off Linux
            print(
                verdict(
                    peak < MEMORY_BAR_MIB,
                    f"{name}: peak memory {peak:.0f} MiB < {MEMORY_BAR_MIB} MiB "
                    "(the larger of ru_maxrss and the tree's PSS)",
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
