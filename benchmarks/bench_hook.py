"""The pre-commit case: `readylint check FILE` on the one changed file of a backlog repository.

    python benchmarks/bench_hook.py [--items 1000,10000] [--repeat 7]

For each size, a repository with the backlog in `backlog/` (generate.py: 1,000 items per file)
and `.readylint.yaml` saying `paths: [backlog]`, as the README's pre-commit section recommends:
the hook is passed only the changed files, and the whole backlog is read as context for the
checks that compare items. The commands, run in the repository as pre-commit runs them:

  yamllint             yamllint FILE, default config: the YAML hook these repositories run
  readylint edited     readylint check FILE, one item of FILE changed since the last run (the
                       middle item gains a line, and in the next round loses it again)
  readylint kept       readylint check FILE, nothing changed since the last run
  readylint no cache   the same with READYLINT_NO_CACHE=1: every file read and checked

They run interleaved, round after round, so a busy machine slows them alike; the figures are
medians of wall time and of the child's CPU time. The check files' validation is kept (the
usual case: every run after the first on a machine; bench_startup.py measures the first).
The issue sets no bar for this case; the ratios to yamllint on the same file are printed.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import install_kind, run_once
from generate import MiddleItemEdit, generate

Command = tuple[list[str], dict[str, str], Callable[[], None] | None]  # argv, env, before each run


def bench_size(items: int, repeat: int, root: Path, readylint: str, yamllint: str | None) -> None:
    repo = root / f"repo-{items}"
    generate(items, repo / "backlog")
    (repo / ".readylint.yaml").write_text("paths: [backlog]\n", encoding="utf-8")
    files = sorted((repo / "backlog").glob("*.yaml"))
    target = files[len(files) // 2]
    shown = target.relative_to(repo).as_posix()
    base = {k: v for k, v in os.environ.items() if not k.startswith("READYLINT_")}
    env = {**base, "READYLINT_CACHE_DIR": str(root / f"cache-{items}")}
    check = [readylint, "check", shown]
    subprocess.run(check, env=env, cwd=repo, capture_output=True, check=False)  # keep results
    commands: dict[str, Command] = {
        "readylint edited": (check, env, MiddleItemEdit(target)),
        "readylint kept": (check, env, None),
        "readylint no cache": (check, {**env, "READYLINT_NO_CACHE": "1"}, None),
    }
    if yamllint:
        commands["yamllint"] = ([yamllint, shown], base, None)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (argv, command_env, before) in commands.items():
            if before is not None:
                before()
            samples[name].append(run_once(argv, command_env, repo))
    size = target.stat().st_size / 1024
    many = "s" if len(files) > 1 else ""
    print(f"{items:,} items in {len(files)} file{many}; FILE is {shown} ({size:,.0f} KiB)")
    medians = {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }
    theirs = medians.get("yamllint")
    for name, (wall, cpu) in medians.items():
        ratio = f"   {wall / theirs[0]:.2f}x yamllint" if theirs and name != "yamllint" else ""
        print(f"  {name:20s} {wall:7.3f} s / {cpu:6.3f} s cpu{ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    import readylint as package

    # readylint's bytecode compiled first, as pip does when it installs a wheel
    compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    readylint = shutil.which("readylint") or sys.exit("readylint is not installed")
    yamllint = shutil.which("yamllint")
    print(f"readylint ({install_kind()}, Python {sys.version.split()[0]}); "
          f"median of {args.repeat} interleaved rounds (wall / cpu)")  # fmt: skip
    if not yamllint:
        print("yamllint is not installed (pip install yamllint): no comparison")
    with tempfile.TemporaryDirectory() as tmp:
        for items in (int(size) for size in args.items.split(",")):
            bench_size(items, args.repeat, Path(tmp), readylint, yamllint)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
