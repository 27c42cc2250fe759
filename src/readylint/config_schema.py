"""The schema of the configuration: pydantic models that validate a configuration file once.

Only ``config.load_config`` imports this module, and only when the validation cache
(``cache.py``) has no entry for the file: a run on a warm cache never imports pydantic. The
models here decide what a valid configuration is and how its errors read; ``config.py`` holds the
plain records the run uses, with the same fields and defaults (``tests/test_startup_cache.py``
keeps the two in step).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from readylint.config import FailOn
from readylint.errors import ConfigError, ReadylintError
from readylint.models import Severity
from readylint.validation import describe
from readylint.yamlio import LinePath, load_document

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class CheckSettings(BaseModel):
    """Per-check overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity | None = None
    min_words: int | None = Field(default=None, ge=1)
    # Judgement options (issue 5): see README "Tuning the checks".
    strict: bool | None = Field(
        default=None, description="Ask ordering rationales to name the next items (--strict)."
    )
    compare_with: int | None = Field(default=None, ge=1, le=20)
    require_labels: bool | None = Field(
        default=None, description="An answer found only in description prose is a warning."
    )


# --- Jira source settings (issue 3) ---------------------------------------------------------


class JiraConfig(BaseModel):
    """The ``jira:`` section. Credentials are never read from here, only from the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str | None = Field(default=None, description="Jira base URL; JIRA_URL overrides it.")
    project: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
    jql: str | None = None
    board: int | None = Field(default=None, ge=1)
    issue_types: tuple[str, ...] = Field(
        default=(), description="Issue types to check; empty means every type except sub-tasks."
    )
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Answer field -> Jira field name or id, e.g. customer_need: Customer Need.",
    )
    api_version: Literal["2", "3"] = "2"
    connect_timeout: float = Field(default=10.0, gt=0, le=600)
    read_timeout: float = Field(default=60.0, gt=0, le=3600)
    max_retries: int = Field(default=4, ge=0, le=20)
    max_retry_wait: float = Field(default=120.0, ge=0, le=3600)
    page_size: int = Field(default=100, ge=1, le=5000)


class Config(BaseModel):
    """The project configuration. Paths are relative to the file that sets them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: FailOn = "error"
    checks: dict[str, CheckSettings] = Field(default_factory=dict)
    check_paths: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Extra field aliases per answer, e.g. trade_off: [risks]."
    )
    jira: JiraConfig = Field(default_factory=JiraConfig)

    # Where the configuration came from (not a key users write).
    source: str | None = Field(default=None, exclude=True)
    root: Path = Field(default_factory=Path.cwd, exclude=True)


_KNOWN: dict[tuple[str | int, ...], tuple[str, ...]] = {
    (): tuple(k for k in Config.model_fields if k not in ("source", "root")),
    ("jira",): tuple(JiraConfig.model_fields),
}


def validate_config(path: Path) -> dict[str, Any]:
    """Read and validate a configuration file; its plain data (``model_dump``) for the record.

    Errors name the file and line.
    """
    data, lines = _read(path)
    shown = path.as_posix()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            "the configuration must be a mapping of keys to values", path=shown, line=1
        )
    for internal in ("source", "root"):  # fields of Config, set below, not keys users write
        if internal in data:
            raise ConfigError(f"unknown key '{internal}'", path=shown, line=lines.get((internal,)))
    try:
        config = Config.model_validate({**data, "source": shown, "root": path.parent.resolve()})
    except ValidationError as exc:
        known = {**_KNOWN, ("checks", "*"): tuple(CheckSettings.model_fields)}
        message, line = describe(exc, lines, _with_check_keys(known, data))
        raise ConfigError(message, path=shown, line=line) from None
    return config.model_dump()


def _with_check_keys(
    known: dict[tuple[str | int, ...], tuple[str, ...]], data: dict[str, Any]
) -> dict[tuple[str | int, ...], tuple[str, ...]]:
    checks = data.get("checks")
    if isinstance(checks, dict):
        for name in checks:
            known[("checks", name)] = tuple(CheckSettings.model_fields)
    return known


def _read(path: Path) -> tuple[Any, dict[LinePath, int]]:
    shown = path.as_posix()
    if path.name == "pyproject.toml":
        try:
            with path.open("rb") as handle:
                document = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror or exc}", path=shown) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"invalid TOML: {exc}", path=shown) from None
        tool = document.get("tool")
        return (tool.get("readylint", {}) if isinstance(tool, dict) else {}), {}
    try:
        return load_document(path)
    except ReadylintError as exc:
        raise ConfigError(exc.message, path=exc.path, line=exc.line) from None
