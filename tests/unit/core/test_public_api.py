"""The Public API client: real HTTP against the sandbox, and a hostile loopback server for the
answers a good server rarely gives (429, 5xx, stale tokens, huge lists, hangs)."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.core import public_api
from app.core.cancel import Cancelled, CancelToken
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.public_api import (
    MemberStatus,
    MemberSummary,
    MemberType,
    PublicApiClient,
    PublicApiError,
)
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import (
    Behaviour,
    HostileServer,
    behaviours,
)
from tests.fixtures.sandbox import SandboxFactory

ORG = "0d9b6a3e-8f7c-4b1d-9a2e-3c4d5e6f7a8b"
SECRET = "Cs7vB2nM4kL9pO1iU3yT6rE8wQ0aSd"


def _sandbox_client(box: Sandbox, secret: str | None = None) -> PublicApiClient:
    info = box.info
    endpoints = parse_scim_url(info["scim_url"]).endpoints
    assert endpoints is not None
    return PublicApiClient(
        endpoints, info["client_id"], SecretStr(secret or info["client_secret"]), timeout=10
    )


def _state_members(box: Sandbox) -> list[dict[str, object]]:
    state = httpx.get(box.info["control_url"] + "/state", timeout=10).json()
    members: list[dict[str, object]] = state["members"]
    return members


# ---------------------------------------------------------------- against the sandbox


def test_members_and_statuses_match_the_server(sandbox: Sandbox) -> None:
    with _sandbox_client(sandbox) as client:
        members = client.list_members()
        groups = client.list_groups()
    truth = _state_members(sandbox)
    assert Counter((m.id, int(m.status)) for m in members) == Counter(
        (str(m["id"]), int(str(m["status"]))) for m in truth
    )
    statuses = {m.status for m in members}
    assert {MemberStatus.INVITED, MemberStatus.ACCEPTED, MemberStatus.CONFIRMED} <= statuses
    invited = [m for m in members if m.status is MemberStatus.INVITED]
    assert all(m.user_id is None for m in invited)
    assert all(isinstance(m.type, MemberType) for m in members)
    assert groups
    assert all(g.id and g.name for g in groups)


def test_a_member_who_accepts_shows_as_accepted(sandbox: Sandbox) -> None:
    with _sandbox_client(sandbox) as client:
        invited = next(m for m in client.list_members() if m.status is MemberStatus.INVITED)
        accepted = httpx.post(
            f"{sandbox.info['control_url']}/members/{invited.id}/accept", timeout=10
        )
        assert accepted.status_code == 200
        again = client.get_member(invited.id)
        assert again.status is MemberStatus.ACCEPTED
        assert again.user_id is not None
        assert client.token_requests == 1  # the token is reused


def test_reinvite_an_invited_member_and_refusal_for_a_confirmed_one(sandbox: Sandbox) -> None:
    with _sandbox_client(sandbox) as client:
        members = client.list_members()
        invited = next(m for m in members if m.status is MemberStatus.INVITED)
        client.reinvite(invited.id)
        confirmed = next(m for m in members if m.status is MemberStatus.CONFIRMED)
        with pytest.raises(PublicApiError) as caught:
            client.reinvite(confirmed.id)
    assert caught.value.status == 400
    assert "User invalid." in str(caught.value)  # the server's own words reach the user


def test_unknown_member_is_404(sandbox: Sandbox) -> None:
    with _sandbox_client(sandbox) as client, pytest.raises(PublicApiError) as caught:
        client.get_member(str(uuid.uuid4()))
    assert caught.value.status == 404


def test_wrong_client_secret_is_a_plain_error(sandbox: Sandbox) -> None:
    wrong = "W" * 30
    with _sandbox_client(sandbox, secret=wrong) as client, pytest.raises(PublicApiError) as caught:
        client.verify()
    assert caught.value.status == 400
    assert "invalid_client" in str(caught.value)
    assert "API key" in str(caught.value)
    assert wrong not in str(caught.value)
    assert wrong not in repr(client)


# ---------------------------------------------------------------- against a hostile server


def _endpoints(server: HostileServer) -> Endpoints:
    endpoints = parse_scim_url(f"{server.url}/scim/v2/{ORG}").endpoints
    assert endpoints is not None
    return endpoints


def _client(server: HostileServer, max_wait: float = 120.0) -> PublicApiClient:
    return PublicApiClient(
        _endpoints(server), f"organization.{ORG}", SecretStr(SECRET), timeout=10, max_wait=max_wait
    )


def _member_json(n: int, status: int = 0) -> dict[str, object]:
    return {
        "object": "member",
        "id": str(uuid.UUID(int=n)),
        "userId": None if status in (0, 3) else str(uuid.UUID(int=10**9 + n)),
        "name": None,
        "email": f"person{n}@example.com",
        "twoFactorEnabled": False,
        "status": status,
        "collections": [{"id": str(uuid.UUID(int=1)), "readOnly": False}],
        "resetPasswordEnrolled": False,
        "ssoExternalId": None,
        "type": 2,
        "externalId": f"00u{n}",
        "permissions": None,
    }


def _members(*items: dict[str, object]) -> Behaviour:
    return behaviours.respond(
        200, json.dumps({"object": "list", "data": list(items)}), "application/json"
    )


def _paths(server: HostileServer) -> list[str]:
    return [r.path for r in server.requests]


TOKEN_PATH = "/identity/connect/token"
MEMBERS_PATH = "/api/public/members"


def test_the_token_request_is_bitwarden_s(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, _members(_member_json(1)))
    with _client(hostile_server) as client:
        assert [m.email for m in client.list_members()] == ["person1@example.com"]
    token_request, api_request = hostile_server.requests
    assert token_request.method == "POST"
    assert token_request.header("content-type") == "application/x-www-form-urlencoded"
    form = dict(httpx.QueryParams(token_request.body.decode()))
    assert form == {
        "grant_type": "client_credentials",
        "scope": "api.organization",
        "client_id": f"organization.{ORG}",
        "client_secret": SECRET,
    }
    assert (
        api_request.header(
            "authorization",
        )
        is not None
    )
    assert str(api_request.header("authorization")).startswith("Bearer tok-")


def test_429_waits_for_retry_after_then_succeeds(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(
        MEMBERS_PATH,
        behaviours.sequence(behaviours.rate_limited(retry_after="0"), _members(_member_json(1))),
    )
    with _client(hostile_server) as client:
        assert len(client.list_members()) == 1
    assert _paths(hostile_server) == [TOKEN_PATH, MEMBERS_PATH, MEMBERS_PATH]


def test_429_longer_than_max_wait_gives_up_at_once(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.rate_limited(retry_after="90"))
    with _client(hostile_server, max_wait=5) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert caught.value.status == 429
    assert caught.value.retry_after == 90
    assert "90 s" in str(caught.value)
    assert _paths(hostile_server) == [TOKEN_PATH, MEMBERS_PATH]


def test_5xx_is_retried_with_backoff(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_api, "FIRST_BACKOFF", 0.01)
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(
        MEMBERS_PATH,
        behaviours.sequence(
            behaviours.server_error(502),
            behaviours.server_error(500),
            _members(_member_json(1)),
        ),
    )
    with _client(hostile_server) as client:
        assert len(client.list_members()) == 1
    assert _paths(hostile_server).count(MEMBERS_PATH) == 3


def test_persistent_5xx_gives_the_server_s_message(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_api, "FIRST_BACKOFF", 0.01)
    body = json.dumps({"object": "error", "message": "An unhandled server error has occurred."})
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.server_error(500, body.encode()))
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert caught.value.status == 500
    assert "An unhandled server error has occurred." in str(caught.value)
    assert _paths(hostile_server).count(MEMBERS_PATH) == 1 + public_api.SERVER_ERROR_RETRIES


def test_a_401_fetches_a_new_token_once(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(
        MEMBERS_PATH, behaviours.sequence(behaviours.respond(401), _members(_member_json(1)))
    )
    with _client(hostile_server) as client:
        assert len(client.list_members()) == 1
        assert client.token_requests == 2
    assert _paths(hostile_server) == [TOKEN_PATH, MEMBERS_PATH, TOKEN_PATH, MEMBERS_PATH]
    first, second = (r.header("authorization") for r in hostile_server.requests[1::2])
    assert first != second


def test_a_401_twice_is_an_error(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.respond(401))
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert caught.value.status == 401
    assert "rotated" in str(caught.value)
    assert _paths(hostile_server).count(TOKEN_PATH) == 2


def test_an_expired_token_is_renewed(hostile_server: HostileServer) -> None:
    # A token that expires at once is renewed before the next call.
    hostile_server.route(TOKEN_PATH, behaviours.access_token(expires_in=0))
    hostile_server.route(MEMBERS_PATH, _members(_member_json(1)))
    with _client(hostile_server) as client:
        client.list_members()
        client.list_members()
        assert client.token_requests == 2


def test_never_more_than_ten_token_requests_a_minute(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    with _client(hostile_server, max_wait=1) as client:
        for _ in range(public_api.TOKEN_REQUESTS_PER_MINUTE):
            client.verify()
        with pytest.raises(PublicApiError) as caught:
            client.verify()
    assert caught.value.status == 429
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 50
    assert _paths(hostile_server).count(TOKEN_PATH) == public_api.TOKEN_REQUESTS_PER_MINUTE


def test_the_server_message_is_shown_but_never_the_secret(hostile_server: HostileServer) -> None:
    body = json.dumps({"object": "error", "message": f"bad secret {SECRET}", "errors": None})
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.respond(400, body, "application/json"))
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert "bad secret ***" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_html_instead_of_json_is_a_plain_error(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.html_login_page())
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert "not what Bitwarden's Public API returns" in str(caught.value)


def test_a_redirect_is_not_followed(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.redirect("https://login.example.com/"))
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.verify()
    assert "redirect to https://login.example.com/" in str(caught.value)
    assert _paths(hostile_server) == [TOKEN_PATH]


def test_an_oversized_body_is_not_read(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_api, "LIST_BODY_LIMIT", 2000)
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, _members(*(_member_json(n) for n in range(50))))
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert "larger than" in str(caught.value)


def test_one_hundred_thousand_members_parse(hostile_server: HostileServer) -> None:
    statuses = [0, 1, 2, -1, 3]
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(
        MEMBERS_PATH, _members(*(_member_json(n, statuses[n % 5]) for n in range(100_000)))
    )
    with _client(hostile_server) as client:
        members = client.list_members()
    assert len(members) == 100_000
    assert Counter(m.status for m in members) == dict.fromkeys(MemberStatus, 20000)
    assert members[99_999].email == "person99999@example.com"


def test_member_summaries_are_the_members_fields(hostile_server: HostileServer) -> None:
    """The compact path gives what `Member` validation gives, also for members its fast checks
    leave to pydantic (snake-case names, a status as text, fields left out)."""
    plain = [_member_json(n, status) for n, status in enumerate((0, 1, 2, -1, 3))]
    named = {**_member_json(5, 2), "name": "Zoë", "twoFactorEnabled": True, "type": 0}
    snake = {**_member_json(6, 1), "external_id": "snake", "externalId": None}
    del snake["externalId"]
    texty = {**_member_json(7), "status": "1", "resetPasswordEnrolled": "true"}
    sparse = {"id": str(uuid.UUID(int=8)), "email": "sparse@example.com", "status": 2, "type": 4}
    members_like = {
        **_member_json(9),
        "permissions": {"id": "x", "email": "y", "status": 0, "type": 0},
    }
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, _members(*plain, named, snake, texty, sparse, members_like))
    with _client(hostile_server) as client:
        expected = [MemberSummary.of(m) for m in client.list_members()]
        summaries = client.list_member_summaries()
    assert summaries == expected
    assert len(summaries) == 10
    assert summaries[6].external_id == "snake"
    assert summaries[7].status is MemberStatus.ACCEPTED
    assert all(type(s.status) is MemberStatus and type(s.type) is MemberType for s in summaries)


def test_member_summaries_reuse_the_known_ones_that_did_not_change(
    hostile_server: HostileServer,
) -> None:
    """`known` changes memory, never the result: an equal known summary is returned as that
    very object; a changed or unknown member is the fetched one."""
    members = [_member_json(n, status) for n, status in enumerate((0, 1, 2, -1, 3))]
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, _members(*members))
    with _client(hostile_server) as client:
        plain = client.list_member_summaries()
        held = {s.id: s for s in plain[:3]}
        held[plain[1].id] = plain[1]._replace(status=MemberStatus.CONFIRMED)  # changed since
        asked: list[str] = []

        def known(member_id: str) -> MemberSummary | None:
            asked.append(member_id)
            return held.get(member_id)

        reused = client.list_member_summaries(known=known)
    assert reused == plain
    assert asked == [s.id for s in plain]
    assert reused[0] is held[plain[0].id]
    assert reused[2] is held[plain[2].id]
    assert reused[1] is not held[plain[1].id]
    assert reused[1].status is MemberStatus.ACCEPTED


@pytest.mark.parametrize(
    "body",
    [
        {"object": "list", "data": [{**_member_json(1), "status": 7}]},
        {"object": "list", "data": [{**_member_json(1), "email": None}]},
        {"object": "list", "data": [_member_json(1), "not a member"]},
        {"object": "list"},
        [_member_json(1)],
    ],
)
def test_member_summaries_refuse_what_members_refuse(
    hostile_server: HostileServer, body: object
) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(
        MEMBERS_PATH, behaviours.respond(200, json.dumps(body), "application/json")
    )
    with _client(hostile_server) as client:
        with pytest.raises(PublicApiError) as full:
            client.list_members()
        with pytest.raises(PublicApiError) as compact:
            client.list_member_summaries()
    assert str(compact.value) == str(full.value)


def test_member_summaries_of_an_empty_list_and_of_invalid_utf8(
    hostile_server: HostileServer,
) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, _members())
    with _client(hostile_server) as client:
        assert client.list_member_summaries() == []
    hostile_server.route(
        MEMBERS_PATH, behaviours.respond(200, b'{"data": ["\xff"]}', "application/json")
    )
    with _client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_member_summaries()
    assert "not what Bitwarden's Public API returns" in str(caught.value)


def test_cancel_stops_a_request_in_flight(hostile_server: HostileServer) -> None:
    release = threading.Event()
    hostile_server.route(TOKEN_PATH, behaviours.access_token())
    hostile_server.route(MEMBERS_PATH, behaviours.hang(release))
    cancel = CancelToken()

    def cancel_when_asked() -> None:
        hostile_server.wait_for_requests(2)
        cancel.cancel()

    helper = threading.Thread(target=cancel_when_asked, name="test-canceller")
    helper.start()
    try:
        with _client(hostile_server) as client, pytest.raises(Cancelled):
            client.list_members(cancel=cancel)
    finally:
        release.set()
        helper.join()


def test_unreachable_server_is_a_plain_error() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoints = parse_scim_url(f"http://127.0.0.1:{port}/scim/v2/{ORG}").endpoints
    assert endpoints is not None
    with (
        PublicApiClient(endpoints, "c", SecretStr(SECRET)) as client,
        pytest.raises(PublicApiError) as caught,
    ):
        client.verify()
    assert "Could not connect to 127.0.0.1" in str(caught.value)


def test_the_cloud_rate_limit_is_waited_out(sandbox_factory: SandboxFactory) -> None:
    """With the cloud's limits on (5 POSTs a second per path), a burst of reinvitations waits for
    Retry-After instead of failing, and the token is fetched once."""
    box = sandbox_factory(members=25, rate_limits=True)
    with _sandbox_client(box) as client:
        invited = next(m for m in client.list_members() if m.status is MemberStatus.INVITED)
        for _ in range(8):
            client.reinvite(invited.id)
        assert client.rate_limit_waits >= 1
        assert client.token_requests == 1


def test_clients_with_the_same_key_share_one_token(sandbox: Sandbox) -> None:
    """The members window makes a client per refresh: they must not each sign in (10 a minute)."""
    with _sandbox_client(sandbox) as first:
        first.list_members()
        assert first.token_requests == 1
    with _sandbox_client(sandbox) as second:
        second.list_groups()
        assert second.token_requests == 0  # the process's token, still valid
        second.verify()  # proving the key always asks afresh
        assert second.token_requests == 1
    with _sandbox_client(sandbox, secret="x" * 30) as wrong:
        with pytest.raises(PublicApiError):
            wrong.list_members()  # another secret never gets the shared token
        assert wrong.token_requests == 1


def test_the_msgspec_path_takes_plain_lists_and_leaves_the_unsure_to_pydantic() -> None:
    """Plain members (and more than one batch of them) are read by msgspec; a snake-case name, a
    status as text or a number for a boolean make it decline, so `Member` decides."""
    plain = [_member_json(n, (0, 1, 2, -1, 3)[n % 5]) for n in range(public_api.STRICT_BATCH + 7)]
    body = json.dumps({"object": "list", "data": plain}).encode()
    fast = public_api._msgspec_member_summaries(body)
    assert fast is not None
    assert fast == [MemberSummary.of(m) for m in public_api._MEMBERS.validate_json(body).data]
    for unsure in (
        {"external_id": "snake"},
        {"status": "1"},
        {"twoFactorEnabled": 1},
        {"reset_password_enrolled": True},
    ):
        data = [*plain[:3], {**plain[3], **unsure}]
        assert public_api._msgspec_member_summaries(json.dumps({"data": data}).encode()) is None
    for refused in (b"", b"[]", b'{"data": []}', b'{"data": {}}', b'{"data": [1]}', b"\xff"):
        assert public_api._msgspec_member_summaries(refused) is None


class _CountingDecoder:
    """A msgspec decoder that remembers how many bytes each call decoded."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.sizes: list[int] = []

    def decode(self, buf: bytes) -> Any:
        self.sizes.append(len(buf))
        return self.real.decode(buf)


class _Unused:
    def decode(self, buf: bytes) -> Any:
        raise AssertionError("the whole body was scanned in one call")


def _compact(data: list[dict[str, object]], end: bytes = b"]}") -> bytes:
    members = b",".join(json.dumps(m, separators=(",", ":")).encode() for m in data)
    return b'{"object":"list","data":[' + members + end


def test_a_compact_list_is_decoded_a_slice_at_a_time_cut_only_between_members(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No call reads the whole body (one took 35-50 ms with the GIL held, the refresh's worst
    frame gap); a "},{" inside a name or a member's list of objects is never taken for a cut."""
    tricky = ["},{", '"},{"', '\\"},{', "a},{b},{c", "}", "{"]
    data = []
    for n in range(40):
        member = _member_json(n, (0, 1, 2, -1, 3)[n % 5])
        member["name"] = tricky[n % len(tricky)] if n % 3 else None
        if n % 4 == 0:
            member["collections"] = [{"id": "c1", "readOnly": True}, {"id": "c2"}]
        data.append(member)
    counting = _CountingDecoder(public_api._STRICT_BATCH)
    monkeypatch.setattr(public_api, "_STRICT_BATCH", counting)
    monkeypatch.setattr(public_api, "_RAW_LIST", _Unused())
    for end in (b"]}", b'],"continuationToken":null}'):
        body = _compact(data, end)
        expected = [MemberSummary.of(m) for m in public_api._MEMBERS.validate_json(body).data]
        for segment in (1, 200, 1000, len(body)):
            counting.sizes.clear()
            fast = public_api._msgspec_member_summaries(body, segment=segment)
            assert fast == expected
            if segment == 1:
                assert max(counting.sizes) < len(body) // 8


def test_a_slice_that_finds_no_cut_falls_back_to_the_two_passes() -> None:
    """More "},{" in one name than cuts are tried, an unknown end, an empty list: the two-pass
    reading (or pydantic) decides, with the same result."""
    data = [_member_json(n) for n in range(6)]
    data[1]["name"] = "},{" * 20
    for body in (_compact(data), _compact(data, b"]} "), _compact(data, b'],"other":1}')):
        fast = public_api._msgspec_member_summaries(body, segment=1)
        assert fast == [MemberSummary.of(m) for m in public_api._MEMBERS.validate_json(body).data]
    data[2]["status"] = "1"  # Member coerces it; msgspec declines, slices and two passes alike
    assert public_api._msgspec_member_summaries(_compact(data), segment=1) is None
    assert public_api._msgspec_member_summaries(_compact([])) is None
    assert public_api._msgspec_member_summaries(b'{"object":"list","data":[]]}') is None
