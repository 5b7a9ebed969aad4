"""The sandbox Okta org's token endpoint and its Bearer checks, driven with assertions signed by
PyJWT (not by the program's core): RFC 7523's checks one by one, the `jti` consumed once, scopes
left out or refused, and the Management API's 401 / 403 answers to access tokens."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.sandbox.server import Sandbox

READ = "okta.apps.read okta.groups.read okta.logs.read okta.users.read"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _assertion(
    box: Sandbox, key: Any = None, header: dict[str, str] | None = None, **claims: Any
) -> str:
    info = box.info
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": info["okta_client_id"],
        "sub": info["okta_client_id"],
        "aud": info["okta_url"] + "/oauth2/v1/token",
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key or info["okta_private_key_pem"], "RS256", headers=header or {})


def _token(box: Sandbox, assertion: str, scope: str = READ, **form: str) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        **form,
    }
    return httpx.post(box.info["okta_url"] + "/oauth2/v1/token", data=data)


def _refusal(answer: httpx.Response) -> tuple[int, str, str]:
    body = answer.json()
    return answer.status_code, body["error"], body["error_description"]


def test_a_good_assertion_gets_an_hour_long_bearer_token(sandbox: Sandbox) -> None:
    answer = _token(sandbox, _assertion(sandbox, header={"kid": sandbox.info["okta_key_id"]}))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == set(READ.split())
    assert answer.headers["cache-control"] == "no-store"
    api = httpx.get(
        sandbox.info["okta_url"] + "/api/v1/apps",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert api.status_code == 200
    assert api.json()[0]["id"] == sandbox.info["okta_app_id"]


@pytest.mark.parametrize(
    ("claims", "said"),
    [
        ({"aud": "https://elsewhere.okta.com/oauth2/v1/token"}, "audience"),
        ({"exp": int(time.time()) - 600}, "expired"),
        ({"exp": int(time.time()) + 7200}, "too far"),
        ({"exp": None}, "expiration"),
        ({"iss": "0oaSOMEOTHERAPP00000"}, "issuer"),
        ({"sub": "0oaSOMEOTHERAPP00000"}, "issuer"),
    ],
)
def test_each_rfc7523_check_refuses_with_invalid_client(
    sandbox: Sandbox, claims: dict[str, Any], said: str
) -> None:
    status, error, description = _refusal(_token(sandbox, _assertion(sandbox, **claims)))
    assert (status, error) == (401, "invalid_client")
    assert said in description


def test_a_signature_by_another_key_or_an_unknown_kid_is_refused(sandbox: Sandbox) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    status, error, description = _refusal(_token(sandbox, _assertion(sandbox, key=other)))
    assert (status, error) == (401, "invalid_client")
    assert "signature" in description
    unknown = _assertion(sandbox, header={"kid": "not-registered"})
    assert "kid" in _refusal(_token(sandbox, unknown))[2]
    tampered = _assertion(sandbox)
    head, _, sig = tampered.split(".")
    forged = _assertion(sandbox, jti="another").split(".")[1]  # the claims changed, not the sig
    assert "signature" in _refusal(_token(sandbox, f"{head}.{forged}.{sig}"))[2]


def test_each_jti_is_consumed_once_even_when_the_request_failed(sandbox: Sandbox) -> None:
    assertion = _assertion(sandbox)
    assert _token(sandbox, assertion).status_code == 200
    assert "already been used" in _refusal(_token(sandbox, assertion))[2]
    failed = _assertion(sandbox, jti="the-same-jti")
    assert _token(sandbox, failed, grant_type="password").status_code == 400
    assert "already been used" in _refusal(_token(sandbox, failed))[2]


def test_grant_and_client_authentication_are_checked(sandbox: Sandbox) -> None:
    assert _refusal(_token(sandbox, _assertion(sandbox), grant_type="password"))[1] == (
        "unsupported_grant_type"
    )
    no_assertion = httpx.post(
        sandbox.info["okta_url"] + "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": READ},
    )
    assert _refusal(no_assertion)[:2] == (401, "invalid_client")
    as_json = httpx.post(sandbox.info["okta_url"] + "/oauth2/v1/token", json={"a": 1})
    assert _refusal(as_json)[1] == "invalid_request"


def test_scopes_not_granted_are_left_out_or_refused_in_strict_mode(sandbox: Sandbox) -> None:
    control = sandbox.info["control_url"] + "/okta/service-app"
    httpx.post(control, json={"scopes": ["okta.apps.read"]})
    answer = _token(sandbox, _assertion(sandbox))
    assert answer.json()["scope"] == "okta.apps.read"
    logs = httpx.get(
        sandbox.info["okta_url"] + "/api/v1/logs",
        headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
    )
    assert logs.status_code == 403
    assert logs.content == b""  # Okta's 403 for a scope: an empty body, the header says it
    challenge = logs.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="okta.logs.read"' in challenge
    httpx.post(control, json={"strict_scopes": True})
    assert _refusal(_token(sandbox, _assertion(sandbox)))[1] == "invalid_scope"
    assert _refusal(_token(sandbox, _assertion(sandbox), scope="openid"))[1] == "invalid_scope"
    assert _refusal(_token(sandbox, _assertion(sandbox), scope=""))[1] == "invalid_scope"


def test_dpop_required_answers_as_okta_does(sandbox: Sandbox) -> None:
    httpx.post(sandbox.info["control_url"] + "/okta/service-app", json={"require_dpop": True})
    assert _refusal(_token(sandbox, _assertion(sandbox)))[1] == "invalid_dpop_proof"


def test_an_unknown_or_ended_access_token_is_401_invalid_token(sandbox: Sandbox) -> None:
    url = sandbox.info["okta_url"] + "/api/v1/apps"
    answer = httpx.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    assert answer.json()["errorCode"] == "E0000011"
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    token = _token(sandbox, _assertion(sandbox)).json()["access_token"]
    httpx.post(sandbox.info["control_url"] + "/okta/service-app", json={"revoke_tokens": True})
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_no_admin_role_is_403_e0000006(sandbox: Sandbox) -> None:
    httpx.post(sandbox.info["control_url"] + "/okta/service-app", json={"role": None})
    token = _token(sandbox, _assertion(sandbox)).json()["access_token"]
    answer = httpx.get(
        sandbox.info["okta_url"] + "/api/v1/apps", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json()["errorCode"] == "E0000006"
