"""The SCIM client (the members view without a Public API key) against a hostile server: every
fault is a `ScimError` with a plain sentence within the bound, and the key is never shown."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from app.core.scim_client import ScimClient, ScimError
from tests.faults.support import BROKEN_ANSWERS, ORG, SCIM_KEY
from tests.fixtures.hostile_server import Behaviour, HostileServer, RawRequest, behaviours

FAULTS: dict[str, Behaviour] = {
    **BROKEN_ANSWERS,
    "unauthorized": behaviours.respond(401),
    "rate_limited": behaviours.rate_limited("30"),
    "server_error": behaviours.server_error(500),
    "redirect": behaviours.redirect("https://login.example.com/"),
    "hang": behaviours.hang(),
    # A byte every 0.1 s never trips httpx's per-read timeout; the page's deadline ends it.
    "trickle": behaviours.trickle(interval=0.1, total=100_000),
}


def _client(server: HostileServer) -> ScimClient:
    return ScimClient(f"{server.url}/scim/v2/{ORG}", SecretStr(SCIM_KEY), timeout=2.0)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_a_plain_scim_error(fault: str, hostile_server: HostileServer) -> None:
    hostile_server.serve(FAULTS[fault])
    with _client(hostile_server) as client, pytest.raises(ScimError) as caught:
        client.list_users()
    assert str(caught.value).strip()
    assert SCIM_KEY not in str(caught.value)
    assert SCIM_KEY not in repr(client)


def _user(n: int) -> dict[str, object]:
    return {"id": f"00000000-0000-0000-0000-{n:012d}", "userName": f"u{n}@example.com"}


@pytest.mark.timeout(30)
def test_a_server_that_ignores_start_index_ends(hostile_server: HostileServer) -> None:
    # A caching proxy (or a broken server) answers the first page to every request and claims
    # a million users: the client must notice it makes no progress, not read 20,000 pages.
    page = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1_000_000,
        "startIndex": 1,
        "itemsPerPage": 100,
        "Resources": [_user(n) for n in range(100)],
    }
    hostile_server.serve(behaviours.json(page))
    with _client(hostile_server) as client, pytest.raises(ScimError) as caught:
        client.list_users()
    assert str(caught.value).strip()
    assert len(hostile_server.requests) <= 3


@pytest.mark.timeout(30)
def test_paging_reads_every_page_once(hostile_server: HostileServer) -> None:
    # The control: a server that pages correctly is read to the end, each page once.
    total = 250

    def pages(request: RawRequest, conn: object) -> None:
        query = dict(p.split("=", 1) for p in request.target.split("?", 1)[1].split("&"))
        start, count = int(query["startIndex"]), int(query["count"])
        users = [_user(n) for n in range(start, min(start + count, total + 1))]
        body = {"totalResults": total, "startIndex": start, "Resources": users}
        behaviours.json(body)(request, conn)  # type: ignore[arg-type]

    hostile_server.serve(pages)
    with _client(hostile_server) as client:
        users = client.list_users()
    assert [u.user_name for u in users] == [f"u{n}@example.com" for n in range(1, total + 1)]
    assert len(hostile_server.requests) == 3
    json.dumps([u.model_dump() for u in users])


@pytest.mark.timeout(30)
@pytest.mark.parametrize("client", ["scim", "public_api", "check"])
def test_a_redirect_location_cannot_write_control_characters(
    client: str, hostile_server: HostileServer
) -> None:
    # Header values may hold bytes 0x80-0xFF: 0x9b is CSI to many terminals.
    from app.core.okta_check import check_credentials
    from app.core.public_api import PublicApiError
    from tests.faults.support import public_api_client

    hostile_server.serve(behaviours.redirect("https://x.example/\x9b2J\x9b]0;pwned\x85"))
    if client == "scim":
        with _client(hostile_server) as scim, pytest.raises(ScimError) as caught:
            scim.list_users()
        message = str(caught.value)
    elif client == "public_api":
        with public_api_client(hostile_server) as api, pytest.raises(PublicApiError) as failed:
            api.verify()
        message = str(failed.value)
    else:
        message = check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY).message
    assert "x.example" in message
    assert message.isprintable(), repr(message)
