"""The Okta client with a service app that requires DPoP (Okta's default), over loopback to the
sandbox Okta org: it reads the app and its users; every proof it sent is checked here with PyJWT
(not with the code that made it): the signature by the header's public `jwk`, `typ`, `htm`,
`htu`, `ath` = SHA-256 of the token, a fresh `jti` each; the nonce rounds (token endpoint,
rotated, resource server) are taken once each, and each refusal is one sentence, not a loop."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
from pydantic import SecretStr

from app.core.okta import dpop
from app.core.okta.client import OktaClient, OktaError
from app.core.okta.dpop import DPoPKey, htu
from app.core.okta.service_app import ServiceApp, normalized
from app.sandbox.okta.oauth import TokenRefusal
from app.sandbox.server import Sandbox

Sent = tuple[str, str, str | None, str | None]  # method, url, Authorization, DPoP


def _control(box: Sandbox, **settings: Any) -> dict[str, Any]:
    answer = httpx.post(box.info["control_url"] + "/okta/service-app", json=settings)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _app(box: Sandbox) -> ServiceApp:
    info = box.info
    return normalized(
        info["okta_client_id"], SecretStr(info["okta_private_key_pem"]), info["okta_key_id"]
    )


def _recording(okta: OktaClient, monkeypatch: pytest.MonkeyPatch) -> list[Sent]:
    """What the client puts on the wire, request by request (its own `_exchange`, wrapped)."""
    sent: list[Sent] = []
    real = okta._exchange

    def exchange(
        method: str,
        url: str,
        params: Any,
        content: Any,
        content_type: str,
        authorization: str | None,
        proof: str | None = None,
    ) -> Any:
        sent.append((method, url, authorization, proof))
        return real(method, url, params, content, content_type, authorization, proof)

    monkeypatch.setattr(okta, "_exchange", exchange)
    return sent


def _verified(proof: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """PyJWT's reading of a proof: its header, and its claims verified by the header's key."""
    header = jwt.get_unverified_header(proof)
    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == "ES256"
    assert not {"d", "p", "q"} & set(header["jwk"])  # the public half only
    key = jwt.PyJWK(header["jwk"], algorithm="ES256")
    claims: dict[str, Any] = jwt.decode(proof, key, algorithms=["ES256"])
    return header, claims


def _sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


def test_a_dpop_app_reads_the_app_and_its_users_with_proofs_okta_takes(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    app_id = sandbox.info["okta_app_id"]
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        sent = _recording(okta, monkeypatch)
        app = okta.get(f"/api/v1/apps/{app_id}")
        users = okta.list_all(f"/api/v1/apps/{app_id}/users", {"limit": "2"})
        okta.get("/api/v1/users", {"limit": "1"})
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 1
        token = okta.access_tokens.current()[0].get_secret_value()
    assert app["id"] == app_id
    assert isinstance(users, list)
    token_url = sandbox.info["okta_url"] + "/oauth2/v1/token"
    # Without a proof first (Okta: "The DPoP proof JWT header is missing."), then a proof
    # without nonce (use_dpop_nonce), then with Okta's nonce: the token.
    assert [(m, u, p is not None) for m, u, _, p in sent[:3]] == [
        ("POST", token_url, False),
        ("POST", token_url, True),
        ("POST", token_url, True),
    ]
    nonces = [_verified(p)[1].get("nonce") for _, _, _, p in sent[1:3] if p]
    assert nonces[0] is None
    assert nonces[1]
    keys, jtis = set(), set()
    for method, url, authorization, proof in sent:
        assert proof is not None or url == token_url
        if proof is None:
            continue
        header, claims = _verified(proof)
        keys.add(json.dumps(header["jwk"], sort_keys=True))
        jtis.add(claims["jti"])
        assert claims["htm"] == method
        parts = urlsplit(url)
        assert claims["htu"] == f"{parts.scheme}://{parts.netloc}{parts.path}"
        if url != token_url:
            assert authorization == f"DPoP {token}"
            assert claims["ath"] == _sha256(token)
        else:
            assert "ath" not in claims
    assert len(keys) == 1  # one key for the client's life
    assert len(jtis) == len([p for *_, p in sent if p])  # a fresh jti each
    assert len(sent) >= 6  # the app, at least one page of users, the users


def test_an_app_without_dpop_never_sends_a_proof(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        sent = _recording(okta, monkeypatch)
        okta.get("/api/v1/apps")
        assert okta.dpop is None
    assert [p for *_, p in sent] == [None, None]
    assert sent[1][2] is not None
    assert sent[1][2].startswith("Bearer ")


def test_a_dpop_token_ended_early_is_fetched_again_with_the_kept_nonce(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        okta.get("/api/v1/apps")
        sent = _recording(okta, monkeypatch)
        assert _control(sandbox, revoke_tokens=True)["revoked"] == 1
        assert okta.get("/api/v1/apps")
        assert okta.access_tokens is not None
        assert okta.access_tokens.fetched == 2
    # The refused call, one token request (the nonce kept from the first round), the call.
    assert len(sent) == 3


def test_a_rotated_nonce_is_taken_once_more(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        okta.get("/api/v1/apps")
        sent = _recording(okta, monkeypatch)
        _control(sandbox, rotate_dpop_nonce=True, revoke_tokens=True)
        assert okta.get("/api/v1/apps")
    # The refused call, the stale nonce refused, the new nonce taken, the call.
    assert len(sent) == 4


def test_a_resource_server_nonce_is_taken_once_more(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True, resource_nonce=True)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        sent = _recording(okta, monkeypatch)
        assert okta.get("/api/v1/apps")
        assert okta.get("/api/v1/groups") is not None
        assert okta.dpop is not None
        assert okta.dpop.resource_nonce
    apis = [p for m, u, _, p in sent if "/api/v1/" in u]
    assert len(apis) == 3  # the first call asked for the nonce; then every call carries it
    assert _verified(apis[0] or "")[1].get("nonce") is None
    assert all(_verified(p or "")[1]["nonce"] for p in apis[1:])


def test_use_dpop_nonce_twice_is_one_sentence(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None

    def always(request: Any) -> str:
        if request.header("DPoP") is None:
            raise TokenRefusal(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
        raise TokenRefusal(400, "use_dpop_nonce", "Authorization server requires nonce.")

    monkeypatch.setattr(sandbox.okta.api.oauth, "_token_proof", always)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        sent = _recording(okta, monkeypatch)
        with pytest.raises(OktaError) as caught:
            okta.get("/api/v1/apps")
    assert len(sent) == 3  # without a proof, with one, with the nonce: then no more
    assert "new DPoP nonce again" in str(caught.value)
    assert caught.value.code == "use_dpop_nonce"


def test_a_proof_okta_refuses_at_the_token_endpoint_is_one_sentence(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    monkeypatch.setattr(dpop, "htu", lambda url: "https://elsewhere.example/oauth2/v1/token")
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta, pytest.raises(OktaError) as e:
        okta.get("/api/v1/apps")
    message = str(e.value)
    assert "refused this program's DPoP proof" in message
    assert "clock" in message
    assert "'htu' claim in the DPoP proof JWT is invalid." in message


def test_a_proof_okta_refuses_on_an_api_call_is_one_sentence(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    _control(sandbox, require_dpop=True)
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        okta.get("/api/v1/apps")
        real = dpop.htu
        monkeypatch.setattr(dpop, "htu", lambda url: real(url) + "/elsewhere")
        sent = _recording(okta, monkeypatch)
        with pytest.raises(OktaError) as caught:
            okta.get("/api/v1/apps")
    assert len(sent) == 1  # not a loop, and not a token fetched again for it
    assert caught.value.status == 400
    assert "refused this program's DPoP proof" in str(caught.value)
    assert "'htu' claim" in str(caught.value)


def test_htu_has_no_query_or_fragment_and_a_decoded_path() -> None:
    assert htu("https://Example.OKTA.com/api/v1/users/a%40b.example?limit=2#x") == (
        "https://example.okta.com/api/v1/users/a@b.example"
    )


def test_the_key_shows_nothing_private() -> None:
    key = DPoPKey()
    assert repr(key) == "DPoPKey(alg='ES256')"
    assert set(key.jwk) == {"kty", "crv", "x", "y"}
    proof = key.proof("GET", "https://example.okta.com/api/v1/apps", access_token=SecretStr("t"))
    header, claims = _verified(proof)
    assert header["jwk"] == key.jwk
    assert claims["ath"] == _sha256("t")


def test_a_scope_missing_from_a_dpop_token_names_the_scope(sandbox: Sandbox) -> None:
    """Okta's challenge for a DPoP token is `WWW-Authenticate: DPoP algs=…, scope=…`: the same
    sentence as for a Bearer one (the scope and the tab), not a DPoP refusal."""
    _control(sandbox, require_dpop=True, scopes=["okta.apps.read", "okta.users.read"])
    with OktaClient(sandbox.info["okta_url"], _app(sandbox)) as okta:
        assert okta.get("/api/v1/apps")
        with pytest.raises(OktaError) as caught:
            okta.get("/api/v1/groups")
    assert caught.value.status == 403
    assert "lacks the scope okta.groups.read" in str(caught.value)
    assert "Okta API Scopes tab" in str(caught.value)
