"""Wiring and the server loop: the in-process `Sandbox` (tests, the demo, `scim-assistant sandbox`).

One `ThreadingHTTPServer` on loopback serves every application a self-hosted Bitwarden server
publishes behind its nginx: `/scim` (prefix stripped by nginx, so the SCIM app's own `/v2/{org}/…`
routes), `/api`, `/identity`, plus the emulated `bw serve` under `/bw` and the sandbox's control
endpoints under `/_sandbox`. HTTP/1.1 keep-alive is kept (clients reuse connections) and each
response leaves in a single write.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar

from app.sandbox import bw_serve, control, identity, public_api, ratelimit, scim, vault
from app.sandbox.accept_timer import AcceptTimer
from app.sandbox.okta.sandbox import OktaSandbox
from app.sandbox.organizations import OrganizationsRouter
from app.sandbox.router import Request, Response, Router
from app.sandbox.seed import seed_state
from app.sandbox.state import SandboxState

log = logging.getLogger(__name__)

#: Kestrel's default maximum request body; nginx allows more (505m), so Kestrel decides.
MAX_BODY_BYTES = 30_000_000
#: The admin KDFs `Sandbox.start(admin_kdf=…)` and `--admin-kdf` take.
ADMIN_KDFS = ("pbkdf2", "argon2id")
#: An idle keep-alive connection is closed after this many seconds.
IDLE_TIMEOUT = 120.0


def build_router(
    state: SandboxState,
    *,
    rate_limits: bool = False,
    base_url: str = "",
    bw_server_url: str | None = None,
    admin_kdf: vault.crypto.Kdf | None = None,
) -> Router:
    """Every emulated API, registered on one router. Another API adds one `register` line here.

    `bw_server_url` is the server the emulated `bw serve` reports in its status (the HTTPS front);
    `admin_kdf` the admin's KDF when it is not the default PBKDF2 (Argon2id).
    """
    router = Router()
    scim.register(router, state)
    identity.register(router, state)
    public_api.register(router, state)
    bw_serve.register(router, state, base_url=base_url, server_url=bw_server_url)
    control.register(router, state)
    # after identity: the vault adds grants to the token endpoint
    vault.register(router, state, admin_kdf=admin_kdf)
    if rate_limits:
        ratelimit.install(router)
    return router


class _Server(ThreadingHTTPServer):
    """Daemon connection threads named `sandbox-conn-N`; open connections are closed on shutdown."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], router: Router | OrganizationsRouter) -> None:
        self.router = router
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._counter = 0
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._counter += 1
        with self._connections_lock:
            self._connections.add(request)
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"sandbox-conn-{self._counter}",
            daemon=True,
        )
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Turns the raw HTTP exchange into a `Request` for the router and writes its `Response`."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True
    server: _Server

    METHODS: ClassVar[tuple[str, ...]] = (
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
    )

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's access log (a URL may carry an `access_token`)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Unparsable requests (bad request line, huge headers): Kestrel's bare status, no HTML."""
        self.close_connection = True
        self._send(Response.empty(code), head=False)

    def _handle(self) -> None:
        path, _, query = self.path.partition("?")
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._send(Response.empty(413), head=False)
            return
        request = Request(
            method=self.command,
            path=path,
            query_string=query,
            headers=self.headers if isinstance(self.headers, Message) else Message(),
            body=body,
            client_ip=str(self.client_address[0]),
        )
        try:
            response = self.server.router.dispatch(request)
        except Exception:
            log.exception("sandbox: unhandled error for %s %s", self.command, path)
            response = Response.empty(500)
        self._send(response, head=self.command == "HEAD")

    def _read_body(self) -> bytes | None:
        """The request body, or None when it exceeds Kestrel's limit (answered 413)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:
                return b""
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _send(self, response: Response, *, head: bool) -> None:
        lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
        lines.append(f"Date: {self.date_time_string()}")
        lines.append(f"Server: {self.server_version}")
        for key, value in response.headers:
            lines.append(f"{key}: {value}")
        lines.append(f"Content-Length: {len(response.body)}")
        if self.close_connection or (self.headers.get("Connection") or "").lower() == "close":
            self.close_connection = True
            lines.append("Connection: close")
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not head:
            payload += response.body
        try:
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_") and name[3:] in self.METHODS:
            return self._handle
        raise AttributeError(name)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _organization_info(state: SandboxState, base_url: str) -> dict[str, str]:
    """One entry of the JSON line's `organizations` list: that organization's own keys."""
    org_id = state.organization.id
    return {
        "organization_id": org_id,
        "name": state.organization.name,
        "scim_url": f"{base_url}/scim/v2/{org_id}",
        "scim_key": state.organization.scim_key.get_secret_value(),
        "client_id": f"organization.{org_id}",
        "client_secret": state.organization.api_key.get_secret_value(),
        "control_url": f"{base_url}/_sandbox/organizations/{org_id}",
    }


def _vault_info(state: SandboxState) -> dict[str, str]:
    """The admin's personal API key and the plain name of the collection every member reads."""
    admin = state.admin
    assert admin.api_key is not None
    shared = next(c for c in state.collections.values() if c.everyone)
    return {
        "admin_api_key_client_id": f"user.{admin.id}",
        "admin_api_key_client_secret": admin.api_key.get_secret_value(),
        "collection_name": shared.name,
    }


class Sandbox:
    """A running sandbox organization; a context manager that stops the server on exit.

    With several organizations, `state` and `info` are the first one's; `states` and
    `organizations` (the JSON line's `organizations` list) hold all of them, the first included.
    """

    def __init__(self, server: _Server, state: SandboxState, info: dict[str, str]) -> None:
        self._server = server
        self.state = state
        self.info = info
        self.states: list[SandboxState] = [state]
        self.organizations: list[dict[str, str]] = []
        self.base_url = info["api_url"].removesuffix("/api")
        self._timer: AcceptTimer | None = None
        #: The sandbox Okta org, served on its own origin (`okta_url`).
        self.okta: OktaSandbox | None = None
        self._okta_server: _Server | None = None
        self._okta_thread: threading.Thread | None = None
        #: HTTPS for Bitwarden's own apps (the CLI refuses http): `bw_server_url`, `ca_file`.
        self._https: vault.TlsFront | None = None
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sandbox-server",
            daemon=True,
        )

    @classmethod
    def start(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        members: int = 25,
        seed: int | None = None,
        accept_after: float | None = None,
        rate_limits: bool = False,
        organizations: int = 1,
        okta_assigned: int = 0,
        admin_kdf: str = "pbkdf2",
    ) -> Sandbox:
        """Seed `organizations` organizations (each of `members` members), bind `host:port` (0: any
        free port), serve in a daemon thread. The first organization is `state`/`info`.

        The sandbox Okta org (the first organization's) gets a port of its own; `okta_assigned`
        people are assigned to its Bitwarden app and provisioned. `admin_kdf` is `"pbkdf2"`
        (600,000 iterations) or `"argon2id"` (the server's defaults: 6 iterations, 32 MiB, 4 lanes).
        """
        if organizations < 1:
            raise ValueError("at least one organization")
        if admin_kdf not in ADMIN_KDFS:
            raise ValueError(f"admin_kdf: one of {', '.join(ADMIN_KDFS)}")
        kdf = vault.crypto.Kdf.argon2id() if admin_kdf == "argon2id" else None
        states = [seed_state(members, seed)]
        for index in range(2, organizations + 1):
            extra_seed = None if seed is None else seed * 1000 + index
            states.append(
                seed_state(members, extra_seed, organization_name=f"Sandbox Organization {index}")
            )
        state = states[0]
        router = Router()  # replaced below once the port (and so the base URL) is known
        server = _Server((host, port), router)
        bound_port = server.server_address[1]
        shown_host = f"[{host}]" if ":" in host else host
        base_url = f"http://{shown_host}:{bound_port}"
        https = vault.TlsFront((host, bound_port), host=host)
        routers = [
            build_router(
                each,
                rate_limits=rate_limits,
                base_url=base_url,
                bw_server_url=https.url,
                admin_kdf=kdf,
            )
            for each in states
        ]
        server.router = OrganizationsRouter(list(zip(states, routers, strict=True)))
        org_id = state.organization.id
        info = {
            "organization_id": org_id,
            "scim_url": f"{base_url}/scim/v2/{org_id}",
            "scim_key": state.organization.scim_key.get_secret_value(),
            "api_url": f"{base_url}/api",
            "identity_url": f"{base_url}/identity",
            "client_id": f"organization.{org_id}",
            "client_secret": state.organization.api_key.get_secret_value(),
            "bw_serve_url": f"{base_url}/bw",
            "bw_password": state.admin_password.get_secret_value(),
            "admin_email": state.admin.email,
            "control_url": f"{base_url}/_sandbox",
            "bw_server_url": https.url,
            "ca_file": str(https.ca_file),
            **_vault_info(state),
        }
        sandbox = cls(server, state, info)
        sandbox.states = states
        sandbox.organizations = [_organization_info(each, base_url) for each in states]
        sandbox._https = https
        if accept_after is not None:
            sandbox._timer = AcceptTimer(state, accept_after)
            sandbox._timer.start()
        sandbox._thread.start()
        sandbox._start_okta(host, shown_host, okta_assigned)
        return sandbox

    def _start_okta(self, host: str, shown_host: str, assigned: int) -> None:
        """The Okta org on its own port, connected to this organization's SCIM endpoint."""
        state = self.state
        okta = OktaSandbox(self.info["scim_url"], state.organization.scim_key)
        server = _Server((host, 0), okta.router)
        okta.serve_at(f"http://{shown_host}:{server.server_address[1]}")
        router = self._server.router
        first = router.first if isinstance(router, OrganizationsRouter) else router
        okta.register_control(first, control.PREFIX)
        with state.lock:
            existing = [
                (state.member_name(m) or "", state.member_email(m))
                for m in list(state.members.values())
                if state.member_email(m) != state.admin.email
            ][:3]
        okta.seed(existing)
        self._okta_server, self.okta = server, okta
        self._okta_thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="sandbox-okta",
            daemon=True,
        )
        self._okta_thread.start()
        okta.seed_assigned(assigned)
        assert okta.api is not None
        self.info.update(
            okta_url=okta.api.base,
            okta_token=okta.org.token.get_secret_value(),
            okta_read_only_token=okta.org.read_only_token.get_secret_value(),
            okta_app_id=okta.org.app.id,
            okta_client_id=okta.api.oauth.app.client_id,
            okta_private_key_pem=okta.api.oauth.app.private_key_pem(),
            okta_key_id=okta.api.oauth.app.key_id,
        )

    def stop(self) -> None:
        """Stop serving, close open connections, and stop the auto-accept timer."""
        if self._timer is not None:
            self._timer.stop()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._okta_server is not None:
            self._okta_server.shutdown()
            self._okta_server.close_connections()
            self._okta_server.server_close()
        if self._okta_thread is not None:
            self._okta_thread.join(timeout=5)
        if self._https is not None:
            self._https.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox({self.base_url}, organization={self.state.organization.id})"
