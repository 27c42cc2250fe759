"""The wheel ships the built-in checks and works when installed in a fresh virtual environment."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import readylint
from readylint.catalog import builtin_checks_dir

REPO = Path(__file__).resolve().parents[1]
CHECK_NAMES = sorted(p.name for p in (REPO / "checks").glob("*.yaml"))


def test_checkout_finds_the_repository_checks() -> None:
    """An editable install imports from src/, so the checks come from the repository's checks/."""
    if Path(readylint.__file__).resolve().is_relative_to(REPO / "src"):
        assert builtin_checks_dir().resolve() == (REPO / "checks").resolve()
    assert sorted(p.name for p in builtin_checks_dir().glob("*.yaml")) == CHECK_NAMES


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sdist, then the wheel from the sdist (as `python -m build` does)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return out


@pytest.mark.slow
def test_wheel_contains_the_checks(dist: Path) -> None:
    (wheel,) = dist.glob("readylint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(
        n.rsplit("/", 1)[1] for n in names if n.startswith("readylint/builtin_checks/")
    )
    assert shipped == CHECK_NAMES
    assert "readylint/cli.py" in names
    assert "readylint/py.typed" in names  # PEP 561: type checkers use the package's annotations
    assert "readylint/report/templates/readiness.html.j2" in names  # readylint report's page
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "readylint = readylint.console:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_sdist_contains_the_checks_and_examples(dist: Path) -> None:
    import tarfile

    (sdist,) = dist.glob("readylint-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    assert any(n.endswith("/checks/trade-off.yaml") for n in names)
    assert any(n.endswith("/examples/backlog/checkout.yaml") for n in names)


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_runs_on_the_examples(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("readylint-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # Dependencies come from this environment's site-packages through a .pth line, so the test
    # needs no network. A .pth line does not run that directory's own .pth files, so an editable
    # readylint there stays invisible: only the wheel can provide `readylint`.
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    deps = [
        p for p in {sysconfig.get_paths()["purelib"], *site.getsitepackages()} if Path(p).is_dir()
    ]
    (target / "deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    where = subprocess.run(
        [str(python), "-c", "import readylint; print(readylint.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert Path(where.strip()).is_relative_to(env_dir), where

    script = env_dir / ("Scripts/readylint.exe" if os.name == "nt" else "bin/readylint")
    result = subprocess.run(
        [str(script), "check", "--format", "json", str(REPO / "examples" / "backlog")],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == {"items": 11, "ready": 5, "not_ready": 6}
    listing = subprocess.run(
        [str(script), "checks"], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "ordering-rationale" in listing.stdout
    # The HTML report finds its template inside the installed wheel.
    page = subprocess.run(
        [str(script), "report", str(REPO / "examples" / "backlog"), "-o", "r.html"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert page.returncode == 0, page.stderr
    assert "5 of 11 items pass the practical test" in (tmp_path / "r.html").read_text()
