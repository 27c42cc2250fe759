"""The file-by-file path (pipeline.py): same findings as checking the whole backlog at once,
in one process or in forked workers, with the item texts dropped after the first pass."""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from readylint import app
from readylint.cli import main
from readylint.config import Config
from readylint.models import RunResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "backlog"

ITEM = """\
  - id: {id}
    title: Item {n}
    rank: {n}
    customer_need: Shoppers on the phone lose their cart when they switch devices.
    business_reason: Abandoned carts cost about 4% of revenue in the last quarter.
    trade_off: We postpone the wishlist export by one sprint.
    expected_outcome: Cart abandonment falls from 31% to 25% within two months.
    why_now: {why}
"""


def _backlog(tmp_path: Path, files: int = 3, per_file: int = 4) -> Path:
    root = tmp_path / "backlog"
    root.mkdir()
    n = 0
    for f in range(files):
        parts = ["items:\n"]
        for _ in range(per_file):
            n += 1
            why = (
                f"Before PAY-{n + 1} because it unblocks it."
                if n % 3
                else "Before PAY-1, which depends on it."  # stale: PAY-1 is ranked above
            )
            parts.append(ITEM.format(id=f"PAY-{n}", n=n, why=why))
        (root / f"b{f}.yaml").write_text("".join(parts), encoding="utf-8")
    (root / "broken.yaml").write_text("items:\n  - id: [oops\n", encoding="utf-8")
    return root


def _findings(result: RunResult) -> list[tuple[str, int, str, str]]:
    return [(r.item.id, r.rank, f.check, f.message) for r in result.items for f in r.findings]


@pytest.mark.parametrize("where", ["examples", "generated"])
def test_first_pass_where_read_gives_the_same_findings(tmp_path: Path, where: str) -> None:
    root = EXAMPLES if where == "examples" else _backlog(tmp_path)
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection(strict=True))
    whole = app.lint(app.read_yaml_backlog([str(root)], config), engine, chosen)
    piecewise_source = app.read_yaml_backlog([str(root)], config, engine)
    assert piecewise_source.digests is not None
    assert all(i.description is None and not i.fields for i in piecewise_source.items)
    piecewise = app.lint(piecewise_source, engine, chosen)
    assert _findings(piecewise) == _findings(whole)
    assert [str(e) for e in piecewise.errors] == [str(e) for e in whole.errors]
    assert any("Stale" in m for *_, m in _findings(whole)) or where == "examples"


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers need fork"
)
def test_workers_give_the_same_report_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _backlog(tmp_path, files=4)
    reports = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("READYLINT_JOBS", jobs)
        assert main(["check", "--format", "json", str(root)]) == 2  # broken.yaml
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert len(reports[0]["items"]) == 16 and reports[0]["errors"]


def test_bad_jobs_setting_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _backlog(tmp_path)
    monkeypatch.setenv("READYLINT_JOBS", "many")
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "READYLINT_JOBS must be a whole number" in err and "Traceback" not in err


def test_large_json_report_is_one_item_per_line_and_the_same_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from readylint.reporters import json as json_reporter

    root = _backlog(tmp_path, files=2, per_file=3)
    assert main(["check", "--format", "json", str(root)]) == 2
    pretty = capsys.readouterr().out
    monkeypatch.setattr(json_reporter, "PRETTY_LIMIT", 2)
    assert main(["check", "--format", "json", str(root)]) == 2
    streamed = capsys.readouterr().out
    assert json.loads(streamed) == json.loads(pretty)
    assert streamed.count('\n    {"id": ') == 6


# Run in a subprocess: each forked worker (with what it inherited frozen out of its garbage
# collections), and the parent once the run is read, frees a 4 MiB block, then holds a 600 KiB
# one, and writes how much of what it holds has a mapping of its own (mallinfo2's hblkhd).
# glibc's own rule puts the second block in the heap (0), where it fragments; with the threshold
# fixed it is mapped, and given back when freed.
_PROBE = """
import ctypes, os, sys
from pathlib import Path
from readylint import pipeline
from readylint.app import Selection, build_engine
from readylint.config import load_config

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

info = ctypes.CDLL(None).mallinfo2
info.restype = Info
check_file, out = pipeline.check_file, Path(sys.argv[2])

def mapped(name):
    first = bytearray(4 << 20)
    del first
    before = info().hblkhd
    held = bytearray(600 << 10)
    (out / name).write_text(str(info().hblkhd - before))

def probe(path, engine=None):
    import gc
    assert gc.get_freeze_count() > 1000  # what the worker inherited is out of its collections
    mapped(str(os.getpid()))
    return check_file(path, engine)

probe.__qualname__ = probe.__name__ = "check_file"
probe.__module__ = "readylint.pipeline"
pipeline.check_file = probe
os.environ["READYLINT_JOBS"] = "2"
engine, _ = build_engine(load_config(None), Selection())
files = sorted(Path(sys.argv[1]).glob("b*.yaml"))
assert len(pipeline.read_and_check(files, engine).items) == 16
mapped("parent")
"""


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods()
    or not hasattr(ctypes.CDLL(None), "mallinfo2"),
    reason="workers need fork; the probe needs glibc 2.33's mallinfo2",
)
def test_workers_give_large_blocks_back_to_the_system(tmp_path: Path) -> None:
    root = _backlog(tmp_path, files=4)
    out = tmp_path / "seen"
    out.mkdir()
    subprocess.run([sys.executable, "-c", _PROBE, str(root), str(out)], check=True, timeout=60)
    seen = [int(p.read_text()) for p in out.iterdir()]
    assert len(seen) == 3 and all(held >= 600 << 10 for held in seen)


def _composing_with_collector(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> list[bool]:
    """Make ``yaml_files.compose`` note whether the collector runs (and raise, with ``fail``)."""
    from readylint import yamlio
    from readylint.sources import yaml_files

    seen: list[bool] = []
    real = yamlio.compose

    def compose(text: str) -> object:
        seen.append(gc.isenabled())
        if fail:
            raise MemoryError
        return real(text)

    monkeypatch.setattr(yaml_files, "compose", compose)
    return seen


def test_a_file_is_read_with_the_collector_paused_and_resumed_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from readylint.sources.yaml_files import read_text

    seen = _composing_with_collector(monkeypatch)
    items, errors = read_text("items:\n" + ITEM.format(id="PAY-1", n=1, why="x"), "b.yaml")
    assert [item.id for item in items] == ["PAY-1"] and not errors
    assert seen == [False] and gc.isenabled()
    _, errors = read_text("items:\n  - id: [oops\n", "broken.yaml")
    assert errors and seen == [False, False] and gc.isenabled()


def test_the_collector_is_resumed_when_reading_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from readylint.sources.yaml_files import read_text

    seen = _composing_with_collector(monkeypatch, fail=True)
    with pytest.raises(MemoryError):
        read_text("items: []\n", "b.yaml")
    assert seen == [False] and gc.isenabled()


def test_a_caller_that_paused_the_collector_keeps_it_paused() -> None:
    from readylint.sources.yaml_files import read_text

    gc.disable()
    try:
        read_text("items:\n" + ITEM.format(id="PAY-1", n=1, why="x"), "b.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()
