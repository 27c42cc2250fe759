"""A fake Jira server for the tests: a real HTTP server on 127.0.0.1 with an ephemeral port.

It answers in the shapes recorded in ../shared/JIRA.md (fixtures written here, not copied):
serverInfo, myself, field, Cloud ``search/jql`` (GET and POST, repeated and comma-separated
``fields``, opaque ``nextPageToken``, pages capped below what was asked), Server ``search``
(``startAt``/``maxResults``/``total``), the Agile board backlog, and labels updates (PUT issue).
Every endpoint but serverInfo checks the Authorization header.

Fault injection: ``fake.inject(Fault...)``. A fault matches requests by path (and method) and
fires on a window of them (``after`` untouched first, then ``count``). It either replaces the
answer (a status with body and headers: ``Fault(match, 503, ...)``, ``Fault.html``,
``Fault.retry_after``, ``Fault.echo_auth``) or spoils the normal one on the wire
(``Fault.reset`` mid-body, ``Fault.truncated`` JSON, ``Fault.slow`` drip-feed, ``Fault.short``
page), or edits the store just before answering (``Fault.change``: rerank, add, remove issues).
``most_in_flight`` counts, per method, the most requests it was answering at one time.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

Mode = Literal["cloud", "server"]

REMOVED_BODY = {
    "errorMessages": [
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
        " A full migration guideline is available at"
        " https://developer.atlassian.com/changelog/#CHANGE-2046"
    ],
    "errors": {},
}


@dataclass
class Fault:
    """An injected answer for requests whose path contains ``match`` (and method, if given).

    ``after`` matching requests pass untouched first; then ``count`` are answered with this
    fault. ``status=None`` serves the normal answer (after ``delay`` seconds), spoiled by
    ``keep`` (send only this fraction of the body), ``reset`` (then reset the connection),
    ``drip`` (seconds between single bytes of the whole response), ``limit`` (at most this many
    issues on the page) or preceded by ``change`` (an edit of the store).
    """

    match: str
    status: int | None = 500
    body: str | bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1
    after: int = 0
    delay: float = 0.0
    method: str | None = None
    content_type: str = "application/json;charset=UTF-8"
    query: dict[str, str] | None = None  # match only requests with these parameter values
    keep: float | None = None
    reset: bool = False
    drip: float = 0.0
    limit: int | None = None
    change: Callable[[FakeJira], None] | None = None
    echo: bool = False  # the body quotes the request's Authorization header (a debug proxy)
    seen: int = 0
    fired: int = 0

    @classmethod
    def retry_after(
        cls,
        match: str,
        status: int,
        value: str | None,
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """429 or 503, with ``Retry-After`` (seconds or an HTTP date) or without it."""
        headers = {"Retry-After": value} if value is not None else {}
        body = {"errorMessages": ["Rate limit exceeded." if status == 429 else "Unavailable"]}
        return cls(match, status, body, headers, count=count, after=after, query=query)

    @classmethod
    def html(
        cls,
        match: str,
        status: int = 200,
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """An HTML page (a login, proxy or maintenance page) where JSON was expected."""
        page = "<!DOCTYPE html><html><head><title>Log in</title></head><body>Log in</body></html>"
        return cls(
            match, status, page, count=count, after=after, query=query, content_type="text/html"
        )

    @classmethod
    def reset_mid_body(
        cls, match: str, *, count: int = 1, after: int = 0, query: dict[str, str] | None = None
    ) -> Fault:
        """Headers promise the whole body; half of it is sent, then the connection is reset."""
        return cls(match, None, keep=0.5, reset=True, count=count, after=after, query=query)

    @classmethod
    def truncated(
        cls, match: str, *, count: int = 1, after: int = 0, query: dict[str, str] | None = None
    ) -> Fault:
        """A complete HTTP answer whose JSON stops halfway (Content-Length agrees)."""
        return cls(match, None, keep=0.5, count=count, after=after, query=query)

    @classmethod
    def slow(
        cls,
        match: str,
        drip: float = 0.05,
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """Slow loris: the whole response, one byte every ``drip`` seconds."""
        return cls(match, None, drip=drip, count=count, after=after, query=query)

    @classmethod
    def short(
        cls,
        match: str,
        limit: int,
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """A page with at most ``limit`` issues, whatever was asked."""
        return cls(match, None, limit=limit, count=count, after=after, query=query)

    @classmethod
    def edit(
        cls,
        match: str,
        change: Callable[[FakeJira], None],
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """Change the store (rerank, add, remove issues) just before answering normally."""
        return cls(match, None, change=change, count=count, after=after, query=query)

    @classmethod
    def echo_auth(
        cls,
        match: str,
        status: int = 400,
        *,
        count: int = 1,
        after: int = 0,
        query: dict[str, str] | None = None,
    ) -> Fault:
        """An error whose message quotes the request's Authorization header back."""
        return cls(match, status, echo=True, count=count, after=after, query=query)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


def issue(
    key: str,
    summary: str,
    rank: str,
    *,
    description: Any = None,
    type_name: str = "Story",
    subtask: bool = False,
    status: str = "To Do",
    category: str = "new",
    labels: tuple[str, ...] = (),
    **custom: Any,
) -> dict[str, Any]:
    """An issue in the fake's store: raw fields as Jira returns them, plus its rank string."""
    number = int(key.rsplit("-", 1)[1])
    return {
        "id": str(10000 + number),
        "key": key,
        "rank": rank,
        "fields": {
            "summary": summary,
            "issuetype": {"id": "10001", "name": type_name, "subtask": subtask},
            "status": {
                "name": status,
                "statusCategory": {"key": category, "name": category.title()},
            },
            "labels": list(labels),
            "description": description,
            "customfield_10019": rank,
            **custom,
        },
    }


def field_list() -> list[dict[str, Any]]:
    """A site's field list, with system fields, Rank and the teams' answer fields."""

    def system(fid: str, name: str, kind: str = "string") -> dict[str, Any]:
        return {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": False,
            "navigable": True,
            "searchable": True,
            "clauseNames": [fid],
            "schema": {"type": kind, "system": fid},
        }

    def custom(number: int, name: str, kind: str = "string") -> dict[str, Any]:
        return {
            "id": f"customfield_{number}",
            "key": f"customfield_{number}",
            "name": name,
            "untranslatedName": name,
            "custom": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [f"cf[{number}]", name],
            "schema": {
                "type": kind,
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
                "customId": number,
            },
        }

    rank = custom(10019, "Rank", "any")
    rank["schema"]["custom"] = "com.pyxis.greenhopper.jira:gh-lexo-rank"
    return [
        system("summary", "Summary"),
        system("issuetype", "Issue Type", "issuetype"),
        system("status", "Status", "status"),
        system("labels", "Labels", "array"),
        system("description", "Description"),
        rank,
        custom(10042, "Customer Need"),
        custom(10043, "Business Reason"),
        custom(10044, "Trade-off"),
        custom(10045, "Expected Outcome"),
        custom(10046, "Why Now"),
        custom(10050, "Team"),
        custom(10051, "Team"),  # two fields with one name: only the id is unambiguous
    ]


class FakeJira:
    """State and server. ``url`` is ready once ``start()`` returns."""

    def __init__(self, mode: Mode = "cloud") -> None:
        self.mode: Mode = mode
        self.issues: list[dict[str, Any]] = []
        self.fields = field_list()
        self.boards: dict[int, list[str]] = {}
        self.email = "po@example.com"
        self.token = "cloud-api-token-SECRET-1234"
        self.pat = "dc-personal-token-SECRET-5678"
        self.page_cap: int | None = None  # serve at most this many issues per page
        self.total_bonus = 0  # Server: report this many more issues in "total" than exist
        self.repeat_token = False  # Cloud: always send the same nextPageToken
        self.deployment: str | None = "Cloud" if mode == "cloud" else "Server"
        self.auth_style: Literal["text", "json"] = "text"
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self.in_flight: dict[str, int] = {}  # requests of each method being answered now
        self.most_in_flight: dict[str, int] = {}  # and the most of them at any one time
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, tls: ssl.SSLContext | None = None) -> FakeJira:
        fake = self

        class Handler(_Handler):
            jira = fake

        server = _Server(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
            scheme = "https"
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
        return self

    def stop(self) -> None:
        """Stop serving, end every open connection and wait for the threads that served them.

        A kept-alive connection otherwise keeps its thread waiting until the client is garbage
        collected, and a thread still alive in a later test changes what that test sees (the
        engine forks workers only while no other thread runs)."""
        self.stopping.set()  # ends slow drip-fed answers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.end_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # -- helpers for tests ----------------------------------------------------------------

    def env(self, kind: Literal["basic", "bearer"] | None = None) -> dict[str, str]:
        """Environment variables a user would set for this server."""
        kind = kind or ("basic" if self.mode == "cloud" else "bearer")
        env = {"JIRA_URL": self.url}
        if kind == "basic":
            env.update(JIRA_EMAIL=self.email, JIRA_API_TOKEN=self.token)
        else:
            env["JIRA_PAT"] = self.pat
        return env

    def inject(self, *faults: Fault) -> FakeJira:
        self.faults.extend(faults)
        return self

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.requests if method is None or r.method == method]

    def find(self, key: str) -> dict[str, Any]:
        return next(i for i in self.issues if i["key"] == key)

    def fault(self, method: str, path: str, query: dict[str, list[str]]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if (
                    fault.match in path
                    and (fault.method is None or fault.method == method)
                    and all(query.get(k, [None])[0] == v for k, v in (fault.query or {}).items())
                ):
                    fault.seen += 1
                    if fault.after < fault.seen <= fault.after + fault.count:
                        fault.fired += 1
                        return fault
        return None

    def authorised(self, header: str | None) -> bool:
        basic = base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return header in (f"Basic {basic}", f"Bearer {self.pat}")

    # -- search semantics -----------------------------------------------------------------

    def search(self, jql: str) -> tuple[int, Any]:
        """(status, issues or error body) for a JQL query the fake understands."""
        if "BAD" in jql or jql.count("(") != jql.count(")"):
            return 400, {
                "errorMessages": [
                    "Error in the JQL Query: Expecting ')' before the end of the query."
                ],
                "errors": {},
            }
        found = list(self.issues)
        project = re.search(r"project\s*=\s*\"?([A-Za-z0-9_]+)\"?", jql)
        if project:
            key = project.group(1).upper()
            found = [i for i in found if i["key"].startswith(f"{key}-")]
            if not found:
                return 400, {
                    "errorMessages": [f"The value '{key}' does not exist for the field 'project'."],
                    "errors": {},
                }
        if re.search(r"statusCategory\s*!=\s*Done", jql, re.I):
            found = [i for i in found if _category(i) != "done"]
        if re.search(r"order\s+by\s+rank\s+asc", jql, re.I):
            found.sort(key=lambda i: i["rank"])
        return 200, found

    def shaped(self, raw: dict[str, Any], wanted: list[str] | None) -> dict[str, Any]:
        """An issue as the search returns it: only the requested fields."""
        out: dict[str, Any] = {
            "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
            "id": raw["id"],
            "self": f"{self.url}/rest/api/2/issue/{raw['id']}",
            "key": raw["key"],
        }
        if wanted is None or "*all" in wanted or "*navigable" in wanted:
            out["fields"] = dict(raw["fields"])
        elif wanted != ["id"]:
            out["fields"] = {k: v for k, v in raw["fields"].items() if k in wanted}
        return out


def _category(raw: dict[str, Any]) -> str | None:
    status = raw["fields"].get("status")
    if isinstance(status, dict) and isinstance(status.get("statusCategory"), dict):
        return str(status["statusCategory"].get("key"))
    return None


def rank_last(key: str) -> Callable[[FakeJira], None]:
    """A store edit: someone drags ``key`` to the bottom of the backlog."""

    def change(jira: FakeJira) -> None:
        jira.find(key)["rank"] = "1|zzzzzz:" + key

    return change


def rotate(jira: FakeJira) -> None:
    """A store edit: someone drags the top of the open backlog to the bottom (every time)."""
    open_issues = [i for i in jira.issues if _category(i) != "done"]
    top = min(open_issues, key=lambda i: i["rank"])
    top["rank"] = f"1|z{len(jira.requests):06d}:"


def grow(jira: FakeJira) -> None:
    """A store edit: someone creates an issue at the bottom of the backlog (every time)."""
    number = 100 + len(jira.issues)
    jira.issues.append(issue(f"SHOP-{number}", f"New idea {number}", f"1|y{number:06d}:"))


def page_query(mode: Mode, start: int) -> dict[str, str]:
    """The parameters that pick the page starting at issue ``start`` (for ``Fault(query=)``):
    ``startAt`` on Server, the fake's ``nextPageToken`` on Cloud."""
    if mode == "server":
        return {"startAt": str(start)}
    return {"nextPageToken": base64.urlsafe_b64encode(str(start).encode()).decode()}


def add_issue(raw: dict[str, Any]) -> Callable[[FakeJira], None]:
    """A store edit: someone creates an issue."""

    def change(jira: FakeJira) -> None:
        jira.issues.append(raw)

    return change


def null_issue(key: str, rank: str) -> dict[str, Any]:
    """An issue whose every field is null, as a search may return one it could not load."""
    number = int(key.rsplit("-", 1)[1])
    names = ("summary", "issuetype", "status", "labels", "description", "customfield_10019")
    custom = [f"customfield_{n}" for n in range(10042, 10047)]
    return {
        "id": str(10000 + number),
        "key": key,
        "rank": rank,
        "fields": dict.fromkeys((*names, *custom)),
    }


class _Server(ThreadingHTTPServer):
    """Serves each connection on its own daemon thread, and remembers the connections and the
    threads so that ``end_connections`` can close the one and wait for the other."""

    daemon_threads = True
    _JOIN_SECONDS = 10.0  # the longest deliberate delay in a fault is far shorter

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._serving: list[threading.Thread] = []
        self._guard = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._guard:
            self._open.add(request)
            self._serving = [t for t in self._serving if t.is_alive()]
            thread = threading.Thread(
                target=self.process_request_thread, args=(request, client_address), daemon=True
            )
            self._serving.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._guard:
            self._open.discard(request)
        super().shutdown_request(request)

    def end_connections(self) -> None:
        with self._guard:
            still_open, serving = list(self._open), list(self._serving)
        for connection in still_open:
            # The thread's next read sees the end; OSError: closed by the client or by a fault.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in serving:
            thread.join(self._JOIN_SECONDS)
            if thread.is_alive():
                raise RuntimeError(f"fake Jira: {thread.name} still serving after stop()")

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up early (read timeouts in tests) breaks the pipe; not a failure.
        return


def _fields_param(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


class _Handler(BaseHTTPRequestHandler):
    jira: FakeJira
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per keep-alive response

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        return

    # -- plumbing -------------------------------------------------------------------------

    _fault: Fault | None = None  # the fault spoiling the answer being sent, if any

    def _send(
        self,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json;charset=UTF-8",
    ) -> None:
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = json.dumps(body).encode()
        fault = self._fault
        declared = len(data)
        if fault is not None and fault.keep is not None:
            data = data[: int(len(data) * fault.keep)]
            if not fault.reset:
                declared = len(data)  # a complete answer whose JSON stops early
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}"]
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {declared}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
        if fault is not None and fault.drip:
            for index in range(len(raw)):
                if self.jira.stopping.is_set():
                    break
                self.wfile.write(raw[index : index + 1])
                time.sleep(fault.drip)
            self.close_connection = True
            return
        self.wfile.write(raw)
        if fault is not None and fault.reset:
            linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
            self.connection.close()

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        jira = self.jira
        with jira._lock:
            now = jira.in_flight[method] = jira.in_flight.get(method, 0) + 1
            jira.most_in_flight[method] = max(now, jira.most_in_flight.get(method, 0))
        try:
            self._answer(method)
        finally:
            with jira._lock:
                jira.in_flight[method] -= 1

    def _answer(self, method: str) -> None:
        jira = self.jira
        parts = urlsplit(self.path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = None
        with jira._lock:
            jira.requests.append(
                Recorded(method, path, query, body, {k.lower(): v for k, v in self.headers.items()})
            )
        fault = jira.fault(method, path, query if method == "GET" else _as_query(body))
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.change is not None:
                with jira._lock:
                    fault.change(jira)
            if fault.echo:
                said = f"Bad request from Authorization: {self.headers.get('Authorization')}"
                self._send(fault.status or 400, {"errorMessages": [said], "errors": {}})
                return
            if fault.status is not None:
                self._send(fault.status, fault.body, fault.headers, fault.content_type)
                return
            self._fault = fault
        self._route(method, path, query, body)
        self._fault = None

    # -- routes ---------------------------------------------------------------------------

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> None:
        jira = self.jira
        api = re.match(r"^/rest/api/(2|3|latest)/(.+)$", path)
        agile = re.match(r"^/rest/agile/1\.0/board/(\d+)/backlog$", path)
        if api and api.group(2) == "serverInfo":
            info: dict[str, Any] = {
                "baseUrl": jira.url,
                "version": "1001.0.0-SNAPSHOT" if jira.mode == "cloud" else "9.12.4",
                "versionNumbers": [1001, 0, 0] if jira.mode == "cloud" else [9, 12, 4],
                "buildNumber": 100204,
                "serverTitle": "Jira",
            }
            if jira.deployment is not None:
                info["deploymentType"] = jira.deployment
            self._send(200, info)
            return
        if not jira.authorised(self.headers.get("Authorization")):
            message = "Client must be authenticated to access this resource."
            if jira.auth_style == "json":
                self._send(401, {"message": message, "status-code": 401})
            else:
                self._send(401, message, {"WWW-Authenticate": "Basic realm=\"protected-area\""},
                           "text/plain;charset=UTF-8")  # fmt: skip
            return
        if api is None and agile is None:
            self._send(404, {"errorMessages": ["Not found"], "errors": {}})
            return
        if agile is not None:
            self._board(int(agile.group(1)), query)
            return
        assert api is not None
        rest = api.group(2)
        if rest == "myself" and method == "GET":
            self._send(200, {"accountId": "5b10a2844c20165700ede21g", "emailAddress": jira.email,
                             "displayName": "Pat Owner", "active": True})  # fmt: skip
        elif rest == "field" and method == "GET":
            self._send(200, jira.fields)
        elif rest == "search/jql" and method in ("GET", "POST"):
            if jira.mode != "cloud":
                self._send(404, {"errorMessages": ["null for uri: " + path], "errors": {}})
                return
            self._cloud_search(query if method == "GET" else _as_query(body))
        elif rest == "search" and method in ("GET", "POST"):
            if jira.mode == "cloud":
                self._send(410, REMOVED_BODY)
                return
            self._server_search(query if method == "GET" else _as_query(body))
        elif rest.startswith("issue/") and method == "PUT":
            self._update(rest.removeprefix("issue/"), body)
        else:
            self._send(404, {"errorMessages": [f"no route for {method} {path}"], "errors": {}})

    def _cloud_search(self, query: dict[str, list[str]]) -> None:
        jira = self.jira
        status, found = jira.search((query.get("jql") or [""])[0])
        if status != 200:
            self._send(status, found)
            return
        size = self._page_size(query, 5000)
        tokens = query.get("nextPageToken")
        token = tokens[0] if tokens else None
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        wanted = _fields_param(query.get("fields")) or ["id"]
        page = found[start : start + size]
        more = start + size < len(found)
        answer: dict[str, Any] = {
            "issues": [jira.shaped(i, wanted) for i in page],
            "isLast": not more,
        }
        if more or jira.repeat_token:
            following = start if jira.repeat_token else start + size
            answer["nextPageToken"] = base64.urlsafe_b64encode(str(following).encode()).decode()
            answer["isLast"] = False
        self._send(200, answer)

    def _server_search(self, query: dict[str, list[str]]) -> None:
        jira = self.jira
        status, found = jira.search((query.get("jql") or [""])[0])
        if status != 200:
            self._send(status, found)
            return
        self._offset_page(found, query)

    def _offset_page(self, found: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        jira = self.jira
        start = int((query.get("startAt") or ["0"])[0])
        size = self._page_size(query, 1000)
        wanted = _fields_param(query.get("fields"))
        page = found[start : start + size]
        self._send(200, {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(found) + jira.total_bonus,
            "issues": [jira.shaped(i, wanted) for i in page],
        })  # fmt: skip

    def _page_size(self, query: dict[str, list[str]], most: int) -> int:
        """What the server serves: what was asked (default 50), capped by the site and faults."""
        size = min(int((query.get("maxResults") or ["50"])[0]), most)
        if self.jira.page_cap is not None:
            size = min(size, self.jira.page_cap)
        if self._fault is not None and self._fault.limit is not None:
            size = min(size, self._fault.limit)
        return size

    def _board(self, board: int, query: dict[str, list[str]]) -> None:
        jira = self.jira
        if board not in jira.boards:
            self._send(404, {
                "errorMessages": ["Board does not exist or you do not have permission to see it."],
                "errors": {},
            })  # fmt: skip
            return
        self._offset_page([jira.find(k) for k in jira.boards[board]], query)

    def _update(self, key: str, body: Any) -> None:
        jira = self.jira
        try:
            target = jira.find(key)
        except StopIteration:
            self._send(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
            return
        labels: list[str] = target["fields"]["labels"]
        for operation in (body or {}).get("update", {}).get("labels", []):
            for op, value in operation.items():
                if op == "add" and value not in labels:
                    labels.append(value)
                elif op == "remove" and value in labels:
                    labels.remove(value)
        self._send(204)


def _as_query(body: Any) -> dict[str, list[str]]:
    """A POST search body as the same multi-dict the GET handler reads."""
    out: dict[str, list[str]] = {}
    for key, value in (body or {}).items():
        if value is None:
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


# --- driving the real CLI against the fake -----------------------------------------------------

JIRA_VARIABLES = ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_PAT")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def all(self) -> str:
        return self.out + self.err


def run_cli(args: list[str], env: dict[str, str], monkeypatch: Any, capsys: Any) -> Run:
    """``readylint.cli.main(args)`` in-process with exactly the Jira variables in ``env``."""
    from readylint.cli import main

    for name in JIRA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


NEED = "Shoppers who browse on the phone and buy on the laptop lose their cart every time."
REASON = "Abandoned carts cost us eight percent of orders, about forty thousand a month."
TRADE = "We postpone the wish list that three enterprise customers asked for."
OUTCOME = "Cart abandonment between devices drops by a quarter within one month."
ORDER = "The holiday campaign starts in six weeks and the next items build on saved carts."


def adf(*blocks: tuple[str, str]) -> dict[str, Any]:
    """An ADF document with one heading and one paragraph per (heading, text) pair."""
    content: list[dict[str, Any]] = []
    for title, body in blocks:
        content.append(
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": title}]}
        )
        content.append({"type": "paragraph", "content": [{"type": "text", "text": body}]})
    return {"type": "doc", "version": 1, "content": content}


def shop_backlog() -> list[dict[str, Any]]:
    """Seven issues, stored out of rank order, answering in every way Jira allows."""
    return [
        issue("SHOP-3", "Show delivery dates", "0|i0000c:", description=None),
        issue(
            "SHOP-1",
            "Save carts across devices",
            "0|i0000a:",
            description=None,
            customfield_10042=NEED,
            customfield_10043=REASON,
            customfield_10044=TRADE,
            customfield_10045=OUTCOME,
            customfield_10046=ORDER,
        ),
        issue(
            "SHOP-2",
            "Saved cart e-mail reminder",
            "0|i0000b:",
            labels=("checkout",),
            description=adf(
                ("Customer need", NEED),
                ("Business reason", REASON),
                ("Trade-off", TRADE),
                ("Expected outcome", OUTCOME),
                ("Why now", ORDER),
            ),
        ),
        issue(
            "SHOP-4",
            "Write the migration",
            "0|i0000d:",
            type_name="Sub-task",
            subtask=True,
        ),
        issue(
            "SHOP-6",
            "Express checkout",
            "0|i0000f:",
            description=(
                f"h3. Customer need\n{NEED}\n\n*Business reason:* {REASON}\n"
                f"*Trade-off:* {TRADE}\n\nh3. Expected outcome\n{OUTCOME}\n\n*Why now*\n{ORDER}"
            ),
        ),
        issue(
            "SHOP-5",
            "Gift wrapping",
            "0|i0000e:",
            description={"type": "doc", "version": 1, "content": []},
            labels=("not-ready", "q3"),
        ),
        issue("SHOP-7", "Old done item", "0|i00009:", status="Done", category="done"),
    ]


FIELD_MAP_CONFIG = """\
jira:
  fields:
    customer_need: Customer Need        # by name
    business_reason: customfield_10043  # by id
    trade_off: trade-off                # names match case-insensitively
    expected_outcome: Expected Outcome
    ordering_rationale: Why Now
  read_timeout: 2
  connect_timeout: 2
  max_retries: 3
  max_retry_wait: 10
"""


# --- TLS ---------------------------------------------------------------------------------------


def shop_site(
    mode: Mode,
    directory: Path,
    monkeypatch: Any,
    *,
    config: str = FIELD_MAP_CONFIG,
    faults: tuple[Fault, ...] = (),
) -> Iterator[FakeJira]:
    """For a fixture: the shop backlog served in ``mode`` in pages of two (six open issues, one
    a sub-task: three pages), with ``config`` as .readylint.yaml in ``directory``, the working
    directory. Stopped when the fixture ends."""
    jira = FakeJira(mode)
    jira.issues = shop_backlog()
    jira.page_cap = 2
    jira.inject(*faults)
    jira.start()
    (directory / ".readylint.yaml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(directory)
    yield jira
    jira.stop()


def can_make_certificates() -> bool:
    import importlib.util

    return (
        shutil.which("openssl") is not None or importlib.util.find_spec("cryptography") is not None
    )


def self_signed(directory: Path) -> tuple[Path, Path] | None:
    """A fresh self-signed certificate for 127.0.0.1 (cert.pem, key.pem), made with the openssl
    command or, without it, the ``cryptography`` package; None when neither is available."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if shutil.which("openssl") is not None:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        return cert, key
    try:
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
