"""TLS (issue 7): certificates are verified unless the user turns it off, against a local HTTPS
server whose self-signed certificate is made in the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jira_fake import (
    FIELD_MAP_CONFIG,
    FakeJira,
    Run,
    can_make_certificates,
    run_cli,
    self_signed,
    shop_backlog,
    tls_context,
)
from readylint.config import load_config
from readylint.errors import SourceError
from readylint.sources import jira_source

pytestmark = pytest.mark.skipif(
    not can_make_certificates(), reason="needs the openssl command or the cryptography package"
)


@pytest.fixture
def https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeJira, Path]]:
    made = self_signed(tmp_path)
    assert made is not None
    fake = FakeJira("cloud")
    fake.issues = shop_backlog()
    fake.start(tls=tls_context(*made))
    (tmp_path / ".readylint.yaml").write_text(FIELD_MAP_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield fake, made[0]
    fake.stop()


def check(fake: FakeJira, monkeypatch: Any, capsys: Any, *args: str) -> Run:
    return run_cli(["check", "--project", "SHOP", *args], fake.env(), monkeypatch, capsys)


def test_a_self_signed_certificate_fails_with_one_clear_line(
    https: tuple[FakeJira, Path], monkeypatch: Any, capsys: Any
) -> None:
    fake, _ = https
    run = check(fake, monkeypatch, capsys)
    assert run.code == 2 and run.out == ""
    assert run.err.splitlines() == [
        f"readylint: error: TLS verification failed for {fake.url} while reading serverInfo;"
        " point REQUESTS_CA_BUNDLE at the CA certificate that signed the server's certificate,"
        " or, only for a server you trust, pass --insecure"
    ]
    assert fake.requests == []  # the handshake failed: not even the URL reached the server


def test_verification_is_on_by_default(https: tuple[FakeJira, Path]) -> None:
    fake, _ = https
    backlog = jira_source.JiraBacklog(
        load_config(None), jira_source.JiraRequest(project="SHOP"), env=fake.env()
    )
    with pytest.raises(SourceError, match="TLS verification failed"):
        backlog.connect()
    assert backlog.client is not None and backlog.client._session.verify is True


def test_the_explicit_opt_out_reads_and_warns(
    https: tuple[FakeJira, Path], monkeypatch: Any, capsys: Any
) -> None:
    fake, _ = https
    run = check(fake, monkeypatch, capsys, "--insecure")
    assert run.code == 1, run.err
    assert run.err.splitlines() == [
        f"readylint: warning: --insecure: the TLS certificate of {fake.url} is not verified;"
        " anyone on the network path could read the credentials"
    ]  # once, and no InsecureRequestWarning per request
    assert "SHOP-3 customer-need" in run.out


def test_a_ca_bundle_makes_the_certificate_trusted(
    https: tuple[FakeJira, Path], monkeypatch: Any, capsys: Any
) -> None:
    fake, certificate = https
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
    run = check(fake, monkeypatch, capsys)
    assert run.code == 1, run.err
    assert run.err == ""  # verified: no warning
    assert "SHOP-3 customer-need" in run.out


def test_a_ca_bundle_that_did_not_sign_it_still_fails(
    https: tuple[FakeJira, Path], tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    fake, _ = https
    other = tmp_path / "other"
    other.mkdir()
    made = self_signed(other)
    assert made is not None
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(made[0]))
    run = check(fake, monkeypatch, capsys)
    assert run.code == 2 and "TLS verification failed" in run.err
