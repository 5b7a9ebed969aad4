"""Transport security: TLS verification cannot be switched off, a private CA can be added, plain
http only to loopback, credentials never follow a redirect, and `bw serve` only on loopback (or a
private Unix socket) with its origin protection left on, never through a proxy, locked after use."""

from __future__ import annotations

import inspect
import os
import ssl
import stat
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.core import http as core_http
from app.core.bw_serve import BwServeClient, BwServeError, BwServeProcess, fingerprints
from app.core.cancel import CancelToken
from app.core.endpoints import normalize_server_url, parse_scim_url
from app.core.okta_check import Category, check_credentials
from app.core.public_api import Member, PublicApiClient, PublicApiError
from app.core.scim_client import ScimClient, ScimError
from app.sandbox.server import Sandbox
from tests.faults.support import (
    CLIENT_SECRET,
    MEMBERS_PATH,
    ORG,
    SCIM_KEY,
    TOKEN_PATH,
    endpoints_for,
    member_json,
    members_body,
    public_api_client,
    token,
)
from tests.fixtures.connect_proxy import ConnectProxy
from tests.fixtures.hostile_server import (
    UNRESOLVABLE_HOST,
    HostileServer,
    TlsMaterial,
    behaviours,
    refused_url,
)

# ---------------------------------------------------------------- TLS verification

#: Settings that switch verification off (or empty the trust store) in some other HTTP stack.
DISABLING_ENVIRONMENT = {
    "PYTHONHTTPSVERIFY": "0",
    "CURL_CA_BUNDLE": "",
    "REQUESTS_CA_BUNDLE": "",
    "SSL_CERT_FILE": os.devnull,
    "HTTPX_SSL_VERIFY": "0",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
}


def test_no_entry_point_has_a_verify_switch() -> None:
    entry_points: list[Callable[..., object]] = [
        core_http.build_client,
        core_http.build_ssl_context,
        check_credentials,
        PublicApiClient.__init__,
        ScimClient.__init__,
    ]
    for function in entry_points:
        names = set(inspect.signature(function).parameters)
        assert not names & {"verify", "insecure", "verify_ssl", "ssl_verify", "no_verify"}
    with pytest.raises(TypeError):
        core_http.build_client(verify=False)  # type: ignore[call-arg]


@pytest.mark.parametrize("ca_file", [None, "private"])
def test_every_client_context_verifies(
    ca_file: str | None, hostile_tls_server: HostileServer
) -> None:
    extra = hostile_tls_server.ca_file if ca_file else None
    context = core_http.build_ssl_context(extra)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.timeout(30)
def test_the_environment_cannot_switch_verification_off(
    hostile_tls_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in DISABLING_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    result = check_credentials(f"{hostile_tls_server.url}/scim/v2/{ORG}", SCIM_KEY, timeout=5)
    assert result.category is Category.TLS
    untrusting = PublicApiClient(
        endpoints_for(hostile_tls_server), f"organization.{ORG}", SecretStr(CLIENT_SECRET)
    )
    with untrusting, pytest.raises(PublicApiError):
        untrusting.verify()
    scim = ScimClient(f"{hostile_tls_server.url}/scim/v2/{ORG}", SecretStr(SCIM_KEY), timeout=5)
    with scim, pytest.raises(ScimError):
        scim.list_users()
    assert hostile_tls_server.requests == []  # no key, no secret, nothing was sent


# ---------------------------------------------------------------- a private CA


@pytest.mark.timeout(30)
def test_a_private_ca_file_is_trusted_for_every_client(hostile_tls_server: HostileServer) -> None:
    ca_file = hostile_tls_server.ca_file
    assert ca_file is not None
    hostile_tls_server.route("/scim/", behaviours.scim_list())
    hostile_tls_server.route(TOKEN_PATH, token())
    hostile_tls_server.route(MEMBERS_PATH, members_body(member_json(1)))
    url = f"{hostile_tls_server.url}/scim/v2/{ORG}"
    result = check_credentials(url, SCIM_KEY, timeout=5, ca_file=ca_file)
    assert result.category is Category.OK, result.message
    with public_api_client(hostile_tls_server) as client:  # passes the server's ca_file
        assert len(client.list_members()) == 1
    with ScimClient(url, SecretStr(SCIM_KEY), ca_file=ca_file, timeout=5) as scim:
        scim.list_users()


@pytest.mark.timeout(30)
def test_a_self_signed_certificate_can_be_trusted_explicitly(
    self_signed_server: HostileServer,
) -> None:
    url = f"{self_signed_server.url}/scim/v2/{ORG}"
    assert check_credentials(url, SCIM_KEY, timeout=5).category is Category.TLS
    result = check_credentials(url, SCIM_KEY, timeout=5, ca_file=self_signed_server.ca_file)
    assert result.category is Category.OK, result.message


@pytest.mark.timeout(30)
def test_a_ca_file_for_another_server_does_not_help(
    hostile_tls_server: HostileServer, self_signed_server: HostileServer
) -> None:
    url = f"{hostile_tls_server.url}/scim/v2/{ORG}"
    result = check_credentials(url, SCIM_KEY, timeout=5, ca_file=self_signed_server.ca_file)
    assert result.category is Category.TLS
    assert hostile_tls_server.requests == []


# ---------------------------------------------------------------- plain http only to loopback


@pytest.mark.parametrize(
    "host",
    [
        "bw.example.com",
        "10.0.0.5",
        "192.168.1.10",
        "0.0.0.0",  # noqa: S104 - a URL that must be refused, nothing binds to it
        "[fe80::1]",
        "127.0.0.1.nip.io",
        "localhost.example.com",
        "scim.bitwarden.com",
    ],
)
def test_plain_http_is_refused_off_loopback(host: str, hostile_server: HostileServer) -> None:
    url = f"http://{host}/scim/v2/{ORG}"
    check = parse_scim_url(url)
    assert check.endpoints is None
    assert check.error
    result = check_credentials(url, SCIM_KEY, timeout=2)
    assert result.category in (Category.INSECURE_URL, Category.INVALID_URL)
    server_url, error = normalize_server_url(f"http://{host}")
    assert server_url is None
    assert error


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.8.9.10"])
def test_plain_http_is_accepted_on_loopback(host: str) -> None:
    check = parse_scim_url(f"http://{host}:8080/scim/v2/{ORG}")
    assert check.endpoints is not None, check.error
    assert check.endpoints.api_url.startswith("http://")


# ---------------------------------------------------------------- proxies


def _proxy_env(monkeypatch: pytest.MonkeyPatch, proxy: HostileServer | ConnectProxy) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("host", "bind"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("127.0.0.2", "127.0.0.2"),  # all of 127.0.0.0/8 is loopback
    ],
)
def test_loopback_never_goes_through_a_proxy(
    host: str, bind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain http to the sandbox or a local tunnel through a proxy would hand the SCIM key, in
    # clear, to the proxy's machine (it once did).
    server = HostileServer(bind_address=bind)
    proxy = HostileServer()
    try:
        _proxy_env(monkeypatch, proxy)
        url = f"http://{host}:{server.port}/scim/v2/{ORG}"
        assert check_credentials(url, SCIM_KEY, timeout=5).category is Category.OK
        with ScimClient(url, SecretStr(SCIM_KEY), timeout=5) as scim:
            scim.list_users(cancel=CancelToken())  # a call's own client
            scim.list_users()  # the shared client
        assert proxy.connections == 0
        assert len(server.requests) == 3
    finally:
        proxy.stop()
        server.stop()


@pytest.mark.timeout(30)
def test_the_fully_qualified_localhost_never_goes_through_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `localhost.` may not resolve here (no resolver, or /etc/hosts without it); whatever the
    # answer, the proxy must not have been asked.
    proxy = HostileServer()
    try:
        _proxy_env(monkeypatch, proxy)
        port = refused_url().rsplit(":", 1)[1]  # nobody listens there, if it does resolve
        check_credentials(f"http://localhost.:{port}/scim/v2/{ORG}", SCIM_KEY, timeout=5)
        assert proxy.requests == []
    finally:
        proxy.stop()


@pytest.mark.timeout(30)
def test_other_hosts_use_the_proxy_without_showing_it_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The control: a real host goes through the proxy, in a CONNECT tunnel the proxy cannot read.
    proxy = HostileServer()
    try:
        proxy.serve(behaviours.respond(403, "proxy says no", "text/plain"))
        _proxy_env(monkeypatch, proxy)
        url = f"https://{UNRESOLVABLE_HOST}/scim/v2/{ORG}"
        result = check_credentials(url, SCIM_KEY, timeout=5)
        assert not result.ok
        assert [r.method for r in proxy.requests] == ["CONNECT"]
        assert all(SCIM_KEY.encode() not in r.raw_head + r.body for r in proxy.requests)
    finally:
        proxy.stop()


#: A company server reached only through the proxy (the proxy resolves it; this machine cannot).
_BEHIND_PROXY = "scim.corp.example.invalid"


@pytest.mark.timeout(30)
def test_https_goes_through_the_proxy_in_a_tunnel_the_proxy_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check, the SCIM client and the Public API client all reach a server this machine can
    # only reach through its proxy; the certificate is verified end to end inside the tunnel.
    tls = TlsMaterial.create(tmp_path / "tls", names=(_BEHIND_PROXY,))
    server = HostileServer(tls=tls, host_name=_BEHIND_PROXY)
    server.route(TOKEN_PATH, token())
    server.route(MEMBERS_PATH, members_body(member_json(1)))
    proxy = ConnectProxy(server.port)
    try:
        _proxy_env(monkeypatch, proxy)
        url = f"{server.url}/scim/v2/{ORG}"
        result = check_credentials(url, SCIM_KEY, timeout=10, ca_file=tls.ca_file)
        assert result.category is Category.OK, result.message
        with ScimClient(url, SecretStr(SCIM_KEY), timeout=10, ca_file=tls.ca_file) as scim:
            scim.list_users()
        with public_api_client(server, timeout=10) as api:
            assert len(api.list_members()) == 1
        target = f"{_BEHIND_PROXY}:{server.port}"
        assert set(proxy.targets) == {target}
        assert proxy.plain_requests == []
        # The server got the key and the secret; the proxy relayed them only encrypted.
        heads = b"".join(r.raw_head + r.body for r in server.requests)
        assert SCIM_KEY.encode() in heads
        assert CLIENT_SECRET.encode() in heads
        relayed = proxy.relayed
        assert len(relayed) > 1000  # the control: the exchanges really crossed the proxy
        for secret in (SCIM_KEY, CLIENT_SECRET, "Authorization", "/scim/v2/"):
            assert secret.encode() not in relayed
    finally:
        proxy.stop()
        server.stop()


@pytest.mark.timeout(30)
def test_a_proxy_that_intercepts_tls_is_refused_before_the_key_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that answers the tunnel with its own certificate (TLS inspection, with a CA this
    # computer does not trust) gets a failed handshake and never an HTTP request.
    real = TlsMaterial.create(tmp_path / "real", names=(_BEHIND_PROXY,))
    inspector = HostileServer(
        tls=TlsMaterial.create(tmp_path / "inspector", names=(_BEHIND_PROXY,)),
        host_name=_BEHIND_PROXY,
    )
    proxy = ConnectProxy(inspector.port)
    try:
        _proxy_env(monkeypatch, proxy)
        url = f"https://{_BEHIND_PROXY}:{inspector.port}/scim/v2/{ORG}"
        result = check_credentials(url, SCIM_KEY, timeout=10, ca_file=real.ca_file)
        assert result.category is Category.TLS
        assert "certificate" in result.message.lower()
        assert proxy.targets == [f"{_BEHIND_PROXY}:{inspector.port}"]  # it did use the proxy
        assert inspector.requests == []
        assert SCIM_KEY.encode() not in proxy.relayed
    finally:
        proxy.stop()
        inspector.stop()


# ---------------------------------------------------------------- redirects


@pytest.mark.timeout(30)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credentials_never_follow_a_redirect(status: int, hostile_server: HostileServer) -> None:
    target = HostileServer()
    try:
        away = behaviours.redirect(f"{target.url}/catch", status)
        # The token request (the client secret in its body), an API call (the bearer token) and a
        # SCIM call (the SCIM key) each meet a redirect.
        hostile_server.route(TOKEN_PATH, away)
        with public_api_client(hostile_server) as client, pytest.raises(PublicApiError):
            client.verify()
        hostile_server.route(TOKEN_PATH, token())
        hostile_server.route(MEMBERS_PATH, away)
        with public_api_client(hostile_server) as client, pytest.raises(PublicApiError):
            client.list_members()
        hostile_server.route("/scim/", away)
        url = f"{hostile_server.url}/scim/v2/{ORG}"
        with ScimClient(url, SecretStr(SCIM_KEY), timeout=5) as scim, pytest.raises(ScimError):
            scim.list_users()
        assert check_credentials(url, SCIM_KEY, timeout=5).category is Category.REDIRECT
        assert target.connections == 0
        assert target.requests == []
    finally:
        target.stop()


# ---------------------------------------------------------------- bw serve


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8087",
        "http://bw.example.com:8087",
        "https://scim.bitwarden.com",
        "http://0.0.0.0:8087",
    ],
)
def test_bw_serve_client_refuses_anything_but_loopback(url: str) -> None:
    with pytest.raises(BwServeError) as caught:
        BwServeClient(url)
    assert "local" in str(caught.value)


@pytest.mark.timeout(30)
def test_bw_serve_is_never_reached_through_a_proxy(
    sandbox: Sandbox, hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, hostile_server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with BwServeClient(sandbox.info["bw_serve_url"], timeout=5) as client:
        client.unlock(SecretStr(sandbox.info["bw_password"]))
        client.lock()
    assert hostile_server.connections == 0


@pytest.mark.timeout(30)
def test_bw_serve_requests_carry_no_origin(sandbox: Sandbox, hostile_server: HostileServer) -> None:
    hostile_server.serve(
        behaviours.json({"success": True, "data": {"object": "template", "template": {}}})
    )
    with BwServeClient(f"{hostile_server.url}/bw", timeout=5) as client:
        client.status()
        client.unlock(SecretStr("pw-pw-pw-pw"))
    for request in hostile_server.requests:
        assert request.header("origin") is None
        assert request.header("host") == f"127.0.0.1:{hostile_server.port}"


@pytest.mark.timeout(30)
def test_fingerprints_lock_the_vault_again_also_on_error(sandbox: Sandbox) -> None:
    password = SecretStr(sandbox.info["bw_password"])
    member = Member.model_validate(member_json(1))  # unknown to bw serve: the lookup fails
    with BwServeClient(sandbox.info["bw_serve_url"], timeout=5) as client:
        with pytest.raises(BwServeError):
            fingerprints(client, [member], password)
        assert client.status()["status"] == "locked"


FAKE_BW = textwrap.dedent(
    """
    import http.server, json, os, socketserver, sys
    args = sys.argv[1:]
    with open(os.environ["FAKE_BW_RECORD"], "w") as out:
        json.dump({"args": args, "nointeraction": os.environ.get("BW_NOINTERACTION")}, out)
    class Status(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"success": True, "data": {"object": "template",
                               "template": {"status": "locked"}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
        def address_string(self):
            return "local"
    host = args[args.index("--hostname") + 1]
    if host.startswith("unix://"):
        server = socketserver.UnixStreamServer(host[len("unix://"):], Status)
    else:
        server = http.server.HTTPServer((host, int(args[args.index("--port") + 1])), Status)
    server.serve_forever()
    """
)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unix_socket", [True, False], ids=["unix-socket", "loopback-port"])
def test_bw_serve_is_started_private_with_origin_protection(
    unix_socket: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bw"
    fake.write_text(f"#!{sys.executable}\n{FAKE_BW}")
    fake.chmod(0o755)
    record = tmp_path / "record.json"
    monkeypatch.setenv("FAKE_BW_RECORD", str(record))
    with BwServeProcess.start(fake, prefer_unix_socket=unix_socket, timeout=20) as served:
        import json

        started = json.loads(record.read_text())
        args: list[str] = started["args"]
        assert args[0] == "serve"
        assert "--disable-origin-protection" not in args
        hostname = args[args.index("--hostname") + 1]
        if unix_socket:
            assert served.unix_socket is not None
            assert hostname == f"unix://{served.unix_socket}"
            folder = Path(served.unix_socket).parent
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        else:
            assert hostname == "127.0.0.1"
            assert served.base_url.startswith("http://127.0.0.1:")
        assert started["nointeraction"] == "true"
        with served.client(timeout=5) as client:
            assert client.status()["status"] == "locked"
    assert not served.running
    if unix_socket:
        assert not folder.exists()


def test_httpx_is_not_used_for_bw_serve_with_environment_proxies() -> None:
    # The client built for bw serve ignores proxy settings (trust_env off).
    client = BwServeClient("http://127.0.0.1:8087")
    try:
        http_client = client._http
        assert isinstance(http_client, httpx.Client)
        assert http_client.trust_env is False
    finally:
        client.close()
