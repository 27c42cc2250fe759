"""Backlog sources. Each turns its input into BacklogItems and InputErrors; none knows of checks."""
