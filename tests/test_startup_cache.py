"""The validation cache (cache.py): never stale, never breaks a run, and keeps pydantic out of a
warm run; the plain records keep in step with the pydantic schema they mirror (issue 6)."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from conftest import Run, ready_items
from readylint import cache, check_schema, config_schema, definitions, linear
from readylint.catalog import builtin_checks_dir, check_files, load_checks
from readylint.config import CheckSettings, Config, JiraConfig, load_config
from readylint.errors import ConfigError

Write = Callable[[str, str], Path]

TEAM_CHECK = """\
id: acceptance-criteria
title: Acceptance criteria are written
question: How will the team know the item is done?
kind: answer
hint: list the conditions a reviewer checks
answer: {field: acceptance_criteria, label: acceptance criteria, min_words: 6}
rationale: Acceptance criteria make the outcome testable during the sprint.
examples:
  pass: [{item: {id: X-1, title: T, acceptance_criteria: "A CSV of all orders downloads fast."}}]
  fail: [{item: {id: X-2, title: T}, expect: Missing acceptance criteria}]
"""


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the pydantic schema validated (cache misses), in order."""
    seen: list[str] = []
    real_check, real_config = check_schema.validate_check, config_schema.validate_config

    def check(path: Path) -> dict[str, Any]:
        seen.append(path.name)
        return real_check(path)

    def config(path: Path) -> dict[str, Any]:
        seen.append(path.name)
        return real_config(path)

    monkeypatch.setattr(check_schema, "validate_check", check)
    monkeypatch.setattr(config_schema, "validate_config", config)
    return seen


def _same_stat_rewrite(path: Path, text: str) -> None:
    """Rewrite ``path`` with text of the same size and give it back its old mtime."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns


# --- served from the cache, and never stale ---------------------------------------------------


def test_second_load_is_served_from_the_cache(cache_dir: Path, validations: list[str]) -> None:
    first = load_checks()
    assert len(validations) == len(first)
    cache._memory.clear()  # as in a new process
    assert load_checks() == first
    assert len(validations) == len(first), "the second load validated again"
    assert sorted(p.name.split("-")[0] for p in cache_dir.iterdir()) == ["check"] * len(first)


def test_a_changed_check_file_is_never_served_stale(
    write: Write, cache_dir: Path, validations: list[str]
) -> None:
    path = write("team/acceptance-criteria.yaml", TEAM_CHECK)
    assert definitions.load_check(path).answer.min_words == 6  # type: ignore[union-attr]
    cache._memory.clear()
    # Same size, same mtime: only the bytes tell the edit apart.
    _same_stat_rewrite(path, TEAM_CHECK.replace("min_words: 6", "min_words: 9"))
    assert definitions.load_check(path).answer.min_words == 9  # type: ignore[union-attr]
    assert validations == ["acceptance-criteria.yaml"] * 2


def test_a_check_file_broken_after_caching_reports_its_error(
    run: Callable[..., Run], write: Write, cache_dir: Path
) -> None:
    write("team/acceptance-criteria.yaml", TEAM_CHECK)
    write(".readylint.yaml", "check_paths: [team]\n")
    write("backlog/b.yaml", ready_items("A-1"))
    assert run("check").code == 1  # cached now; the item has no acceptance criteria
    cache._memory.clear()
    write("team/acceptance-criteria.yaml", TEAM_CHECK.replace("kind: answer", "kind: answr"))
    result = run("check")
    assert result.code == 2
    assert "acceptance-criteria.yaml:4: kind:" in result.err, result.err


def test_a_changed_config_is_never_served_stale(
    write: Write, cache_dir: Path, validations: list[str]
) -> None:
    path = write(".readylint.yaml", "fail_on: warning\n")
    assert load_config(None).fail_on == "warning"
    cache._memory.clear()
    _same_stat_rewrite(path, "fail_on: never\n  ")
    assert load_config(None).fail_on == "never"
    cache._memory.clear()
    assert load_config(None).fail_on == "never"
    assert validations == [".readylint.yaml"] * 2


def test_pyproject_table_added_after_caching_is_found(write: Write, cache_dir: Path) -> None:
    head = '[project]\nname = "readylint-user"\n\n'
    after = head + "[tool.readylint]\nx=1\n"
    before = head + "[tool.other]\nx = 1\n"
    path = write("pyproject.toml", before + "#" * (len(after) - len(before) - 1) + "\n")
    assert load_config(None).source is None  # "readylint" appears, but no [tool.readylint]
    cache._memory.clear()
    _same_stat_rewrite(path, after)
    with pytest.raises(ConfigError, match="unknown key 'x'"):
        load_config(None)


def test_config_record_matches_validation(write: Write, cache_dir: Path) -> None:
    write(
        ".readylint.yaml",
        """
        paths: [backlog]
        checks: {trade-off: {severity: warning, min_words: 3}}
        aliases: {trade_off: [risks]}
        jira: {url: "https://jira.example.org", fields: {trade_off: Trade-off}, page_size: 50}
        """,
    )
    config = load_config(None)
    assert config.paths == ("backlog",)
    assert config.checks == {"trade-off": CheckSettings(severity="warning", min_words=3)}
    assert config.aliases == {"trade_off": ("risks",)}
    assert config.jira.fields == {"trade_off": "Trade-off"} and config.jira.page_size == 50
    assert config.root == Path.cwd().resolve()
    assert config.source == (Path.cwd() / ".readylint.yaml").as_posix()
    cache._memory.clear()
    again = load_config(None)  # from the cache
    assert repr(again) == repr(config)


# --- a broken cache never breaks a run --------------------------------------------------------


def _damage(kind: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        data = path.read_bytes()
        if kind == "garbage":
            path.write_bytes(b"\x00\xff not a cache entry")
        elif kind == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif kind == "flipped":
            path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "directory":
            path.unlink()
            path.mkdir()

    return apply


@pytest.mark.parametrize("kind", ["garbage", "truncated", "flipped", "empty", "directory"])
def test_damaged_entries_fall_back_to_validation(
    run: Callable[..., Run], write: Write, cache_dir: Path, kind: str
) -> None:
    unready = "We postpone the wishlist by one sprint to do this first."
    write("backlog/b.yaml", ready_items("A-1").replace(unready, "TBD"))
    expected = run("check")
    assert expected.code == 1 and cache_dir.is_dir()
    for entry in cache_dir.iterdir():
        _damage(kind)(entry)
    cache._memory.clear()
    linear._programs = None
    assert run("check") == expected


def test_an_entry_from_another_schema_falls_back(
    write: Write, cache_dir: Path, validations: list[str]
) -> None:
    path = write("team/acceptance-criteria.yaml", TEAM_CHECK)
    good = definitions.load_check(path)
    cache._memory.clear()
    entry = cache.lookup("check", path)
    assert entry.data is not None
    entry.store({**entry.data, "renamed_field": 1})  # digest-valid, but no record takes it
    cache._memory.clear()
    assert definitions.load_check(path) == good
    assert len(validations) == 2


def test_the_schema_stamp_follows_module_bytes_not_mtimes(tmp_path: Path) -> None:
    """A reinstall of the same release (new mtimes) keeps the stamp; an edit changes it."""
    module = tmp_path / "schema.py"
    module.write_text("A = 1\n", encoding="utf-8")
    before = cache.content_stamp([(module, "schema.py"), (tmp_path / "gone.py", "gone.py")])
    os.utime(module, (1_000_000_000, 1_000_000_000))
    assert cache.content_stamp([(module, "schema.py"), (tmp_path / "gone.py", "gone.py")]) == before
    assert before[1] == ("gone.py", None)
    module.write_text("A = 2\n", encoding="utf-8")
    assert cache.content_stamp([(module, "schema.py")]) != before[:1]


def test_an_unusable_cache_directory_is_ignored(
    run: Callable[..., Run], write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = write("not-a-directory", "a file where the cache directory should be\n")
    monkeypatch.setenv("READYLINT_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cache, "_memory", {})
    write("backlog/b.yaml", ready_items("A-1"))
    result = run("check")
    assert result.code == 0 and result.err == "", result.err


def test_data_marshal_cannot_hold_is_not_cached(write: Write, cache_dir: Path) -> None:
    # An example item with a date: YAML gives a datetime.date, which marshal cannot keep.
    text = TEAM_CHECK.replace("{id: X-1, title: T,", "{id: X-1, title: T, due: 2024-05-01,")
    path = write("team/acceptance-criteria.yaml", text)
    check = definitions.load_check(path)
    assert str(check.examples.passing[0].item["due"]) == "2024-05-01"
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


# --- off switches -----------------------------------------------------------------------------


def test_no_cache_option_and_environment(
    run: Callable[..., Run],
    write: Write,
    cache_dir: Path,
    validations: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write("backlog/b.yaml", ready_items("A-1"))
    builtin = len(check_files(builtin_checks_dir()))
    assert run("check", "--no-cache").code == 0
    assert not cache_dir.exists()
    assert len(validations) >= builtin  # validated, with nothing written
    count = len(validations)
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    assert run("check").code == 0
    assert not cache_dir.exists() and len(validations) == 2 * count
    monkeypatch.delenv("READYLINT_NO_CACHE")
    assert run("check").code == 0  # --no-cache lasted one command
    assert cache_dir.is_dir()


def test_cache_directory_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("READYLINT_CACHE_DIR")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "readylint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.directory() == tmp_path / ".cache" / "readylint"
    monkeypatch.setenv("READYLINT_NO_CACHE", "0")
    assert cache.directory() is not None
    monkeypatch.setenv("READYLINT_NO_CACHE", "1")
    assert cache.directory() is None


# --- a warm run imports nothing heavy ---------------------------------------------------------

HEAVY = ("pydantic", "jira", "requests", "jinja2", "readylint.check_schema", "readylint.report")


def test_a_warm_run_imports_no_pydantic_nor_anything_heavy(write: Write, cache_dir: Path) -> None:
    write("backlog/b.yaml", ready_items("A-1"))
    write(".readylint.yaml", "paths: [backlog]\nfail_on: warning\n")
    probe = textwrap.dedent(
        f"""
        import sys
        from readylint.cli import main
        code = main(["check"])
        print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    env = {**os.environ, "READYLINT_CACHE_DIR": str(cache_dir)}
    cold = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert cold.stdout.splitlines()[-1] == "0 ['pydantic', 'readylint.check_schema']", cold
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert warm.stdout.splitlines()[-1] == "0 []", warm


def test_the_command_writes_its_output_and_exit_code(write: Write, cache_dir: Path) -> None:
    # The readylint command ends with os._exit: its output must still arrive whole, and its code.
    write("backlog/b.yaml", ready_items(*(f"A-{i}" for i in range(1, 200))) + "  - id: B-1\n")
    env = {**os.environ, "READYLINT_CACHE_DIR": str(cache_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "readylint", "check", "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert json.loads(result.stdout)["summary"]["items"] == 199
    assert (cache_dir / "regex-programs").is_file()  # flushed before os._exit


# --- compiled patterns from the cache ---------------------------------------------------------


def _builtin_patterns() -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for check in load_checks():
        answer = check.answer
        if answer is not None and answer.judge is not None:
            judge = answer.judge
            for pattern in (*judge.evidence, *judge.predecessor, *judge.successor):
                found.append((pattern, int(re.I)))
            found += [(p, int(re.I)) for flag in judge.flags for p in flag.patterns]
            found.append((judge.item_id, 0))
        if answer is not None and answer.prose is not None:
            prose = answer.prose
            found += [(p, int(re.I)) for p in (*prose.cues, *prose.lead_cues, *prose.traps)]
    return found


def test_cached_programs_equal_re_compile(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = _builtin_patterns()
    assert len(patterns) > 20
    monkeypatch.setattr(linear, "_programs", None)
    for pattern, flags in patterns:  # compiled here, kept
        assert linear.compile_checked(pattern, flags) == re.compile(pattern, flags)
    cache.flush()
    monkeypatch.setattr(linear, "_programs", None)

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed a pattern the cache holds")

    with monkeypatch.context() as patch:
        patch.setattr(linear._parser, "parse", no_parsing)
        for pattern, flags in patterns:  # from the cache: equal, and nothing parsed
            assert linear.compile_checked(pattern, flags) == re.compile(pattern, flags)


def test_compile_checked_refuses_what_linear_problem_refuses(cache_dir: Path) -> None:
    for pattern in (r"(a+)+", r"(\w{1,5})\1", r"(?:ab|cd){1,3}", r"[unclosed"):
        problem = linear.linear_problem(pattern)
        assert problem is not None
        with pytest.raises(ValueError) as info:
            linear.compile_checked(pattern, re.I)
        assert str(info.value) == problem
        with pytest.raises(ValueError, match=re.escape(problem)):
            linear.compile_linear(pattern).search("text")


def test_a_damaged_program_is_compiled_again(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = r"\b(?:later|next sprint)\b"
    monkeypatch.setattr(linear, "_programs", {(pattern, int(re.I)): (34, [1, 2, 3], 0, {}, ())})
    assert linear.compile_checked(pattern, re.I) == re.compile(pattern, re.I)


def test_phrase_patterns_do_not_depend_on_hash_order() -> None:
    probe = "from readylint.linear import phrase_pattern as p; print(p(('ab', 'cd', 'ef g', 'hi')).pattern)"
    seen = {
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(4)
    }
    assert len(seen) == 1, seen


# --- the records keep in step with the schema -------------------------------------------------

PAIRS: list[tuple[type[BaseModel], type]] = [
    (check_schema.Flag, definitions.Flag),
    (check_schema.JudgeSpec, definitions.JudgeSpec),
    (check_schema.ProseSpec, definitions.ProseSpec),
    (check_schema.BoilerplateSpec, definitions.BoilerplateSpec),
    (check_schema.AnswerSpec, definitions.AnswerSpec),
    (check_schema.PatternSpec, definitions.PatternSpec),
    (check_schema.AppliesTo, definitions.AppliesTo),
    (check_schema.Example, definitions.Example),
    (check_schema.Examples, definitions.Examples),
    (check_schema.CheckDefinition, definitions.CheckDefinition),
    (config_schema.CheckSettings, CheckSettings),
    (config_schema.JiraConfig, JiraConfig),
    (config_schema.Config, Config),
]


def _plain(value: object) -> object:
    """Records as dicts, so a record's default compares with the schema's model_dump."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _record_defaults(record: type) -> dict[str, object]:
    """Each field's default (``inspect.Parameter.empty`` when required)."""
    if hasattr(record, "_fields") and hasattr(record, "_field_defaults"):  # a NamedTuple
        defaults: dict[str, object] = dict.fromkeys(record._fields, inspect.Parameter.empty)
        defaults.update(record._field_defaults)
        return defaults
    made = record()  # Config: every field has a default
    return {name: getattr(made, name) for name in inspect.signature(record).parameters}


@pytest.mark.parametrize(("model", "record"), PAIRS, ids=[r.__name__ for _, r in PAIRS])
def test_records_mirror_the_schema(model: type[BaseModel], record: type) -> None:
    """Same field names and defaults: add a field to a schema model, add it to its record."""
    fields = model.model_fields
    defaults = _record_defaults(record)
    assert set(defaults) == set(fields), f"{record.__name__}: fields differ from the schema"
    for name, info in fields.items():
        if info.is_required():
            assert defaults[name] is inspect.Parameter.empty, f"{record.__name__}.{name}"
        elif name == "root":  # the working directory when the record is made
            assert defaults[name] == Path.cwd()
        else:
            expected = info.get_default(call_default_factory=True)
            if isinstance(expected, BaseModel):
                expected = expected.model_dump()
            assert _plain(defaults[name]) == expected, f"{record.__name__}.{name}"
