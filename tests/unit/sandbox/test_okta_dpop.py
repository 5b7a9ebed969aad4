"""The sandbox Okta org with "Require DPoP" ticked, driven with proofs signed by PyJWT (not by the
program's core): the token endpoint's nonce round, the token bound to the proof's key (RFC 7638
thumbprint, checked against the RFC's own example), and the API's refusals of a missing proof, a
wrong `htu`, a replayed `jti`, a wrong `ath`, another key, and a DPoP token sent as Bearer; then
Okta's own SDK with `dpopEnabled` gets a token and lists the apps and users."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from okta import client as okta_client

from app.sandbox.okta.dpop import thumbprint
from app.sandbox.server import Sandbox
from tests.unit.sandbox.test_okta_oauth import JWT_BEARER, READ, _assertion
from tests.unit.sandbox.test_okta_sdk_oracle import sdk_env

__all__ = ["sdk_env"]  # the fixture, used below


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Holder:
    """A DPoP key pair as a client holds it, signing with PyJWT."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.jwk: dict[str, Any] = json.loads(
            jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key())
        )

    def proof(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        header: dict[str, Any] | None = None,
        key: Any = None,
        alg: str = "ES256",
        **claims: Any,
    ) -> str:
        body: dict[str, Any] = {
            "jti": str(uuid.uuid4()),
            "htm": method,
            "htu": url,
            "iat": int(time.time()),
        }
        if token is not None:
            body["ath"] = _b64(hashlib.sha256(token.encode()).digest())
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        head = {"typ": "dpop+jwt", "jwk": self.jwk, **(header or {})}
        return jwt.encode(body, key or self.key, alg, headers=head)


def _dpop_on(box: Sandbox, **more: Any) -> None:
    answer = httpx.post(
        box.info["control_url"] + "/okta/service-app", json={"require_dpop": True, **more}
    )
    assert answer.status_code == 200


def _token_url(box: Sandbox) -> str:
    return str(box.info["okta_url"]) + "/oauth2/v1/token"


def _token(box: Sandbox, assertion: str, headers: dict[str, str] | None = None) -> httpx.Response:
    data = {
        "grant_type": "client_credentials",
        "scope": READ,
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
    }
    return httpx.post(_token_url(box), data=data, headers=headers or {})


def _dpop_token(box: Sandbox, holder: Holder) -> str:
    """The two rounds Okta documents: a proof without nonce → `use_dpop_nonce`; then with it."""
    first = _token(box, _assertion(box), headers={"DPoP": holder.proof("POST", _token_url(box))})
    assert first.status_code == 400
    assert first.json() == {
        "error": "use_dpop_nonce",
        "error_description": "Authorization server requires nonce in DPoP proof.",
    }
    nonce = first.headers["dpop-nonce"]
    proof = holder.proof("POST", _token_url(box), nonce=nonce)
    second = _token(box, _assertion(box), headers={"DPoP": proof})
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["token_type"] == "DPoP"
    token: str = body["access_token"]
    return token


def _refused(answer: httpx.Response) -> str:
    """The `error_description` of a DPoP refusal (400, `WWW-Authenticate: DPoP`, empty body)."""
    assert answer.status_code == 400, answer.text
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith('DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512"')
    assert 'error="invalid_dpop_proof"' in challenge
    return challenge.split('error_description="', 1)[1].split('"', 1)[0]


def test_the_thumbprint_is_rfc_7638_s_own_example() -> None:
    # RFC 7638 §3.1: this RSA key's SHA-256 thumbprint.
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
        "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_F"
        "DW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4v"
        "MQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    jwk = {"kty": "RSA", "n": n, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_token_request_without_proof_is_refused_and_a_good_one_is_bound(
    sandbox: Sandbox,
) -> None:
    _dpop_on(sandbox)
    bare = _token(sandbox, _assertion(sandbox))
    assert bare.status_code == 400
    assert bare.json()["error_description"] == "The DPoP proof JWT header is missing."
    holder = Holder()
    token = _dpop_token(sandbox, holder)
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    issued = sandbox.okta.api.oauth._tokens[token]
    # cnf.jkt: the RFC 7638 thumbprint of the proof's key (computed here by hand).
    canonical = json.dumps(
        {n: holder.jwk[n] for n in ("crv", "kty", "x", "y")}, separators=(",", ":")
    )
    assert issued.jkt == _b64(hashlib.sha256(canonical.encode()).digest())
    url = sandbox.info["okta_url"] + "/api/v1/apps"
    answer = httpx.get(
        url,
        headers={"Authorization": f"DPoP {token}", "DPoP": holder.proof("GET", url, token=token)},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()[0]["id"] == sandbox.info["okta_app_id"]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"header": {"typ": "JWT"}}, "'typ' header"),
        ({"htu": "https://elsewhere.example/oauth2/v1/token"}, "'htu' claim"),
        ({"htm": "GET"}, "'htm' claim"),
        ({"iat": int(time.time()) - 3600}, "'iat' claim"),
        ({"jti": None}, "'jti' claim"),
        ({"alg": "RS256", "key": rsa.generate_private_key(65537, 2048)}, "'jwk' header"),
        ({"key": ec.generate_private_key(ec.SECP256R1())}, "signature is invalid"),
    ],
    ids=["typ", "htu", "htm", "old_iat", "no_jti", "jwk_not_alg", "other_signer"],
)
def test_a_bad_token_request_proof_is_invalid_dpop_proof(
    sandbox: Sandbox, change: dict[str, Any], said: str
) -> None:
    _dpop_on(sandbox)
    proof = Holder().proof("POST", _token_url(sandbox), **change)
    answer = _token(sandbox, _assertion(sandbox), headers={"DPoP": proof})
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_dpop_proof"
    assert said in answer.json()["error_description"]


def test_a_rotated_nonce_is_asked_for_again(sandbox: Sandbox) -> None:
    _dpop_on(sandbox)
    holder = Holder()
    first = _token(
        sandbox, _assertion(sandbox), headers={"DPoP": holder.proof("POST", _token_url(sandbox))}
    )
    old = first.headers["dpop-nonce"]
    _dpop_on(sandbox, rotate_dpop_nonce=True)
    stale = holder.proof("POST", _token_url(sandbox), nonce=old)
    again = _token(sandbox, _assertion(sandbox), headers={"DPoP": stale})
    assert again.json()["error"] == "use_dpop_nonce"
    assert again.headers["dpop-nonce"] != old


def test_the_api_refuses_what_okta_refuses(sandbox: Sandbox) -> None:
    _dpop_on(sandbox)
    holder = Holder()
    token = _dpop_token(sandbox, holder)
    url = sandbox.info["okta_url"] + "/api/v1/users"
    bound = f"DPoP {token}"

    def get(authorization: str, proof: str | None) -> httpx.Response:
        headers = {"Authorization": authorization, **({"DPoP": proof} if proof else {})}
        return httpx.get(url, headers=headers)

    assert "DPoP-bound" in _refused(get(f"Bearer {token}", holder.proof("GET", url, token=token)))
    assert _refused(get(bound, None)) == "The DPoP proof JWT header is missing."
    wrong_htu = holder.proof("GET", sandbox.info["okta_url"] + "/api/v1/groups", token=token)
    assert _refused(get(bound, wrong_htu)) == "'htu' claim in the DPoP proof JWT is invalid."
    assert "'ath'" in _refused(get(bound, holder.proof("GET", url, token="another token")))
    assert "'ath'" in _refused(get(bound, holder.proof("GET", url)))  # no ath at all
    stranger = Holder()
    assert "bound to" in _refused(get(bound, stranger.proof("GET", url, token=token)))
    good = holder.proof("GET", url, token=token)
    assert get(bound, good).status_code == 200
    assert "already been used" in _refused(get(bound, good))
    # The query is not part of htu (RFC 9449 §4.3).
    paged = httpx.get(
        url + "?limit=1",
        headers={"Authorization": bound, "DPoP": holder.proof("GET", url, token=token)},
    )
    assert paged.status_code == 200


def test_a_resource_nonce_when_asked_for_is_401_use_dpop_nonce(sandbox: Sandbox) -> None:
    _dpop_on(sandbox, resource_nonce=True)
    holder = Holder()
    token = _dpop_token(sandbox, holder)
    url = sandbox.info["okta_url"] + "/api/v1/apps"
    bare = httpx.get(
        url,
        headers={"Authorization": f"DPoP {token}", "DPoP": holder.proof("GET", url, token=token)},
    )
    assert bare.status_code == 401
    assert 'error="use_dpop_nonce"' in bare.headers["www-authenticate"]
    assert bare.json()["error"] == "use_dpop_nonce"
    nonce = bare.headers["dpop-nonce"]
    proof = holder.proof("GET", url, token=token, nonce=nonce)
    answer = httpx.get(url, headers={"Authorization": f"DPoP {token}", "DPoP": proof})
    assert answer.status_code == 200


def test_okta_s_sdk_with_dpop_gets_a_token_and_lists_apps_and_users(
    sdk_env: None, sandbox: Sandbox
) -> None:
    """The official SDK's DPoP (RSA-3072 proofs, its nonce retry, `Authorization: DPoP` with
    `ath`) against the emulator: that it works is the check that the emulator speaks DPoP as
    Okta's own client expects."""
    _dpop_on(sandbox)
    info = sandbox.info
    config = {
        "orgUrl": info["okta_url"],
        "authorizationMode": "PrivateKey",
        "clientId": info["okta_client_id"],
        "scopes": ["okta.apps.read", "okta.users.read"],
        "privateKey": info["okta_private_key_pem"],
        "kid": info["okta_key_id"],
        "dpopEnabled": True,
    }

    async def read() -> tuple[Any, Any]:
        client: Any = okta_client.Client(config)
        apps, _, err = await client.list_applications()
        assert err is None, err
        users, _, err = await client.list_users()
        assert err is None, err
        return apps, users

    apps, users = asyncio.run(read())
    assert [a.id for a in apps] == [info["okta_app_id"]]
    assert isinstance(users, list)
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    oauth = sandbox.okta.api.oauth
    assert oauth.issued == 1
    assert all(issued.jkt for issued in oauth._tokens.values())
