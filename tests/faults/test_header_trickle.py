"""A server that trickles its headers cannot hold any client past its timeout (issue 12, finding 5).

The server sends the status line, then one byte of a header every 0.5 s, for ever: every read
gets a byte well within httpx's per-read timeout, so only a deadline on the whole exchange
(connect, headers and body) ends the call. Each client is called with a 2 s timeout and must end
within 3 s with its own plain error. Before the fix, `ScimClient(timeout=5).list_users()` ran
over 60 s and `members --url …` 200 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from app.core.bw_serve import BwServeClient, BwServeError
from app.core.okta.client import OktaClient, OktaError
from app.core.okta_check import Category, check_credentials
from app.core.public_api import PublicApiError
from app.core.scim_client import ScimClient, ScimError
from app.core.vault.errors import VaultError
from app.core.vault.session import VaultSession
from tests.faults.support import CLIENT_SECRET, ORG, SCIM_KEY, endpoints_for, public_api_client
from tests.fixtures.hostile_server import HostileServer, behaviours

TIMEOUT = 2.0
#: What the issue allows past the timeout.
SLACK = 1.0


def ends_in_time(call: Callable[[], object], error: type[Exception]) -> str:
    """Run `call`; it must raise `error` within TIMEOUT + SLACK. Its message."""
    started = time.monotonic()
    with pytest.raises(error) as caught:
        call()
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + SLACK, f"{elapsed:.1f} s"
    assert elapsed >= TIMEOUT * 0.9, f"ended before the timeout ({elapsed:.1f} s): not the trickle"
    text = str(caught.value)
    assert text.strip()
    assert "Traceback" not in text
    for secret in (SCIM_KEY, CLIENT_SECRET):
        assert secret not in text
    return text


@pytest.fixture
def trickler(hostile_server: HostileServer) -> HostileServer:
    hostile_server.serve(behaviours.trickle_head(interval=0.5))
    return hostile_server


@pytest.mark.timeout(30)
def test_scim_client(trickler: HostileServer) -> None:
    client = ScimClient(f"{trickler.url}/scim/v2/{ORG}", SecretStr(SCIM_KEY), timeout=TIMEOUT)
    text = ends_in_time(client.list_users, ScimError)
    assert "in time" in text


@pytest.mark.timeout(30)
def test_public_api_client(trickler: HostileServer) -> None:
    with public_api_client(trickler, timeout=TIMEOUT) as client:
        text = ends_in_time(client.verify, PublicApiError)
    assert "in time" in text


@pytest.mark.timeout(30)
def test_bw_serve_client(trickler: HostileServer) -> None:
    client = BwServeClient(trickler.url, timeout=TIMEOUT)
    ends_in_time(client.status, BwServeError)


@pytest.mark.timeout(30)
def test_vault_session(trickler: HostileServer) -> None:
    endpoints = endpoints_for(trickler)
    session = VaultSession(
        endpoints.identity_url,
        endpoints.api_url,
        device_identifier="3f9a1c2e-7b4d-4e8f-9a0b-1c2d3e4f5a6b",
        timeout=TIMEOUT,
    )
    try:
        ends_in_time(
            lambda: session.login_with_api_key("user.3f9a1c2e", SecretStr(CLIENT_SECRET)),
            VaultError,
        )
    finally:
        session.close()


@pytest.mark.timeout(30)
def test_okta_client(trickler: HostileServer) -> None:
    client = OktaClient(trickler.url, SecretStr("00okta-token-for-the-test"), timeout=TIMEOUT)
    try:
        text = ends_in_time(lambda: client.get("/api/v1/users/me"), OktaError)
    finally:
        client.close()
    assert "in time" in text


@pytest.mark.timeout(30)
def test_the_check_as_before(trickler: HostileServer) -> None:
    started = time.monotonic()
    result = check_credentials(f"{trickler.url}/scim/v2/{ORG}", SCIM_KEY, timeout=TIMEOUT)
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert result.category is Category.TIMEOUT
