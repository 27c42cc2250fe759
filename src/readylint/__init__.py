"""readylint: lint backlog items against the practical test of readiness for refinement."""

__version__ = "0.1.0"
