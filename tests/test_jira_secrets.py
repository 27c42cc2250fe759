"""No credential ever surfaces (issue 7): every Jira error path runs with known secret values in
the environment (API token, password, e-mail, personal access token), and no stdout, stderr, log
record (DEBUG, including the jira, requests and urllib3 loggers) or exception text contains any
of them, plainly, URL-encoded or base64-encoded (the Basic auth header is base64 of
``email:token``)."""

from __future__ import annotations

import base64
import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from jira_fake import (
    FIELD_MAP_CONFIG,
    FakeJira,
    Fault,
    can_make_certificates,
    null_issue,
    page_query,
    rotate,
    run_cli,
    self_signed,
    shop_backlog,
    tls_context,
)
from readylint.config import load_config
from readylint.errors import ReadylintError
from readylint.sources import jira_source

EMAIL = "pat.owner+s3cret@corp.example"
TOKEN = "ATATT3xFfGF0-tok3n-8c1f0e2b9d7a"
PASSWORD = "Pa55w0rd!Zx81-q"
PAT = "NjQ4MDU2-dc-pat-9f8e7d6c5b4a"
CONFIG = FIELD_MAP_CONFIG.replace("read_timeout: 2", "read_timeout: 0.3").replace(
    "connect_timeout: 2", "connect_timeout: 0.5"
)
LOGGERS = ("jira", "jira.resilientsession", "requests", "urllib3", "urllib3.connectionpool")


def forms(*values: str) -> set[str]:
    """Each value as it could leak: plain, URL-encoded, base64 (standard, URL-safe, unpadded)."""
    out: set[str] = set()
    for value in values:
        out.update({value, quote(value, safe="")})
        for encoded in (base64.b64encode(value.encode()), base64.urlsafe_b64encode(value.encode())):
            out.update({encoded.decode(), encoded.decode().rstrip("=")})
    return out


# The kinds of credentials: (deployment, environment beyond JIRA_URL, the secrets in play).
KINDS: dict[str, tuple[str, dict[str, str], set[str]]] = {
    "cloud e-mail + API token": (
        "cloud",
        {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN, "JIRA_PAT": PAT},
        forms(EMAIL, TOKEN, PAT, f"{EMAIL}:{TOKEN}"),
    ),
    "server user + password": (
        "server",
        {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": PASSWORD, "JIRA_PAT": PAT},
        forms(EMAIL, PASSWORD, PAT, f"{EMAIL}:{PASSWORD}"),
    ),
    "server personal access token": ("server", {"JIRA_PAT": PAT}, forms(PAT, f"Bearer {PAT}")),
}

Setup = Callable[[FakeJira, Path], list[str]]  # arranges the fault, returns the CLI arguments


def _search(fake: FakeJira) -> str:
    return "search/jql" if fake.mode == "cloud" else "/search"


def _fault(make: Callable[[FakeJira], Fault], *args: str) -> Setup:
    def setup(fake: FakeJira, tmp: Path) -> list[str]:
        fake.inject(make(fake))
        return list(args or ("--project", "SHOP"))

    return setup


def _wrong_secret(fake: FakeJira, tmp: Path) -> list[str]:
    fake.token = fake.pat = "not-what-the-user-has"  # the user's credentials are now wrong
    return ["--project", "SHOP"]


def _config(text: str) -> Setup:
    def setup(fake: FakeJira, tmp: Path) -> list[str]:
        (tmp / ".readylint.yaml").write_text(text, encoding="utf-8")
        return ["--project", "SHOP"]

    return setup


def _null_issue(fake: FakeJira, tmp: Path) -> list[str]:
    fake.issues.append(null_issue("SHOP-8", "0|i0000bb:"))
    return ["--project", "SHOP", "--label-unready", "not-ready"]


def _total_bonus(fake: FakeJira, tmp: Path) -> list[str]:
    fake.total_bonus = 3
    return ["--project", "SHOP"]


def _repeat_token(fake: FakeJira, tmp: Path) -> list[str]:
    fake.repeat_token = True
    return ["--project", "SHOP"]


def _labels(status: int) -> Setup:
    def setup(fake: FakeJira, tmp: Path) -> list[str]:
        fake.find("SHOP-1")["fields"]["labels"] = ["not-ready"]
        fake.inject(Fault("issue/SHOP-3", status, {"errorMessages": ["No."]}, method="PUT"))
        return ["--project", "SHOP", "--label-unready", "not-ready"]

    return setup


def _no_library(fake: FakeJira, tmp: Path) -> list[str]:
    return ["--project", "SHOP"]  # the test hides the jira library for this one


SCENARIOS: dict[str, Setup] = {
    "401 (plain text)": _wrong_secret,
    "403 CAPTCHA": _fault(
        lambda f: Fault("myself", 403, "", {"X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE"})
    ),
    "400 JQL": lambda f, t: ["--jql", "project = SHOP AND (BAD"],
    "400 unknown project": lambda f, t: ["--project", "NOPE"],
    "404 board": lambda f, t: ["--board", "99"],
    "404 base URL": _fault(lambda f: Fault("serverInfo", 404, {"errorMessages": ["Not found"]})),
    "410 removed API": _fault(lambda f: Fault(_search(f), 410, {"errorMessages": ["removed"]})),
    "not a Jira site": _fault(lambda f: Fault("serverInfo", 200, {"hello": "world"})),
    "field list malformed": _fault(lambda f: Fault("field", 200, '{"broken": ')),
    "empty myself": _fault(lambda f: Fault("myself", 200, "")),
    "error quoting the auth header": _fault(lambda f: Fault.echo_auth(_search(f))),
    "502 quoting the auth header": _fault(lambda f: Fault.echo_auth(_search(f), 502)),
    "429 storm": _fault(lambda f: Fault.retry_after(_search(f), 429, "1", count=99)),
    "503 budget": _fault(lambda f: Fault.retry_after(_search(f), 503, "3600")),
    "500 mid-run": _fault(
        lambda f: Fault(_search(f), 500, {"errorMessages": ["Oops"]}, query=page_query(f.mode, 2))
    ),
    "reset mid-body": _fault(lambda f: Fault.reset_mid_body(_search(f), count=99)),
    "truncated JSON": _fault(lambda f: Fault.truncated(_search(f))),
    "HTML 200": _fault(lambda f: Fault.html(_search(f))),
    "read timeout": _fault(lambda f: Fault(_search(f), None, delay=1.0)),
    "slow loris": _fault(lambda f: Fault.slow(_search(f), 0.05)),
    "backlog reordered": _fault(lambda f: Fault.edit(_search(f), rotate, after=1, count=99)),
    "fewer than total": _total_bonus,
    "repeated page token": _repeat_token,
    "issue with every field null": _null_issue,
    "label update refused (403)": _labels(403),
    "label update fails (500)": _labels(500),
    "unknown field": _config("jira:\n  fields:\n    customer_need: Customer Needs\n"),
    "no jira library": _no_library,
}
SLOW = {"read timeout", "slow loris"}  # run these for one kind only: they wait for timeouts
ONLY = {"fewer than total": "server", "repeated page token": "cloud"}  # one deployment's paging
# A bearer token travels in one form only; these paths cover every way a message is built.
BEARER = {"401 (plain text)", "403 CAPTCHA", "error quoting the auth header", "500 mid-run",
          "reset mid-body", "label update refused (403)"}  # fmt: skip


@pytest.fixture
def logs(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> pytest.LogCaptureFixture:
    """Every log record at DEBUG, including the libraries' (the jira library would otherwise
    raise its own logger to CRITICAL when readylint constructs the client)."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    jira_logger = logging.getLogger("jira")
    monkeypatch.setattr(jira_logger, "setLevel", lambda level: None)
    monkeypatch.setattr(jira_source, "_sleep", lambda seconds: None)
    return caplog


def _cases() -> Iterator[Any]:
    for kind, (mode, _, _) in KINDS.items():
        for name in SCENARIOS:
            if (name in SLOW and mode != "cloud") or ONLY.get(name, mode) != mode:
                continue
            if "JIRA_EMAIL" not in KINDS[kind][1] and name not in BEARER:
                continue
            yield pytest.param(kind, name, id=f"{kind}: {name}")


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


@pytest.mark.parametrize(("kind", "name"), list(_cases()))
def test_no_secret_on_any_error_path(
    kind: str,
    name: str,
    logs: pytest.LogCaptureFixture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mode, env, secrets = KINDS[kind]
    fake = FakeJira(mode)  # type: ignore[arg-type]
    fake.issues = shop_backlog()
    fake.page_cap = 2
    fake.email, fake.token, fake.pat = (
        env.get("JIRA_EMAIL", EMAIL),
        env.get("JIRA_API_TOKEN", TOKEN),
        PAT,
    )
    fake.boards = {}
    fake.start()
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".readylint.yaml").write_text(CONFIG, encoding="utf-8")
    try:
        if name == "no jira library":
            monkeypatch.setitem(sys.modules, "jira", None)
        args = SCENARIOS[name](fake, tmp_path)
        run = run_cli(["check", *args], {"JIRA_URL": fake.url, **env}, monkeypatch, capsys)
        assert run.code == 2, (name, run.out, run.err)  # every scenario is an error path
        texts = {"stdout": run.out, "stderr": run.err}
        # The same path through the source: the exception and its whole chain.
        if name not in SLOW:
            error = _source_error(fake, {"JIRA_URL": fake.url, **env}, args)
            texts["exception"] = error
    finally:
        fake.stop()
    for record in logs.records:
        texts[f"log {record.name}"] = texts.get(f"log {record.name}", "") + "\n" + _record(record)
    for where, text in texts.items():
        assert not _leaks(text, secrets), f"{where} leaks {_leaks(text, secrets)}: {text[:500]}"
    if name != "no jira library":  # the DEBUG capture really saw the HTTP library's records
        assert any(r.name.startswith("urllib3") for r in logs.records)


def _record(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += "".join(traceback.format_exception(*record.exc_info))
    return text + (record.exc_text or "") + repr(record.args)


def _source_error(fake: FakeJira, env: dict[str, str], args: list[str]) -> str:
    """Read (and label) through ``JiraBacklog`` itself; the text of whatever it raised."""
    from readylint import app
    from readylint.app import Selection, build_engine

    config = load_config(None)
    option = dict(zip(args[::2], args[1::2], strict=False))
    request = jira_source.JiraRequest(
        jql=option.get("--jql"),
        project=option.get("--project"),
        board=int(option["--board"]) if "--board" in option else None,
    )
    try:
        backlog = jira_source.JiraBacklog(config, request, env=env, echo=lambda line: None)
        engine, checks = build_engine(config, Selection())
        source = backlog.read(engine.known_keys)
        result = app.lint(source, engine, checks)
        backlog.apply_labels(result, "not-ready", dry_run=False)
    except ReadylintError as exc:
        chain: list[str] = []
        seen: BaseException | None = exc
        while seen is not None:
            chain.append(str(seen) + repr(seen))
            seen = seen.__cause__ or seen.__context__
        chain.append("".join(traceback.format_exception(exc)))
        return "\n".join(chain)
    return ""


@pytest.mark.skipif(not can_make_certificates(), reason="needs the openssl command or cryptography")
def test_no_secret_when_tls_verification_fails(
    logs: pytest.LogCaptureFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    made = self_signed(tmp_path)
    assert made is not None
    fake = FakeJira("cloud")
    fake.email, fake.token = EMAIL, TOKEN
    fake.start(tls=tls_context(*made))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    try:
        env = {"JIRA_URL": fake.url, "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": TOKEN}
        run = run_cli(["check", "--project", "SHOP"], env, monkeypatch, capsys)
    finally:
        fake.stop()
    assert run.code == 2 and "TLS verification failed" in run.err
    secrets = forms(EMAIL, TOKEN, f"{EMAIL}:{TOKEN}")
    everything = run.all + "\n".join(_record(r) for r in logs.records)
    assert not _leaks(everything, secrets)
