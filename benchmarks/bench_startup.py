"""Start-up cost: `readylint check` on a one-item file versus `python -c "import yaml"` and yamllint.

    python benchmarks/bench_startup.py [--repeat 21]

Bar (issue 6): a one-item check as a whole process is no slower than yamllint on the same file,
with a warm validation cache (the usual case: every run after the first on a machine). The cold
figure is the first run, when the check files and configuration are validated with pydantic and
the cache is written (each cold run gets an empty READYLINT_CACHE_DIR).

The commands run interleaved, round after round, so a busy machine slows them alike; the figures
are medians of wall time and of the child's CPU time (user + system), which a busy machine
disturbs less. readylint's bytecode is compiled first, as pip does when it installs a wheel (an
editable checkout under PYTHONDONTWRITEBYTECODE would otherwise compile every module every run).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ITEM = """- id: ONE-1
  title: Save a cart for later
  customer_need: Shoppers lose their basket between phone and laptop every week.
  business_reason: Abandoned baskets cost about 8% of orders each month.
  trade_off: The wishlist moves one sprint later.
  expected_outcome: Basket recovery reaches 15% within a month.
"""

Env = Callable[[], dict[str, str]]


def run_once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def measure(
    commands: dict[str, tuple[list[str], Env]], repeat: int, cwd: Path
) -> dict[str, tuple[float, float]]:
    """Median (wall, cpu) per command, the commands interleaved round after round."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (argv, env) in commands.items():
            samples[name].append(run_once(argv, env(), cwd))
    return {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }


def verdict(name: str, ours: tuple[float, float], theirs: tuple[float, float]) -> str:
    ratio = ours[0] / theirs[0]
    if ratio <= 1.0:
        return f"PASS   {name}: {ratio:.2f}x yamllint's time (bar: <= 1.00x)"
    short = (ours[0] - theirs[0]) * 1000
    return f"SHORT  {name}: {ratio:.2f}x yamllint's time, {short:.1f} ms over (bar: <= 1.00x)"


def install_kind() -> str:
    """How readylint is installed in this interpreter: an editable checkout or a wheel."""
    import json
    from importlib import metadata

    try:
        direct = metadata.distribution("readylint").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return "not installed in this interpreter"
    editable = bool(direct and json.loads(direct).get("dir_info", {}).get("editable"))
    return "editable install (pip install -e)" if editable else "installed wheel"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    readylint = shutil.which("readylint") or sys.exit("readylint is not installed")
    yamllint = shutil.which("yamllint")
    import readylint as package

    compileall.compile_dir(Path(package.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        work = root / "repo"  # a directory with no configuration above it but the user's
        work.mkdir()
        (work / "one.yaml").write_text(ITEM, encoding="utf-8")
        warm_dir = root / "cache"
        base = {k: v for k, v in os.environ.items() if not k.startswith("READYLINT_")}
        warm_env = {**base, "READYLINT_CACHE_DIR": str(warm_dir)}
        counter = iter(range(1_000_000))

        def cold() -> dict[str, str]:  # an empty cache directory every run
            return {**base, "READYLINT_CACHE_DIR": str(root / f"cold-{next(counter)}")}

        check = [readylint, "check", "one.yaml"]
        subprocess.run(check, env=warm_env, cwd=work, capture_output=True, check=False)
        commands: dict[str, tuple[list[str], Env]] = {
            "import yaml": ([sys.executable, "-c", "import yaml"], lambda: base),
            "readylint (warm cache)": (check, lambda: warm_env),
            "readylint (cold cache)": (check, cold),
        }
        if yamllint:
            commands["yamllint"] = ([yamllint, "one.yaml"], lambda: base)
        results = measure(commands, args.repeat, work)

    yaml_time = results["import yaml"]
    print(f"readylint: {readylint} ({install_kind()}, Python {sys.version.split()[0]})")
    print(f"one-item run, median of {args.repeat} interleaved rounds (wall / cpu):")
    for name, (wall, cpu) in results.items():
        extra = ""
        if name != "import yaml":
            extra = f"   {wall / yaml_time[0]:.2f}x python -c 'import yaml'"
        print(f"  {name:24s} {wall * 1000:7.1f} ms / {cpu * 1000:6.1f} ms{extra}")
    if not yamllint:
        print("yamllint is not installed (pip install yamllint): no verdict")
        return 0
    theirs = results["yamllint"]
    for name in ("readylint (warm cache)", "readylint (cold cache)"):
        ours = results[name]
        print(verdict(name, ours, theirs) + f"; cpu {ours[1] / theirs[1]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
