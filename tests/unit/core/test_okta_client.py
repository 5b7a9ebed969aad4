"""The Okta client against a purpose-built loopback Okta org: auth, errors, 429s, pagination."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from app.core.okta.client import OktaClient, OktaError
from app.core.okta.org_url import check_org_url
from tests.fixtures.hostile_server import HostileServer, behaviours
from tests.fixtures.okta_org import TOKEN, FakeOktaOrg, app_user


def _client(server: HostileServer, token: str = TOKEN, max_wait: float = 120.0) -> OktaClient:
    return OktaClient(server.url, SecretStr(token), max_wait=max_wait)


@pytest.mark.parametrize(
    ("text", "url", "warned"),
    [
        ("https://acme.okta.com/", "https://acme.okta.com", False),
        ("acme.okta-emea.com", "https://acme.okta-emea.com", False),
        ("https://acme.oktapreview.com/app/UserHome", "https://acme.oktapreview.com", False),
        ("https://login.acme.example", "https://login.acme.example", True),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", False),
    ],
)
def test_org_url_accepted(text: str, url: str, warned: bool) -> None:
    check = check_org_url(text)
    assert check.url == url
    assert bool(check.warnings) is warned


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("http://acme.okta.com", "https://"),
        ("https://acme-admin.okta.com", "https://acme.okta.com"),
        ("", "Okta org URL"),
        ("https://user:pw@acme.okta.com", "user name"),
        ("https://acme.okta.com.com", ".com.com"),
        ("https://evil.example\\.okta.com", "not a host name"),
        ("https://evil.example%5c.okta.com", "not a host name"),
        ("https://bad_host.okta.com", "not a host name"),
    ],
)
def test_org_url_refused(text: str, says: str) -> None:
    check = check_org_url(text)
    assert check.url is None
    assert check.error is not None
    assert says in check.error


def test_pagination_over_pages_of_200(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(users=[app_user(n) for n in range(1, 451)])
    org.install(hostile_server)
    with _client(hostile_server) as okta:
        users = okta.list_all("/api/v1/apps/0oa1bitwardenscim001/users", {"limit": "200"})
    assert [u["id"] for u in users] == [f"00u{n:017d}" for n in range(1, 451)]
    assert okta.requests == 3
    targets = [r.target for r in hostile_server.requests]
    assert "after=200" in targets[1]
    assert "after=400" in targets[2]


def test_a_429_is_waited_out_until_the_reset(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(throttle={"/api/v1/apps": 1}, reset_in=1)
    org.install(hostile_server)
    with _client(hostile_server) as okta:
        started = time.monotonic()
        app = okta.get("/api/v1/apps/0oa1bitwardenscim001")
        waited = time.monotonic() - started
    assert app["label"] == "Bitwarden"
    assert okta.rate_limit_waits == 1
    assert 0.9 <= waited < 5  # Reset − Date + 1 s (Date has one-second resolution)


def test_429s_beyond_the_bound_give_a_sentence(hostile_server: HostileServer) -> None:
    org = FakeOktaOrg(throttle={"/api/v1/apps": 100}, reset_in=30)
    org.install(hostile_server)
    with _client(hostile_server, max_wait=5) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert caught.value.status == 429
    assert "rate limit" in str(caught.value)
    assert okta.rate_limit_waits == 0  # a 31 s wait exceeds the 5 s budget: not slept


def test_invalid_token(hostile_server: HostileServer) -> None:
    FakeOktaOrg().install(hostile_server)
    with _client(hostile_server, "00wrongtoken") as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert caught.value.status == 401
    assert caught.value.code == "E0000011"
    assert "Security → API → Tokens" in str(caught.value)
    assert hostile_server.requests[0].header("authorization") == "SSWS 00wrongtoken"


def test_missing_admin_role(hostile_server: HostileServer) -> None:
    FakeOktaOrg(forbidden={"/api/v1/logs"}).install(hostile_server)
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/logs")
    assert caught.value.status == 403
    assert "Read-only Administrator" in str(caught.value)


def test_missing_scope_from_www_authenticate(hostile_server: HostileServer) -> None:
    hostile_server.serve(
        behaviours.respond(
            403,
            headers=[
                (
                    "WWW-Authenticate",
                    'Bearer error="insufficient_scope", scope="okta.logs.read"',
                )
            ],
        )
    )
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/logs")
    assert "okta.logs.read" in str(caught.value)


def test_app_not_found(hostile_server: HostileServer) -> None:
    FakeOktaOrg().install(hostile_server)
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps/0oanope")
    assert caught.value.status == 404
    assert "pick the Bitwarden app again" in str(caught.value)


def test_not_an_okta_org(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.respond(200, "<html>login</html>", "text/html"))
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert "not answer as an Okta org" in str(caught.value)


def test_json_nested_past_any_sense_is_a_sentence_not_a_crash(
    hostile_server: HostileServer,
) -> None:
    """A hostile server's 2xx body of 100,000 nested arrays: the decoder's recursion bound
    (RecursionError, not a decode error) became an unhandled exception."""
    hostile_server.serve(behaviours.respond(200, "[" * 100_000 + "]" * 100_000, "application/json"))
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert "not answer as an Okta org" in str(caught.value)


def test_next_link_to_another_host_is_not_followed(hostile_server: HostileServer) -> None:
    hostile_server.serve(
        behaviours.respond(
            200,
            "[]",
            "application/json",
            headers=[("Link", '<https://evil.example/api/v1/apps?after=1>; rel="next"')],
        )
    )
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.list_all("/api/v1/apps")
    assert "another host" in str(caught.value)
    assert len(hostile_server.requests) == 1


def test_the_token_is_in_no_error_or_repr(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.respond(500, TOKEN, "text/plain"))
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(okta)


def test_outside_text_is_cleaned_on_both_paths() -> None:
    from app.core.okta.client import _clean

    assert _clean("Ada  Lovelace ") == "Ada Lovelace"  # the printable fast path folds spaces
    assert _clean("moc.live\u202e@x\n y") == "moc.live @x y"
    assert _clean("a" * 400) == "a" * 300


@pytest.mark.parametrize(
    "link",
    [
        "<@127.0.0.1:{port}/api/v1/apps?after=1>",  # userinfo: org_url + it names another host
        "<.localtest.me:{port}/api/v1/apps?after=1>",  # a longer host name after the org's
        "<:{port}/api/v1/apps?after=1>",  # another port on the org's host
        "<//127.0.0.1:{port}/api/v1/apps?after=1>",  # scheme-relative
    ],
)
def test_a_relative_next_link_cannot_reach_another_host(
    hostile_server: HostileServer, link: str
) -> None:
    """A hostile `Link` that is not a path from `/` is joined as a URL is, then held to the org's
    scheme, host and port: before, `org_url + target` sent the token to the other server."""
    other = HostileServer()
    try:
        other.serve(behaviours.respond(200, "[]", "application/json"))
        hostile_server.serve(
            behaviours.respond(
                200,
                "[]",
                "application/json",
                headers=[("Link", link.format(port=other.port) + '; rel="next"')],
            )
        )
        with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
            okta.list_all("/api/v1/apps")
        assert "another host" in str(caught.value)
        assert other.requests == []
        assert len(hostile_server.requests) == 1
    finally:
        other.stop()


def test_a_next_link_cannot_drop_tls(hostile_tls_server: HostileServer) -> None:
    """The same host over plain http would carry the token in the clear: refused."""
    url = hostile_tls_server.url
    hostile_tls_server.serve(
        behaviours.respond(
            200,
            "[]",
            "application/json",
            headers=[
                ("Link", f'<{url.replace("https://", "http://")}/api/v1/apps?after=1>; rel="next"')
            ],
        )
    )
    okta = OktaClient(url, SecretStr(TOKEN), ca_file=hostile_tls_server.ca_file)
    with okta, pytest.raises(OktaError) as caught:
        okta.list_all("/api/v1/apps")
    assert "another host" in str(caught.value)
    assert len(hostile_tls_server.requests) == 1


def test_a_next_link_path_on_the_org_is_followed(hostile_server: HostileServer) -> None:
    hostile_server.route(
        "/api/v1/apps",
        behaviours.sequence(
            behaviours.respond(
                200,
                '[{"id": "a"}]',
                "application/json",
                headers=[("Link", '</api/v1/apps?after=a>; rel="next"')],
            ),
            behaviours.respond(200, '[{"id": "b"}]', "application/json"),
        ),
    )
    with _client(hostile_server) as okta:
        assert [a["id"] for a in okta.list_all("/api/v1/apps")] == ["a", "b"]
    assert hostile_server.requests[1].target == "/api/v1/apps?after=a"


def test_an_encoding_not_asked_for_is_a_sentence(hostile_server: HostileServer) -> None:
    """`Content-Encoding: br` (never asked for) was a ValueError out of the client: a traceback
    from `okta verify`, not the plain sentence every other Okta failure is."""
    hostile_server.serve(
        behaviours.respond(
            200, b"\x0b\x02\x80[]\x03", "application/json", [("Content-Encoding", "br")]
        )
    )
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert "compress" in str(caught.value)


def test_a_next_link_that_repeats_ends_the_list(hostile_server: HostileServer) -> None:
    """A server answering every page with a link back to the same page held the read for 10,000
    pages; a next link already followed ends it with a sentence at once."""
    hostile_server.serve(
        behaviours.respond(
            200,
            '[{"id": "a"}]',
            "application/json",
            headers=[("Link", '</api/v1/apps?after=a>; rel="next"')],
        )
    )
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.list_all("/api/v1/apps")
    assert "same page" in str(caught.value)
    assert len(hostile_server.requests) == 2


def test_a_list_is_bounded_in_bytes_not_only_in_pages(hostile_server: HostileServer) -> None:
    """10,000 pages of up to 32 MB each held no bound on memory; the pages' bytes together are
    bounded too (small here, `LIST_BYTES_LIMIT` in use)."""
    page = "[" + ",".join(['{"id": "x"}'] * 100) + "]"
    counter = iter(range(1_000_000))
    hostile_server.serve(
        lambda req, conn: behaviours.respond(
            200,
            page,
            "application/json",
            headers=[("Link", f'</api/v1/apps?after={next(counter)}>; rel="next"')],
        )(req, conn)
    )
    okta = OktaClient(hostile_server.url, SecretStr(TOKEN), list_bytes_limit=len(page) * 5)
    with okta, pytest.raises(OktaError) as caught:
        okta.list_all("/api/v1/apps")
    assert "larger than" in str(caught.value)
    assert len(hostile_server.requests) == 6


def test_a_server_echoing_the_token_does_not_put_it_in_the_message(
    hostile_server: HostileServer,
) -> None:
    """Okta's errorSummary is shown; a proxy or server echoing the Authorization header there
    would have put the token on screen and in stderr."""
    hostile_server.serve(
        behaviours.json(
            {"errorCode": "E0000006", "errorSummary": f"You sent SSWS {TOKEN}"},
            status=403,
            content_type="application/json",
        )
    )
    with _client(hostile_server) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert TOKEN not in str(caught.value)
    assert 'You sent [hidden]"' in str(caught.value)
