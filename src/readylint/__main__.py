"""Allow ``python -m readylint``."""

from readylint.console import run

run()
