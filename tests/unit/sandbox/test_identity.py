"""Identity token endpoint: reference bitwarden-api.md 3.1."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from app.sandbox.server import Sandbox
from tests.unit.sandbox.helpers import token_form


def _post(box: Sandbox, form: dict[str, str]) -> httpx.Response:
    return httpx.post(box.info["identity_url"] + "/connect/token", data=form)


def test_client_credentials_token(sandbox: Sandbox) -> None:
    """3.1: 200 `{access_token, expires_in: 3600, token_type: Bearer, scope: api.organization}`."""
    response = _post(sandbox, token_form(sandbox))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "api.organization"
    header = body["access_token"].split(".")[0]
    decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    assert decoded["typ"] == "at+jwt"


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "organization.00000000-0000-0000-0000-000000000001"},
        {"client_id": "organization."},
        {"client_id": "organization.not-a-guid"},
        {"client_secret": "wrong"},
        {"client_id": ""},
    ],
)
def test_client_problems_are_invalid_client(sandbox: Sandbox, overrides: dict[str, str]) -> None:
    """3.1: bad/unknown org id, empty id part, wrong secret → 400 `{"error":"invalid_client"}`."""
    response = _post(sandbox, token_form(sandbox, **overrides))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}


def test_disabled_api_is_invalid_client(sandbox: Sandbox) -> None:
    """3.1: `Enabled = organization.Enabled && organization.UseApi`."""
    with sandbox.state.lock:
        sandbox.state.organization.use_api = False
    assert _post(sandbox, token_form(sandbox)).json() == {"error": "invalid_client"}


def test_wrong_scope_is_invalid_scope(sandbox: Sandbox) -> None:
    """3.1: a scope the client may not request → `invalid_scope`."""
    response = _post(sandbox, token_form(sandbox, scope="api"))
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_scope"}


def test_token_endpoint_wants_a_form_post(sandbox: Sandbox) -> None:
    """3.1: the body is form-encoded; JSON → `invalid_request`; GET → 405."""
    url = sandbox.info["identity_url"] + "/connect/token"
    as_json = httpx.post(url, json=token_form(sandbox))
    assert as_json.status_code == 400
    assert as_json.json() == {"error": "invalid_request"}
    assert httpx.get(url).status_code == 405


def test_client_secret_basic_is_accepted(sandbox: Sandbox) -> None:
    """3.1 (Duende): the client may authenticate with an HTTP Basic header instead of the form."""
    response = httpx.post(
        sandbox.info["identity_url"] + "/connect/token",
        data={"grant_type": "client_credentials", "scope": "api.organization"},
        auth=(sandbox.info["client_id"], sandbox.info["client_secret"]),
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "api.organization"
