"""Whole-process time and peak memory of `readylint check` against two baselines, per size.

Baselines, measured in this same script on the same files:
  (a) loading the files with PyYAML's C loader in one Python process (the naive parse);
  (b) yamllint with its default configuration (the YAML linter these repositories already run).

    python benchmarks/bench_yaml.py [--sizes 1,1000,10000,100000] [--skip-yamllint-above N]
                                    [--per-file N]

The bars are set for 1,000 items a file (a large backlog repository); ``--per-file 100000``
measures a backlog kept in one file instead (parsed whole, in one process, before its items are
checked on every core).

Bars (issue 6) are printed as PASS or with the shortfall, for a first run over the files (no file
results kept from an earlier run: filecache.py); "kept" is one more run that finds them kept;
"edited" is a run after one item in the middle file gained a line (the pre-commit case: that
file is read again, its other items' results are reused, moved down a line). "MiB" is ru_maxrss
(the largest of the process and its forked workers); "tree" is the peak sum of their PSS
(Linux), the memory the whole run holds at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peak as peak_memory
from generate import ITEMS_PER_FILE, MiddleItemEdit, generate

LOAD_SCRIPT = """
import sys, time, yaml, pathlib
files = sorted(pathlib.Path(sys.argv[1]).glob("*.yaml"))
start = time.perf_counter()
for f in files:
    with open(f, "rb") as h:
        yaml.load(h, Loader=yaml.CSafeLoader)
print(time.perf_counter() - start)
"""


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc; just the process elsewhere)."""
    pids, at = [pid], 0
    while at < len(pids):
        try:
            with Path(f"/proc/{pids[at]}/task/{pids[at]}/children").open() as handle:
                pids.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
        at += 1
    return pids


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages (forked workers') divided among their sharers."""
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open() as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(
    argv: list[str], before: Callable[[], None] | None = None
) -> tuple[float, float, float, int]:
    """(wall seconds, peak RSS MiB, peak tree PSS MiB, exit status) of one child process.

    Peak RSS is ``ru_maxrss`` from ``wait4``: the largest of the process and the children it
    waited for (its forked workers), not their sum (``peak.py``: without this process's own). The tree figure is the sum of the PSS of the
    process and its workers, sampled every 50 ms (Linux only; nan elsewhere): what the whole
    run holds at once, counting pages the workers share with it once.
    """
    if before is not None:
        before()
    peak_memory.reset()  # the child's ru_maxrss would start from this process's peak otherwise
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    sampling = Path(f"/proc/{proc.pid}/smaps_rollup").exists()

    def sample() -> None:
        while proc.returncode is None:
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(proc.pid)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if sampling:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if sampling:
        sampler.join()
    tree = peak[0] / 1024 if sampling and peak[0] else float("nan")
    return wall, usage.ru_maxrss / 1024, tree, proc.returncode


def best(
    argv: list[str], repeat: int, before: Callable[[], None] | None = None
) -> tuple[float, float, float, int]:
    runs = [timed(argv, before) for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def edited_runs(argv: list[str], directory: Path, repeat: int) -> float:
    """Best wall time of runs that each find one file changed since the run before: the middle
    item of the middle file gains a line, then loses it again, and so on."""
    files = sorted(directory.glob("*.yaml"))
    edit = MiddleItemEdit(files[len(files) // 2])
    runs: list[float] = []
    try:
        for _ in range(max(repeat, 2)):
            edit()
            runs.append(timed(argv)[0])
    finally:
        edit.undo()
    return min(runs)


def verdict(ok: bool, text: str) -> str:
    return f"{'PASS' if ok else 'SHORT'}  {text}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-yamllint-above", type=int, default=10**9)
    parser.add_argument("--per-file", type=int, default=ITEMS_PER_FILE, metavar="N",
                        help=f"items per generated file (default {ITEMS_PER_FILE:,}, as the bars are set)")  # fmt: skip
    args = parser.parse_args()
    if args.per_file < 1:
        parser.error("--per-file must be 1 or more")
    if args.per_file != ITEMS_PER_FILE:
        print(f"{args.per_file:,} items a file; the bars are set for {ITEMS_PER_FILE:,}")
    readylint = shutil.which("readylint") or sys.exit("readylint is not installed")
    yamllint = shutil.which("yamllint")
    results: dict[int, dict[str, float]] = {}
    print(f"{'items':>7} {'readylint s':>11} {'MiB':>6} {'tree':>6} {'C load s':>9} {'yamllint s':>10} "
          f"{'rl/load':>8} {'yl/rl':>6} {'us/item':>8} {'kept s':>7} {'kept/load':>9} {'edited s':>8}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        # The runs' own cache directory: the checks' validation is kept (as in everyday use),
        # the file results (filecache.py) are removed before every timed run, so the readylint
        # column is a first run over these files; "kept" is one more run that finds them kept.
        os.environ["READYLINT_CACHE_DIR"] = str(Path(tmp) / "cache")
        kept_results = Path(tmp) / "cache" / "results"

        def forget() -> None:
            shutil.rmtree(kept_results, ignore_errors=True)

        generate(1, Path(tmp) / "warm-up")  # validates the checks into the new cache directory
        timed([readylint, "check", "--fail-on", "never", str(Path(tmp) / "warm-up")])

        for size in (int(s) for s in args.sizes.split(",")):
            directory = Path(tmp) / f"b{size}"
            generate(size, directory, per_file=args.per_file)
            repeat = args.repeat if size <= 10000 else 1
            argv = [readylint, "check", "--format", "json", "--fail-on", "never", str(directory)]
            rl_wall, rl_mem, rl_tree, status = best(argv, repeat, forget)
            if status != 0:
                print(f"readylint exited {status} on {size} items", file=sys.stderr)
                return 2
            load = min(
                float(subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(directory)], capture_output=True,
                                     text=True, check=True).stdout)
                for _ in range(repeat)
            )  # fmt: skip
            yl = float("nan")
            if yamllint and size <= args.skip_yamllint_above:
                yl = best([yamllint, str(directory)], 1)[0]
            timed(argv)  # keeps the file results, if the run is large enough to keep them
            kept = best(argv, repeat)[0]
            edited = edited_runs(argv, directory, repeat)
            results[size] = {"rl": rl_wall, "mem": rl_mem, "tree": rl_tree, "load": load, "yl": yl,
                             "kept": kept, "edited": edited}  # fmt: skip
            print(f"{size:>7} {rl_wall:>11.3f} {rl_mem:>6.0f} {rl_tree:>6.0f} {load:>9.3f} {yl:>10.3f} "
                  f"{rl_wall / load:>8.2f} {yl / rl_wall:>6.1f} {rl_wall / size * 1e6:>8.1f} "
                  f"{kept:>7.3f} {kept / load:>9.2f} {edited:>8.3f}")  # fmt: skip
    print()
    if 100000 in results:
        r = results[100000]
        print(
            verdict(
                r["rl"] <= r["load"],
                f"100k: readylint {r['rl']:.2f}s <= 1.0x C-loader load {r['load']:.2f}s (ratio {r['rl'] / r['load']:.2f})",
            )
        )
        if r["yl"] == r["yl"]:
            print(
                verdict(
                    r["yl"] >= 30 * r["rl"],
                    f"100k: yamllint {r['yl']:.1f}s >= 30x readylint (ratio {r['yl'] / r['rl']:.1f})",
                )
            )
        print(
            verdict(
                r["mem"] < 200,
                f"100k: peak memory {r['mem']:.0f} MiB < 200 MiB (ru_maxrss: the largest process)",
            )
        )
        if r["tree"] == r["tree"]:
            print(
                verdict(
                    r["tree"] < 200,
                    f"100k: peak memory of the process and its workers together {r['tree']:.0f} "
                    "MiB < 200 MiB (sum of PSS)",
                )
            )
        if 10000 in results:
            per10 = results[10000]["rl"] / 10000
            per100 = r["rl"] / 100000
            print(
                verdict(
                    per100 <= 1.3 * per10,
                    f"linear: per-item time at 100k is {per100 / per10:.2f}x that at 10k (bar 1.3x)",
                )
            )
        print(
            f"(not a bar) 100k with every file's results kept from a run before: {r['kept']:.2f}s, "
            f"{r['kept'] / r['load']:.2f}x the C loader; with one item edited: {r['edited']:.2f}s; "
            "the bars above are first runs"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
