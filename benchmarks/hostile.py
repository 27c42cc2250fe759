"""Hostile inputs at full size: wall time and peak memory of `readylint check` against a bound.

    python benchmarks/hostile.py [--only NAME] [--keep DIR]

Each case writes one input, runs `readylint check` on it as a subprocess (the installed console
script's module, with this interpreter), and prints its exit status, wall time and peak RSS
against the stated bound: PASS when the status is the expected one and both bounds hold. The
suite keeps small versions of each case (tests/test_hostile_*.py). Exits 1 when a case fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peak

MB = 1 << 20


@dataclass(frozen=True)
class Case:
    name: str
    write: Callable[[Path], list[str]]  # writes the input, returns the extra arguments
    status: int  # the expected exit status
    seconds: float  # bound on wall time
    mib: float  # bound on peak RSS
    why: str


def _item(i: int) -> str:
    return (
        f"- id: BIG-{i}\n  title: Item {i}\n"
        "  customer_need: Shoppers lose their basket when they switch devices.\n"
    )


def scalar_50mb(root: Path) -> list[str]:
    words = "customer need business reason trade-off outcome PAY-12 by 10% next sprint. "
    body = (words * (50 * MB // len(words) + 1))[: 50 * MB]
    path = root / "scalar.yaml"
    path.write_text(f"- id: S-1\n  title: One huge description\n  description: {body}\n")
    return [str(path)]


def line_50mb(root: Path) -> list[str]:
    path = root / "line.yaml"
    path.write_text("- id: L-1\n  title: " + "x" * (50 * MB) + "\n")
    return [str(path)]


def items_1m(root: Path) -> list[str]:
    path = root / "items.yaml"
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, 1_000_000, 10_000):
            handle.write("".join(_item(i) for i in range(start, start + 10_000)))
    return [str(path), "--select", "customer-need"]


def nesting(levels: int, unit: str, close: str = "") -> Callable[[Path], list[str]]:
    def write(root: Path) -> list[str]:
        path = root / "deep.yaml"
        path.write_text("- id: D-1\n  title: t\n  x:\n    " + unit * levels + close * levels)
        return [str(path)]

    return write


def bomb(root: Path) -> list[str]:
    # 10 levels of 10 aliases: 10^10 scalars if expanded.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    body = "\n    ".join(lines)
    path = root / "bomb.yaml"
    path.write_text(f"- id: B-1\n  title: t\n  trade_off:\n    {body}\n")
    return [str(path)]


def spread_bomb(root: Path) -> list[str]:
    big = "v: &big [" + ", ".join(["[" + ", ".join(["x"] * 99) + "]"] * 999) + "]\n"
    path = root / "spread.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(big + "items:\n")
        for i in range(100_000):
            handle.write(f"  - id: A-{i}\n    title: t\n    trade_off: *big\n")
    return [str(path)]


def config_bomb(root: Path) -> list[str]:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    (root / ".readylint.yaml").write_text("\n".join(lines) + "\nselect: *a8\n")
    (root / "b.yaml").write_text(_item(1))
    return [str(root / "b.yaml"), "--config", str(root / ".readylint.yaml")]


def code_blocks(root: Path) -> list[str]:
    # 100,000 wiki code blocks in one description (with no fences): each block once searched
    # for the next of each kind to the end of the text, which made the time quadratic.
    body = "".join(f"    {{code}}\n    step {i}\n    {{code}}\n" for i in range(100_000))
    path = root / "blocks.yaml"
    path.write_text(f"- id: C-1\n  title: t\n  description: |\n{body}")
    return [str(path)]


# Bounds: about 3-10 x what a 2-core machine measured (see the report), so that a slower
# machine passes and a regression (expansion, recursion, quadratic time) does not.
CASES = [
    Case("50 MB single scalar", scalar_50mb, 1, 90, 1024, "one description of 50 MB"),
    Case("50 MB single line", line_50mb, 1, 30, 1024, "a 50 MB title"),
    Case("1,000,000-item file", items_1m, 0, 400, 6144, "1M ready items, one check"),
    Case("10,000-level flow nesting", nesting(10_000, "[", "]"), 2, 10, 256, "[[[...]]]"),
    Case("1,000,000-level flow nesting", nesting(1_000_000, "["), 2, 10, 256, "unclosed ["),
    Case("1,000,000-level block nesting", nesting(1_000_000, "- "), 2, 10, 256, "- - - ..."),
    Case("1,000,000-level flow mappings", nesting(1_000_000, "{a: ", "}"), 2, 10, 256, "{a: ..."),
    Case("alias bomb (10^10)", bomb, 2, 10, 256, "billion laughs x 10"),
    Case("alias bomb over 100,000 items", spread_bomb, 2, 60, 1024, "each item aliases 10^5"),
    Case("alias bomb in the config", config_bomb, 2, 10, 256, "select: 10^9 strings"),
    Case("100,000 code blocks", code_blocks, 1, 5, 512, "{code} ... {code} x 100,000"),
]


def run_case(case: Case, root: Path) -> tuple[int, float, float]:
    """(exit status, wall seconds, peak RSS MiB) of `readylint check` on the case's input."""
    arguments = case.write(root)
    command = [sys.executable, "-m", "readylint", "check", "--format", "text", "-q", *arguments]
    peak.reset()  # ru_maxrss would start from this process's own peak (writing the case) otherwise
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env()
    )
    assert process.stderr is not None
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if "Traceback" in error:
        print("      " + error.strip().replace("\n", "\n      "))
        return -1, wall, usage.ru_maxrss / 1024
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("READYLINT_FORMAT", None)
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="Run only this case (repeatable).")
    parser.add_argument("--keep", type=Path, help="Write the inputs here and keep them.")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    failed = 0
    print(f"{'case':32} {'status':>6} {'wall s':>8} {'bound':>6} {'RSS MiB':>8} {'bound':>6}")
    for case in cases:
        root = Path(tempfile.mkdtemp(prefix="readylint-hostile-", dir=args.keep))
        try:
            status, wall, rss = run_case(case, root)
        finally:
            if args.keep is None:
                shutil.rmtree(root, ignore_errors=True)
        ok = status == case.status and wall <= case.seconds and rss <= case.mib
        failed += not ok
        print(
            f"{case.name:32} {status:>6} {wall:8.1f} {case.seconds:6.0f} {rss:8.0f} {case.mib:6.0f}"
            f"  {'PASS' if ok else 'FAIL'}  (expected exit {case.status}; {case.why})",
            flush=True,
        )
    print(f"{len(cases) - failed} of {len(cases)} cases within their bounds")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
