"""DPoP proofs (RFC 9449) for a service app that has "Require DPoP" ticked, as Okta does by default.

One ephemeral P-256 key per `OktaClient`, made when Okta first asks for DPoP, kept in memory only
(never saved, logged or shown; only its public half goes out, in each proof's `jwk` header).
Okta's resource server lists ES256 among the algorithms it takes (its `WWW-Authenticate: DPoP
algs="RS256 RS384 RS512 ES256 ES384 ES512"`, okta/okta-sdk-nodejs#453); an EC key costs
microseconds where the SDK's RSA-3072 costs a second. Each proof has a fresh `jti`; `htu` is the
scheme, host and path without query or fragment, the path percent-decoded as Okta compares it
(okta/okta-sdk-python#541); `ath` binds a resource request's proof to the access token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from pydantic import SecretStr

ALG = "ES256"
PROOF_TYPE = "dpop+jwt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def htu(url: str) -> str:
    """The `htu` claim of a request to `url`: no query, no fragment, the path decoded."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{unquote(parts.path) or '/'}"


def ath(access_token: SecretStr) -> str:
    """base64url(SHA-256(the access token)), the proof's binding to it (RFC 9449 §4.2)."""
    return _b64(hashlib.sha256(access_token.get_secret_value().encode("ascii")).digest())


class DPoPKey:
    """The client's proof key and the nonces Okta handed out (`token_nonce` for the token
    endpoint, `resource_nonce` for the API, which Okta does not ask for today)."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        numbers = self._key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64(numbers.x.to_bytes(32, "big")),
            "y": _b64(numbers.y.to_bytes(32, "big")),
        }
        self._lock = threading.Lock()
        self.token_nonce: str | None = None
        self.resource_nonce: str | None = None

    def __repr__(self) -> str:
        return f"DPoPKey(alg={ALG!r})"

    def set_nonce(self, nonce: str | None, *, resource: bool) -> None:
        with self._lock:
            if resource:
                self.resource_nonce = nonce or None
            else:
                self.token_nonce = nonce or None

    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: SecretStr | None = None,
        now: float | None = None,
    ) -> str:
        """A signed proof for one request (a token request when `access_token` is None)."""
        with self._lock:
            nonce = self.token_nonce if access_token is None else self.resource_nonce
        claims: dict[str, str | int] = {
            "jti": secrets.token_urlsafe(24),
            "htm": method.upper(),
            "htu": htu(url),
            "iat": int(now if now is not None else time.time()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = ath(access_token)
        header = {"typ": PROOF_TYPE, "alg": ALG, "jwk": self.jwk}
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        der = self._key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
