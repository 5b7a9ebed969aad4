"""The Public API client against a hostile server: every fault ends in a `PublicApiError` with a
plain sentence, in bounded time (pytest-timeout is the bound), and never shows the secret."""

from __future__ import annotations

import pytest

from app.core import public_api
from app.core.public_api import PublicApiError
from tests.faults.support import (
    CLIENT_SECRET,
    MEMBERS_PATH,
    TOKEN_PATH,
    member_json,
    members_body,
    paths,
    public_api_client,
    token,
)
from tests.fixtures.hostile_server import Behaviour, HostileServer, behaviours

# Each fault, the words its message must contain (lower case).
BODY_FAULTS: dict[str, tuple[Behaviour, str]] = {
    "reset_mid_body": (behaviours.reset_mid_body(), "connection"),
    "close_without_answer": (behaviours.close_without_answer(), "connection"),
    "wrong_content_type": (behaviours.wrong_content_type(), "not what bitwarden"),
    "html_login_page": (behaviours.html_login_page(), "not what bitwarden"),
    "garbage_json": (behaviours.garbage_json(), "not what bitwarden"),
    "invalid_utf8": (behaviours.invalid_utf8(), "not what bitwarden"),
    "deeply_nested_json": (behaviours.deeply_nested_json(), "not what bitwarden"),
    "huge_body_50mb": (behaviours.huge_body(50 * 1024 * 1024), "not what bitwarden"),
    "gzip_bomb": (behaviours.gzip_bomb(64 * 1024 * 1024), "larger than"),
    "deflate_bomb": (behaviours.gzip_bomb(64 * 1024 * 1024, "deflate"), "larger than"),
    "redirect_to_script": (behaviours.redirect("javascript:alert(1)", 301), "redirect"),
}


def _assert_plain(error: PublicApiError, *words: str) -> None:
    text = str(error)
    assert text.strip(), "an empty message"
    assert CLIENT_SECRET not in text
    assert CLIENT_SECRET not in repr(error)
    assert "Traceback" not in text
    for word in words:
        assert word in text.lower(), text


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(BODY_FAULTS))
def test_member_list_fault_is_a_plain_error(
    fault: str, hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list budget is 512 MB in production; a smaller one proves the bound without the memory.
    monkeypatch.setattr(public_api, "LIST_BODY_LIMIT", 16 * 1024 * 1024)
    monkeypatch.setattr(public_api, "FIRST_BACKOFF", 0.01)
    behaviour, words = BODY_FAULTS[fault]
    if fault == "huge_body_50mb":
        words = "larger than"  # 50 MB is over the (test) list budget: not read, said so
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, behaviour)
    with public_api_client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    _assert_plain(caught.value, words)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(BODY_FAULTS))
def test_token_fault_is_a_plain_error(fault: str, hostile_server: HostileServer) -> None:
    behaviour, words = BODY_FAULTS[fault]
    if fault in ("huge_body_50mb",):
        words = "larger than"  # the token answer is read with a 1 MB budget
    hostile_server.route(TOKEN_PATH, behaviour)
    with public_api_client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.verify()
    _assert_plain(caught.value, words)
    assert paths(hostile_server) == [TOKEN_PATH]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", [TOKEN_PATH, MEMBERS_PATH])
def test_a_trickled_body_ends_within_the_timeout(path: str, hostile_server: HostileServer) -> None:
    # One byte every 0.1 s never trips httpx's per-read timeout; the whole answer must still end
    # (within the timeout for a token, LIST_TIME_FACTOR times it for a list).
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(path, behaviours.trickle(interval=0.1, total=100_000))
    with (
        public_api_client(hostile_server, timeout=0.5) as client,
        pytest.raises(PublicApiError) as caught,
    ):
        client.list_members()
    _assert_plain(caught.value, "in time")


@pytest.mark.timeout(30)
def test_a_server_that_never_answers_times_out(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, behaviours.hang())
    with (
        public_api_client(hostile_server, timeout=1.0) as client,
        pytest.raises(PublicApiError) as caught,
    ):
        client.verify()
    _assert_plain(caught.value, "in time")


# ---------------------------------------------------------------- tokens


@pytest.mark.timeout(30)
def test_401_after_token_expiry_refreshes_once_then_says_so(hostile_server: HostileServer) -> None:
    # The first call works; then the server revokes every token (an API key rotated meanwhile).
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(
        MEMBERS_PATH, behaviours.sequence(members_body(member_json(1)), behaviours.respond(401))
    )
    with public_api_client(hostile_server) as client:
        assert len(client.list_members()) == 1
        with pytest.raises(PublicApiError) as caught:
            client.list_members()
        assert client.token_requests == 2
    assert caught.value.status == 401
    _assert_plain(caught.value, "api key")
    expected = [TOKEN_PATH, MEMBERS_PATH, MEMBERS_PATH, TOKEN_PATH, MEMBERS_PATH]
    assert paths(hostile_server) == expected


@pytest.mark.timeout(30)
def test_a_refused_token_refresh_is_the_client_error(hostile_server: HostileServer) -> None:
    refused = behaviours.respond(400, '{"error":"invalid_client"}', "application/json")
    hostile_server.route(TOKEN_PATH, behaviours.sequence(token(), refused))
    hostile_server.route(
        MEMBERS_PATH, behaviours.sequence(members_body(member_json(1)), behaviours.respond(401))
    )
    with public_api_client(hostile_server) as client:
        client.list_members()
        with pytest.raises(PublicApiError) as caught:
            client.list_members()
    assert caught.value.status == 400
    _assert_plain(caught.value, "invalid_client")


# ---------------------------------------------------------------- 429 storms and 5xx


@pytest.mark.timeout(30)
def test_a_429_storm_waits_no_longer_than_max_wait(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, behaviours.rate_limited(retry_after="1"))
    with (
        public_api_client(hostile_server, max_wait=2.5) as client,
        pytest.raises(PublicApiError) as caught,
    ):
        client.list_members()
    assert caught.value.status == 429
    assert caught.value.retry_after == 1
    _assert_plain(caught.value, "too many requests")
    # Waited 1 s twice (2 s ≤ 2.5 s), then gave up rather than wait past max_wait.
    assert paths(hostile_server).count(MEMBERS_PATH) == 3


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "retry_after", ["0", None, "Thu, 01 Jan 1970 00:00:00 GMT", "soon", "inf", "nan", "1e400"]
)
def test_a_429_storm_without_a_real_wait_still_ends(
    retry_after: str | None, hostile_server: HostileServer
) -> None:
    # Retry-After 0, missing, in the past, garbage or not finite: no crash (`inf` once raised
    # OverflowError), and the client must not hammer the server forever.
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, behaviours.rate_limited(retry_after=retry_after))
    with (
        public_api_client(hostile_server, max_wait=3) as client,
        pytest.raises(PublicApiError) as caught,
    ):
        client.list_members()
    assert caught.value.status == 429
    _assert_plain(caught.value, "too many requests")
    assert paths(hostile_server).count(MEMBERS_PATH) <= public_api.RATE_LIMIT_RETRIES + 1


@pytest.mark.timeout(30)
def test_an_absurd_retry_after_is_capped_and_not_waited(hostile_server: HostileServer) -> None:
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, behaviours.rate_limited("99999999999999999999999"))
    with public_api_client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert caught.value.retry_after == public_api.MAX_RETRY_AFTER
    _assert_plain(caught.value, "86400 s")
    assert paths(hostile_server).count(MEMBERS_PATH) == 1


@pytest.mark.timeout(30)
def test_a_5xx_storm_gives_up_after_the_retries(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_api, "FIRST_BACKOFF", 0.01)
    hostile_server.route(TOKEN_PATH, token())
    hostile_server.route(MEMBERS_PATH, behaviours.server_error(503))
    with public_api_client(hostile_server) as client, pytest.raises(PublicApiError) as caught:
        client.list_members()
    assert caught.value.status == 503
    _assert_plain(caught.value, "try again later")
    assert paths(hostile_server).count(MEMBERS_PATH) == 1 + public_api.SERVER_ERROR_RETRIES
