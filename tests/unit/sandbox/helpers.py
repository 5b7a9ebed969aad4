"""Small HTTP helpers for the sandbox tests: real httpx clients against a running sandbox."""

from __future__ import annotations

from typing import Any

import httpx

from app.sandbox.server import Sandbox

OKTA_HEADERS = {
    "User-Agent": "Okta SCIM Client 1.0.0",
    "Accept": "application/scim+json",
    "Content-Type": "application/scim+json; charset=utf-8",
}


def scim(box: Sandbox, *, bearer: bool = True) -> httpx.Client:
    """A client on the SCIM base URL, authenticated as Okta sends the key."""
    key = box.info["scim_key"]
    headers = dict(OKTA_HEADERS)
    headers["Authorization"] = f"Bearer {key}" if bearer else key
    return httpx.Client(base_url=box.info["scim_url"], headers=headers, timeout=10)


def token_form(box: Sandbox, **overrides: str) -> dict[str, str]:
    """The organization's `client_credentials` token request, as a Public API client sends it."""
    form = {
        "grant_type": "client_credentials",
        "scope": "api.organization",
        "client_id": box.info["client_id"],
        "client_secret": box.info["client_secret"],
    }
    form.update(overrides)
    return form


def token(box: Sandbox) -> str:
    response = httpx.post(
        box.info["identity_url"] + "/connect/token", data=token_form(box), timeout=10
    )
    assert response.status_code == 200, response.text
    value = response.json()["access_token"]
    assert isinstance(value, str)
    return value


def public_api(box: Sandbox) -> httpx.Client:
    """A client on the API base URL with an organization bearer token."""
    return httpx.Client(
        base_url=box.info["api_url"],
        headers={"Authorization": f"Bearer {token(box)}"},
        timeout=10,
    )


def bw(box: Sandbox, *, unlocked: bool = True) -> httpx.Client:
    """A client on the emulated `bw serve`, unlocked with the master password by default."""
    url = box.info["bw_serve_url"]
    if unlocked:
        response = httpx.post(url + "/unlock", json={"password": box.info["bw_password"]})
        assert response.status_code == 200, response.text
    return httpx.Client(base_url=url, timeout=10)


def state(box: Sandbox) -> dict[str, Any]:
    response = httpx.get(box.info["control_url"] + "/state", timeout=10)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def members_with_status(box: Sandbox, status: int) -> list[dict[str, Any]]:
    return [m for m in state(box)["members"] if m["status"] == status]


def okta_user(
    email: str, *, external_id: str = "00uOkta123", active: bool = True
) -> dict[str, Any]:
    """Okta's create body (okta-scim.md 2.2)."""
    given, _, family = email.split("@")[0].partition(".")
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": given.title(), "familyName": family.title()},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": f"{given.title()} {family.title()}",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "Okta-generated-1",
        "active": active,
    }
