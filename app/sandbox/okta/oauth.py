"""OAuth 2.0 for Okta: one registered API Services app, the org authorization server's token
endpoint, and the access tokens it mints, checked on the Management API.

Written from RFC 6749 §5.2 (error responses), RFC 7523 §3 (the JWT client assertion: `iss` = `sub`
= the client id, `aud` = the token endpoint, `exp` required, signature by a registered key) and
Okta's guide for service apps (okta-management-api.md §1.3): client credentials is the only
grant, `private_key_jwt` the only client authentication, `exp` at most an hour ahead, each `jti`
consumed once, tokens of one hour, scopes not granted left out of the token (or, in the strict
mode, refused with `invalid_scope`), a missing scope on a call answered 403 with an empty body and
`WWW-Authenticate: Bearer … error="insufficient_scope"`, a missing admin role 403 `E0000006`.
With "Require DPoP" (`require_dpop`) the token endpoint takes only a request with a valid DPoP proof
(`dpop.py`) carrying its current nonce (answering `use_dpop_nonce` and a `DPoP-Nonce` first, as
Okta does), and binds the token to the proof's key (`cnf.jkt`); the API then takes it only as
`Authorization: DPoP` with a fresh proof of that key, its `ath` the token's hash.
The app's key pair is generated when the sandbox starts (one RSA key per process: generating one
costs ~60 ms and every test starts a sandbox); the private key is handed out in the JSON line.
"""

from __future__ import annotations

import base64
import functools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from app.sandbox.okta import ids
from app.sandbox.okta.dpop import ALGS, ProofChecker, ProofRefusal, expected_htu
from app.sandbox.router import Request, Response

JSON = "application/json"
TOKEN_PATH = "/oauth2/v1/token"  # noqa: S105 - a path
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: The Okta scopes the org authorization server knows (the subset the sandbox serves).
KNOWN_SCOPES = frozenset(
    f"okta.{thing}.{how}"
    for thing in ("apps", "groups", "users", "logs", "orgs", "roles", "apiTokens")
    for how in ("read", "manage")
) - {"okta.logs.manage"}
DEFAULT_GRANTED = ("okta.apps.read", "okta.groups.read", "okta.logs.read", "okta.users.read")
#: Admin roles a service app may hold here; writes need one of the last two.
ROLES = ("READ_ONLY_ADMIN", "APP_ADMIN", "SUPER_ADMIN")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_CLOCK_SKEW = 60


@functools.cache
def _process_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenRefusal(Exception):  # noqa: N818 - an answer, not a failure of the sandbox
    """An RFC 6749 §5.2 error answer of the token endpoint."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class Issued:
    scopes: frozenset[str]
    expires_at: float
    #: The thumbprint of the DPoP key the token is bound to (None: a Bearer token).
    jkt: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why the API refuses a call: `kind` is `invalid_token` (401), `scope` (403, empty body),
    `role` (403 `E0000006`), `dpop` (400, empty body) or `nonce` (401, `use_dpop_nonce`)."""

    status: int
    kind: str
    challenge: str
    nonce: str | None = None


@dataclass
class ServiceApp:
    """The API Services app registered in the org, and what an admin set on its tabs."""

    client_id: str = field(default_factory=lambda: ids.new_id(ids.APP))
    key_id: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    private_key: rsa.RSAPrivateKey = field(default_factory=_process_key)
    #: Okta API Scopes tab.
    granted: set[str] = field(default_factory=lambda: set(DEFAULT_GRANTED))
    #: Admin Roles tab (None: no role assigned).
    role: str | None = "READ_ONLY_ADMIN"
    #: "Require Demonstrating Proof of Possession (DPoP) header in token requests".
    require_dpop: bool = False
    #: Ask for the DPoP nonce on API calls too (RFC 9449 §9; Okta does not today).
    resource_nonce: bool = False
    #: Refuse a request naming a scope not granted (instead of leaving it out of the token).
    strict_scopes: bool = False
    token_lifetime: int = 3600
    #: More public keys on the General tab (kid → key), as an admin may add.
    extra_keys: dict[str, Any] = field(default_factory=dict)

    @property
    def public_keys(self) -> dict[str, Any]:
        return {self.key_id: self.private_key.public_key(), **self.extra_keys}

    def private_key_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()


class OAuth:
    """The token endpoint and the Bearer check of the Management API."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.app = ServiceApp()
        self._lock = threading.Lock()
        self._tokens: dict[str, Issued] = {}
        self._used_jti: dict[str, float] = {}
        self.proofs = ProofChecker(_verifies)
        #: The DPoP nonces taken (the newest is handed out; `rotate_dpop_nonce` forgets the rest).
        self._nonces = [secrets.token_urlsafe(24)]
        #: Token requests answered with a token (the tests' view).
        self.issued = 0

    @property
    def token_url(self) -> str:
        return self.base + TOKEN_PATH

    # -- the token endpoint ------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        try:
            body = self._grant(request)
        except TokenRefusal as refusal:
            body = {"error": refusal.error, "error_description": refusal.description}
            response = Response.json(refusal.status, body, JSON)
            if refusal.error == "use_dpop_nonce":
                response.headers.append(("DPoP-Nonce", self._nonces[-1]))
            return _no_store(response)
        return _no_store(Response.json(200, body, JSON))

    def _grant(self, request: Request) -> dict[str, Any]:
        if request.content_type != "application/x-www-form-urlencoded":
            raise TokenRefusal(
                400, "invalid_request", "The request must be application/x-www-form-urlencoded."
            )
        form = request.form()
        grant = form.get("grant_type")
        if not grant:
            raise TokenRefusal(
                400, "invalid_request", "The token request must specify a 'grant_type'."
            )
        if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
            raise TokenRefusal(
                401,
                "invalid_client",
                "Client authentication failed. Either the client or the client credentials are "
                "invalid.",
            )
        claims = self._authenticate(form["client_assertion"])
        app = self.app
        if grant != "client_credentials":
            raise TokenRefusal(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. "
                "Configured grant types: [client_credentials].",
            )
        # An app that does not require DPoP gets a Bearer token even with a proof: what the
        # SDK's "DPoP was enabled but server returned Bearer token" warning expects.
        jkt = self._token_proof(request) if app.require_dpop else None
        requested = set((form.get("scope") or "").split())
        if not requested:
            raise TokenRefusal(
                400,
                "invalid_scope",
                "The authorization server resource does not have any configured default scopes, "
                "'scope' must be provided.",
            )
        if requested - KNOWN_SCOPES:
            raise TokenRefusal(
                400,
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            )
        scopes = requested & app.granted
        if (app.strict_scopes and scopes != requested) or not scopes:
            missing = " ".join(sorted(requested - app.granted))
            raise TokenRefusal(
                400,
                "invalid_scope",
                f"The following scopes were requested, but not granted: {missing}.",
            )
        del claims
        value = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[value] = Issued(frozenset(scopes), time.time() + app.token_lifetime, jkt)
            self.issued += 1
        return {
            "token_type": "Bearer" if jkt is None else "DPoP",
            "expires_in": app.token_lifetime,
            "access_token": value,
            "scope": " ".join(sorted(scopes)),
        }

    def _token_proof(self, request: Request) -> str:
        """The token request's DPoP proof checked (then its nonce): its key's thumbprint."""
        proofs = request.header_values("DPoP")
        if not proofs:
            raise TokenRefusal(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.")
        if len(proofs) > 1:
            raise TokenRefusal(400, "invalid_dpop_proof", "Only one DPoP header is allowed.")
        try:
            proof = self.proofs.check(
                proofs[0], request.method, expected_htu(self.base, request.path), time.time()
            )
        except ProofRefusal as refusal:
            raise TokenRefusal(400, "invalid_dpop_proof", refusal.description) from None
        if proof.claims.get("nonce") not in self._nonces:
            raise TokenRefusal(
                400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof."
            )
        return proof.jkt

    def _authenticate(self, assertion: str) -> dict[str, Any]:
        """RFC 7523 §3: the assertion's signature, issuer, subject, audience, expiry, `jti`."""
        invalid = TokenRefusal(401, "invalid_client", "The client_assertion token is invalid.")
        parts = assertion.split(".")
        if len(parts) != 3:
            raise invalid
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except ValueError:
            raise invalid from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise invalid
        app = self.app
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            raise TokenRefusal(
                401,
                "invalid_client",
                "The client_assertion token has an invalid issuer or subject: no service app "
                "with that client id.",
            )
        kid = header.get("kid")
        keys = app.public_keys
        if kid is not None and kid not in keys:
            raise TokenRefusal(
                401,
                "invalid_client",
                "The client_assertion token has a kid which does not identify a key registered "
                "for this client.",
            )
        candidates = [keys[kid]] if kid is not None else list(keys.values())
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        alg = header.get("alg")
        if not any(_verifies(key, str(alg), signing_input, signature) for key in candidates):
            raise TokenRefusal(
                401,
                "invalid_client",
                "The client_assertion signature is invalid: it was not made with a key "
                "registered for this client.",
            )
        now = time.time()
        jti = claims.get("jti")
        with self._lock:
            self._used_jti = {j: t for j, t in self._used_jti.items() if t > now}
            if isinstance(jti, str) and jti in self._used_jti:
                raise TokenRefusal(
                    401, "invalid_client", "The client_assertion token has already been used."
                )
            exp = claims.get("exp")
            if isinstance(jti, str):
                # Consumed now, even if what follows refuses the request (Okta does so too).
                until = float(exp) if isinstance(exp, int | float) else now + 3600
                self._used_jti[jti] = until + _CLOCK_SKEW
        if claims.get("aud") != self.token_url:
            raise TokenRefusal(
                401,
                "invalid_client",
                "The audience claim for client_assertion must be the endpoint invoked for the "
                "request.",
            )
        if not isinstance(exp, int | float):
            raise TokenRefusal(
                401, "invalid_client", "The client_assertion token must have an expiration."
            )
        if exp < now - _CLOCK_SKEW:
            raise TokenRefusal(401, "invalid_client", "The client_assertion token is expired.")
        if exp > now + 3600 + _CLOCK_SKEW:
            raise TokenRefusal(
                401,
                "invalid_client",
                "The client_assertion token has an expiration too far into the future.",
            )
        iat = claims.get("iat")
        if isinstance(iat, int | float) and iat > now + _CLOCK_SKEW:
            raise TokenRefusal(
                401, "invalid_client", "The client_assertion token was issued in the future."
            )
        return claims

    # -- the Management API's side -----------------------------------------------------------

    def authorize(self, request: Request, token: str, scheme: str = "Bearer") -> Refusal | None:
        """None when `token`, sent with `scheme` (`Bearer` or `DPoP`), may make this call."""
        now = time.time()
        with self._lock:
            issued = self._tokens.get(token)
            if issued is not None and issued.expires_at <= now:
                del self._tokens[token]
                issued = None
        resource = request.path
        where = f'authorization_uri="{self.base}/oauth2/v1/authorize", realm="{self.base}"'
        bound = issued is not None and issued.jkt is not None
        if scheme == "DPoP" or bound:
            realm = f'DPoP algs="{" ".join(ALGS)}", {where}'
        else:
            realm = f"Bearer {where}"

        def challenge(error: str, description: str, scope: str = "") -> str:
            return (
                f'{realm}, scope="{scope}", error="{error}", error_description="{description}", '
                f'resource="{resource}"'
            )

        if issued is None:
            return Refusal(401, "invalid_token", challenge("invalid_token", _INVALID))
        if bound != (scheme == "DPoP"):
            # Okta answers 400 to a DPoP-bound token sent as Bearer (okta-management-api.md §1.3).
            said = (
                "The access token is DPoP-bound: send it as 'Authorization: DPoP' with a DPoP "
                "proof."
                if bound
                else "The access token is not DPoP-bound."
            )
            return Refusal(400, "dpop", challenge("invalid_dpop_proof", said))
        if bound:
            refused = self._resource_proof(request, token, issued.jkt)
            if refused is not None:
                error, description = refused
                kind = "nonce" if error == "use_dpop_nonce" else "dpop"
                status = 401 if kind == "nonce" else 400
                nonce = self._nonces[-1] if kind == "nonce" else None
                return Refusal(status, kind, challenge(error, description), nonce)
        needed = required_scopes(request.method, request.path)
        if not all(_has(issued.scopes, scope) for scope in needed):
            return Refusal(
                403,
                "scope",
                challenge(
                    "insufficient_scope",
                    "The access token provided does not contain the required scopes.",
                    " ".join(needed),
                ),
            )
        role = self.app.role
        writes = request.method not in ("GET", "HEAD")
        if role is None or (writes and role == "READ_ONLY_ADMIN"):
            return Refusal(403, "role", "")
        return None

    def _resource_proof(
        self, request: Request, token: str, jkt: str | None
    ) -> tuple[str, str] | None:
        """An API call's proof: None when good, else (error, error_description)."""
        proofs = request.header_values("DPoP")
        if len(proofs) != 1:
            return "invalid_dpop_proof", "The DPoP proof JWT header is missing."
        try:
            proof = self.proofs.check(
                proofs[0],
                request.method,
                expected_htu(self.base, request.path),
                time.time(),
                access_token=token,
            )
        except ProofRefusal as refusal:
            return "invalid_dpop_proof", refusal.description
        if proof.jkt != jkt:
            return (
                "invalid_dpop_proof",
                "The DPoP proof JWT is not signed by the key the access token is bound to.",
            )
        if self.app.resource_nonce and proof.claims.get("nonce") not in self._nonces:
            return "use_dpop_nonce", "Resource server requires nonce in DPoP proof."
        return None

    def issued_tokens(self) -> list[str]:
        """The access tokens handed out that are still valid (the tests' view: a secrets scan
        looks for them in what a client printed and wrote)."""
        now = time.time()
        with self._lock:
            return [value for value, issued in self._tokens.items() if issued.expires_at > now]

    def revoke_all(self) -> int:
        """Every access token ends now (a key rotated, the app deactivated: the tests' lever)."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count

    def settings(self, body: dict[str, Any]) -> dict[str, Any]:
        """The control endpoint's changes to the app's tabs; returns the current settings."""
        app = self.app
        with self._lock:
            scopes = body.get("scopes")
            if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
                app.granted = set(scopes)
            if "role" in body and (body["role"] is None or body["role"] in ROLES):
                app.role = body["role"]
            for name in ("require_dpop", "resource_nonce", "strict_scopes"):
                if isinstance(body.get(name), bool):
                    setattr(app, name, body[name])
            lifetime = body.get("token_lifetime")
            if isinstance(lifetime, int) and not isinstance(lifetime, bool) and lifetime > 0:
                app.token_lifetime = lifetime
            if body.get("rotate_dpop_nonce") is True:
                self._nonces = [secrets.token_urlsafe(24)]  # the old ones no longer taken
        revoked = self.revoke_all() if body.get("revoke_tokens") is True else 0
        return {
            "client_id": app.client_id,
            "scopes": sorted(app.granted),
            "role": app.role,
            "require_dpop": app.require_dpop,
            "resource_nonce": app.resource_nonce,
            "strict_scopes": app.strict_scopes,
            "token_lifetime": app.token_lifetime,
            "revoked": revoked,
            "issued": self.issued,
        }


_INVALID = "The access token is invalid."


def _has(granted: frozenset[str], needed: str) -> bool:
    """A `.manage` scope includes reading the same objects."""
    return needed in granted or needed.replace(".read", ".manage") in granted


def required_scopes(method: str, path: str) -> tuple[str, ...]:
    """The scopes an operation asks for (the spec's `security` of each, reference §1.3)."""
    how = "read" if method in ("GET", "HEAD") else "manage"
    lower = path.lower()
    if lower.startswith("/api/v1/apps"):
        if "/group-push/" in lower:
            return (f"okta.apps.{how}", f"okta.groups.{how}")
        return (f"okta.apps.{how}",)
    for thing in ("groups", "users", "logs"):
        if lower.startswith(f"/api/v1/{thing}"):
            return (f"okta.{thing}.{how}",)
    return (f"okta.orgs.{how}",)


def _verifies(key: Any, alg: str, data: bytes, signature: bytes) -> bool:
    digest = _HASHES.get(alg[2:]) if len(alg) == 5 else None
    if digest is None:
        return False
    try:
        if alg.startswith("RS") and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), digest())
            return True
        if alg.startswith("ES") and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            key.verify(der, data, ec.ECDSA(digest()))
            return True
    except InvalidSignature:
        return False
    return False


def _no_store(response: Response) -> Response:
    response.headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    return response
