"""Read backlog items from Jira Cloud or Data Center, in rank order, through the ``jira`` library.

Flow: connect (``serverInfo`` decides Cloud versus Server/Data Center), prove the credentials
once (``myself``), resolve the field map through ``GET /field``, then page through the search:

- Cloud: the enhanced search ``/search/jql``, following ``nextPageToken`` (there is no total);
- Server/Data Center: ``/search`` with ``startAt``/``maxResults``, checked against ``total``;
- a board: the Agile API's ``board/{id}/backlog``, in board order.

Every request goes through the ``jira`` library's session with the library's own retries turned
off: readylint retries 429 and 503 itself, honouring ``Retry-After`` in seconds or as an HTTP
date, bounded in count and total wait, and says on stderr that it is waiting. Errors become one
``SourceError`` line built here; the library's exception text (which carries whole response
bodies) is never shown as is. Credentials come only from the environment and are never printed.

This module imports ``jira`` and ``requests`` lazily: importing it costs nothing on the YAML path.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from readylint.config import Config, JiraConfig
from readylint.errors import ConfigError, SourceError
from readylint.keys import normalise_key, suggest
from readylint.models import BacklogItem, FieldValue, Location, RunResult, SourceResult
from readylint.sources.jira_text import plain_value, rich_text

if TYPE_CHECKING:  # pragma: no cover - typing only
    from jira import JIRA
    from jira.exceptions import JIRAError

T = TypeVar("T")
Echo = Callable[[str], None]

ENV_URL = "JIRA_URL"
ENV_EMAIL = "JIRA_EMAIL"
ENV_TOKEN = "JIRA_API_TOKEN"
ENV_PAT = "JIRA_PAT"

RANK_ORDER = "ORDER BY Rank ASC"
BASE_FIELDS = ("summary", "issuetype", "status", "labels", "description")
MAX_PAGES = 100_000  # a server that never ends the paging is an error, not an endless loop
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
        if self.kind == "basic":
            return f"user '{self.user}'"
        return f"the personal access token in {ENV_PAT}"

    @property
    def variables(self) -> str:
        if self.kind == "basic":
            return (
                f"check {ENV_EMAIL} and {ENV_TOKEN} (an API token from "
                "id.atlassian.com, not a password)"
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
    print(message, file=sys.stderr, flush=True)


class JiraBacklog:
    """A connection to one Jira site: reads the selected backlog and can write labels back."""

    def __init__(
        self,
        config: Config,
        request: JiraRequest,
        *,
        env: Mapping[str, str] | None = None,
        echo: Echo = _stderr,
        progress: bool | None = None,
    ) -> None:
        self.config = config
        self.settings = config.jira
        self.request = request
        env = os.environ if env is None else env
        self.selection = select(request, config)
        self.base = server_url(self.settings, env)
        self.credentials = credentials_from_env(env)
        self.echo = echo
        self.progress = _show_progress() if progress is None else progress
        self.cloud = False
        self.client: JIRA | None = None
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
        self.client = JIRA(
            server=self.base,
            options={
                "rest_api_version": self.settings.api_version,
                "verify": not insecure,
                "check_update": False,
            },
            get_server_info=False,  # read below, with readylint's own error handling
            max_retries=0,  # readylint retries 429/503 itself (see _call)
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            logging=False,
            **auth,
        )
        client = self.client
        info = self._call("reading serverInfo", client.server_info)
        if not isinstance(info, dict) or not info:
            raise SourceError(self._empty("reading serverInfo"))
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
        client.deploymentType = "Cloud" if self.cloud else (deployment or "Server")
        client._version = tuple(versions)
        me = self._call("checking the credentials (GET myself)", client.myself)
        if not isinstance(me, dict) or not me:
            raise SourceError(self._empty("checking the credentials (GET myself)"))
        jira_fields = self._call("reading the field list (GET field)", client.fields)
        if not isinstance(jira_fields, list):
            raise SourceError(self._malformed("reading the field list (GET field)"))
        # The library translates requested field names through this cache on every search; fill
        # it from the list just read instead of letting it fetch the same list again.
        cache = {
            name: f["id"]
            for f in jira_fields
            if isinstance(f, dict) and isinstance(f.get("clauseNames"), list)
            for name in f["clauseNames"]
        }
        if cache and hasattr(client, "_fields_cache_value"):
            client._fields_cache_value = cache
        self.mapped = resolve_fields(self.settings.fields, jira_fields, self.config.source)

    # -- reading ----------------------------------------------------------------------------

    def read(self, known_keys: frozenset[str] | None = None) -> SourceResult:
        """All issues of the selection, in Jira's order, as backlog items ranked 1..n."""
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
        if self.selection.board is not None:
            pages = self._board_pages(self.selection.board, wanted_fields)
        elif self.cloud:
            pages = self._cloud_pages(wanted_fields)
        else:
            pages = self._server_pages(wanted_fields)
        result = SourceResult(notices=list(self.selection.notices))
        seen: set[str] = set()
        skipped: list[str] = []
        duplicates = 0
        types = {t.casefold() for t in self.settings.issue_types}
        count = 0
        try:
            for raw in pages:
                key = raw.get("key") if isinstance(raw, dict) else None
                if not isinstance(key, str) or not key:
                    raise SourceError(
                        f"Jira at {self.base} returned an issue without a key; the response is malformed"
                    )
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                fields = raw.get("fields")
                if not isinstance(fields, dict):
                    raise SourceError(
                        f"{key}: Jira returned the issue without fields; the response is malformed"
                    )
                issue_type = (
                    fields.get("issuetype") if isinstance(fields.get("issuetype"), dict) else {}
                )
                assert isinstance(issue_type, dict)
                type_name = str(issue_type.get("name") or "issue")
                keep = (
                    type_name.casefold() in types if types else not issue_type.get("subtask", False)
                )
                if not keep:
                    skipped.append(f"{key} ({type_name})")
                    continue
                count += 1
                result.items.append(self._item(key, fields, type_name, count))
                if self.progress and count % 50 == 0:
                    self._show(f"read {count} issues")
        finally:
            if self.progress:
                self._show(None)
        if skipped:
            shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            reason = (
                "their type is not in jira.issue_types"
                if types
                else "sub-tasks are not checked unless jira.issue_types lists their type"
            )
            result.notices.append(f"skipped {len(skipped)} issue(s) because {reason}: {shown}")
        if duplicates:
            result.notices.append(
                f"{duplicates} issue(s) came back twice while paging (the ranking changed during"
                " the read); each is checked once, at its first position"
            )
        return result

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
                answers[mapped.answer] = FieldValue(text, None, mapped.name)
        summary = fields.get("summary")
        return BacklogItem(
            id=key,
            title=summary if isinstance(summary, str) else "",
            location=Location(url=f"{self.base}/browse/{key}"),
            type=type_name,
            status=str(status.get("name"))
            if isinstance(status, dict) and status.get("name")
            else None,
            labels=tuple(str(label) for label in labels) if isinstance(labels, list) else (),
            description=rich_text(fields.get("description")),
            rank=position,
            fields=answers,
            order=position,
        )

    def _cloud_pages(self, wanted_fields: list[str]) -> Iterator[dict[str, Any]]:
        client = self.client
        assert client is not None and self.selection.jql is not None
        jql = self.selection.jql
        token: str | None = None
        tokens: set[str] = set()
        read = 0
        for number in range(1, MAX_PAGES + 1):
            what = self._page_what(number, read)
            page = self._call(
                what,
                lambda token=token: client.enhanced_search_issues(  # type: ignore[misc]
                    jql,
                    nextPageToken=token,
                    maxResults=self.settings.page_size,
                    fields=list(wanted_fields),  # a copy: the library rewrites the list
                    json_result=True,
                    use_post=len(jql) > 2000,
                ),
            )
            issues = self._issues(page, what)
            read += len(issues)
            yield from issues
            token = page.get("nextPageToken")
            if not token or page.get("isLast") is True:
                return
            if not isinstance(token, str) or token in tokens:
                raise SourceError(
                    f"Jira at {self.base} sent the same page token twice while {what};"
                    " stopped instead of reading the same page again"
                )
            tokens.add(token)
        raise SourceError(f"Jira at {self.base} sent more than {MAX_PAGES} pages; stopped")

    def _server_pages(self, wanted_fields: list[str]) -> Iterator[dict[str, Any]]:
        client = self.client
        assert client is not None and self.selection.jql is not None
        jql = self.selection.jql

        def fetch(start: int) -> Any:
            return client.search_issues(
                jql,
                startAt=start,
                maxResults=self.settings.page_size,
                fields=list(wanted_fields),
                json_result=True,
                use_post=len(jql) > 2000,
            )

        yield from self._offset_pages(fetch, "the search")

    def _board_pages(self, board: int, wanted_fields: list[str]) -> Iterator[dict[str, Any]]:
        client = self.client
        assert client is not None

        def fetch(start: int) -> Any:
            return client._get_json(
                f"board/{board}/backlog",
                params={
                    "startAt": start,
                    "maxResults": self.settings.page_size,
                    "fields": ",".join(wanted_fields),
                },
                base=client.AGILE_BASE_URL,
            )

        yield from self._offset_pages(fetch, f"the backlog of board {board}")

    def _offset_pages(
        self, fetch: Callable[[int], Any], what_read: str
    ) -> Iterator[dict[str, Any]]:
        """startAt/maxResults paging that checks the server's ``total`` at the end."""
        start = 0
        total: int | None = None
        for number in range(1, MAX_PAGES + 1):
            what = self._page_what(number, start, what_read)
            page = self._call(what, lambda start=start: fetch(start))  # type: ignore[misc]
            issues = self._issues(page, what)
            reported = page.get("total")
            if total is None and isinstance(reported, int):
                total = reported
            if self.progress and total:
                self._show(f"read {start + len(issues)} of {total} issues")
            yield from issues
            start += len(issues)
            if not issues or page.get("isLast") is True or (total is not None and start >= total):
                break
        else:
            raise SourceError(f"Jira at {self.base} sent more than {MAX_PAGES} pages; stopped")
        if total is not None and start < total:
            raise SourceError(
                f"Jira at {self.base} reported {total} issues for {what_read} but only {start}"
                " arrived; the backlog is incomplete, so nothing is reported (run again; if it"
                " persists, lower jira.page_size)"
            )

    def _page_what(self, number: int, read: int, what_read: str = "the search") -> str:
        if number == 1:
            return f"reading the first page of {what_read}"
        return f"reading page {number} of {what_read} (after {read} issues)"

    def _issues(self, page: Any, what: str) -> list[dict[str, Any]]:
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

        Only the reported items are touched, and only this one label: the update uses Jira's
        ``add``/``remove`` operations, so other labels (and concurrent edits to them) are kept.
        """
        validate_label(label)
        client = self.client
        assert client is not None
        lines: list[str] = []
        for item_result in result.items:
            item = item_result.item
            has = label in item.labels
            if not item_result.ready and not has:
                op, text = "add", f"add label '{label}' to {item.id}"
            elif item_result.ready and has:
                op, text = "remove", f"remove label '{label}' from {item.id}"
            else:
                continue
            if not dry_run:
                url = client._get_url(f"issue/{item.id}")
                body = json.dumps({"update": {"labels": [{op: label}]}})
                self._call(
                    f"updating the labels of {item.id}",
                    lambda url=url, body=body: client._session.put(url, data=body),  # type: ignore[misc]
                )
            line = f"{'would ' if dry_run else ''}{text}"
            lines.append(line)
            self.echo(f"readylint: {line}")  # at once: a later failure must not hide this change
        if not lines:
            self.echo(f"readylint: label '{label}': nothing to change")
        return lines

    # -- requests and errors ----------------------------------------------------------------

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one library call; retry 429/503 within the configured bounds; translate errors."""
        import requests
        from jira.exceptions import JIRAError

        attempt = 0
        waited = 0.0
        limit = self.settings.max_retries
        budget = self.settings.max_retry_wait
        while True:
            try:
                return fn()
            except JIRAError as exc:
                status = exc.status_code
                if status not in (429, 503):
                    raise SourceError(self._http_message(exc, what)) from None
                headers = exc.response.headers if exc.response is not None else {}
                delay = retry_after(headers.get("Retry-After"))
                if delay is None:
                    delay = float(min(2**attempt, 30))
                reason = "rate limited" if status == 429 else "unavailable"
                if attempt >= limit:
                    raise SourceError(
                        f"Jira at {self.base} still answered HTTP {status} ({reason}) while {what}"
                        f" after {attempt} retr{'y' if attempt == 1 else 'ies'} ({waited:g}s"
                        " waited); try again later, or raise jira.max_retries"
                    ) from None
                if waited + delay > budget:
                    raise SourceError(
                        f"Jira at {self.base} answered HTTP {status} ({reason}) while {what} and"
                        f" asks to wait {delay:g}s, beyond the retry budget ({budget:g}s in all,"
                        f" {waited:g}s used; jira.max_retry_wait); try again later"
                    ) from None
                attempt += 1
                self.echo(
                    f"readylint: Jira answered HTTP {status} ({reason}) while {what}; waiting"
                    f" {delay:g}s before retry {attempt} of {limit}"
                )
                _sleep(delay)
                waited += delay
            except requests.exceptions.JSONDecodeError:
                raise SourceError(self._malformed(what)) from None
            except requests.exceptions.RequestException as exc:
                raise SourceError(self._transport_message(exc, what)) from None
            except ValueError:  # a body that is not JSON (requests' JSONDecodeError included)
                raise SourceError(self._malformed(what)) from None
            except KeyError:
                raise SourceError(self._malformed(what)) from None

    def _jira_text(self, exc: JIRAError) -> str:
        """Jira's own message, one short line, without HTML and without any secret."""
        text = exc.text if isinstance(exc.text, str) else ""
        if "<" in text and ">" in text and re.search(r"<(html|body|head|!doctype)", text, re.I):
            return ""
        text = " ".join(text.split())
        text = text.replace(self.credentials.secret, "***") if self.credentials.secret else text
        return text[:MAX_MESSAGE] + ("..." if len(text) > MAX_MESSAGE else "")

    def _http_message(self, exc: JIRAError, what: str) -> str:
        status = exc.status_code
        said = self._jira_text(exc)
        quoted = f": {said}" if said else ""
        if status is None:
            return f"the jira library failed while {what}{quoted}"
        if status == 401:
            return (
                f"Jira at {self.base} rejected the credentials of {self.credentials.who}"
                f" (HTTP 401) while {what}{quoted}; {self.credentials.variables}"
            )
        if status == 403:
            verb = "edit" if what.startswith("updating") else "browse"
            return (
                f"Jira at {self.base} refused {self.credentials.who} (HTTP 403) while {what}{quoted};"
                f" check that this account may {verb} the project's issues (a CAPTCHA after failed"
                " logins is cleared by logging in once in the browser)"
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

    def _malformed(self, what: str) -> str:
        return (
            f"Jira at {self.base} sent a response that is not the expected JSON while {what};"
            f" check that {ENV_URL} (or jira.url) is the Jira site's base URL"
        )

    def _empty(self, what: str) -> str:
        return f"Jira at {self.base} sent an empty response while {what}; try again"

    # -- progress ---------------------------------------------------------------------------

    def _show(self, text: str | None) -> None:
        stream = sys.stderr
        if text is None:
            stream.write("\r\033[K")
        else:
            stream.write(f"\r\033[Kreadylint: {text}...")
        stream.flush()


def _show_progress() -> bool:
    """A progress line only on an interactive terminal: never in CI logs or redirected output."""
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def validate_label(label: str) -> None:
    if not label or any(c.isspace() for c in label) or len(label) > 255:
        raise ConfigError(
            f"--label-unready: '{label}' is not a valid Jira label (one word, no spaces,"
            " at most 255 characters), e.g. not-ready"
        )
