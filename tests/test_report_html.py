"""The readiness page as HTML: escaping, self-containment, accessibility markup, the trend file
and the ``readylint report`` command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLES, Run, ready_items
from readylint import app
from readylint.catalog import load_checks
from readylint.config import Config
from readylint.models import RunResult
from readylint.report import history, svg
from readylint.report.data import build
from readylint.report.html import render
from readylint.report.page import ReportRequest, timestamp, write_report

HOSTILE_TITLE = (
    "<script>alert('x')</script> \"quoted\" & 'single' <img src=x onerror=alert(1)> " + "W" * 400
)
HOSTILE = f"""
  - id: "H-1\\"><script>alert(2)</script>"
    title: {json.dumps(HOSTILE_TITLE)}
    customer_need: "<who \\"needs\\" it & why>"
"""

CHECK_COUNT = len(load_checks())  # one heat-map column per built-in check


def lint(*paths: Path) -> RunResult:
    config = Config()
    engine, chosen = app.build_engine(config, app.Selection())
    return app.lint(app.read_yaml_backlog([str(p) for p in paths], config), engine, chosen)


class Tags(HTMLParser):
    """Collects start tags with their attributes, and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def page_of(result: RunResult, entries: list[history.Entry] | None = None) -> str:
    data = build(
        result, top=3, generated="2026-11-02T09:30:00Z", source="backlog", history=entries or []
    )
    return render(data)


@pytest.fixture
def hostile_page(write: Callable[[str, str], Path]) -> str:
    path = write("hostile.yaml", HOSTILE + ready_items("H-2"))
    return page_of(lint(path))


def test_hostile_item_text_is_escaped_everywhere(hostile_page: str) -> None:
    parsed = parse(hostile_page)
    assert not any(tag in ("script", "img", "iframe", "object") for tag, _ in parsed.tags)
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs), (
        "an event handler attribute leaked"
    )
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in hostile_page
    assert "&#34;quoted&#34; &amp; &#39;single&#39;" in hostile_page
    # The text survives intact for the reader (the parser unescapes it back).
    assert any(HOSTILE_TITLE in chunk for chunk in parsed.text)
    # Hover text (title attributes) carries the message with its quotes unbroken.
    titles = [a["title"] for t, a in parsed.tags if t == "td" and a.get("title")]
    assert any("('<who \"needs\" it & why>')" in (t or "") for t in titles)
    assert "&#39;&lt;who &#34;needs&#34; it &amp; why&gt;&#39;" in hostile_page


def test_very_long_words_may_wrap(hostile_page: str) -> None:
    css = hostile_page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert re.search(r"\.title[^{]*\{[^}]*overflow-wrap: anywhere", css)
    assert 'class="title"' in hostile_page


def test_the_page_is_self_contained() -> None:
    html = page_of(lint(EXAMPLES))
    parsed = parse(html)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert not any("src" in attrs for _, attrs in parsed.tags)
    assert "@import" not in html
    assert "url(http" not in html
    # The only absolute URLs are the SVG namespace (an identifier, never fetched).
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) == {"http://www.w3.org/2000/svg"}
    csp = next(a for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in (csp["content"] or "")
    assert "script-src" not in (csp["content"] or "")
    assert "@media print" in html


def test_tables_have_header_cells_with_scope_and_cells_have_text() -> None:
    html = page_of(lint(EXAMPLES), [history.Entry("2026-11-01T00:00:00Z", 10, 4)])
    parsed = parse(html)
    headers = [a for t, a in parsed.tags if t == "th"]
    assert headers
    assert all(a.get("scope") in ("col", "row") for a in headers)
    assert sum(1 for t, _ in parsed.tags if t == "table") == 3  # heat map, counts, trend
    cells = [a for t, a in parsed.tags if t == "td" and "cell" in (a.get("class") or "")]
    assert len(cells) == 11 * CHECK_COUNT
    # Colour is not the only signal: every cell carries its status as words, visible and for
    # screen readers, besides the class that colours it.
    statuses = re.findall(r'<td class="cell (\w+)"[^>]*><span aria-hidden="true">.</span>', html)
    assert not statuses, "a cell shows only an icon"
    for status in ("pass", "fail", "warning"):
        assert f'<span class="word">{status}</span>' in html
    assert html.count('<span class="sr">') == 11 * CHECK_COUNT
    assert "<caption>" in html


def test_headline_and_sections_are_on_the_page() -> None:
    html = page_of(lint(EXAMPLES))
    assert '<p class="headline" id="headline">5 of 11 items pass the practical test</p>' in html
    assert "<title>Backlog readiness: 5 of 11 items pass the practical test</title>" in html
    for section in ("heatmap", "failures", "todo", "trend"):
        assert f'<section id="{section}"' in html
    assert "No trend yet" in html
    assert len(re.findall(r'<td class="rank">\d+<span class="tag">next</span>', html)) == 3


def test_bar_chart_has_text_alternatives_and_escapes_labels() -> None:
    from readylint.report.data import CheckColumn

    chart = svg.bar_chart(
        [
            CheckColumn('<b>"x"</b>', "t", "q", "error", 2, 1),
            CheckColumn("y", "t", "q", "error", 5, 0),
        ],
        total=10,
    )
    assert "<b>" not in chart
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in chart
    assert '<title id="bars-title">Items failing each check (of 10)</title>' in chart
    assert "y: 5 failing, 0 with warnings; &lt;b&gt;" in chart  # most failures first
    widths = [float(w) for w in re.findall(r'<rect x="190" y="\d+" width="([\d.]+)"', chart)]
    assert widths == [170.0, 68.0]  # 5 and 2 of 10 items on a 340-pixel scale


def test_trend_chart_draws_one_point_per_run() -> None:
    entries = [
        history.Entry("2026-09-01T09:00:00Z", 10, 2, commit="a" * 40),
        history.Entry("2026-09-15T09:00:00Z", 10, 5, query="project = <X>"),
        history.Entry("2026-10-01T09:00:00Z", 12, 9),
    ]
    chart = svg.trend_chart(entries)
    assert chart.count("<circle") == 3
    assert "<polyline" in chart
    assert "2 of 10 ready (20%), commit aaaaaaaaaa" in chart
    assert "query project = &lt;X&gt;" in chart
    assert "75% now" in chart
    assert "from 20% to 75%" in chart
    one = svg.trend_chart(entries[:1])
    assert one.count("<circle") == 1
    assert "<polyline" not in one
    many = [history.Entry(f"2026-01-01T00:00:{i % 60:02d}Z", 10, i % 10) for i in range(500)]
    assert svg.trend_chart(many).count("<circle") == svg.MAX_POINTS


# --- the trend file ----------------------------------------------------------------------------


def test_summarise_counts_items_per_check() -> None:
    entry = history.summarise(lint(EXAMPLES), time="t", commit=None, query="project = LAR")
    assert (entry.items, entry.ready) == (11, 5)
    assert entry.checks["trade-off"] == {"fail": 4, "warn": 0}
    assert entry.checks["unknown-key"] == {"fail": 0, "warn": 1}
    line = entry.as_dict()
    assert line["ready_share"] == 0.4545
    assert line["query"] == "project = LAR"
    assert line["commit"] is None


def test_history_round_trip_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    assert history.read(path) == ([], [])
    first = history.Entry("2026-09-01T09:00:00Z", 10, 2, {"trade-off": {"fail": 3, "warn": 0}})
    history.append(path, first)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('not json\n{"time": "x", "items": 3, "ready": 5}\n\n[1]\n')
        handle.write('{"time": "2026-09-02T00:00:00Z", "items": 4, "ready": 1}')  # no newline
    history.append(path, history.Entry("2026-09-03T00:00:00Z", 5, 5, commit="b" * 40))
    entries, errors = history.read(path)
    assert [(e.time, e.items, e.ready) for e in entries] == [
        ("2026-09-01T09:00:00Z", 10, 2),
        ("2026-09-02T00:00:00Z", 4, 1),
        ("2026-09-03T00:00:00Z", 5, 5),
    ]
    assert entries[0].checks == {"trade-off": {"fail": 3, "warn": 0}}
    assert entries[2].commit == "b" * 40
    assert [(e.line, e.message.split(";")[0].split(":")[0]) for e in errors] == [
        (2, "history line is not JSON (Expecting value)"),
        (3, "history line skipped"),
        (5, "history line skipped"),
    ]
    assert all(e.path == path.as_posix() for e in errors)
    assert str(errors[0]).startswith(f"{path.as_posix()}:2: error:")


def test_history_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(b"\xff\xfe{}")
    entries, errors = history.read(path)
    assert entries == []
    assert errors[0].message == "history file is not UTF-8 text"


def test_git_commit_inside_and_outside_a_repository(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    assert history.git_commit(outside) is None or _inside_some_repository(outside)
    repo = tmp_path / "repo"
    repo.mkdir()
    git = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.org",
        "-c",
        "commit.gpgsign=false",
    ]
    try:
        subprocess.run([*git, "init", "-q", str(repo)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    assert history.git_commit(repo) is None  # no commit yet
    subprocess.run(
        [*git, "commit", "-q", "--allow-empty", "-m", "x"],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert history.git_commit(repo) == head
    assert history.git_root(repo / ".") == repo.resolve()


def _inside_some_repository(path: Path) -> bool:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, check=False)
    return done.returncode == 0


def test_write_report_writes_the_page_then_appends_the_run(tmp_path: Path) -> None:
    out, trend = tmp_path / "r.html", tmp_path / "h.jsonl"
    now = datetime(2026, 11, 2, 9, 30, 5, 123, tzinfo=timezone.utc)
    request = ReportRequest(output=out, source="examples", history=trend, query="q", now=now)
    outcome = write_report(lint(EXAMPLES), request)
    assert outcome.errors == []
    lines = trend.read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["time"] == "2026-11-02T09:30:05Z" == timestamp(now)
    assert json.loads(lines[0])["query"] == "q"
    assert "5 of 11 items pass" in out.read_text()

    unwritable = ReportRequest(output=tmp_path / "missing" / "r.html", source="x", history=trend)
    from readylint.errors import ReadylintError

    with pytest.raises(ReadylintError, match="cannot write"):
        write_report(lint(EXAMPLES), unwritable)
    assert len(trend.read_text().splitlines()) == 1, "a failed page write must not record a run"


# --- the command -------------------------------------------------------------------------------


def test_report_command_writes_the_page_and_the_trend(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    first = run("report", str(EXAMPLES), "-o", "out.html", "--history", "h.jsonl")
    assert first.code == 0, first.err
    assert first.out == "out.html: 5 of 11 items pass the practical test\n"
    second = run("report", str(EXAMPLES), "-o", "out.html", "--history", "h.jsonl", "--top", "5")
    assert second.code == 0, second.err
    runs = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    assert [(r["items"], r["ready"]) for r in runs] == [(11, 5), (11, 5)]
    assert runs[0]["commit"] is None or re.fullmatch(r"[0-9a-f]{40}", runs[0]["commit"])
    html = (tmp_path / "out.html").read_text()
    assert len(re.findall(r'<td class="rank">\d+<span class="tag">next</span>', html)) == 5
    assert html.count("<circle") == 2
    assert "2 recorded runs" in html


def test_report_command_exit_codes(
    run: Callable[..., Run], write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    assert run("report", str(EXAMPLES), "--fail-on", "error").code == 1
    assert (tmp_path / "readiness.html").is_file()  # the default output
    assert run("report", str(EXAMPLES), "-o", "a.html", "--select", "nope").code == 2
    good = write("good.yaml", ready_items("G-1"))
    bad = write("bad.yaml", "- id: [\n")
    result = run("report", str(good), str(bad), "-o", "b.html")
    assert result.code == 2
    assert result.err.startswith("bad.yaml:1") or "bad.yaml" in result.err
    assert "The 1 item passes" in (tmp_path / "b.html").read_text()
    (tmp_path / "h.jsonl").write_text("oops\n")
    broken = run("report", str(good), "-o", "c.html", "--history", "h.jsonl")
    assert broken.code == 2
    assert "h.jsonl:1: error: history line is not JSON" in broken.err
    assert len((tmp_path / "h.jsonl").read_text().splitlines()) == 2  # still recorded
    assert "h.jsonl:1: error" in (tmp_path / "c.html").read_text()


def test_check_does_not_import_jinja2() -> None:
    code = (
        "import sys\n"
        "from readylint.cli import main\n"
        f"code = main(['check', '-q', {str(EXAMPLES)!r}])\n"
        "heavy = sorted(m for m in ('jinja2', 'markupsafe', 'readylint.report') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "1 []"


def test_link_base_links_to_the_line_below_the_repository_root(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    if history.git_root(EXAMPLES) is None:
        pytest.skip("the examples are not in a git work tree (e.g. an unpacked sdist)")
    base = "https://git.example.org/org/readylint/blob/main/"
    assert run("report", str(EXAMPLES), "-o", "r.html", "--link-base", base).code == 0
    html = (tmp_path / "r.html").read_text()
    assert f'href="{base}examples/backlog/checkout.yaml#L37"' in html
    plain = run("report", str(EXAMPLES), "-o", "sub/p.html")
    assert plain.code == 2  # the directory does not exist: one line, no traceback
    assert plain.err.startswith("readylint: error: sub/p.html: cannot write")


def test_top_zero_marks_no_next_refinement(run: Callable[..., Run], tmp_path: Path) -> None:
    assert run("report", str(EXAMPLES), "-o", "r.html", "--top", "0").code == 0
    html = (tmp_path / "r.html").read_text()
    assert '<span class="tag">next</span>' not in html
    assert "next-refinement items ready" not in html


def test_readme_shows_the_screenshot() -> None:
    readme = (EXAMPLES.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Readiness report", 1)[1].split("\n## ", 1)[0]
    assert "](docs/readiness.png)" in section
    png = EXAMPLES.parents[1] / "docs" / "readiness.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < 200_000, "keep the screenshot small"


def test_report_rows_option_shows_the_first_items_and_says_so(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    limited = run("report", str(EXAMPLES), "-o", "few.html", "--rows", "2")
    assert limited.code == 0, limited.err
    assert limited.out == "few.html: 5 of 11 items pass the practical test\n"
    html = (tmp_path / "few.html").read_text()
    assert html.count('<td class="rank">') == 2
    assert "This page shows the first 2 of 11 items" in html
    assert "<caption>The first 2 of 11 items by" in html
    everything = run("report", str(EXAMPLES), "-o", "all.html", "--rows", "0")
    assert everything.code == 0, everything.err
    html = (tmp_path / "all.html").read_text()
    assert html.count('<td class="rank">') == 11 and "This page shows the first" not in html
