"""Peak memory of a child process, without the benchmark's own.

On Linux a child's ``ru_maxrss`` (from ``wait4``) starts from the high-water mark of the process
that spawned it: the memory map it is forked (or vforked) with carries that mark, and exec keeps
it. A benchmark that built a large backlog in memory saw its own peak in every run it timed
after that: a trivial ``true`` reported 1,046 MiB once ``generate.py`` had written 100,000 items
into one file in the same process. ``reset`` sets this process's mark to its present RSS first.
"""

from __future__ import annotations

import contextlib
from pathlib import Path


def reset() -> None:
    """Set this process's peak RSS to its present RSS (``/proc/self/clear_refs``, Linux 4.0
    and later); elsewhere, nothing: there the figures may include the benchmark's own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
