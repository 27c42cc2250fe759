"""Read backlog items from Jira Cloud or Data Center, in rank order, through the ``jira`` library.

Flow: connect (``serverInfo`` decides Cloud versus Server/Data Center), prove the credentials
once (``myself``), resolve the field map through ``GET /field``, then page through the search,
asking only for the fields the checks need:

- Cloud: the enhanced search ``/search/jql``, following ``nextPageToken`` (there is no total);
  each next page is requested while the current one is converted; a repeated token stops;
- Server/Data Center: ``/search`` with ``startAt``/``maxResults``: the first page gives ``total``
  and the server's page size, the rest are fetched ``SERVER_WORKERS`` at a time and used in order;
- a board: the Agile API's ``board/{id}/backlog``, in board order, paged like Data Center.

Every request goes through the ``jira`` library's session (its auth, TLS verification, timeouts)
and readylint parses the raw JSON itself, whole, before using any issue on a page. The library's
own retries are off: readylint retries 429 and 503 (honouring ``Retry-After`` in seconds or as an
HTTP date) and connections that broke off, bounded in count and total wait, saying on stderr that
it waits; each attempt must finish within ``connect_timeout + read_timeout`` (a drip-fed answer
cannot stall the run). A read is complete or it is an error: fewer issues than ``total``, a
``total`` that changes, an issue that comes back twice (the backlog was reordered: read again
once). Errors become one ``SourceError`` line built here, outside any ``except`` block, so the
library's exception text (which carries headers and bodies) is never shown or chained; any
credential (plain or base64) in Jira's own message is masked. Credentials come only from the
environment and are never printed; the e-mail is named by its variable.

This module imports ``jira`` and ``requests`` lazily: importing it costs nothing on the YAML path.
"""

from __future__ import annotations

import base64
import difflib
import ipaddress
import json
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar
from urllib.parse import quote, urlsplit

from readylint.config import Config, JiraConfig
from readylint.errors import ConfigError, SourceError
from readylint.keys import normalise_key, suggest
from readylint.models import (
    BacklogItem,
    FieldValue,
    InputError,
    ItemSink,
    Location,
    RunResult,
    SourceResult,
)
from readylint.sources.jira_text import plain_value, rich_text
from readylint.text import whole

if TYPE_CHECKING:  # pragma: no cover - typing only
    from jira import JIRA
    from jira.exceptions import JIRAError

    from readylint.progress import Progress

T = TypeVar("T")
Echo = Callable[[str], None]
_Send = Callable[[], Any]  # one request through the library's session -> its Response
_Fetch = Callable[[int, int], _Send]  # (startAt, maxResults) -> the request for that page

ENV_URL = "JIRA_URL"
ENV_EMAIL = "JIRA_EMAIL"
ENV_TOKEN = "JIRA_API_TOKEN"
ENV_PAT = "JIRA_PAT"

RANK_ORDER = "ORDER BY Rank ASC"
BASE_FIELDS = ("summary", "issuetype", "status", "labels", "description")
MAX_PAGES = 100_000  # a server that never ends the paging is an error, not an endless loop
MAX_EMPTY_PAGES = 10  # Cloud: empty pages in a row that each say more follow
SERVER_WORKERS = 4  # startAt pages in flight at once (Data Center search, board backlogs)
LABEL_WORKERS = 4  # --label-unready: label updates in flight at once
MAX_MESSAGE = 300
_ORDER_BY = re.compile(r"\border\s+by\b", re.I)
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_PROJECT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "temporary failure in name resolution",
    "nameresolutionerror",
    "no address associated",
    "failed to resolve",
)

# Replaced in tests to keep retry waits instant; everything else calls time.sleep.
_sleep: Callable[[float], None] = time.sleep


# --- what to read ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JiraRequest:
    """The Jira options given on the command line (each overrides the config's ``jira:`` key)."""

    jql: str | None = None
    project: str | None = None
    board: int | None = None
    insecure: bool = False

    def given(self) -> bool:
        return self.jql is not None or self.project is not None or self.board is not None


def wanted(request: JiraRequest, config: Config) -> bool:
    """Whether this run reads Jira: a Jira option on the command line, or a selection in config."""
    settings = config.jira
    return request.given() or any(
        v is not None for v in (settings.jql, settings.project, settings.board)
    )


@dataclass(frozen=True)
class Selection:
    """Exactly one of a JQL query and a board, plus notices about how the JQL was completed."""

    jql: str | None
    board: int | None
    notices: tuple[str, ...] = ()


def project_jql(key: str) -> str:
    """The backlog of a project: every issue not done, in rank order."""
    if not _PROJECT_KEY.match(key):
        raise ConfigError(f"--project: '{key}' is not a Jira project key (such as SHOP)")
    return f'project = "{key}" AND statusCategory != Done {RANK_ORDER}'


def has_order_by(jql: str) -> bool:
    """Whether a JQL query has an ORDER BY clause (quoted strings are ignored)."""
    return bool(_ORDER_BY.search(_QUOTED.sub('""', jql)))


def select(request: JiraRequest, config: Config) -> Selection:
    """The query or board to read: the command line wins, else the config's ``jira:`` section."""
    given = [
        name
        for name, value in (
            ("--jql", request.jql),
            ("--project", request.project),
            ("--board", request.board),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigError(f"use only one of {', '.join(given)}")
    jql, project, board = request.jql, request.project, request.board
    if not given:
        settings = config.jira
        chosen = [
            k
            for k, v in (
                ("jql", settings.jql),
                ("project", settings.project),
                ("board", settings.board),
            )
            if v is not None
        ]
        if len(chosen) > 1:
            raise ConfigError(
                f"jira: set only one of {', '.join(chosen)} (or choose on the command line)",
                path=config.source,
            )
        jql, project, board = settings.jql, settings.project, settings.board
    if board is not None:
        return Selection(None, board)
    if project is not None:
        return Selection(project_jql(project), None)
    if jql is None or not jql.strip():
        raise ConfigError("the JQL query is empty; write one, e.g. --jql 'project = SHOP'")
    jql = jql.strip()
    if has_order_by(jql):
        return Selection(jql, None)
    return Selection(
        f"{jql} {RANK_ORDER}",
        None,
        (
            f"the JQL had no ORDER BY, so readylint appended '{RANK_ORDER}' to read the backlog in rank order",
        ),
    )


# --- credentials -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """Basic auth (Cloud: e-mail and API token) or a bearer personal access token (Data Center)."""

    kind: Literal["basic", "bearer"]
    user: str | None
    secret: str = field(repr=False)

    @property
    def who(self) -> str:
        """The credentials, by the variables that hold them (never the values, nor the e-mail)."""
        if self.kind == "basic":
            return f"the credentials in {ENV_EMAIL} and {ENV_TOKEN}"
        return f"the personal access token in {ENV_PAT}"

    @property
    def account(self) -> str:
        if self.kind == "basic":
            return f"the account in {ENV_EMAIL}"
        return f"the account of the token in {ENV_PAT}"

    def forms(self) -> list[str]:
        """Every form in which a credential could surface: plain, and base64 as in the
        ``Authorization`` header (``email:token``), longest first."""
        plain = [v for v in (self.secret, self.user) if v]
        if self.user:
            plain.append(f"{self.user}:{self.secret}")
        forms = set(plain)
        for value in plain:
            raw = value.encode()
            for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
                text = encoded.decode()
                forms.update((text, text.rstrip("=")))
        return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)

    @property
    def variables(self) -> str:
        if self.kind == "basic":
            return (
                f"check that {ENV_EMAIL} holds the account's e-mail and {ENV_TOKEN} an API token"
                " from id.atlassian.com (not the password)"
            )
        return f"check {ENV_PAT} (a Data Center personal access token that has not expired)"


def credentials_from_env(env: Mapping[str, str]) -> Credentials:
    """JIRA_EMAIL + JIRA_API_TOKEN when both are set, else JIRA_PAT; never from arguments."""
    email = env.get(ENV_EMAIL, "").strip()
    token = env.get(ENV_TOKEN, "").strip()
    pat = env.get(ENV_PAT, "").strip()
    if email and token:
        return Credentials("basic", email, token)
    if pat:
        return Credentials("bearer", None, pat)
    if email or token:
        missing = ENV_TOKEN if email else ENV_EMAIL
        raise ConfigError(
            f"{missing} is not set; Jira Cloud needs both {ENV_EMAIL} and {ENV_TOKEN}"
            f" (or set {ENV_PAT} for Data Center)"
        )
    raise ConfigError(
        f"no Jira credentials: set {ENV_EMAIL} and {ENV_TOKEN} (Jira Cloud) or {ENV_PAT}"
        " (Data Center personal access token) in the environment"
    )


def server_url(settings: JiraConfig, env: Mapping[str, str]) -> str:
    """JIRA_URL, else the config's ``jira.url``; an http(s) URL without a trailing slash."""
    url = (env.get(ENV_URL) or settings.url or "").strip()
    if not url:
        raise ConfigError(f"no Jira URL: set {ENV_URL} or jira.url in the config")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"the Jira URL '{url}' is not an http(s) URL such as https://example.atlassian.net"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            "the Jira URL must be the site's base URL, without query, fragment or credentials"
        )
    return url.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the field map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedField:
    answer: str  # normalised answer field, e.g. customer_need
    id: str  # Jira field id, e.g. customfield_10042
    name: str  # Jira display name, e.g. Customer Need


def resolve_fields(
    mapping: Mapping[str, str], jira_fields: Sequence[Mapping[str, Any]], where: str | None
) -> list[MappedField]:
    """Each ``answer: Jira field`` pair resolved to a field id, by id, name or JQL clause name."""
    by_id: dict[str, Mapping[str, Any]] = {}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for f in jira_fields:
        fid, name = f.get("id"), f.get("name")
        if not isinstance(fid, str):
            continue
        by_id[fid.casefold()] = f
        key = f.get("key")
        if isinstance(key, str):
            by_id.setdefault(key.casefold(), f)
        names = {name} if isinstance(name, str) else set()
        clauses = f.get("clauseNames")
        if isinstance(clauses, list):
            names.update(c for c in clauses if isinstance(c, str))
        for n in names:
            bucket = by_name.setdefault(n.casefold(), [])
            if f not in bucket:
                bucket.append(f)
    resolved: list[MappedField] = []
    for answer, ref in mapping.items():
        wanted_ref = ref.strip()
        found = by_id.get(wanted_ref.casefold())
        if found is None:
            matches = by_name.get(wanted_ref.casefold(), [])
            if len(matches) > 1:
                ids = ", ".join(f"'{m.get('id')}'" for m in matches)
                raise ConfigError(
                    f"jira.fields.{answer}: several Jira fields are named '{ref}' ({ids});"
                    " write the id of the one you mean",
                    path=where,
                )
            found = matches[0] if matches else None
        if found is None:
            raise ConfigError(
                f"jira.fields.{answer}: Jira has no field named '{ref}'; {_closest(ref, jira_fields)}",
                path=where,
            )
        resolved.append(
            MappedField(normalise_key(answer), str(found["id"]), str(found.get("name") or ref))
        )
    return resolved


def _closest(ref: str, jira_fields: Sequence[Mapping[str, Any]]) -> str:
    labels = {
        str(f["name"]).casefold(): f"'{f['name']}' ({f.get('id')})"
        for f in jira_fields
        if isinstance(f.get("name"), str)
    }
    close = difflib.get_close_matches(ref.casefold(), list(labels), n=3, cutoff=0.5)
    if close:
        return "closest field names: " + ", ".join(labels[c] for c in close)
    return "write a field name or id as listed by GET /rest/api/2/field"


# --- retries -----------------------------------------------------------------------------------


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


# --- the reader --------------------------------------------------------------------------------


def _stderr(message: str) -> None:
    # One write per line: label updates running at once say their retries from their threads.
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class _Deadline(Exception):
    """A request did not finish (connect, headers and body) within its deadline."""


class _BacklogChanged(SourceError):
    """The backlog changed while it was paged through: an issue may have been missed."""


class _Background(Generic[T]):
    """``fn`` running on a daemon thread: a stalled socket can never keep the process alive."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._done = threading.Event()
        self._value: list[T] = []
        self._error: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(fn,), name="readylint-jira", daemon=True
        )
        self._thread.start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self._value.append(fn())
        except BaseException as exc:  # handed to whoever waits for the result
            self._error.append(exc)
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> T:
        if not self._done.wait(timeout):
            raise _Deadline
        self._thread.join()  # it has finished: gone at once, so only live threads are counted
        if self._error:
            raise self._error[0]
        return self._value[0]


@dataclass(frozen=True)
class _Page:
    """One page of issues, parsed whole before any issue on it is used."""

    number: int
    what: str  # "reading page 3 of the search (after 200 issues)", for messages
    issues: list[dict[str, Any]]


def _backoff(attempt: int) -> float:
    return float(min(2**attempt, 30))


def _transient(exc: Exception) -> bool:
    """A connection that broke off (reset, closed early, body cut short): worth a retry."""
    import requests

    errors = requests.exceptions
    if isinstance(exc, errors.ChunkedEncodingError | errors.ContentDecodingError):
        return True
    if isinstance(exc, errors.SSLError | errors.ProxyError | errors.Timeout):
        return False
    if isinstance(exc, errors.ConnectionError):
        low = str(exc).lower()
        return any(hint in low for hint in _BROKEN_HINTS)
    return False


_BROKEN_HINTS = (
    "reset",
    "aborted",
    "remotedisconnected",
    "remote end closed",
    "broken pipe",
    "incompleteread",
    "connection broken",
)


class JiraBacklog:
    """A connection to one Jira site: reads the selected backlog and can write labels back."""

    def __init__(
        self,
        config: Config,
        request: JiraRequest,
        *,
        env: Mapping[str, str] | None = None,
        echo: Echo | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.settings = config.jira
        self.request = request
        env = os.environ if env is None else env
        self.selection = select(request, config)
        self.base = server_url(self.settings, env)
        self.credentials = credentials_from_env(env)
        self.progress = progress  # the run's progress line, on a terminal (progress.py)
        self.echo = echo or (progress.echo if progress is not None else _stderr)
        self.cloud = False
        self.client: JIRA | None = None
        self._sink: ItemSink | None = None  # during ``read`` only
        self.mapped: list[MappedField] = []
        parts = urlsplit(self.base)
        self.host = parts.hostname or self.base
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.scheme = parts.scheme

    # -- connecting -------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the session, detect the deployment, prove the credentials, read the field list."""
        try:
            from jira import JIRA
        except ImportError:
            raise SourceError(
                "reading Jira needs the jira library: pip install 'readylint[jira]'"
            ) from None
        insecure = self.request.insecure
        if insecure:
            import warnings

            from urllib3.exceptions import InsecureRequestWarning

            warnings.simplefilter("ignore", InsecureRequestWarning)
            self.echo(
                f"readylint: warning: --insecure: the TLS certificate of {self.base} is not"
                " verified; anyone on the network path could read the credentials"
            )
        if self.scheme == "http" and not _loopback(self.host):
            self.echo(
                f"readylint: warning: {self.base} uses http://, so the credentials travel"
                " unencrypted; use the https:// URL"
            )
        auth: dict[str, Any]
        if self.credentials.kind == "basic":
            auth = {"basic_auth": (self.credentials.user, self.credentials.secret)}
        else:
            auth = {"token_auth": self.credentials.secret}
        # The library provides the session (auth, TLS verification, timeouts, JSON headers);
        # readylint sends its few requests through it and parses the raw JSON itself: faster
        # than Resource objects, and the library never logs a response body.
        self.client = JIRA(
            server=self.base,
            options={
                "rest_api_version": self.settings.api_version,
                "verify": not insecure,
                "check_update": False,
            },
            get_server_info=False,  # read below, with readylint's own error handling
            max_retries=0,  # readylint retries 429/503 and broken connections itself (_call)
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            logging=False,
            **auth,
        )
        info = self._get("reading serverInfo", "serverInfo")
        if not isinstance(info, dict):
            raise SourceError(self._malformed("reading serverInfo"))
        versions = info.get("versionNumbers")
        if not isinstance(versions, list):
            raise SourceError(
                f"{self.base}/rest/api/{self.settings.api_version}/serverInfo has no versionNumbers;"
                f" is {self.base} a Jira site? Check {ENV_URL} or jira.url"
            )
        deployment = info.get("deploymentType")
        self.cloud = deployment == "Cloud" or (
            deployment is None and self.host.endswith(".atlassian.net")
        )
        me = self._get("checking the credentials (GET myself)", "myself")
        if not isinstance(me, dict):
            raise SourceError(self._malformed("checking the credentials (GET myself)"))
        jira_fields = self._get("reading the field list (GET field)", "field")
        if not isinstance(jira_fields, list):
            raise SourceError(self._malformed("reading the field list (GET field)"))
        self.mapped = resolve_fields(self.settings.fields, jira_fields, self.config.source)

    # -- reading ----------------------------------------------------------------------------

    def read(
        self, known_keys: frozenset[str] | None = None, sink: ItemSink | None = None
    ) -> SourceResult:
        """All issues of the selection, in Jira's order, as backlog items ranked 1..n.

        ``sink`` takes each page's items as soon as they are built, and works while the next
        page travels (see ``ItemSink``); the items are then the sink's, and the result holds
        none of them (only the errors and notices).

        Every page is parsed whole before its issues are used. A read is complete or it is an
        error: a page that fails after retries, fewer issues than Jira's ``total``, a ``total``
        that changes between pages, or an issue that comes back twice (the backlog was reordered
        during the read, so another issue may have been skipped). The last two read the backlog
        once more from the start; if it changes again, the run stops with nothing reported.
        """
        if known_keys is not None:
            for answer in self.settings.fields:
                name = normalise_key(answer)
                if name not in known_keys:
                    hint = suggest(name, sorted(known_keys), cutoff=0.7)
                    raise ConfigError(
                        f"jira.fields: '{answer}' is not an answer field readylint knows"
                        + (f" (did you mean '{hint}'?)" if hint else "")
                        + "; use a check's answer field such as customer_need or trade_off",
                        path=self.config.source,
                    )
        if self.client is None:
            self.connect()
        wanted_fields = list(dict.fromkeys((*BASE_FIELDS, *(m.id for m in self.mapped))))
        self._sink = sink
        try:
            try:
                return self._read_once(wanted_fields)
            except _BacklogChanged as exc:
                self.echo(f"readylint: {exc.message}; reading it again from the start")
            try:
                return self._read_once(wanted_fields)
            except _BacklogChanged as exc:
                changed = exc.message
        finally:
            self._sink = None
        raise SourceError(
            f"{changed}, on the second read too; nothing is reported, since an issue may have"
            " been missed; run again when the backlog is not being reordered"
        )

    def _pages(self, wanted_fields: list[str]) -> Iterator[_Page]:
        board = self.selection.board
        if board is not None:
            return self._offset_pages(
                self._board_fetch(board, wanted_fields), f"the backlog of board {board}"
            )
        if self.cloud:
            return self._cloud_pages(wanted_fields)
        return self._offset_pages(self._search_fetch(wanted_fields), "the search")

    def _read_once(self, wanted_fields: list[str]) -> SourceResult:
        items: list[BacklogItem] = []
        result = SourceResult(items, notices=list(self.selection.notices))
        first_page: dict[str, int] = {}
        skipped: list[str] = []
        types = {t.casefold() for t in self.settings.issue_types}
        count = 0
        taken = 0  # items handed to the sink (which keeps them; ``items`` then does not)
        pages = self._pages(wanted_fields)
        try:
            for page in pages:
                for raw in page.issues:
                    key = raw.get("key")
                    if not isinstance(key, str) or not key.strip():
                        raise SourceError(
                            f"Jira at {self.base} returned an issue without a key while"
                            f" {page.what}; the response is malformed, so nothing is reported"
                        )
                    key = whole(key)
                    if key in first_page:
                        where = (
                            f"twice on page {page.number}"
                            if first_page[key] == page.number
                            else f"on page {first_page[key]} and again on page {page.number}"
                        )
                        raise _BacklogChanged(
                            f"{key} came back {where} of {self._what_read()}: the backlog"
                            " changed while readylint read it"
                        )
                    first_page[key] = page.number
                    fields = raw.get("fields")
                    unreadable = self._unreadable(key, fields, page)
                    if unreadable is not None:
                        result.errors.append(InputError(unreadable, path=self._browse(key)))
                        continue
                    assert isinstance(fields, dict)
                    issue_type = fields.get("issuetype")
                    if not isinstance(issue_type, dict):
                        issue_type = {}
                    type_name = whole(str(issue_type.get("name") or "issue"))
                    keep = (
                        type_name.casefold() in types
                        if types
                        else issue_type.get("subtask") is not True
                    )
                    if not keep:
                        skipped.append(f"{key} ({type_name})")
                        continue
                    count += 1
                    items.append(self._item(key, fields, type_name, count))
                    if self.progress is not None and count % 50 == 0:
                        self.progress.say(f"read {count:,} issues")
                if self._sink is not None and items:  # before the next page's wait
                    self._sink.take(taken, list(items))  # from now on the sink holds them
                    taken += len(items)
                    items.clear()
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()  # stops the page requests still in flight
        if skipped:
            shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            reason = (
                "their type is not in jira.issue_types"
                if types
                else "sub-tasks are not checked unless jira.issue_types lists their type"
            )
            result.notices.append(f"skipped {len(skipped)} issue(s) because {reason}: {shown}")
        return result

    def _browse(self, key: str) -> str:
        """The issue's page; its key as one path segment (a real key needs no quoting)."""
        return f"{self.base}/browse/{quote(key, safe='')}"

    def _what_read(self) -> str:
        board = self.selection.board
        return f"the backlog of board {board}" if board is not None else "the search"

    def _unreadable(self, key: str, fields: Any, page: _Page) -> str | None:
        """Why an issue cannot be judged (its fields did not arrive), or None."""
        if not isinstance(fields, dict):
            return (
                f"{key}: Jira returned the issue without fields while {page.what}; readylint"
                " does not judge an issue it could not read; run again"
            )
        if not isinstance(fields.get("summary"), str):
            return (
                f"{key}: Jira returned the issue with no summary (its fields were empty) while"
                f" {page.what}; readylint does not judge an issue it could not read; check that"
                " the account may see the issue's fields, then run again"
            )
        return None

    def _item(
        self, key: str, fields: Mapping[str, Any], type_name: str, position: int
    ) -> BacklogItem:
        status = fields.get("status")
        labels = fields.get("labels")
        answers: dict[str, FieldValue] = {}
        for mapped in self.mapped:
            value = fields.get(mapped.id)
            text = (
                rich_text(value)
                if isinstance(value, str | dict)
                and (isinstance(value, str) or value.get("type") == "doc")
                else plain_value(value)
            )
            if text and text.strip():
                answers[mapped.answer] = FieldValue(whole(text), None, mapped.name)
        summary = fields.get("summary")
        description = rich_text(fields.get("description"))
        return BacklogItem(
            id=key,
            title=whole(summary) if isinstance(summary, str) else "",
            location=Location(url=self._browse(key)),
            type=type_name,
            status=whole(str(status.get("name")))
            if isinstance(status, dict) and status.get("name")
            else None,
            labels=tuple(whole(str(label)) for label in labels) if isinstance(labels, list) else (),
            description=whole(description) if description is not None else None,
            rank=position,
            fields=answers,
            order=position,
        )

    # -- paging -----------------------------------------------------------------------------

    def _cloud_pages(self, wanted_fields: list[str]) -> Iterator[_Page]:
        """The enhanced search, following ``nextPageToken``. Tokens make the pages sequential,
        but each next page is requested as soon as its token is known, so it travels while the
        current page is converted."""
        assert self.selection.jql is not None
        jql = self.selection.jql
        size = self.settings.page_size
        post = len(jql) > 2000
        joined = ",".join(wanted_fields)

        def sender(token: str | None) -> _Send:
            if post:
                body: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": wanted_fields}
                if token:
                    body["nextPageToken"] = token
                return self._sender("POST", "search/jql", body=body)
            params: dict[str, Any] = {"jql": jql, "maxResults": size, "fields": joined}
            if token:
                params["nextPageToken"] = token
            return self._sender("GET", "search/jql", params=params)

        tokens: set[str] = set()
        read = 0
        empty_run = 0
        what = self._page_what(1, 0)
        send = sender(None)
        started = _Background(send)
        for number in range(1, MAX_PAGES + 1):
            page = self._json(what, send, started=started)
            issues = self._page_issues(page, what)
            token = page.get("nextPageToken")
            last = page.get("isLast")
            more = bool(token) and last is not True
            if not token and last is False:
                raise SourceError(
                    f"Jira at {self.base} said more pages follow but sent no nextPageToken"
                    f" while {what}; the backlog is incomplete, so nothing is reported"
                )
            empty_run = 0 if issues else empty_run + 1
            if more and empty_run >= MAX_EMPTY_PAGES:
                raise SourceError(
                    f"Jira at {self.base} sent {empty_run} empty pages in a row while {what},"
                    " each saying more follow; stopped instead of paging on"
                )
            current = _Page(number, what, issues)
            read += len(issues)
            if more:
                if not isinstance(token, str) or token in tokens:
                    raise SourceError(
                        f"Jira at {self.base} sent the same page token twice while {what};"
                        " stopped instead of reading the same page again"
                    )
                tokens.add(token)
                what = self._page_what(number + 1, read)
                send = sender(token)
                started = _Background(send)  # the next page travels while this one is used
            yield current
            if not more:
                return
        raise SourceError(f"Jira at {self.base} sent more than {MAX_PAGES} pages; stopped")

    def _search_fetch(self, wanted_fields: list[str]) -> _Fetch:
        assert self.selection.jql is not None
        jql = self.selection.jql
        joined = ",".join(wanted_fields)

        def fetch(start: int, size: int) -> _Send:
            if len(jql) > 2000:
                body = {"jql": jql, "startAt": start, "maxResults": size, "fields": wanted_fields}
                return self._sender("POST", "search", body=body)
            params = {"jql": jql, "startAt": start, "maxResults": size, "fields": joined}
            return self._sender("GET", "search", params=params)

        return fetch

    def _board_fetch(self, board: int, wanted_fields: list[str]) -> _Fetch:
        joined = ",".join(wanted_fields)

        def fetch(start: int, size: int) -> _Send:
            params = {"startAt": start, "maxResults": size, "fields": joined}
            return self._sender("GET", f"board/{board}/backlog", params=params, agile=True)

        return fetch

    def _offset_pages(self, fetch: _Fetch, what_read: str) -> Iterator[_Page]:
        """startAt/maxResults paging (Data Center search, board backlogs).

        The first page gives ``total`` and the page size the server really uses; the other
        pages are then requested up to ``SERVER_WORKERS`` at a time and used strictly in order
        (a page's retries, if any, happen when its turn comes). Every page must report the same
        ``total`` and start where it was asked to; a page shorter than expected is completed
        with a request for the rest of its range.
        """
        size = self.settings.page_size
        what = self._page_what(1, 0, what_read)
        first = self._json_page(what, fetch(0, size))
        issues = self._page_issues(first, what)
        reported = first.get("total")
        if not isinstance(reported, int) or isinstance(reported, bool):
            yield _Page(1, what, issues)
            yield from self._offset_pages_without_total(fetch, what_read, len(issues), first)
            return
        total = reported
        step = len(issues)
        if step > total:  # none may be dropped, and none can be trusted to be the extra ones
            raise SourceError(
                f"Jira at {self.base} reported {total} issues for {what_read} but sent"
                f" {step} on its first page; the paging is unreliable, so nothing is reported"
            )
        yield _Page(1, what, issues)
        self._progress_pages(step, total)
        if step >= total:
            return
        if step == 0:
            raise SourceError(self._incomplete(total, 0, what_read))
        if -(-(total - step) // step) >= MAX_PAGES:  # not len(range): it must fit in 64 bits
            raise SourceError(
                f"Jira at {self.base} reported {total} issues in pages of {step}, more than"
                f" {MAX_PAGES} pages; stopped (raise jira.page_size)"
            )
        starts = range(step, total, step)
        pending: deque[tuple[int, int, str, _Send, _Background[Any]]] = deque()
        queued = 0

        def top_up() -> None:
            nonlocal queued
            while queued < len(starts) and len(pending) < SERVER_WORKERS:
                start = starts[queued]
                send = fetch(start, step)
                page_what = self._page_what(queued + 2, start, what_read)
                pending.append((queued + 2, start, page_what, send, _Background(send)))
                queued += 1

        top_up()
        while pending:
            number, start, what, send, started = pending.popleft()
            page = self._json_page(what, send, started)
            top_up()
            expected = min(step, total - start)
            got = self._checked_offset(page, what, start, total, what_read)[:expected]
            if not got:
                raise SourceError(self._incomplete(total, start, what_read))
            yield _Page(number, what, got)
            filled = len(got)
            while filled < expected:  # a short page: ask for the rest of its range
                at = start + filled
                rest_what = f"reading the rest of page {number} of {what_read} (after {at} issues)"
                rest = self._json_page(rest_what, fetch(at, expected - filled))
                more = self._checked_offset(rest, rest_what, at, total, what_read)
                more = more[: expected - filled]
                if not more:
                    raise SourceError(self._incomplete(total, at, what_read))
                yield _Page(number, rest_what, more)
                filled += len(more)
            self._progress_pages(start + expected, total)

    def _offset_pages_without_total(
        self, fetch: _Fetch, what_read: str, start: int, first: dict[str, Any]
    ) -> Iterator[_Page]:
        """Sequential startAt paging for a server that reports no ``total``."""
        page = first
        size = self.settings.page_size
        for number in range(2, MAX_PAGES + 1):
            if page.get("isLast") is True or not page.get("issues"):
                return
            what = self._page_what(number, start, what_read)
            page = self._json_page(what, fetch(start, size))
            issues = self._page_issues(page, what)
            yield _Page(number, what, issues)
            start += len(issues)
        raise SourceError(f"Jira at {self.base} sent more than {MAX_PAGES} pages; stopped")

    def _json_page(
        self, what: str, send: _Send, started: _Background[Any] | None = None
    ) -> dict[str, Any]:
        page = self._json(what, send, started=started)
        if not isinstance(page, dict):
            raise SourceError(self._malformed(what))
        return page

    def _checked_offset(
        self, page: dict[str, Any], what: str, start: int, total: int, what_read: str
    ) -> list[dict[str, Any]]:
        issues = self._page_issues(page, what)
        reported = page.get("total")
        if isinstance(reported, int) and reported != total:
            raise _BacklogChanged(
                f"Jira's count of issues in {what_read} changed from {total} to {reported}"
                f" while {what}: the backlog changed while readylint read it"
            )
        echoed = page.get("startAt")
        if isinstance(echoed, int) and echoed != start:
            raise SourceError(
                f"Jira at {self.base} answered with the issues from {echoed} instead of {start}"
                f" while {what}; the paging is unreliable, so nothing is reported"
            )
        return issues

    def _incomplete(self, total: int, arrived: int, what_read: str) -> str:
        return (
            f"Jira at {self.base} reported {total} issues for {what_read} but only {arrived}"
            " arrived; the backlog is incomplete, so nothing is reported (run again; if it"
            " persists, lower jira.page_size)"
        )

    def _progress_pages(self, read: int, total: int) -> None:
        if self.progress is not None and total:
            self.progress.say(f"read {read:,} of {total:,} issues")

    def _page_what(self, number: int, read: int, what_read: str = "the search") -> str:
        if number == 1:
            return f"reading the first page of {what_read}"
        return f"reading page {number} of {what_read} (after {read} issues)"

    def _page_issues(self, page: Any, what: str) -> list[dict[str, Any]]:
        if not isinstance(page, dict):
            raise SourceError(self._malformed(what))
        if not page:
            raise SourceError(self._empty(what))
        issues = page.get("issues")
        if not isinstance(issues, list) or not all(isinstance(i, dict) for i in issues):
            raise SourceError(self._malformed(what) + " (no 'issues' list)")
        return issues

    # -- write-back -------------------------------------------------------------------------

    def apply_labels(self, result: RunResult, label: str, *, dry_run: bool) -> list[str]:
        """Add ``label`` to failing items and remove it from passing ones; returns what changed.

        ``label`` is readylint's own label: it is the only label readylint ever adds or removes,
        through Jira's ``add``/``remove`` operations, so every other label (and concurrent edits
        to them) is kept, also on items that now pass. Only the reported items are touched. A
        second run changes nothing.

        Up to ``LABEL_WORKERS`` updates are in flight at once (each retried on its own, as any
        request), and each change is said in backlog order once it is made. When an update
        fails, no further one is started: those already under way finish, and the run says
        which issues were changed, which failed and which were not attempted; the changes made
        stay, and running again finishes the rest.
        """
        validate_label(label)
        if result.errors:
            self.echo(
                f"readylint: label '{label}': nothing changed, because the backlog could not be"
                " read completely; fix the errors and run again"
            )
            return []
        plan: list[tuple[str, Literal["add", "remove"]]] = []
        for item_result in result.items:
            item = item_result.item
            has = label in item.labels
            if not item_result.ready and not has:
                plan.append((item.id, "add"))
            elif item_result.ready and has:
                plan.append((item.id, "remove"))
        if not plan:
            self.echo(f"readylint: label '{label}': nothing to change")
            return []
        lines: list[str] = []

        def said(key: str, op: str) -> None:  # at once: a later failure must not hide it
            text = (
                f"add label '{label}' to {key}"
                if op == "add"
                else f"remove label '{label}' from {key}"
            )
            line = f"{'would ' if dry_run else ''}{text}"
            lines.append(line)
            self.echo(f"readylint: {line}")

        if dry_run:
            for key, op in plan:
                said(key, op)
            return lines
        changed: list[str] = []
        failed: list[tuple[str, str]] = []  # (issue key, why)
        running: deque[tuple[int, _Background[None]]] = deque()  # (index in plan, update)
        started = 0
        while running or (not failed and started < len(plan)):
            while not failed and started < len(plan) and len(running) < LABEL_WORKERS:
                running.append((started, _Background(self._label_update(*plan[started], label))))
                started += 1
            index, update = running.popleft()
            key, op = plan[index]
            try:
                update.result()
            except SourceError as exc:
                failed.append((key, exc.message))
                continue
            changed.append(key)
            said(key, op)
        if failed:
            untried = [key for key, _ in plan[started:]]
            self.echo(
                f"readylint: label '{label}': changed {_keys(changed)}; failed:"
                f" {_keys([key for key, _ in failed])}; not attempted: {_keys(untried)}"
            )
            raise SourceError(
                f"{failed[0][1]}; {len(changed)} issue(s) were changed, {len(failed)} failed and"
                f" {len(untried)} were not attempted (listed above); the changes made are kept,"
                " and running again finishes the rest"
            )
        return lines

    def _label_update(self, key: str, op: str, label: str) -> Callable[[], None]:
        """One issue's label change (``op``: add or remove), as a call that raises
        ``SourceError`` when it fails after its retries."""
        update = self._sender(
            "PUT", f"issue/{quote(key, safe='')}", body={"update": {"labels": [{op: label}]}}
        )
        return lambda: self._json(f"updating the labels of {key}", update, expect_json=False)

    # -- requests and errors ----------------------------------------------------------------

    def _sender(
        self,
        method: Literal["GET", "POST", "PUT"],
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        agile: bool = False,
    ) -> _Send:
        """One request, ready to send (and to send again) through the library's session."""
        client = self.client
        assert client is not None
        url = client._get_url(path, client.AGILE_BASE_URL) if agile else client._get_url(path)
        session = client._session
        if method == "GET":
            return lambda: session.get(url, params=params)
        data = json.dumps(body)
        return lambda: session.request(method, url, data=data)

    def _json(
        self,
        what: str,
        send: _Send,
        *,
        expect_json: bool = True,
        started: _Background[Any] | None = None,
    ) -> Any:
        """The answer to ``send``, its body parsed whole as JSON (see ``_call``)."""
        response = self._call(what, send, started)
        content: bytes = response.content
        if not expect_json:
            return None
        if not content.strip():
            raise SourceError(self._empty(what))
        try:
            return json.loads(content)
        except ValueError as exc:
            problem = self._not_json(what, response, content, exc)
        except RecursionError:  # Python's decoder recurses: some 1,000 levels at most
            problem = (
                f"Jira at {self.base} sent JSON nested too deeply to read (arrays or objects"
                f" about 1,000 levels deep) while {what}; nothing is reported"
            )
        raise SourceError(problem)

    def _get(self, what: str, path: str) -> Any:
        return self._json(what, self._sender("GET", path))

    def _wait(self, run: _Background[T], deadline: float) -> T:
        """``run``'s result within ``deadline`` seconds; the sink, if any, works meanwhile."""
        sink = self._sink
        if sink is not None and not run.done():
            end = time.monotonic() + deadline
            while not run.done() and time.monotonic() < end and sink.idle():
                time.sleep(0)  # let the request's thread take its turn: it reads the answer
            deadline = max(0.0, end - time.monotonic())
        return run.result(deadline)

    def _call(self, what: str, fn: Callable[[], T], started: _Background[T] | None = None) -> T:
        """Run one request: bounded in time, retried on 429/503 and broken connections within
        the configured count and wait, every failure one line without any secret.

        ``started`` is a first attempt already under way (a page requested ahead of its turn).
        Errors are raised outside the ``except`` blocks, so no library exception (whose text
        can carry headers and bodies) is even chained to the error readylint shows.
        """
        import requests
        from jira.exceptions import JIRAError

        attempt = 0
        waited = 0.0
        limit = self.settings.max_retries
        budget = self.settings.max_retry_wait
        deadline = self.settings.connect_timeout + self.settings.read_timeout
        while True:
            problem: str | None = None
            event = ""  # what happened, when it may be retried
            delay = 0.0
            attempt_run, started = started or _Background(fn), None
            try:
                return self._wait(attempt_run, deadline)
            except _Deadline:
                problem = (
                    f"Jira at {self.base} did not finish answering within {deadline:g}s while"
                    f" {what} (a stalled or very slow connection); try again, or raise"
                    " jira.read_timeout"
                )
            except JIRAError as exc:
                status = exc.status_code
                if status in (429, 503):
                    headers = exc.response.headers if exc.response is not None else {}
                    delay_given = retry_after(headers.get("Retry-After"))
                    delay = _backoff(attempt) if delay_given is None else delay_given
                    reason = "rate limited" if status == 429 else "unavailable"
                    event = f"answered HTTP {status} ({reason})"
                else:
                    problem = self._http_message(exc, what)
            except requests.exceptions.RequestException as exc:
                if _transient(exc):
                    delay = _backoff(attempt)
                    event = "broke off the connection (reset, or the answer was cut short)"
                else:
                    problem = self._transport_message(exc, what)
            if problem is None and attempt >= limit:
                problem = (
                    f"Jira at {self.base} still {event} while {what} after {attempt}"
                    f" retr{'y' if attempt == 1 else 'ies'} ({waited:g}s waited); try again"
                    " later, or raise jira.max_retries"
                )
            elif problem is None and waited + delay > budget:
                problem = (
                    f"Jira at {self.base} {event} while {what} and asks to wait {delay:g}s,"
                    f" beyond the retry budget ({budget:g}s in all, {waited:g}s used;"
                    " jira.max_retry_wait); try again later"
                )
            if problem is not None:
                raise SourceError(self._redact(problem))
            attempt += 1
            self.echo(
                f"readylint: Jira {event} while {what}; waiting {delay:g}s before retry"
                f" {attempt} of {limit}"
            )
            _sleep(delay)
            waited += delay

    def _redact(self, text: str) -> str:
        """``text`` without the credentials, plain or base64-encoded (as in the auth header)."""
        for secret in self.credentials.forms():
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def _jira_text(self, exc: JIRAError) -> str:
        """Jira's own message, one short line, without HTML and without any secret."""
        text = exc.text if isinstance(exc.text, str) else ""
        if "<" in text and ">" in text and re.search(r"<(html|body|head|!doctype)", text, re.I):
            return ""
        text = self._redact(" ".join(text.split()))
        return text[:MAX_MESSAGE] + ("..." if len(text) > MAX_MESSAGE else "")

    def _http_message(self, exc: JIRAError, what: str) -> str:
        status = exc.status_code
        said = self._jira_text(exc)
        quoted = f": {said}" if said else ""
        if status is None:
            return f"the jira library failed while {what}{quoted}"
        if status == 401:
            return (
                f"Jira at {self.base} rejected {self.credentials.who} (HTTP 401) while"
                f" {what}{quoted}; {self.credentials.variables}"
            )
        if status == 403:
            verb = "edit" if what.startswith("updating") else "browse"
            return (
                f"Jira at {self.base} refused {self.credentials.account} (HTTP 403) while"
                f" {what}{quoted}; check that this account may {verb} the project's issues (a"
                " CAPTCHA after failed logins is cleared by logging in once in the browser)"
            )
        if status == 400 and self.selection.jql is not None and "search" in what:
            return (
                f"Jira rejected the JQL query (HTTP 400){quoted}; the query was:"
                f" {self.selection.jql}"
            )
        if status == 404 and self.selection.board is not None and "board" in what:
            return (
                f"board {self.selection.board} was not found at {self.base} (HTTP 404){quoted};"
                " check --board or jira.board (the number in the board's URL: ?rapidView=N"
                " or /boards/N)"
            )
        if status == 404:
            return (
                f"Jira at {self.base} answered HTTP 404 while {what}{quoted}; check that"
                f" {ENV_URL} (or jira.url) is the site's base URL"
            )
        if status == 410:
            return (
                f"Jira at {self.base} answered HTTP 410 (this API was removed) while {what}{quoted}"
            )
        return f"Jira at {self.base} answered HTTP {status} while {what}{quoted}"

    def _transport_message(self, exc: Exception, what: str) -> str:
        import requests

        detail = str(exc)
        low = detail.lower()
        if isinstance(exc, requests.exceptions.SSLError):
            return (
                f"TLS verification failed for {self.base} while {what}; point REQUESTS_CA_BUNDLE"
                " at the CA certificate that signed the server's certificate, or, only for a"
                " server you trust, pass --insecure"
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return (
                f"timed out connecting to {self.host}:{self.port} after"
                f" {self.settings.connect_timeout:g}s while {what} (jira.connect_timeout)"
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            return (
                f"Jira at {self.base} did not answer within {self.settings.read_timeout:g}s while"
                f" {what}; try again, or raise jira.read_timeout"
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            if any(hint in low for hint in _DNS_HINTS):
                return (
                    f"cannot resolve the host name '{self.host}' (DNS) while {what}; check"
                    f" {ENV_URL} or jira.url"
                )
            if "refused" in low:
                return (
                    f"connection refused by {self.host}:{self.port} while {what}; check"
                    f" {ENV_URL} (or jira.url) and that the server is running"
                )
            if "timed out" in low or "timeout" in low:
                return (
                    f"Jira at {self.base} did not answer within {self.settings.read_timeout:g}s"
                    f" while {what}; try again, or raise jira.read_timeout"
                )
            return f"the connection to {self.base} failed while {what}; try again"
        return f"the request to {self.base} failed while {what} ({type(exc).__name__})"

    def _not_json(self, what: str, response: Any, content: bytes, exc: ValueError) -> str:
        kind = str(response.headers.get("Content-Type") or "").lower()
        head = content.lstrip()[:15].lower()
        if "html" in kind or head.startswith((b"<!doctype", b"<html", b"<head", b"<body")):
            detail = (
                " (an HTML page: a login, proxy or maintenance page?); check that"
                f" {ENV_URL} (or jira.url) is the Jira site's base URL and that no proxy"
                " answers in Jira's place"
            )
        elif isinstance(exc, json.JSONDecodeError) and (
            exc.msg.startswith("Unterminated") or exc.pos >= len(content.rstrip()) - 1
        ):
            detail = f" (the JSON ends early: cut off after {len(content)} bytes); try again"
        elif not isinstance(exc, json.JSONDecodeError) and "digits" in str(exc):
            detail = " (a number of more than 4,300 digits, which Python does not read)"
        else:
            detail = f"; check that {ENV_URL} (or jira.url) is the Jira site's base URL"
        return f"Jira at {self.base} sent a response that is not the expected JSON while {what}{detail}"

    def _malformed(self, what: str) -> str:
        return (
            f"Jira at {self.base} sent a response that is not the expected JSON while {what};"
            f" check that {ENV_URL} (or jira.url) is the Jira site's base URL"
        )

    def _empty(self, what: str) -> str:
        return f"Jira at {self.base} sent an empty response while {what}; try again"


def _keys(keys: Sequence[str]) -> str:
    return ", ".join(keys) if keys else "none"


def validate_label(label: str) -> None:
    if not label or any(c.isspace() for c in label) or len(label) > 255:
        raise ConfigError(
            f"--label-unready: '{label}' is not a valid Jira label (one word, no spaces,"
            " at most 255 characters), e.g. not-ready"
        )
