"""The emulator's check of a DPoP proof (RFC 9449 §4.3), for the token endpoint and the API.

Written from the RFC and Okta's DPoP guide (okta-management-api.md §1.3, DD-DPOP): the JOSE
header's `typ` is `dpop+jwt`, `alg` one Okta lists (`WWW-Authenticate: DPoP algs="RS256 RS384
RS512 ES256 ES384 ES512"`, okta/okta-sdk-nodejs#453), `jwk` a public key that verifies the
signature; `htm` the method, `htu` the URL without query with the path decoded (Okta compares
the decoded path, okta/okta-sdk-python#541), `iat` recent, `jti` never seen before, `ath` the
token's hash on API calls. The `'htu' claim in the DPoP proof JWT is invalid.` and `DPoP proof
JWT cannot be parsed.` texts are Okta's (okta-sdk-nodejs#453, okta-sdk-dotnet#758); the other
texts follow their pattern (FIDELITY.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa

ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_CURVES: dict[str, tuple[str, type[ec.EllipticCurve]]] = {
    "ES256": ("P-256", ec.SECP256R1),
    "ES384": ("P-384", ec.SECP384R1),
    "ES512": ("P-521", ec.SECP521R1),
}
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
#: How old (and how far ahead, for clock skew) a proof's `iat` may be, in seconds.
MAX_AGE = 300
MAX_AHEAD = 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ProofRefusal(Exception):  # noqa: N818 - an answer, not a failure of the sandbox
    """The proof is not acceptable: `description` says why (as `error_description`)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class Proof:
    claims: dict[str, Any]
    #: The RFC 7638 SHA-256 thumbprint of the proof's key (what a token's `cnf.jkt` holds).
    jkt: str


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, without whitespace."""
    names = ("crv", "kty", "x", "y") if jwk.get("kty") == "EC" else ("e", "kty", "n")
    canonical = json.dumps({n: jwk[n] for n in names}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


def expected_htu(base: str, path: str) -> str:
    """What `htu` must be for a request to `path` (raw, maybe percent-encoded) on `base`."""
    return base.rstrip("/") + unquote(urlsplit(path).path)


def access_token_hash(token: str) -> str:
    return _b64(hashlib.sha256(token.encode()).digest())


def _public_key(jwk: Any, alg: str) -> Any:
    if not isinstance(jwk, dict) or _PRIVATE & set(jwk):
        raise ProofRefusal("The 'jwk' header of the DPoP proof JWT must be a public key.")
    try:
        if alg.startswith("RS") and jwk.get("kty") == "RSA":
            n = int.from_bytes(_unb64(str(jwk["n"])), "big")
            e = int.from_bytes(_unb64(str(jwk["e"])), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        curve = _CURVES.get(alg)
        if curve is not None and jwk.get("kty") == "EC" and jwk.get("crv") == curve[0]:
            x = int.from_bytes(_unb64(str(jwk["x"])), "big")
            y = int.from_bytes(_unb64(str(jwk["y"])), "big")
            return ec.EllipticCurvePublicNumbers(x, y, curve[1]()).public_key()
    except (KeyError, TypeError, ValueError):
        pass
    raise ProofRefusal("The 'jwk' header of the DPoP proof JWT is not a key for its 'alg'.")


class ProofChecker:
    """Checks proofs and remembers their `jti`s (until they are too old to be taken again)."""

    def __init__(self, verify: Any) -> None:
        #: `verify(key, alg, signing_input, signature) -> bool` (the token endpoint's own).
        self._verify = verify
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}

    def check(
        self,
        proof: str,
        method: str,
        htu: str,
        now: float,
        *,
        access_token: str | None = None,
    ) -> Proof:
        parts = proof.split(".")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except (IndexError, ValueError):
            raise ProofRefusal("DPoP proof JWT cannot be parsed.") from None
        if len(parts) != 3 or not isinstance(header, dict) or not isinstance(claims, dict):
            raise ProofRefusal("DPoP proof JWT cannot be parsed.")
        if header.get("typ") != "dpop+jwt":
            raise ProofRefusal("The 'typ' header of the DPoP proof JWT is invalid.")
        alg = str(header.get("alg"))
        if alg not in ALGS:
            raise ProofRefusal("The 'alg' header of the DPoP proof JWT is not supported.")
        key = _public_key(header.get("jwk"), alg)
        if not self._verify(key, alg, f"{parts[0]}.{parts[1]}".encode(), signature):
            raise ProofRefusal("The DPoP proof JWT signature is invalid.")
        if claims.get("htm") != method:
            raise ProofRefusal("'htm' claim in the DPoP proof JWT is invalid.")
        if claims.get("htu") != htu:
            raise ProofRefusal("'htu' claim in the DPoP proof JWT is invalid.")
        iat = claims.get("iat")
        if (
            not isinstance(iat, int | float)
            or isinstance(iat, bool)
            or not now - MAX_AGE <= iat <= now + MAX_AHEAD
        ):
            raise ProofRefusal("'iat' claim in the DPoP proof JWT is invalid or too old.")
        if access_token is not None and claims.get("ath") != access_token_hash(access_token):
            raise ProofRefusal("'ath' claim in the DPoP proof JWT is invalid.")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise ProofRefusal("'jti' claim in the DPoP proof JWT is missing.")
        with self._lock:
            self._seen = {j: t for j, t in self._seen.items() if t > now}
            if jti in self._seen:
                raise ProofRefusal("'jti' claim in the DPoP proof JWT has already been used.")
            self._seen[jti] = now + MAX_AGE + MAX_AHEAD
        return Proof(claims, thumbprint(header["jwk"]))
