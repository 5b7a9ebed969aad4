"""`check` against every way a server, proxy or network can fail: each ends in exactly one
category of the `check --json` contract with a plain, specific sentence, within the timeout
(pytest-timeout is the bound), and the key appears nowhere in the result."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from app.core.cancel import Cancelled, CancelToken
from app.core.okta_check import Category, CheckResult, check_credentials
from tests.faults.support import ORG, SCIM_KEY
from tests.fixtures.hostile_server import (
    UNRESOLVABLE_HOST,
    Behaviour,
    HostileServer,
    behaviours,
    refused_url,
)


@dataclass(frozen=True)
class Fault:
    """A misbehaviour of the server (or no server at all) and what the check must say."""

    category: Category
    words: tuple[str, ...]
    behaviour: Behaviour | None = None
    #: Builds the SCIM URL from the hostile server's base URL (default: a self-hosted SCIM URL).
    url: Callable[[str], str] = lambda base: f"{base}/scim/v2/{ORG}"


FAULTS: dict[str, Fault] = {
    # The contract's categories, one by one.
    "invalid_url": Fault(Category.INVALID_URL, (), url=lambda _b: "scim dot bitwarden dot com"),
    "insecure_url": Fault(
        Category.INSECURE_URL, ("https",), url=lambda _b: f"http://bw.example.com/scim/v2/{ORG}"
    ),
    "dns": Fault(Category.DNS, ("dns", UNRESOLVABLE_HOST), url=lambda _b: _unresolvable_scim_url()),
    "connect_refused": Fault(
        Category.CONNECT, ("refused",), url=lambda _b: f"{refused_url()}/scim/v2/{ORG}"
    ),
    "timeout_no_answer": Fault(Category.TIMEOUT, ("seconds",), behaviours.hang()),
    "redirect_to_login": Fault(
        Category.REDIRECT,
        ("redirect", "sign-in"),
        behaviours.redirect("https://login.example.com/sso/login?next=/scim"),
    ),
    "redirect_permanent": Fault(
        Category.REDIRECT, ("redirect",), behaviours.redirect("https://elsewhere.example/", 308)
    ),
    "redirect_to_script": Fault(
        Category.REDIRECT,
        ("redirect", "invalid address"),
        behaviours.redirect("javascript:alert(1)", 301),
    ),
    "unauthorized": Fault(Category.UNAUTHORIZED, ("401",), behaviours.respond(401)),
    "forbidden": Fault(Category.FORBIDDEN, ("403",), behaviours.respond(403)),
    "not_found": Fault(Category.NOT_FOUND, ("404",), behaviours.respond(404)),
    "method_not_allowed": Fault(Category.METHOD_NOT_ALLOWED, ("405",), behaviours.respond(405)),
    "rate_limited": Fault(Category.RATE_LIMITED, ("429",), behaviours.rate_limited("30")),
    "rate_limited_no_header": Fault(Category.RATE_LIMITED, ("429",), behaviours.rate_limited(None)),
    "server_error_500": Fault(Category.SERVER_ERROR, ("500",), behaviours.server_error(500)),
    "server_error_502": Fault(Category.SERVER_ERROR, ("502",), behaviours.server_error(502)),
    "server_error_503": Fault(Category.SERVER_ERROR, ("503",), behaviours.server_error(503)),
    "not_scim_html": Fault(Category.NOT_SCIM, ("html", "sign in"), behaviours.html_login_page()),
    "not_scim_list_key": Fault(
        Category.NOT_SCIM, (), behaviours.json({"schemas": [], "users": []})
    ),
    # What a broken network or server does to the body.
    "reset_mid_body": Fault(
        Category.CONNECT, ("closed the connection",), behaviours.reset_mid_body()
    ),
    "closed_without_answer": Fault(
        Category.CONNECT, ("closed the connection",), behaviours.close_without_answer()
    ),
    "trickled_body": Fault(
        Category.TIMEOUT, ("seconds",), behaviours.trickle(interval=0.2, total=100_000)
    ),
    "wrong_content_type": Fault(Category.NOT_SCIM, ("json",), behaviours.wrong_content_type()),
    "garbage_json": Fault(Category.NOT_SCIM, ("json",), behaviours.garbage_json()),
    "gzip_bomb": Fault(Category.NOT_SCIM, ("bytes",), behaviours.gzip_bomb()),
    "deflate_bomb": Fault(Category.NOT_SCIM, ("bytes",), behaviours.gzip_bomb(encoding="deflate")),
    "huge_body_50mb": Fault(Category.NOT_SCIM, ("bytes",), behaviours.huge_body()),
    "invalid_utf8": Fault(Category.NOT_SCIM, ("utf-8",), behaviours.invalid_utf8()),
    "deeply_nested_json": Fault(Category.NOT_SCIM, ("nested",), behaviours.deeply_nested_json()),
}

#: A short Okta-like limit, so that the timeout faults end quickly.
TIMEOUT = 2.0


def _unresolvable_scim_url() -> str:
    return f"https://{UNRESOLVABLE_HOST}/scim/v2/{ORG}"


def assert_no_secret(result: CheckResult) -> None:
    text = json.dumps(result.to_json()) + repr(result) + str(result)
    assert SCIM_KEY not in text
    assert result.request.headers.get("Authorization") == "Bearer ***"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_ends_in_its_category(name: str, hostile_server: HostileServer) -> None:
    fault = FAULTS[name]
    if fault.behaviour is not None:
        hostile_server.serve(fault.behaviour)
    result = check_credentials(fault.url(hostile_server.url), SCIM_KEY, timeout=TIMEOUT)
    assert result.category is fault.category, result.message
    assert not result.ok
    assert result.message.strip()
    for word in fault.words:
        assert word.lower() in result.message.lower(), result.message
    assert_no_secret(result)
    json.dumps(result.to_json())  # the --json output is always serialisable


def test_every_category_is_covered() -> None:
    covered = {fault.category for fault in FAULTS.values()} | {Category.TLS, Category.OK}
    assert covered == set(Category)


@pytest.mark.timeout(30)
def test_untrusted_certificate_is_tls(hostile_tls_server: HostileServer) -> None:
    result = check_credentials(f"{hostile_tls_server.url}/scim/v2/{ORG}", SCIM_KEY, timeout=TIMEOUT)
    assert result.category is Category.TLS, result.message
    assert "certificate" in result.message
    assert hostile_tls_server.requests == []  # nothing, key included, was sent
    assert_no_secret(result)


@pytest.mark.timeout(30)
def test_a_good_answer_is_ok(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.scim_list())
    result = check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY, timeout=TIMEOUT)
    assert result.category is Category.OK, result.message
    assert result.ok
    assert_no_secret(result)


@pytest.mark.timeout(30)
def test_redirect_is_not_followed_and_the_key_goes_nowhere_else(
    hostile_server: HostileServer,
) -> None:
    target = HostileServer()
    try:
        hostile_server.serve(behaviours.redirect(f"{target.url}/scim/v2/{ORG}/Users", 307))
        result = check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY)
        assert result.category is Category.REDIRECT
        assert target.connections == 0
        assert target.requests == []
        assert len(hostile_server.requests) == 1
    finally:
        target.stop()


ESCAPES = "\x1b[2J\x1b]0;pwned\x07\u202eevil\r\nline"
INJECTIONS: dict[str, Behaviour] = {
    "html_title": behaviours.respond(200, f"<title>{ESCAPES}</title>", "text/html"),
    "scim_error_detail": behaviours.json(
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": ESCAPES}, 400
    ),
    "server_error_message": behaviours.json({"message": ESCAPES}, 500),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("place", sorted(INJECTIONS))
def test_a_server_cannot_write_control_characters_to_the_terminal(
    place: str, hostile_server: HostileServer
) -> None:
    # A page title or error detail once reached `check`'s printed message with its escapes.
    hostile_server.serve(INJECTIONS[place])
    result = check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY, timeout=TIMEOUT)
    assert result.message.isprintable(), repr(result.message)
    assert all(w.isprintable() for w in result.warnings)


@pytest.mark.parametrize(
    "pasted",
    [
        SCIM_KEY,
        f"Bearer {SCIM_KEY}",
        f"https://scim.bitwarden.com/v2/{SCIM_KEY}",
        f"https://{SCIM_KEY}.invalid/scim/v2/{ORG}",  # a host name: looked up, then dns
        f" {SCIM_KEY}\n",
    ],
)
def test_a_key_pasted_into_the_url_field_is_not_shown(pasted: str) -> None:
    # The URL and key fields sit side by side; the key once came back in `request.url`.
    result = check_credentials(pasted, SCIM_KEY, timeout=TIMEOUT)
    assert not result.ok  # invalid_url, or dns for the key as a host name
    assert_no_secret(result)
    assert SCIM_KEY.lower() not in json.dumps(result.to_json()).lower()
    assert SCIM_KEY not in result.request.headers["Host"]


def test_a_password_in_the_url_is_not_shown() -> None:
    url = f"https://admin:Hunter2Hunter2@bw.example.com/scim/v2/{ORG}"
    result = check_credentials(url, SCIM_KEY, timeout=TIMEOUT)
    assert result.category is Category.INVALID_URL
    assert "Hunter2Hunter2" not in json.dumps(result.to_json())


@pytest.mark.timeout(30)
def test_cancel_ends_a_hanging_check(hostile_server: HostileServer) -> None:
    hostile_server.serve(behaviours.hang())
    cancel = CancelToken()
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(
                check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY, cancel=cancel)
            )
        except Cancelled as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, name="fault-check")
    worker.start()
    hostile_server.wait_for_requests(1)
    cancel.cancel()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], Cancelled)
