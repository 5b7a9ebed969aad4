"""The HTTP server itself: keep-alive, limits, malformed input (reference 2.3, 5; interfaces.md)."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

import httpx

from app.sandbox.server import MAX_BODY_BYTES, Sandbox
from tests.fixtures.sandbox import SandboxFactory
from tests.unit.sandbox.helpers import scim, token_form


def _raw_exchange(box: Sandbox, payload: bytes, responses: int = 1) -> list[bytes]:
    """Send raw bytes on one connection and read `responses` HTTP responses back."""
    url = urlsplit(box.info["api_url"])
    assert url.hostname is not None
    assert url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(payload)
        reader = sock.makefile("rb")
        answers: list[bytes] = []
        for _ in range(responses):
            status = reader.readline()
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            reader.read(length)
            answers.append(status)
        return answers


def test_keep_alive_serves_several_requests_on_one_connection(sandbox: Sandbox) -> None:
    """interfaces.md: HTTP/1.1 keep-alive: two requests on one socket, two answers."""
    host = urlsplit(sandbox.info["api_url"]).netloc
    request = f"GET /scim/alive HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    answers = _raw_exchange(sandbox, request * 2, responses=2)
    assert answers == [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 200 OK\r\n"]


def test_oversized_body_is_413(sandbox: Sandbox) -> None:
    """5: Kestrel's 30,000,000-byte request limit → 413, without reading the body."""
    host = urlsplit(sandbox.info["api_url"]).netloc
    request = (
        f"POST /api/public/members HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n"
    ).encode()
    assert _raw_exchange(sandbox, request) == [b"HTTP/1.1 413 Request Entity Too Large\r\n"]


def test_chunked_request_body_is_read(sandbox: Sandbox) -> None:
    """2.3: bodies may arrive chunked (as ASP.NET Core accepts them)."""
    body = b'{"Operations":[]}'

    def chunks() -> list[bytes]:
        return [body[:5], body[5:]]

    with scim(sandbox) as client:
        user = client.get("/Users", params={"count": 1}).json()["resources"][0]
        response = client.patch(f"/Users/{user['id']}", content=iter(chunks()))
    assert response.status_code == 204


def test_unknown_prefix_is_404(sandbox: Sandbox) -> None:
    """1: nothing is served outside the published prefixes."""
    root = sandbox.info["api_url"].removesuffix("/api")
    assert httpx.get(root + "/v2/whatever").status_code == 404
    assert httpx.get(root + "/").status_code == 404


def test_concurrent_clients_are_served(sandbox: Sandbox) -> None:
    """interfaces.md: thread-safe state: parallel SCIM creates all land, none lost."""
    errors: list[int] = []

    def create(index: int) -> None:
        with scim(sandbox) as client:
            for step in range(5):
                email = f"user{index}.{step}@x.example"
                body = {
                    "userName": email,
                    "emails": [{"primary": True, "value": email}],
                    "active": True,
                }
                response = client.post("/Users", json=body)
                if response.status_code != 201:
                    errors.append(response.status_code)

    before = len(sandbox.state.members)
    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sandbox.state.members) == before + 30


def test_stop_closes_idle_keep_alive_connections(sandbox_factory: SandboxFactory) -> None:
    """The server stops cleanly: open keep-alive connections are closed, threads end."""
    box = sandbox_factory(members=3)
    client = scim(box)
    assert client.get("/Users").status_code == 200
    box.stop()
    alive = [t for t in threading.enumerate() if t.name.startswith("sandbox-conn")]
    for thread in alive:
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in alive)
    client.close()


def test_rate_limits_answer_429_with_retry_after(sandbox_factory: SandboxFactory) -> None:
    """5: with the cloud's limits on, the token endpoint answers 429 + Retry-After by try 11."""
    box = sandbox_factory(members=3, rate_limits=True)
    url = box.info["identity_url"] + "/connect/token"
    form = token_form(box)
    with httpx.Client() as client:
        answers = [client.post(url, data=form) for _ in range(11)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited
    first = limited[0]
    assert int(first.headers["retry-after"]) >= 1
    body = first.json()
    assert body["object"] == "error"
    assert body["message"] in (
        "Slow down! Too many requests. Try again in 1s.",
        "Slow down! Too many requests. Try again in 1m.",
    )
    assert next(iter(body)) == "object"


def test_no_rate_limits_by_default(sandbox: Sandbox) -> None:
    """5: a self-hosted server has no rate limiting."""
    url = sandbox.info["identity_url"] + "/connect/token"
    with httpx.Client() as client:
        codes = {client.post(url, data={"client_id": "x"}).status_code for _ in range(12)}
    assert codes == {400}


def test_garbage_request_line_gets_a_bare_400(sandbox: Sandbox) -> None:
    """Kestrel answers an unparsable request with a bare 400 (no HTML error page, no crash)."""
    answers = _raw_exchange(sandbox, b"NOT HTTP AT ALL\r\n\r\n")
    assert answers[0].startswith(b"HTTP/1.1 400")
    assert (
        httpx.get(sandbox.info["api_url"].removesuffix("/api") + "/scim/alive").status_code == 200
    )
