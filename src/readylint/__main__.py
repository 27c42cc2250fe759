"""Allow ``python -m readylint``."""

from readylint.cli import main

raise SystemExit(main())
