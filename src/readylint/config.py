"""Configuration: ``.readylint.yaml`` or ``[tool.readylint]`` in pyproject.toml, validated once.

Precedence, lowest first: built-in defaults (the records below), the project file (found by
walking up from the working directory, or named by ``--config``), then command-line options,
which the CLI applies on top of the loaded ``Config``.

What a valid configuration is, and how its errors read, is decided by the pydantic schema in
``config_schema.py``; the run uses the plain records below (same fields and defaults). The schema
validates a file only when the validation cache (``cache.py``) has no entry for exactly its
bytes, so a warm run never imports pydantic.
"""

# No ``from __future__ import annotations``: see definitions.py (NamedTuple fields).

import sys
from pathlib import Path
from typing import Any, Literal, NamedTuple

from readylint import cache
from readylint.errors import ConfigError
from readylint.models import Severity

CONFIG_NAMES = (".readylint.yaml", ".readylint.yml")
FailOn = Literal["error", "warning", "never"]


class CheckSettings(NamedTuple):
    """Per-check overrides."""

    severity: Severity | None = None
    min_words: int | None = None
    # Judgement options (issue 5): see README "Tuning the checks".
    strict: bool | None = None  # ask ordering rationales to name the next items (--strict)
    compare_with: int | None = None
    require_labels: bool | None = None  # an answer found only in prose is a warning


# --- Jira source settings (issue 3) ---------------------------------------------------------


class JiraConfig(NamedTuple):
    """The ``jira:`` section. Credentials are never read from here, only from the environment.

    See ``config_schema.JiraConfig`` for what each field means and accepts.
    """

    url: str | None = None
    project: str | None = None
    jql: str | None = None
    board: int | None = None
    issue_types: tuple[str, ...] = ()
    fields: dict[str, str] = {}  # noqa: RUF012 - a record: never mutated
    api_version: Literal["2", "3"] = "2"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_retries: int = 4
    max_retry_wait: float = 120.0
    page_size: int = 100


class Config:
    """The project configuration. Paths are relative to the file that sets them.

    A plain class rather than a dataclass, which costs several times more to create at import;
    read-only by convention, like the other records.
    """

    __slots__ = (
        "aliases",
        "check_paths",
        "checks",
        "exclude",
        "fail_on",
        "ignore",
        "jira",
        "paths",
        "root",
        "select",
        "source",
    )

    def __init__(
        self,
        *,
        paths: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] = (),
        fail_on: FailOn = "error",
        checks: dict[str, CheckSettings] | None = None,
        check_paths: tuple[str, ...] = (),
        aliases: dict[str, tuple[str, ...]] | None = None,  # extra field aliases per answer
        jira: JiraConfig | None = None,
        source: str | None = None,  # where the configuration came from (not a key users write)
        root: Path | None = None,  # the directory paths are relative to (default: cwd)
    ) -> None:
        self.paths = paths
        self.exclude = exclude
        self.select = select
        self.ignore = ignore
        self.fail_on: FailOn = fail_on
        self.checks: dict[str, CheckSettings] = checks if checks is not None else {}
        self.check_paths = check_paths
        self.aliases: dict[str, tuple[str, ...]] = aliases if aliases is not None else {}
        self.jira = jira if jira is not None else JiraConfig()
        self.source = source
        self.root = root if root is not None else Path.cwd()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Config({fields})"

    def resolve(self, value: str) -> Path:
        path = Path(value)
        return path if path.is_absolute() else self.root / path


def config_record(data: dict[str, Any], path: Path) -> Config:
    """A ``Config`` from the plain data the schema produced (or the cache kept) for ``path``."""
    values = dict(data)
    values["checks"] = {k: CheckSettings(**v) for k, v in values.get("checks", {}).items()}
    values["jira"] = JiraConfig(**values.get("jira", {}))
    return Config(**values, source=path.as_posix(), root=path.parent.resolve())


def find_config(start: Path) -> Path | None:
    """The nearest ``.readylint.yaml`` or pyproject.toml with a ``[tool.readylint]`` table."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    """Whether pyproject.toml has a ``[tool.readylint]`` table; an invalid file that mentions
    ``tool.readylint`` counts too, so that its error is reported instead of ignored."""
    try:
        content = path.read_bytes()
    except OSError:
        return False
    if b"readylint" not in content and b"\\u" not in content and b"\\U" not in content:
        return False  # the key cannot be there, not even written with escapes
    entry = cache.lookup("pyproject", path)
    if isinstance(entry.data, bool):
        return entry.data
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        tool = tomllib.loads(content.decode("utf-8")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return b"tool.readylint" in content
    found = isinstance(tool, dict) and "readylint" in tool
    entry.store(found)
    return found


def load_config(path: Path | None) -> Config:
    """Load ``path``, or the discovered file, or the defaults when there is none."""
    if path is None:
        path = find_config(Path.cwd())
        if path is None:
            return Config()
    elif not path.is_file():
        raise ConfigError("config file not found", path=path.as_posix())
    entry = cache.lookup("config", path)
    if entry.data is not None:
        try:
            return config_record(entry.data, path)
        except (TypeError, ValueError, AttributeError):
            pass  # an entry from another schema: validate the file again
    from readylint.config_schema import validate_config

    data = validate_config(path)
    config = config_record(data, path)
    entry.store(data)
    return config
