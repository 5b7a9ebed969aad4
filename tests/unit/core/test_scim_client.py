"""The read-only SCIM client: real HTTP against the sandbox, paging as Okta imports."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from pydantic import SecretStr

from app.core import scim_client
from app.core.cancel import Cancelled, CancelToken
from app.core.scim_client import ScimClient, ScimError
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import (
    Behaviour,
    Connection,
    HostileServer,
    RawRequest,
    behaviours,
)
from tests.fixtures.sandbox import SandboxFactory

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"


def _client(box: Sandbox, key: str | None = None) -> ScimClient:
    return ScimClient(box.info["scim_url"], SecretStr(key or box.info["scim_key"]), timeout=10)


def test_lists_every_user_in_pages_of_100(sandbox_factory: SandboxFactory) -> None:
    box = sandbox_factory(members=250)
    with _client(box) as client:
        users = client.list_users()
    state = httpx.get(box.info["control_url"] + "/state", timeout=10).json()
    assert sorted(u.id for u in users) == sorted(m["id"] for m in state["members"])
    assert len({u.id for u in users}) == len(users) == 250
    assert all(u.user_name and "@" in u.email for u in users)


def test_find_user_and_groups(sandbox: Sandbox) -> None:
    with _client(sandbox) as client:
        users = client.list_users()
        wanted = users[3]
        found = client.find_user(wanted.user_name.upper())
        assert found is not None
        assert found.id == wanted.id
        assert client.find_user("nobody@nowhere.example") is None
        groups = client.list_groups()
    assert groups
    assert all(g.display_name for g in groups)


def test_a_wrong_key_is_a_plain_401(sandbox: Sandbox) -> None:
    wrong = "A1" * 15
    with _client(sandbox, key=wrong) as client, pytest.raises(ScimError) as caught:
        client.list_users()
    assert caught.value.status == 401
    assert "refused the SCIM key" in str(caught.value)
    assert wrong not in str(caught.value)
    assert wrong not in repr(client)


def _paged_users(total: int, key: str = "Resources") -> Behaviour:
    """A SCIM server that pages `total` users by startIndex/count, as RFC 7644 says."""

    def run(request: RawRequest, conn: Connection) -> None:
        query = httpx.QueryParams(request.target.partition("?")[2])
        start, count = int(query["startIndex"]), int(query["count"])
        resources = [
            {"id": f"id-{n}", "userName": f"user{n}@example.com", "emails": [], "active": True}
            for n in range(start, min(start + count, total + 1))
        ]
        body = {"totalResults": total, "startIndex": start, "itemsPerPage": count, key: resources}
        behaviours.respond(200, json.dumps(body), "application/scim+json")(request, conn)

    return run


def test_paging_requests_and_rfc_resources_key(hostile_server: HostileServer) -> None:
    hostile_server.serve(_paged_users(230))
    with ScimClient(f"{hostile_server.url}/scim/v2/{ORG}/", "k" * 30) as client:
        users = client.list_users()
    assert [u.id for u in users] == [f"id-{n}" for n in range(1, 231)]
    assert users[0].email == "user1@example.com"  # no e-mails: the user name
    targets = [r.target for r in hostile_server.requests]
    assert targets == [
        f"/scim/v2/{ORG}/Users?startIndex={start}&count=100" for start in (1, 101, 201)
    ]
    first = hostile_server.requests[0]
    assert first.header("accept") == "application/scim+json"
    assert first.header("authorization") == "Bearer " + "k" * 30


def test_a_server_that_never_stops_paging_is_stopped(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scim_client, "MAX_PAGES", 3)
    hostile_server.serve(_paged_users(10**9))
    client = ScimClient(f"{hostile_server.url}/scim/v2/{ORG}", "k" * 30)
    with client, pytest.raises(ScimError, match="kept returning pages"):
        client.list_users()
    assert len(hostile_server.requests) == 3


def test_cancel_stops_a_page_in_flight_and_the_client_still_serves(
    hostile_server: HostileServer,
) -> None:
    """A cancelled call gets its own client: the shared one still works for the next call."""
    release = threading.Event()
    hostile_server.serve(behaviours.hang(release))
    cancel = CancelToken()

    def cancel_when_asked() -> None:
        hostile_server.wait_for_requests(1)
        cancel.cancel()

    helper = threading.Thread(target=cancel_when_asked, name="test-canceller")
    helper.start()
    client = ScimClient(f"{hostile_server.url}/scim/v2/{ORG}", "k" * 30, timeout=30)
    try:
        with client:
            with pytest.raises(Cancelled):
                client.list_users(cancel=cancel)
            release.set()
            hostile_server.serve(_paged_users(3))
            assert [u.id for u in client.list_users()] == ["id-1", "id-2", "id-3"]
    finally:
        release.set()
        helper.join()


def test_html_is_not_scim(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.html_login_page())
    client = ScimClient(f"{hostile_server.url}/scim/v2/{ORG}", "k" * 30)
    with client, pytest.raises(ScimError, match="not a SCIM list"):
        client.list_users()
