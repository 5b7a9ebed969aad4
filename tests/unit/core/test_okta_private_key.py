"""The service app's private key in every form an admin has it (PEM PKCS#8 / PKCS#1 / SEC1, the
JWK Okta's console generates), refused with a sentence when it cannot sign, and kept compact
enough for the keyring, signing exactly as the original."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import SecretStr

from app.core.okta.private_key import PrivateKeyError, load_private_key
from app.core.okta.service_app import client_assertion, normalized

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, fmt: str = "PKCS8") -> str:
    form = {
        "PKCS8": serialization.PrivateFormat.PKCS8,
        "TraditionalOpenSSL": serialization.PrivateFormat.TraditionalOpenSSL,
    }[fmt]
    return key.private_bytes(
        serialization.Encoding.PEM, form, serialization.NoEncryption()
    ).decode()


def _jwk(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, **extra: str) -> str:
    # PyJWT's encoder: the JWK as RFC 7517/7518 spell it (Okta's console makes the same shape).
    if isinstance(key, rsa.RSAPrivateKey):
        data = json.loads(RSAAlgorithm.to_jwk(key))
    else:
        data = json.loads(ECAlgorithm.to_jwk(key))
    data.update(extra)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "alg"),
    [
        (_pem(RSA_KEY), "RS256"),
        (_pem(RSA_KEY, "TraditionalOpenSSL"), "RS256"),  # BEGIN RSA PRIVATE KEY
        (_pem(EC_KEY), "ES256"),
        (_pem(EC_KEY, "TraditionalOpenSSL"), "ES256"),  # BEGIN EC PRIVATE KEY
        (_jwk(RSA_KEY), "RS256"),
        (_jwk(EC_KEY), "ES256"),
        ("  \n" + _pem(RSA_KEY).replace("\n", "\n   ") + "\n", "RS256"),  # pasted, indented
    ],
)
def test_every_form_signs_a_jwt_that_verifies_with_the_public_key(text: str, alg: str) -> None:
    app = normalized("0oaclient", SecretStr(text))
    token = client_assertion("https://x.okta.com", app)
    public = (RSA_KEY if alg == "RS256" else EC_KEY).public_key()
    claims = jwt.decode(
        token, public, algorithms=[alg], audience="https://x.okta.com/oauth2/v1/token"
    )
    assert claims["iss"] == "0oaclient"
    assert jwt.get_unverified_header(token)["alg"] == alg


def test_the_jwk_kid_is_taken_unless_one_is_given() -> None:
    text = _jwk(RSA_KEY, kid="console-kid")
    assert normalized("c", SecretStr(text)).key_id == "console-kid"
    assert normalized("c", SecretStr(text), "mine").key_id == "mine"
    keys = json.dumps({"keys": [json.loads(text)]})
    assert normalized("c", SecretStr(keys)).key_id == "console-kid"


def test_the_compact_form_is_small_and_signs_the_same() -> None:
    compact = normalized("c", SecretStr(_pem(RSA_KEY))).private_key
    assert len(compact.get_secret_value()) < 400  # the PEM is ~1,700 characters
    data = b"header.claims"
    assert load_private_key(compact).sign(data) == load_private_key(_pem(RSA_KEY)).sign(data)
    ec_compact = normalized("c", SecretStr(_jwk(EC_KEY))).private_key
    assert load_private_key(ec_compact).compact() == ec_compact


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "No private key"),
        ("hello", "not a private key"),
        (
            RSA_KEY.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode(),
            "public key",
        ),
        (json.dumps({k: v for k, v in json.loads(_jwk(RSA_KEY)).items() if k != "d"}), "public"),
        (
            RSA_KEY.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pass"),
            ).decode(),
            "encrypted",
        ),
        (_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "2048 bits"),  # noqa: S505
        (_pem(ec.generate_private_key(ec.SECP256K1())), "P-256"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "PEM"),
        ('{"kty": "oct", "k": "AAAA", "d": "x"}', "RSA or an EC"),
        ("{not json", "JSON"),
        ("okta-key-v1.rsa.AQAB.xx", "damaged"),
    ],
)
def test_what_cannot_sign_is_refused_with_a_sentence(text: str, said: str) -> None:
    with pytest.raises(PrivateKeyError) as caught:
        load_private_key(SecretStr(text))
    assert said in str(caught.value)
    assert "BEGIN PRIVATE KEY-----\nAAAA" not in str(caught.value)
