"""Every parser of outside data, fed what hypothesis draws: answers no crash, only the documented
typed errors, and no secret in any message.

Server answers travel over real HTTP from the loopback hostile server into the real clients, so the
property covers the whole path (status, headers, decoding, parsing, error text), not one helper.
Example counts are bounded so the suite stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from app.core import public_api
from app.core.bw_serve import BwServeClient, BwServeError
from app.core.okta_check import Category, check_credentials
from app.core.public_api import PublicApiClient, PublicApiError
from app.core.scim_client import ScimClient, ScimError, ScimUser
from tests.faults.support import CLIENT_SECRET, MEMBERS_PATH, ORG, SCIM_KEY, TOKEN_PATH, token
from tests.fixtures.hostile_server import HostileServer, behaviours
from tests.properties import strategies as s

HTTP = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Answer = tuple[int, bytes, str, list[tuple[str, str]]]


def answers(body: st.SearchStrategy[bytes]) -> st.SearchStrategy[Answer]:
    return st.tuples(s.statuses, body, s.content_types, s.extra_headers)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    hostile = HostileServer()
    yield hostile
    hostile.stop()


@pytest.fixture(autouse=True)
def _unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    # Hundreds of token requests a minute are the point here; the pacing has its own tests.
    monkeypatch.setattr(public_api, "_PACER", public_api._TokenPacer(10**9))


def _serve(server: HostileServer, path: str, answer: Answer) -> None:
    status, body, content_type, headers = answer
    server.route(path, behaviours.respond(status, body, content_type or None, headers))


def _plain(message: str, *secrets: str) -> None:
    assert message.strip()
    # No control character of the server's reaches a terminal or a label (escapes, bidi, CR).
    assert message.isprintable(), repr(message)
    for secret in secrets:
        assert secret not in message


def _api(server: HostileServer) -> PublicApiClient:
    from tests.faults.support import endpoints_for

    return PublicApiClient(
        endpoints_for(server),
        f"organization.{ORG}",
        SecretStr(CLIENT_SECRET),
        timeout=5,
        max_wait=0,
    )


@HTTP
@given(answer=answers(s.bodies(s.member_list) | s.bodies(s.api_error)))
def test_public_api_member_list(server: HostileServer, answer: Answer) -> None:
    server.route(TOKEN_PATH, token())
    _serve(server, MEMBERS_PATH, answer)
    with _api(server) as client:
        try:
            members = client.list_members()
        except PublicApiError as exc:
            _plain(str(exc), CLIENT_SECRET)
        else:
            assert answer[0] // 100 == 2, answer[0]
            assert all(isinstance(m, public_api.Member) for m in members)


@HTTP
@given(answer=answers(s.bodies(s.member) | s.bodies(s.api_error)))
def test_public_api_member(server: HostileServer, answer: Answer) -> None:
    server.route(TOKEN_PATH, token())
    _serve(server, MEMBERS_PATH, answer)
    with _api(server) as client:
        try:
            member = client.get_member(str(ORG))
        except PublicApiError as exc:
            _plain(str(exc), CLIENT_SECRET)
        else:  # only a 2xx answer may be taken for a member
            assert answer[0] // 100 == 2, answer[0]
            assert isinstance(member, public_api.Member)


@HTTP
@given(answer=answers(s.bodies(s.token) | s.bodies(s.api_error)))
def test_public_api_token(server: HostileServer, answer: Answer) -> None:
    _serve(server, TOKEN_PATH, answer)
    with _api(server) as client:
        try:
            client.verify()
        except PublicApiError as exc:
            _plain(str(exc), CLIENT_SECRET)
        else:  # only a 2xx answer may be taken for a token
            assert answer[0] // 100 == 2, answer[0]


@HTTP
@given(answer=answers(s.bodies(s.scim_list) | s.bodies(s.scim_error)))
def test_scim_list_and_errors(server: HostileServer, answer: Answer) -> None:
    _serve(server, "/scim/", answer)
    with ScimClient(f"{server.url}/scim/v2/{ORG}", SecretStr(SCIM_KEY), timeout=5) as client:
        try:
            user = client.find_user("person@example.com")
        except ScimError as exc:
            _plain(str(exc), SCIM_KEY)
        else:  # only a 2xx answer may be taken for a list
            assert answer[0] // 100 == 2, answer[0]
            assert user is None or isinstance(user, ScimUser)


@HTTP
@given(answer=answers(s.bodies(s.scim_list) | s.bodies(s.scim_user) | s.bodies(s.scim_error)))
def test_okta_check_never_raises(server: HostileServer, answer: Answer) -> None:
    _serve(server, "/scim/", answer)
    result = check_credentials(f"{server.url}/scim/v2/{ORG}", SCIM_KEY, timeout=5)
    assert result.category in set(Category)
    assert result.ok == (result.category is Category.OK)
    _plain(result.message, SCIM_KEY)
    for warning in result.warnings:
        _plain(warning, SCIM_KEY)
    assert SCIM_KEY not in json.dumps(result.to_json())


@HTTP
@given(
    answer=answers(s.bodies(s.bw_envelope)),
    call=st.sampled_from(["status", "list", "print", "confirm", "unlock"]),
)
def test_bw_serve_envelopes(server: HostileServer, answer: Answer, call: str) -> None:
    _serve(server, "/bw/", answer)
    password = "correct-horse-battery-staple-77"
    with BwServeClient(f"{server.url}/bw", timeout=5) as client:
        try:
            if call == "status":
                assert isinstance(client.status(), dict)
            elif call == "list":
                client.list_org_members(ORG)
            elif call == "print":
                assert client.fingerprint(ORG)
            elif call == "confirm":
                client.confirm(ORG, ORG)
            else:
                client.unlock(SecretStr(password))
        except BwServeError as exc:
            _plain(str(exc), password)
        else:  # only a 2xx answer may be taken for success
            assert answer[0] // 100 == 2, answer[0]
