"""An Okta API Services app as the credential: OAuth 2.0 client credentials with `private_key_jwt`.

Okta mints Okta-scoped access tokens for a service app only through the client credentials grant,
and authenticates the app only with a signed client assertion (okta-management-api.md §1.3): a JWT
with `iss` = `sub` = the client id, `aud` = `{org}/oauth2/v1/token`, a short `exp` and a fresh
`jti` (Okta consumes each one, even on a 400). The token lives an hour; it is asked for again a
minute before it ends, or when Okta refuses it. The read scopes below are what the verification
reads; a scope the app was not granted is left out of the token silently, and the API then
answers 403 with the scope it needed, which the client turns into a sentence.
DPoP-bound tokens (an app with "Require DPoP" ticked) are not supported: Okta answers such an app's
token request with `use_dpop_nonce`, which becomes a sentence saying to untick it.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

#: What `okta verify` and the members window's Okta side read.
READ_SCOPES = ("okta.apps.read", "okta.groups.read", "okta.logs.read", "okta.users.read")
ASSERTION_SECONDS = 300
TOKEN_PATH = "/oauth2/v1/token"  # noqa: S105 - a path, not a secret
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceAppKeyError(ValueError):
    """The private key cannot sign (not a PEM private key, or a kind Okta does not take)."""


@dataclass(frozen=True)
class ServiceApp:
    """The service app's client id and its private key (PEM, PKCS#8 or PKCS#1; RSA or EC)."""

    client_id: str
    private_key: SecretStr
    #: The key's `kid` as registered in Okta (optional: Okta tries the app's keys without it).
    key_id: str | None = None
    scopes: tuple[str, ...] = READ_SCOPES

    def __repr__(self) -> str:
        return f"ServiceApp(client_id={self.client_id!r}, private_key=SecretStr('**********'))"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _load(pem: SecretStr) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = serialization.load_pem_private_key(pem.get_secret_value().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ServiceAppKeyError(
            "The private key cannot be read: give the service app's private key as PEM "
            "(-----BEGIN PRIVATE KEY-----), not encrypted."
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey) or (
        isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)
    ):
        return key
    raise ServiceAppKeyError("Okta takes an RSA or a P-256 (EC) private key for a service app.")


def _sign(key: Any, payload: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    r, s = decode_dss_signature(key.sign(payload, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def client_assertion(org_url: str, app: ServiceApp, now: float | None = None) -> str:
    """The signed JWT that authenticates the app at `{org_url}/oauth2/v1/token`."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = _load(app.private_key)
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": app.client_id,
        "sub": app.client_id,
        "aud": org_url.rstrip("/") + TOKEN_PATH,
        "iat": issued,
        "exp": issued + ASSERTION_SECONDS,
        "jti": secrets.token_urlsafe(24),
    }
    header: dict[str, str] = {
        "alg": "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256",
        "typ": "JWT",
    }
    if app.key_id:
        header["kid"] = app.key_id
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    return f"{signing_input}.{_b64(_sign(key, signing_input.encode()))}"


def token_form(org_url: str, app: ServiceApp) -> dict[str, str]:
    """The form of the token request (client credentials, `private_key_jwt`)."""
    return {
        "grant_type": "client_credentials",
        "scope": " ".join(app.scopes),
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(org_url, app),
    }


def token_error(status: int, error: str, description: str) -> str:
    """A refused token request as a sentence with the fix."""
    said = f' (Okta: "{error}: {description}")' if error or description else ""
    if error == "use_dpop_nonce" or "dpop" in description.lower():
        return (
            "The service app requires DPoP, which this program does not send: untick "
            "'Require Demonstrating Proof of Possession (DPoP) header in token requests' on the "
            f"app's General tab{said}."
        )
    if error == "invalid_scope":
        return (
            "Okta refused the scopes asked for. Grant the service app "
            f"{', '.join(READ_SCOPES)} on its Okta API Scopes tab{said}."
        )
    if error in ("invalid_client", "unauthorized_client") or status == 401:
        return (
            "Okta refused the service app: check its client id, that the public key of this "
            "private key is on the app (General → Public Keys), and that client authentication "
            f"is 'Public key / Private key'{said}."
        )
    return f"Okta refused the token request (HTTP {status}){said}."
