"""SCIM authentication and routing: reference bitwarden-api.md 2.1, 2.4 and 2.9 (1, 8)."""

from __future__ import annotations

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.unit.sandbox.helpers import OKTA_HEADERS, scim


def test_bearer_prefix_and_bare_key_are_both_accepted(sandbox: Sandbox) -> None:
    """2.1 step 4: `Bearer <key>` and the bare key both authenticate."""
    with scim(sandbox, bearer=True) as bearer, scim(sandbox, bearer=False) as bare:
        assert bearer.get("/Users", params={"startIndex": 1, "count": 2}).status_code == 200
        assert bare.get("/Users", params={"startIndex": 1, "count": 2}).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-key", "bearer {key}", "Basic {key}", "Bearer  {key}"],
)
def test_every_auth_failure_is_401_with_an_empty_body(
    sandbox: Sandbox, authorization: str | None
) -> None:
    """2.1: missing header, wrong key, lower-case or other scheme: 401, empty, no challenge."""
    headers = dict(OKTA_HEADERS)
    if authorization is not None:
        headers["Authorization"] = authorization.format(key=sandbox.info["scim_key"])
    response = httpx.get(sandbox.info["scim_url"] + "/Users", headers=headers)
    assert response.status_code == 401
    assert response.content == b""
    assert "www-authenticate" not in response.headers


def test_two_authorization_headers_are_refused(sandbox: Sandbox) -> None:
    """2.1 step 3: more than one Authorization header is a failure."""
    key = sandbox.info["scim_key"]
    headers = [("Authorization", f"Bearer {key}"), ("Authorization", f"Bearer {key}")]
    response = httpx.get(sandbox.info["scim_url"] + "/Users", headers=headers)
    assert response.status_code == 401
    assert response.content == b""


@pytest.mark.parametrize(
    "org_id", ["00000000-0000-0000-0000-000000000001", "not-a-guid", "ORGANIZATION"]
)
def test_unknown_or_malformed_organization_is_401(sandbox: Sandbox, org_id: str) -> None:
    """2.1 step 2: an organization that does not exist looks exactly like a wrong key."""
    url = sandbox.info["scim_url"].rsplit("/", 1)[0] + f"/{org_id}/Users"
    response = httpx.get(url, headers={"Authorization": f"Bearer {sandbox.info['scim_key']}"})
    assert response.status_code == 401
    assert response.content == b""


def test_upper_case_organization_id_is_accepted(sandbox: Sandbox) -> None:
    """2.1: the route value is `Guid.TryParse`d, so the GUID's case does not matter."""
    base, org = sandbox.info["scim_url"].rsplit("/", 1)
    response = httpx.get(
        f"{base}/{org.upper()}/Users",
        headers={"Authorization": f"Bearer {sandbox.info['scim_key']}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("switch", ["enabled", "use_scim", "scim_enabled"])
def test_scim_switched_off_is_401(sandbox: Sandbox, switch: str) -> None:
    """2.1 step 5: organization disabled, plan without SCIM, SCIM connection off: 401, empty."""
    with sandbox.state.lock:
        setattr(sandbox.state.organization, switch, False)
    with scim(sandbox) as client:
        response = client.get("/Users")
    assert response.status_code == 401
    assert response.content == b""


@pytest.mark.parametrize(
    "path", ["/ServiceProviderConfig", "/Schemas", "/ResourceTypes", "/Me", "/Bulk"]
)
def test_no_discovery_endpoints(sandbox: Sandbox, path: str) -> None:
    """2.4 and 2.9 (8): discovery endpoints do not exist: 404 with an empty body, even authed."""
    with scim(sandbox) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert response.content == b""


def test_wrong_verb_is_405(sandbox: Sandbox) -> None:
    """2.1: a matched path with the wrong verb gives 405 (before authentication)."""
    response = httpx.patch(sandbox.info["scim_url"] + "/Users", json={})
    assert response.status_code == 405


def test_routes_match_case_insensitively(sandbox: Sandbox) -> None:
    """2.3: route matching is case-insensitive, `/Users` and `/users` both work."""
    with scim(sandbox) as client:
        assert client.get("/users").status_code == 200
        assert client.get("/USERS").status_code == 200
        assert client.get("/groups").status_code == 200


def test_security_headers_on_every_answer(sandbox: Sandbox) -> None:
    """2.1: SecurityHeadersMiddleware adds its three headers, on a 401 too."""
    response = httpx.get(sandbox.info["scim_url"] + "/Users")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["x-xss-protection"] == "1; mode=block"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/scim/alive", "/scim/now"])
def test_alive_and_now_are_anonymous_json_dates(sandbox: Sandbox, path: str) -> None:
    """1 (health endpoints): `GET /alive` and `/now` need no key and return a JSON date string."""
    root = sandbox.info["api_url"].removesuffix("/api")
    response = httpx.get(root + path)
    assert response.status_code == 200
    value = response.json()
    assert isinstance(value, str)
    assert value.endswith("Z")
    assert value[:4].isdigit()
    assert value[10] == "T"
