"""The Okta client with an OAuth 2.0 service app (`private_key_jwt`), against the sandbox Okta org's
token endpoint and Management API over loopback: a good key, a wrong key, a wrong client id, a
missing scope (left out, or refused), no admin role, a token that ended early, and the cached
token renewed before it ends (DPoP: test_okta_dpop.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from app.core.okta.client import OktaClient, OktaError
from app.core.okta.service_app import (
    ASSERTION_SECONDS,
    READ_SCOPES,
    ServiceApp,
    client_assertion,
    normalized,
)
from app.sandbox.okta.oauth import Refusal
from app.sandbox.server import Sandbox
from tests.fixtures.hostile_server import Connection, HostileServer, RawRequest, behaviours
from tests.fixtures.keys import new_rsa_pem

LOGS = {"since": "2020-01-01T00:00:00.000Z", "until": "2030-01-01T00:00:00.000Z"}


def _control(box: Sandbox, **settings: Any) -> dict[str, Any]:
    url = box.info["control_url"] + "/okta/service-app"
    answer = httpx.post(url, json=settings)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _app(box: Sandbox, **changes: Any) -> ServiceApp:
    info = box.info
    key = changes.pop("key", info["okta_private_key_pem"])
    return normalized(
        changes.pop("client_id", info["okta_client_id"]),
        SecretStr(key),
        changes.pop("key_id", info["okta_key_id"]),
    )


def _part(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return data


def _claims(assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
    head, body, _ = assertion.split(".")
    return _part(head), _part(body)


def test_a_good_key_gets_a_token_and_reads_with_bearer(sandbox: Sandbox) -> None:
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        apps = okta.get("/api/v1/apps")
        okta.list_all("/api/v1/logs", LOGS)
        okta.get("/api/v1/groups")
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 1  # one token for every call
    assert [a["id"] for a in apps] == [sandbox.info["okta_app_id"]]
    assert _control(sandbox)["issued"] == 1


def test_the_assertion_is_what_okta_asks_for() -> None:
    pem = new_rsa_pem()
    app = normalized("0oaclient1234567890", SecretStr(pem), "kid-1")
    first, second = (client_assertion("https://x.okta.com/", app, now=1_000_000) for _ in range(2))
    header, claims = _claims(first)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    assert claims["iss"] == claims["sub"] == "0oaclient1234567890"
    assert claims["aud"] == "https://x.okta.com/oauth2/v1/token"
    assert claims["exp"] - claims["iat"] == ASSERTION_SECONDS <= 3600
    assert claims["jti"] != _claims(second)[1]["jti"]  # Okta consumes each one


def test_an_ec_key_signs_es256_and_okta_accepts_it_when_registered(sandbox: Sandbox) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    registered = sandbox.okta.api.oauth.app
    registered.extra_keys["ec-1"] = key.public_key()
    app = normalized(sandbox.info["okta_client_id"], SecretStr(pem), "ec-1")
    assert _claims(client_assertion("https://x.okta.com", app))[0]["alg"] == "ES256"
    with OktaClient(sandbox.info["okta_url"], app) as okta:
        assert okta.get("/api/v1/apps")


def test_a_wrong_key_is_refused_with_the_public_keys_tab(sandbox: Sandbox) -> None:
    app = _app(sandbox, key=new_rsa_pem(), key_id=None)
    with OktaClient(sandbox.info["okta_url"], app) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert "Public Keys" in str(caught.value)
    assert "invalid_client" in str(caught.value)
    assert caught.value.status == 401


def test_a_wrong_client_id_is_refused_with_the_client_id(sandbox: Sandbox) -> None:
    app = _app(sandbox, client_id="0oaNOTTHEAPP00000000")
    with OktaClient(sandbox.info["okta_url"], app) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    assert "check its client id" in str(caught.value)


def test_a_scope_left_out_of_the_token_names_the_scope_and_the_tab(sandbox: Sandbox) -> None:
    _control(sandbox, scopes=["okta.apps.read", "okta.users.read", "okta.groups.read"])
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        okta.get("/api/v1/apps")  # granted: fine
        with pytest.raises(OktaError) as caught:
            okta.list_all("/api/v1/logs", LOGS)
    assert "okta.logs.read" in str(caught.value)
    assert "Okta API Scopes tab" in str(caught.value)
    assert caught.value.status == 403


def test_a_scope_refused_at_the_token_endpoint_names_every_read_scope(sandbox: Sandbox) -> None:
    _control(sandbox, scopes=["okta.apps.read"], strict_scopes=True)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta, pytest.raises(OktaError) as e:
        okta.get("/api/v1/apps")
    message = str(e.value)
    assert "Okta API Scopes tab" in message
    assert all(scope in message for scope in READ_SCOPES)
    assert e.value.code == "invalid_scope"


def test_no_admin_role_says_to_assign_one(sandbox: Sandbox) -> None:
    _control(sandbox, role=None)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta, pytest.raises(OktaError) as e:
        okta.get("/api/v1/apps")
    assert "Admin Roles tab" in str(e.value)
    assert e.value.code == "E0000006"


def test_a_read_only_role_may_read_but_not_write(sandbox: Sandbox) -> None:
    _control(sandbox, scopes=[*READ_SCOPES, "okta.apps.manage", "okta.groups.manage"])
    app = ServiceApp(
        sandbox.info["okta_client_id"],
        _app(sandbox).private_key,
        scopes=(*READ_SCOPES, "okta.apps.manage"),
    )
    app_id = sandbox.info["okta_app_id"]
    with OktaClient(sandbox.info["okta_url"], app) as okta:
        okta.get(f"/api/v1/apps/{app_id}")
        with pytest.raises(OktaError) as caught:
            okta.send("POST", f"/api/v1/apps/{app_id}/lifecycle/activate")
    assert "Admin Roles tab" in str(caught.value)


def test_a_token_that_ended_early_is_fetched_again_once(sandbox: Sandbox) -> None:
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        okta.get("/api/v1/apps")
        assert _control(sandbox, revoke_tokens=True)["revoked"] == 1
        assert okta.get("/api/v1/apps")  # 401 invalid_token → a fresh token → the call again
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 2


def test_a_token_refused_even_when_fresh_is_one_sentence_not_a_loop(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    # Every access token ends at once (a key deactivated in Okta between the two requests).
    refusal = Refusal(401, "invalid_token", 'Bearer error="invalid_token"')
    monkeypatch.setattr(sandbox.okta.api.oauth, "authorize", lambda *_: refusal)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        with pytest.raises(OktaError) as caught:
            okta.get("/api/v1/apps")
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 2
    assert "even when fetched afresh" in str(caught.value)


def test_the_cached_token_is_renewed_before_it_ends(sandbox: Sandbox) -> None:
    now = [1000.0]
    with OktaClient(sandbox.info["okta_url"], _app(sandbox), clock=lambda: now[0]) as okta:
        okta.get("/api/v1/apps")
        now[0] += 3600 - 301  # still more than five minutes left: the same token
        okta.get("/api/v1/apps")
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 1
        now[0] += 2  # less than five minutes left: a new one, before Okta would refuse it
        okta.get("/api/v1/apps")
        assert okta.access_tokens.fetched == 2


def test_an_api_token_still_goes_as_ssws(sandbox: Sandbox) -> None:
    with OktaClient(sandbox.info["okta_url"], SecretStr(sandbox.info["okta_token"])) as okta:
        assert okta.get("/api/v1/apps")
        assert okta.access_tokens is None
    assert _control(sandbox)["issued"] == 0


def test_the_repr_shows_no_key(sandbox: Sandbox) -> None:
    app = _app(sandbox)
    assert app.private_key.get_secret_value() not in repr(app)
    assert "BEGIN" not in repr(app)


def test_a_token_endpoint_echoing_the_assertion_does_not_show_it(
    hostile_server: HostileServer,
) -> None:
    """A hostile token endpoint that puts the client assertion it was sent (a signed credential,
    ~700 characters) into `error_description`: before, its first 300 characters reached the
    message; now none of it does."""
    from urllib.parse import parse_qs

    def echo(request: RawRequest, conn: Connection) -> None:
        sent = parse_qs(request.body.decode())["client_assertion"][0]
        body = {"error": "invalid_client", "error_description": f"bad assertion {sent}"}
        behaviours.json(body, status=401, content_type="application/json")(request, conn)

    hostile_server.serve(echo)
    key = new_rsa_pem()
    app = normalized("0oaclient", SecretStr(key))
    with OktaClient(hostile_server.url, app) as okta, pytest.raises(OktaError) as caught:
        okta.get("/api/v1/apps")
    sent = parse_qs(hostile_server.requests[0].body.decode())["client_assertion"][0]
    assert sent[:20] not in str(caught.value)
    assert "bad assertion [hidden]" in str(caught.value)
