"""The GitHub Action, the example workflow and the pre-commit manifest, checked as data.

No network and no actionlint binary is needed: these are the rules that matter for this project
(composite action, `shell` on every `run`, inputs only through `env:`, the hook's fields).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_action_is_composite_and_passes_inputs_through_env() -> None:
    action = load(ROOT / "action.yml")
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"paths", "args", "format", "sarif"} <= set(inputs)
    for name, spec in inputs.items():
        assert spec.get("description"), name
    used: set[str] = set()
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        assert step.get("shell") == "bash", step.get("name")
        assert "${{" not in step["run"], f"inline expression in run script of {step.get('name')}"
        for value in (step.get("env") or {}).values():
            used.update(
                m.removeprefix("inputs.")
                for m in EXPRESSION.findall(str(value))
                if m.startswith("inputs.")
            )
    assert used == set(inputs), "every input reaches a script, through env"
    steps = {s.get("id"): s for s in action["runs"]["steps"]}
    assert "--output-format" in steps["run"]["run"] and "sarif:$INPUT_SARIF" in steps["run"]["run"]
    output = action["outputs"]["sarif-file"]["value"]
    assert EXPRESSION.findall(output) == ["steps.run.outputs.sarif-file"]


def test_action_keeps_the_cache_directory_it_points_readylint_at() -> None:
    """The cache step restores and saves the very folder the run step hands readylint, and
    only when the `cache` input is on."""
    action = load(ROOT / "action.yml")
    steps = action["runs"]["steps"]
    (cached,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert re.search(r"@v\d+$", cached["uses"])
    assert cached["if"] == "inputs.cache == 'true'"
    assert action["inputs"]["cache"]["default"] == "true"
    run = next(s for s in steps if s.get("id") == "run")
    assert steps.index(cached) < steps.index(run)
    assert cached["with"]["path"] == run["env"]["CACHE_DIR"]
    assert 'export READYLINT_CACHE_DIR="$CACHE_DIR"' in run["run"]
    key, restore = cached["with"]["key"], cached["with"]["restore-keys"].strip()
    assert key.startswith(restore) and "github.sha" in key  # a new save per commit


def test_example_workflow_uses_the_local_action_on_the_example_backlog() -> None:
    workflow = load(ROOT / ".github" / "workflows" / "readylint.yml")
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as True
    assert "push" in triggers
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    local = [s for s in steps if s.get("uses") == "./"]
    assert local and all(s["with"]["paths"] == "examples/backlog" for s in local)
    assert (ROOT / "examples" / "backlog").is_dir()
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env"
        uses = step.get("uses", "./")
        assert uses == "./" or re.search(r"@(v\d+|[0-9a-f]{40})$", uses), uses


def test_pre_commit_manifest() -> None:
    (hook,) = load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "readylint"
    assert hook["language"] == "python"
    assert hook["entry"] == "readylint check"
    assert hook["require_serial"] is True
    assert hook["types"] == ["yaml"]
    assert {"name", "description", "minimum_pre_commit_version"} <= set(hook)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'readylint = "readylint.console:run"' in pyproject  # the entry's executable
