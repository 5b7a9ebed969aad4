"""A small HTTP router: method + path patterns with `{param}`s, grouped in mounts.

A *mount* is one of the server's applications behind its reverse proxy (`/scim`, `/api`,
`/identity`, `/bw`, `/_sandbox`). Each mount says how that application answers what no route
handles (ASP.NET Core's empty 404/405, Koa's `Not Found`), may run checks before every request
(`bw serve`'s origin protection, the cloud's rate limits) and touches after it (security headers),
and turns a handler's crash into that application's own 500 answer. Every API module exposes
`register(router, state)`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

JSON_UTF8 = "application/json; charset=utf-8"


class BadJsonError(ValueError):
    """The request body is not JSON (or is empty)."""


@dataclass
class Request:
    """One HTTP request as the handlers see it."""

    method: str
    path: str
    query_string: str
    headers: Message
    body: bytes
    client_ip: str = "127.0.0.1"
    params: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        """A query parameter by case-insensitive name (as ASP.NET Core and Koa match them)."""
        wanted = name.lower()
        for key, values in self.query.items():
            if key.lower() == wanted and values:
                return values[0]
        return None

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return None if value is None else str(value)

    def header_values(self, name: str) -> list[str]:
        return [str(v) for v in (self.headers.get_all(name) or [])]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case ("" when absent)."""
        raw = self.header("Content-Type") or ""
        return raw.split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON; `BadJsonError` when it is empty or malformed."""
        if not self.body.strip():
            raise BadJsonError("A non-empty request body is required.")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise BadJsonError(str(error)) from error

    def form(self) -> dict[str, str]:
        """An `application/x-www-form-urlencoded` body (first value of each field)."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


@dataclass
class Response:
    """One HTTP response; build it with the class methods."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def empty(cls, status: int, headers: Iterable[tuple[str, str]] = ()) -> Response:
        return cls(status, b"", list(headers))

    @classmethod
    def json(cls, status: int, payload: Any, content_type: str = JSON_UTF8) -> Response:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return cls(status, body, [("Content-Type", content_type)])

    @classmethod
    def raw_json(cls, status: int, body: bytes, content_type: str = JSON_UTF8) -> Response:
        """An already-serialized JSON body (the cached big lists)."""
        return cls(status, body, [("Content-Type", content_type)])

    @classmethod
    def text(cls, status: int, text: str) -> Response:
        return cls(status, text.encode("utf-8"), [("Content-Type", "text/plain; charset=utf-8")])

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


Handler = Callable[[Request], Response]
Before = Callable[[Request], Response | None]
After = Callable[[Request, Response], Response]
Fallback = Callable[[Request, int], Response]


def _empty_fallback(request: Request, status: int) -> Response:
    """ASP.NET Core: no endpoint → 404, another verb's endpoint → 405, both with no body."""
    return Response.empty(status)


def _crash_500(request: Request, error: BaseException) -> Response:
    return Response.empty(500)


@dataclass
class Mount:
    """One application behind the reverse proxy, reached under `prefix`."""

    prefix: str
    fallback: Fallback = _empty_fallback
    on_error: Callable[[Request, BaseException], Response] = _crash_500
    before: list[Before] = field(default_factory=list)
    after: list[After] = field(default_factory=list)


@dataclass
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler


_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """`/v2/{org_id}/users` → a case-insensitive regex; a trailing slash is tolerated."""
    parts: list[str] = []
    last = 0
    for match in _PARAM.finditer(pattern):
        parts.append(re.escape(pattern[last : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/]+)")
        last = match.end()
    parts.append(re.escape(pattern[last:].rstrip("/")))
    return re.compile("^" + "".join(parts) + "/?$", re.IGNORECASE)


class Router:
    """Routes by method and path; unmatched requests get their mount's own answer."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._mounts: list[Mount] = []
        #: The identity token endpoint's grant handlers, tried in order (the vault adds its own).
        self.token_grants: list[Callable[[Request, dict[str, str]], Response | None]] = []

    def mount(self, mount: Mount) -> Mount:
        """Declare an application under a prefix; returns it (or the one already there)."""
        for existing in self._mounts:
            if existing.prefix.lower() == mount.prefix.lower():
                return existing
        self._mounts.append(mount)
        self._mounts.sort(key=lambda m: len(m.prefix), reverse=True)
        return mount

    def mount_for(self, path: str) -> Mount | None:
        lowered = path.lower()
        for mount in self._mounts:
            prefix = mount.prefix.lower()
            if lowered == prefix or lowered.startswith(prefix + "/"):
                return mount
        return None

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Route `method pattern` (full path including the mount prefix) to `handler`."""
        self._routes.append(_Route(method.upper(), pattern, compile_pattern(pattern), handler))

    def get(self, pattern: str, handler: Handler) -> None:
        self.add("GET", pattern, handler)

    def post(self, pattern: str, handler: Handler) -> None:
        self.add("POST", pattern, handler)

    def put(self, pattern: str, handler: Handler) -> None:
        self.add("PUT", pattern, handler)

    def patch(self, pattern: str, handler: Handler) -> None:
        self.add("PATCH", pattern, handler)

    def delete(self, pattern: str, handler: Handler) -> None:
        self.add("DELETE", pattern, handler)

    def resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """(handler, params, path_known): path_known is True when another verb would match."""
        path_known = False
        for route in self._routes:
            match = route.regex.match(path)
            if match is None:
                continue
            if route.method == method.upper():
                return route.handler, match.groupdict(), True
            path_known = True
        return None, {}, path_known

    def dispatch(self, request: Request) -> Response:
        """Run the request through its mount's checks, its route, and the mount's touches."""
        mount = self.mount_for(request.path)
        if mount is None:
            return Response.empty(404)
        try:
            response = self._dispatch_in(mount, request)
        except Exception as error:  # a handler bug must not reach the client as a traceback
            response = mount.on_error(request, error)
        for after in mount.after:
            response = after(request, response)
        return response

    def _dispatch_in(self, mount: Mount, request: Request) -> Response:
        for before in mount.before:
            early = before(request)
            if early is not None:
                return early
        handler, params, path_known = self.resolve(request.method, request.path)
        if handler is None:
            return mount.fallback(request, 405 if path_known else 404)
        request.params = params
        return handler(request)
