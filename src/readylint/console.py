"""The ``readylint`` command (and ``python -m readylint``): ``cli.main`` run as a process.

Three things here are only right for a process that ends when the command does, which is why they
are not in ``cli.main`` (tests and other callers run that in their own process):
- the modules load with the garbage collector paused, and everything they created is then
  frozen out of later collections (it lives until exit anyway);
- the regular expressions and dataclass methods the imports compile come from the cache when
  an earlier run kept them (startup.py);
- the process exits with ``os._exit`` once standard output and error are flushed, without
  tearing the interpreter down (clearing every module, a last collection): a sixth of a one-item
  run. Reports to files are written and closed before ``main`` returns, so nothing is lost; mypy
  exits the same way.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    gc.disable()
    try:
        from readylint import startup

        startup.install(sys.argv[1:])  # before the imports below compile patterns and methods
        from readylint.cli import main
    finally:
        gc.enable()
    gc.freeze()
    code = main()
    cache = sys.modules.get("readylint.cache")
    if cache is not None:
        cache.flush()  # what the run kept for the next one (atexit handlers do not run)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # pragma: no cover - e.g. "readylint check | head"
        code = 1
    except OSError as exc:  # what was left to write found no room ("> /dev/full")
        message = f"readylint: error: cannot write to standard output: {exc.strerror or exc}\n"
        os.write(2, message.encode(errors="replace"))
        code = 2
    os._exit(code)
