"""Jira: readylint's fetch-and-lint of 10,000 issues beside a plain ``requests`` page loop.

The server is the test suite's fake Jira (tests/jira_fake.py), run in its own process so that
its work does not share the benchmark's interpreter lock, once in Cloud mode (enhanced search,
``nextPageToken``, API v3: descriptions and answer fields in ADF) and once in Data Center mode
(``startAt``/``total``, API v2: wiki markup). The issues are seeded and realistic: titles and
answer sentences from ../shared/corpus/ as benchmarks/generate.py draws them, 70% answering in
custom fields and 30% under description headings, 20% of answers left out.

For each mode, best of ``--repeat`` runs (wall seconds; "cpu" is this process's CPU time, the
client's own cost, steadier than wall time on a shared machine):
  plain         GET the same pages (same JQL, page size and fields) with requests, r.json() each
  fetch         readylint's JiraBacklog.read(): connect, page, parse, build the backlog items
  lint          readylint's app.lint() on those items (the engine only)
  fetch+lint    the whole `readylint check --project BENCH --format json`, in process

The fake answers a page in a few milliseconds, far faster than a real site, so the client's
share of the time is as large as it can be. ``--latency 0.02`` makes every search page take
20 ms more on the server, which shows what fetching pages ahead of their turn, and checking
each page while the next one travels, buy.

Bar (issue 6): fetch+lint within 1.3x of the plain loop. Printed as PASS or with the shortfall.

    python benchmarks/bench_jira.py [--issues 10000] [--repeat 3] [--modes cloud,server]
                                    [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from generate import corpus_texts  # noqa: E402

FIELD_IDS = {
    "customer_need": "customfield_10042",
    "business_reason": "customfield_10043",
    "trade_off": "customfield_10044",
    "expected_outcome": "customfield_10045",
    "ordering_rationale": "customfield_10046",
}
HEADINGS = {
    "customer_need": "Customer need",
    "business_reason": "Business reason",
    "trade_off": "Trade-off",
    "expected_outcome": "Expected outcome",
    "ordering_rationale": "Why now",
}
JQL = 'project = "BENCH" AND statusCategory != Done ORDER BY Rank ASC'
PAGE_SIZE = 100
BAR = 1.3


def _adf(blocks: list[tuple[str | None, str]]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for heading, text in blocks:
        if heading:
            content.append(
                {"type": "heading", "attrs": {"level": 3},
                 "content": [{"type": "text", "text": heading}]}
            )  # fmt: skip
        content.append({"type": "paragraph", "content": [{"type": "text", "text": text}]})
    return {"type": "doc", "version": 1, "content": content}


def make_issues(count: int, mode: str, seed: int = 20261124) -> list[dict[str, Any]]:
    """Seeded issues in the fake's store format, with real text from the corpus."""
    from jira_fake import issue

    rng = random.Random(seed)
    titles, sentences, _ = corpus_texts()
    out: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        present = [a for a in FIELD_IDS if rng.random() < 0.8]
        answers = {
            a: " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3))) for a in present
        }
        custom: dict[str, Any] = {}
        intro = rng.choice(sentences)
        if rng.random() < 0.7:  # answers in custom fields
            for answer, text in answers.items():
                custom[FIELD_IDS[answer]] = _adf([(None, text)]) if mode == "cloud" else text
            blocks: list[tuple[str | None, str]] = [(None, intro)]
        else:  # answers under description headings
            blocks = [(None, intro), *((HEADINGS[a], t) for a, t in answers.items())]
        if mode == "cloud":
            description: Any = _adf(blocks)
        else:
            description = "\n\n".join(f"h3. {h}\n{t}" if h else t for h, t in blocks)
        out.append(
            issue(
                f"BENCH-{n}",
                rng.choice(titles)[:250] or f"Item {n}",
                f"0|i{n:07d}:",
                description=description,
                type_name=rng.choice(("Story", "Story", "Story", "Bug", "Task")),
                labels=tuple(
                    rng.sample(("backend", "ux", "q3", "checkout", "mobile"), rng.randint(0, 2))
                ),
                **custom,
            )
        )
    return out


def _serve(
    mode: str, count: int, conn: Connection, latency: float = 0.0, on: str = "search"
) -> None:
    """Child process: the fake Jira with ``count`` issues until the parent says stop; each
    request whose path holds ``on`` (by default each page of the search) takes at least
    ``latency`` seconds (a real site takes 0.1 s or more)."""
    from jira_fake import FakeJira, Fault

    fake = FakeJira(mode)  # type: ignore[arg-type]
    fake.issues = make_issues(count, mode)
    # Nothing edits the store here: answer each query from a cache, so the fake spends its time
    # on the pages themselves and the client's share of the time is not diluted.
    search, answers = fake.search, {}

    def cached(jql: str) -> tuple[int, Any]:
        if jql not in answers:
            answers[jql] = search(jql)
        return answers[jql]

    fake.search = cached  # type: ignore[method-assign]
    if latency:
        fake.inject(Fault(on, None, delay=latency, count=10**9))
    fake.start()
    conn.send((fake.url, fake.env()))
    conn.recv()
    fake.stop()


def enter_project(directory: str, mode: str, env: dict[str, str]) -> None:
    """Make ``directory`` the current one, holding a config that maps the answer fields for
    this mode's fake, with exactly the fake's Jira variables set."""
    version = "3" if mode == "cloud" else "2"
    mapping = "".join(f"    {a}: {fid}\n" for a, fid in FIELD_IDS.items())
    Path(directory, ".readylint.yaml").write_text(
        f'jira:\n  api_version: "{version}"\n  page_size: {PAGE_SIZE}\n  fields:\n{mapping}',
        encoding="utf-8",
    )
    os.chdir(directory)
    for name in ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT"):
        os.environ.pop(name, None)
    os.environ.update(env)


def plain_loop(url: str, env: dict[str, str], mode: str, fields: str) -> int:
    """The baseline: the same pages with a plain requests session, JSON-decoded."""
    import requests

    session = requests.Session()
    if mode == "cloud":
        session.auth = (env["JIRA_EMAIL"], env["JIRA_API_TOKEN"])
    else:
        session.headers["Authorization"] = f"Bearer {env['JIRA_PAT']}"
    read = 0
    if mode == "cloud":
        token: str | None = None
        while True:
            params: dict[str, str | int] = {"jql": JQL, "maxResults": PAGE_SIZE, "fields": fields}
            if token:
                params["nextPageToken"] = token
            page = session.get(f"{url}/rest/api/3/search/jql", params=params).json()
            read += len(page["issues"])
            token = page.get("nextPageToken")
            if not token:
                return read
    start = 0
    while True:
        params = {"jql": JQL, "startAt": start, "maxResults": PAGE_SIZE, "fields": fields}
        page = session.get(f"{url}/rest/api/2/search", params=params).json()
        read += len(page["issues"])
        start += len(page["issues"])
        if not page["issues"] or start >= page["total"]:
            return read


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(least wall seconds, least CPU seconds, the last value) over ``repeat`` runs."""
    walls: list[float] = []
    cpus: list[float] = []
    value: Any = None
    for _ in range(repeat):
        cpu, start = time.process_time(), time.perf_counter()
        value = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), value


def bench_mode(mode: str, count: int, repeat: int, latency: float) -> dict[str, float]:
    from readylint import app, cli
    from readylint.config import load_config
    from readylint.sources.jira_source import BASE_FIELDS, JiraBacklog, JiraRequest

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(mode, count, child, latency), daemon=True)
    server.start()
    url, env = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            enter_project(tmp, mode, env)
            fields = ",".join((*BASE_FIELDS, *FIELD_IDS.values()))
            config = load_config(None)
            engine, checks = app.build_engine(config, app.Selection())

            def fetch() -> Any:
                backlog = JiraBacklog(config, JiraRequest(project="BENCH"), echo=lambda s: None)
                return backlog.read(engine.known_keys)

            def whole() -> int:
                sink = io.StringIO()
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(io.StringIO()):
                    code = cli.main(["check", "--project", "BENCH", "--format", "json"])
                if code not in (0, 1):
                    raise SystemExit(f"readylint check exited {code}")
                return len(sink.getvalue())

            plain_loop(url, env, mode, fields)  # warm the server's and the client's caches
            t_plain, c_plain, read = best(lambda: plain_loop(url, env, mode, fields), repeat)
            t_fetch, c_fetch, source = best(fetch, repeat)
            t_lint, _, result = best(lambda: app.lint(source, engine, checks), repeat)
            t_whole, _, _ = best(whole, repeat)
            os.chdir(ROOT)
    finally:
        parent.send("stop")
        server.join(5)
    items = len(source.items)
    assert read == count, f"the plain loop read {read} of {count} issues"
    assert not source.errors, source.errors[:3]
    print(
        f"{mode:>6} {count:>6} {items:>6} {t_plain:>8.3f} {t_fetch:>8.3f} {t_lint:>8.3f}"
        f" {t_whole:>10.3f} {t_fetch / t_plain:>9.2f} {t_whole / t_plain:>10.2f}"
        f" {t_lint / max(len(result.items), 1) * 1e3:>9.3f} {c_plain:>9.3f} {c_fetch:>9.3f}"
    )
    return {"plain": t_plain, "fetch": t_fetch, "lint": t_lint, "whole": t_whole}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="cloud,server")
    parser.add_argument("--latency", type=float, default=0.0, help="extra seconds per page")
    args = parser.parse_args()
    _, _, from_corpus = corpus_texts(limit=10)
    if not from_corpus:
        print("note: ../shared/corpus/ is absent; built-in phrases stand in for real text")
    print(
        f"{'mode':>6} {'issues':>6} {'items':>6} {'plain s':>8} {'fetch s':>8} {'lint s':>8}"
        f" {'fetch+lint':>10} {'fetch/pl':>9} {'f+l/plain':>10} {'lint ms/it':>9}"
        f" {'cpu plain':>9} {'cpu fetch':>9}"
    )
    results = {
        m: bench_mode(m, args.issues, args.repeat, args.latency) for m in args.modes.split(",")
    }
    print(f"(server latency per page: {args.latency:g}s; best of {args.repeat})")
    print()
    for mode, r in results.items():
        ratio = r["whole"] / r["plain"]
        if ratio <= BAR:
            print(f"PASS   {mode}: fetch+lint {r['whole']:.2f}s is {ratio:.2f}x the plain loop"
                  f" {r['plain']:.2f}s (bar {BAR}x)")  # fmt: skip
        else:
            over = r["whole"] - BAR * r["plain"]
            print(f"SHORT  {mode}: fetch+lint {r['whole']:.2f}s is {ratio:.2f}x the plain loop"
                  f" {r['plain']:.2f}s (bar {BAR}x): {over:.2f}s over; fetch alone is"
                  f" {r['fetch'] / r['plain']:.2f}x, lint alone {r['lint']:.2f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
