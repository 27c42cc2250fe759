"""Start-up cost: `readylint check` on a one-item file versus `python -c "import yaml"` and yamllint.

    python benchmarks/bench_startup.py [--repeat 15]

Bar (issue 6): a one-item check as a whole process is no slower than yamllint on the same file.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ITEM = """- id: ONE-1
  title: Save a cart for later
  customer_need: Shoppers lose their basket between phone and laptop every week.
  business_reason: Abandoned baskets cost about 8% of orders each month.
  trade_off: The wishlist moves one sprint later.
  expected_outcome: Basket recovery reaches 15% within a month.
"""


def median_time(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.yaml"
        path.write_text(ITEM, encoding="utf-8")
        readylint = shutil.which("readylint") or sys.exit("readylint is not installed")
        rl = median_time([readylint, "check", str(path)], args.repeat)
        imp = median_time([sys.executable, "-c", "import yaml"], args.repeat)
        print(f"readylint check (1 item):  {rl * 1000:7.1f} ms")
        print(
            f"python -c 'import yaml':   {imp * 1000:7.1f} ms   (readylint / import yaml = {rl / imp:.2f}x)"
        )
        yamllint = shutil.which("yamllint")
        if yamllint:
            yl = median_time([yamllint, str(path)], args.repeat)
            print(
                f"yamllint (1 file):         {yl * 1000:7.1f} ms   (readylint / yamllint = {rl / yl:.2f}x)"
            )
            print(f"{'PASS' if rl <= yl else 'SHORT'}  one-item check no slower than yamllint")
        else:
            print("yamllint is not installed: pip install yamllint")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
