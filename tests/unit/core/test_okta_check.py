"""The Okta-identical credential check, against a loopback server that misbehaves on demand.

Every test makes real HTTP over 127.0.0.1; the hostile server records the raw bytes received.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from app import __version__
from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.endpoints import parse_scim_url
from app.core.okta_check import (
    USER_AGENT,
    Category,
    CheckResult,
    check_credentials,
    check_scim_alive,
    okta_request_preview,
)
from tests.fixtures.hostile_server import (
    UNRESOLVABLE_HOST,
    Behaviour,
    HostileServer,
    TlsMaterial,
    behaviours,
    refused_url,
)

ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"
KEY = "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy"
OKTA_HEADER_NAMES = [
    "Host",
    "Accept",
    "Accept-Charset",
    "User-Agent",
    "Authorization",
    "Connection",
    "Accept-Encoding",
]


def scim_url(server: HostileServer, prefix: str = "") -> str:
    return f"{server.url}{prefix}/scim/v2/{ORG}"


def run(server: HostileServer, behaviour: Behaviour | None = None, **kwargs: object) -> CheckResult:
    if behaviour is not None:
        server.serve(behaviour)
    result = check_credentials(scim_url(server), SecretStr(KEY), **kwargs)  # type: ignore[arg-type]
    assert KEY not in json.dumps(result.to_json())
    assert KEY not in repr(result)
    return result


def test_the_request_on_the_wire_is_oktas(hostile_server: HostileServer) -> None:
    result = run(hostile_server)
    assert result.ok, result.message
    assert result.category is Category.OK
    assert result.http_status == 200
    [request] = hostile_server.requests
    assert hostile_server.connections == 1
    assert request.method == "GET"
    assert request.target == f"/scim/v2/{ORG}/Users?startIndex=1&count=2"
    assert request.version == "HTTP/1.1"
    assert request.header_names == OKTA_HEADER_NAMES
    assert request.header("Host") == f"127.0.0.1:{hostile_server.port}"
    assert request.header("Accept") == "application/scim+json"
    assert request.header("Accept-Charset") == "utf-8"
    assert request.header("Accept-Encoding") == "gzip,deflate"
    assert request.header("Authorization") == f"Bearer {KEY}"
    assert request.header("User-Agent") == f"Okta SCIM Client 1.0.0 scim-assistant/{__version__}"
    assert request.header("Connection") == "Keep-Alive"
    assert request.body == b""
    assert request.raw_head.endswith(b"\r\n\r\n")


def test_json_is_the_contract_object(hostile_server: HostileServer) -> None:
    data = run(hostile_server).to_json()
    assert list(data) == [
        "ok",
        "category",
        "message",
        "http_status",
        "elapsed_ms",
        "warnings",
        "request",
        "verdict",  # extensions of the contract, after its fields
        "okta_blockers",
    ]
    assert data["ok"] is True
    assert data["verdict"] == "okta_cannot_reach"  # http://127.0.0.1
    assert data["okta_blockers"]
    assert data["category"] == "ok"
    assert isinstance(data["elapsed_ms"], float)
    assert data["request"]["method"] == "GET"
    assert data["request"]["url"] == f"{scim_url(hostile_server)}/Users?startIndex=1&count=2"
    assert data["request"]["headers"]["Authorization"] == "Bearer ***"
    assert data["request"]["headers"]["User-Agent"] == USER_AGENT
    json.dumps(data)


def test_loopback_http_passes_here_but_warns_for_okta(hostile_server: HostileServer) -> None:
    result = run(hostile_server)
    assert result.ok
    assert msg.WARN_NOT_HTTPS in result.warnings
    assert any("loopback" in w for w in result.warnings)


def test_a_pasted_bearer_is_not_doubled(hostile_server: HostileServer) -> None:
    result = check_credentials(scim_url(hostile_server), f"Bearer {KEY}\n")
    assert result.ok
    assert hostile_server.requests[0].header("Authorization") == f"Bearer {KEY}"
    assert msg.WARN_KEY_BEARER in result.warnings


def test_a_key_of_the_wrong_shape_is_still_sent_as_okta_would(
    hostile_server: HostileServer,
) -> None:
    hostile_server.serve(behaviours.respond(401))
    result = check_credentials(scim_url(hostile_server), "short-key")
    assert result.category is Category.UNAUTHORIZED
    assert hostile_server.requests[0].header("Authorization") == "Bearer short-key"
    assert any(w.startswith("The key does not look like") for w in result.warnings)


@pytest.mark.parametrize(
    ("behaviour", "category", "status", "phrase"),
    [
        (behaviours.respond(401), Category.UNAUTHORIZED, 401, "enable SCIM"),
        (behaviours.respond(403), Category.FORBIDDEN, 403, "firewall"),
        (behaviours.respond(404), Category.NOT_FOUND, 404, "enable_scim: true"),
        (behaviours.respond(405), Category.METHOD_NOT_ALLOWED, 405, "wrong place"),
        (behaviours.rate_limited("30"), Category.RATE_LIMITED, 429, "Wait 30 seconds"),
        (behaviours.rate_limited(None), Category.RATE_LIMITED, 429, "Wait a minute"),
        (behaviours.server_error(500), Category.SERVER_ERROR, 500, "server's side"),
        (
            behaviours.server_error(500, b'{"detail": "db down", "status": 500}'),
            Category.SERVER_ERROR,
            500,
            "db down",
        ),
        (behaviours.html_login_page(502), Category.SERVER_ERROR, 502, "proxy or load balancer"),
        (behaviours.html_login_page(), Category.NOT_SCIM, 200, "page title: 'Sign in'"),
        (behaviours.garbage_json(), Category.NOT_SCIM, 200, "invalid JSON"),
        (behaviours.invalid_utf8(), Category.NOT_SCIM, 200, "not UTF-8"),
        (behaviours.deeply_nested_json(), Category.NOT_SCIM, 200, "nested too deeply"),
        (behaviours.wrong_content_type(), Category.NOT_SCIM, 200, "not with JSON"),
        (behaviours.json({"hello": 1}), Category.NOT_SCIM, 200, "not a SCIM list"),
        (behaviours.json([1, 2]), Category.NOT_SCIM, 200, "not a SCIM list"),
        (behaviours.respond(204), Category.NOT_SCIM, 204, "204"),
        (behaviours.respond(400, b'{"detail": "bad"}'), Category.NOT_SCIM, 400, "bad"),
        (behaviours.respond(407), Category.CONNECT, 407, "proxy"),
        (behaviours.huge_body(), Category.NOT_SCIM, 200, "more than"),
        (behaviours.gzip_bomb(), Category.NOT_SCIM, 200, "more than"),
        (behaviours.reset_mid_body(), Category.CONNECT, 200, "closed the connection"),
        (behaviours.close_without_answer(), Category.CONNECT, None, "closed the connection"),
    ],
)
def test_every_outcome_has_one_category_and_a_plain_message(
    hostile_server: HostileServer,
    behaviour: Behaviour,
    category: Category,
    status: int | None,
    phrase: str,
) -> None:
    result = run(hostile_server, behaviour)
    assert not result.ok
    assert result.category is category, result.message
    assert result.http_status == status
    assert phrase.lower() in result.message.lower()
    assert len(hostile_server.requests) == 1


def test_unauthorized_names_the_likely_causes_for_the_cloud() -> None:
    # Cloud hosts cannot be reached from tests; the message comes from the same diagnosis.
    import httpx

    from app.core.endpoints import parse_scim_url
    from app.core.okta_check.diagnosis import diagnose_answer as _diagnose

    endpoints = parse_scim_url(f"https://scim.bitwarden.com/v2/{ORG}").endpoints
    assert endpoints is not None
    request = httpx.Request("GET", endpoints.scim_url)
    response = httpx.Response(401, request=request, stream=httpx.ByteStream(b""))
    outcome = _diagnose(response, endpoints, endpoints.scim_url)
    assert outcome.category is Category.UNAUTHORIZED
    for cause in (
        "rotated",
        "not enabled",
        "another organization",
        endpoints.admin_console_scim_url,
    ):
        assert cause in outcome.message


def test_a_login_challenge_points_at_a_proxy(hostile_server: HostileServer) -> None:
    result = run(
        hostile_server, behaviours.respond(401, headers=[("WWW-Authenticate", 'Basic realm="x"')])
    )
    assert result.category is Category.UNAUTHORIZED
    assert "WWW-Authenticate: Basic" in result.message


def test_a_redirect_is_a_finding_and_is_not_followed(hostile_server: HostileServer) -> None:
    hostile_server.route("/scim", behaviours.redirect("https://sso.example.com/login?next=/x"))
    hostile_server.route("/login", behaviours.scim_list())
    result = run(hostile_server)
    assert result.category is Category.REDIRECT
    assert result.http_status == 302
    assert "https://sso.example.com/login" in result.message
    assert "next=" not in result.message
    assert "sign-in page" in result.message
    assert len(hostile_server.requests) == 1


@pytest.mark.parametrize(
    ("body", "warnings"),
    [
        (behaviours.scim_list([{"id": "1"}], key="Resources"), []),
        (behaviours.scim_list(key="resources"), []),
        (
            behaviours.scim_list(as_strings=True),
            [
                msg.WARN_CHECK_PAGING.format(field=f)
                for f in ("totalResults", "startIndex", "itemsPerPage")
            ],
        ),
        (
            behaviours.json({"Resources": []}),
            [
                msg.WARN_CHECK_PAGING.format(field=f)
                for f in ("totalResults", "startIndex", "itemsPerPage")
            ]
            + [msg.WARN_CHECK_SCHEMAS],
        ),
        (
            behaviours.json(
                {
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                    "resources": [],
                    "totalresults": 0,
                    "startindex": 1,
                    "itemsperpage": 2,
                },
                content_type="text/plain",
            ),
            [msg.WARN_CHECK_CONTENT_TYPE.format(content_type="text/plain")],
        ),
    ],
)
def test_list_variants_okta_accepts(
    hostile_server: HostileServer, body: Behaviour, warnings: list[str]
) -> None:
    result = run(hostile_server, body)
    assert result.ok, result.message
    check_warnings = [w for w in result.warnings if w != msg.WARN_NOT_HTTPS and "loopback" not in w]
    assert check_warnings == warnings


def test_refused_port_is_connect() -> None:
    result = check_credentials(f"{refused_url()}/scim/v2/{ORG}", KEY, timeout=5)
    assert result.category is Category.CONNECT
    assert "refused" in result.message
    assert result.http_status is None


def test_unresolvable_name_is_dns() -> None:
    result = check_credentials(f"https://{UNRESOLVABLE_HOST}/scim/v2/{ORG}", KEY, timeout=10)
    assert result.category is Category.DNS
    assert UNRESOLVABLE_HOST in result.message


def test_silence_is_a_timeout(hostile_server: HostileServer) -> None:
    result = run(hostile_server, behaviours.hang(), timeout=0.5)
    assert result.category is Category.TIMEOUT
    assert "0.5 seconds" in result.message


def test_a_trickled_body_hits_the_total_deadline(hostile_server: HostileServer) -> None:
    # Each chunk comes well within the read timeout; only a deadline on the whole exchange ends it.
    result = run(hostile_server, behaviours.trickle(interval=0.05), timeout=1.0)
    assert result.category is Category.TIMEOUT
    assert result.http_status == 200


def test_untrusted_certificate_is_tls(hostile_tls_server: HostileServer) -> None:
    result = run(hostile_tls_server)
    assert result.category is Category.TLS
    assert "--ca-file" in result.message
    assert hostile_tls_server.requests == []


def test_self_signed_certificate_is_tls(self_signed_server: HostileServer) -> None:
    result = run(self_signed_server)
    assert result.category is Category.TLS
    assert "self-signed" in result.message


def test_private_ca_passes_here_with_a_warning(hostile_tls_server: HostileServer) -> None:
    result = run(hostile_tls_server, ca_file=hostile_tls_server.ca_file)
    assert result.ok, result.message
    assert msg.WARN_PRIVATE_CA in result.warnings
    assert msg.WARN_NOT_HTTPS not in result.warnings
    assert len(hostile_tls_server.requests) == 1  # the public-roots check is a handshake only


def test_wrong_host_name_is_tls(tmp_path: Path) -> None:
    tls = TlsMaterial.create(tmp_path, names=["bitwarden.example"])
    server = HostileServer(tls=tls, host_name="localhost")
    try:
        result = check_credentials(scim_url(server), KEY, ca_file=tls.ca_file, timeout=5)
    finally:
        server.stop()
    assert result.category is Category.TLS
    assert "not valid for localhost" in result.message


def test_missing_ca_file_is_tls(hostile_tls_server: HostileServer, tmp_path: Path) -> None:
    result = run(hostile_tls_server, ca_file=tmp_path / "nope.pem")
    assert result.category is Category.TLS
    assert "nope.pem" in result.message


def test_underscore_is_warned_about(hostile_server: HostileServer) -> None:
    result = check_credentials(scim_url(hostile_server, "/my_bitwarden"), KEY)
    assert result.ok
    assert msg.WARN_UNDERSCORE in result.warnings


def test_invalid_and_insecure_urls_send_nothing(hostile_server: HostileServer) -> None:
    bad = check_credentials("https://scim.bitwarden.com/v2/nope", KEY)
    assert bad.category is Category.INVALID_URL
    insecure = check_credentials(f"http://bw.example.com/scim/v2/{ORG}", KEY)
    assert insecure.category is Category.INSECURE_URL
    assert insecure.request.headers["Authorization"] == "Bearer ***"
    assert hostile_server.requests == []


def test_groups_step_mirrors_the_to_app_save(hostile_server: HostileServer) -> None:
    result = run(hostile_server, check_groups=True)
    assert result.ok
    assert result.groups_checked
    paths = [r.target for r in hostile_server.requests]
    assert paths == [
        f"/scim/v2/{ORG}/Users?startIndex=1&count=2",
        f"/scim/v2/{ORG}/Groups?startIndex=1&count=100",
    ]
    assert hostile_server.requests[1].header_names == OKTA_HEADER_NAMES


def test_a_failing_groups_step_fails_the_check(hostile_server: HostileServer) -> None:
    hostile_server.route(f"/scim/v2/{ORG}/Groups", behaviours.server_error(500))
    result = run(hostile_server, check_groups=True)
    assert not result.ok
    assert result.category is Category.SERVER_ERROR
    assert result.message.startswith("The Users request succeeded")


def test_cancel_stops_a_waiting_check(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.hang())
    token = CancelToken()
    raised: list[BaseException] = []

    def work() -> None:
        try:
            check_credentials(scim_url(hostile_server), KEY, timeout=60, cancel=token)
        except BaseException as exc:
            raised.append(exc)

    worker = threading.Thread(target=work, name="test-check")
    worker.start()
    hostile_server.wait_for_requests(1)
    token.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert len(raised) == 1
    assert isinstance(raised[0], Cancelled)


def test_preview_masks_the_key() -> None:
    preview = okta_request_preview(f"https://scim.bitwarden.com/v2/{ORG}/")
    assert preview.url == f"https://scim.bitwarden.com/v2/{ORG}/Users?startIndex=1&count=2"
    assert preview.headers["Authorization"] == "Bearer ***"
    assert list(preview.headers) == OKTA_HEADER_NAMES
    assert preview.headers["Host"] == "scim.bitwarden.com"


def test_scim_alive(hostile_server: HostileServer) -> None:
    hostile_server.route(
        "/scim/alive", behaviours.json("2026-11-29T08:00:00.000Z", content_type="application/json")
    )
    result = check_scim_alive(hostile_server.url)
    assert result.ok
    assert result.server_time == "2026-11-29T08:00:00.000Z"
    assert hostile_server.requests[0].target == "/scim/alive"


@pytest.mark.parametrize(
    ("behaviour", "phrase"),
    [
        (behaviours.respond(404), "enable_scim: true"),
        (behaviours.html_login_page(), "enable_scim: true"),
        (behaviours.respond(500), "not Bitwarden's SCIM service"),
    ],
)
def test_scim_alive_says_what_to_do(
    hostile_server: HostileServer, behaviour: Behaviour, phrase: str
) -> None:
    hostile_server.serve(behaviour)
    result = check_scim_alive(hostile_server.url + "/")
    assert not result.ok
    assert phrase in result.message


def test_scim_alive_unreachable() -> None:
    result = check_scim_alive(refused_url(), timeout=5)
    assert not result.ok
    assert "refused" in result.message


def test_retry_after_as_an_http_date(hostile_server: HostileServer) -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    when = format_datetime(datetime.now(UTC) + timedelta(minutes=5, seconds=20), usegmt=True)
    result = run(hostile_server, behaviours.rate_limited(when))
    assert result.category is Category.RATE_LIMITED
    assert "Wait about 5 minutes" in result.message


@pytest.mark.parametrize(
    ("retry_after", "said"),
    [
        ("7200", "Wait about 2 hours"),
        (str(10**24), "Wait more than two days (the server's Retry-After is implausible)"),
    ],
)
def test_long_retry_after_is_said_in_plain_units(
    hostile_server: HostileServer, retry_after: str, said: str
) -> None:
    result = run(hostile_server, behaviours.rate_limited(retry_after))
    assert result.category is Category.RATE_LIMITED
    assert said in result.message


def test_an_already_cancelled_token_sends_nothing(hostile_server: HostileServer) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check_credentials(scim_url(hostile_server), KEY, cancel=token)
    assert hostile_server.requests == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), st.text(max_size=40))
def test_unusable_urls_never_raise_and_send_nothing(text: str, key: str) -> None:
    assume(not parse_scim_url(text).ok)
    result = check_credentials(text, key)
    assert not result.ok
    assert result.category in (Category.INVALID_URL, Category.INSECURE_URL)
    assert result.request.headers["Authorization"] == "Bearer ***"
    json.dumps(result.to_json())


def test_against_the_sandbox_urls_derive_and_scim_is_alive() -> None:
    from app.sandbox.server import Sandbox

    with Sandbox.start(members=3, seed=7) as box:
        info = box.info
        endpoints = parse_scim_url(info["scim_url"]).endpoints
        assert endpoints is not None
        assert (endpoints.api_url, endpoints.identity_url) == (
            info["api_url"],
            info["identity_url"],
        )
        assert endpoints.server_url is not None
        alive = check_scim_alive(endpoints.server_url)
        result = check_credentials(info["scim_url"], info["scim_key"], check_groups=True)
    assert alive.ok, alive.message
    assert alive.server_time
    assert result.ok, result.message
    assert result.groups_checked


@pytest.mark.parametrize(
    ("count", "words"), [(0, "0 users on"), (1, "1 user on"), (2, "2 users on")]
)
def test_the_success_message_counts_users_in_plain_english(
    hostile_server: HostileServer, count: int, words: str
) -> None:
    people: list[dict[str, object]] = [
        {"id": str(n), "userName": f"u{n}@example.com"} for n in range(count)
    ]
    result = run(hostile_server, behaviours.scim_list(people))
    assert result.ok, result.message
    assert f"({words} the first page, {count} in total)" in result.message
    assert "(s)" not in result.message
