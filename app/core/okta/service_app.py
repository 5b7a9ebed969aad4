"""An Okta API Services app as the credential: OAuth 2.0 client credentials with `private_key_jwt`.

Okta mints Okta-scoped access tokens for a service app only through the client credentials grant,
and authenticates the app only with a signed client assertion (okta-management-api.md §1.3): a JWT
with `iss` = `sub` = the client id, `aud` = `{org}/oauth2/v1/token`, a short `exp` and a fresh
`jti` (Okta consumes each one, even on a 400). The token lives an hour; `AccessTokens` keeps it
until five minutes before it ends (as Okta's SDK does), or until Okta refuses it.
The read scopes are what the verification reads. Okta may leave a scope the app was not granted
out of the token silently (the API then answers 403 naming the scope) or refuse the request with
`invalid_scope`; both become a sentence naming the Okta API Scopes tab.
An app with "Require DPoP" ticked (Okta's default for new API Services apps) gets DPoP-bound
tokens (`app.core.okta.dpop`, RFC 9449); what Okta refuses about a proof becomes a sentence here.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pydantic import SecretStr

from app.core.okta.private_key import load_private_key
from app.core.redaction import install_log_redaction

#: What `okta verify` and the members window's Okta side read.
READ_SCOPES = ("okta.apps.read", "okta.groups.read", "okta.logs.read", "okta.users.read")
#: Asked for besides, only to apply (assign groups to the app, push groups): Okta refuses a
#: token request naming a scope the app was not granted, so reading never asks for these.
WRITE_SCOPES = ("okta.apps.manage", "okta.groups.manage")
ASSERTION_SECONDS = 300
TOKEN_PATH = "/oauth2/v1/token"  # noqa: S105 - a path, not a secret
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: A cached token is asked for again this long before Okta says it ends (the SDK's default).
RENEW_BEFORE = 300.0


@dataclass(frozen=True)
class ServiceApp:
    """The service app's client id and its private key (PEM, JWK or the keyring's compact form)."""

    client_id: str
    private_key: SecretStr
    #: The key's `kid` as registered in Okta (optional: Okta tries the app's keys without it).
    key_id: str | None = None
    scopes: tuple[str, ...] = READ_SCOPES

    def __post_init__(self) -> None:
        install_log_redaction(self.private_key)

    def __repr__(self) -> str:
        return f"ServiceApp(client_id={self.client_id!r}, private_key=SecretStr('**********'))"

    @property
    def secrets(self) -> tuple[SecretStr, ...]:
        """What must never be shown (the key as given, and its compact form)."""
        return (self.private_key, load_private_key(self.private_key).compact())


def for_writing(app: ServiceApp) -> ServiceApp:
    """The same app asking for the write scopes too (`okta apply`'s changes, not its preview)."""
    return replace(app, scopes=READ_SCOPES + WRITE_SCOPES)


def normalized(client_id: str, private_key: SecretStr, key_id: str | None = None) -> ServiceApp:
    """A service app as the profile keeps it: the key checked and compact, the `kid` taken from a
    JWK when none is given. Raises `PrivateKeyError` (a sentence) for a key Okta cannot take."""
    key = load_private_key(private_key)
    kid = (key_id or "").strip() or key.kid
    return ServiceApp(client_id.strip(), key.compact(), kid)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def client_assertion(org_url: str, app: ServiceApp, now: float | None = None) -> str:
    """The signed JWT that authenticates the app at `{org_url}/oauth2/v1/token`."""
    key = load_private_key(app.private_key)
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": app.client_id,
        "sub": app.client_id,
        "aud": org_url.rstrip("/") + TOKEN_PATH,
        "iat": issued,
        "exp": issued + ASSERTION_SECONDS,
        "jti": secrets.token_urlsafe(24),
    }
    header = {"alg": key.alg, "typ": "JWT"}
    kid = app.key_id or key.kid
    if kid:
        header["kid"] = kid
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    return f"{signing_input}.{_b64(key.sign(signing_input.encode()))}"


def token_form(org_url: str, app: ServiceApp, now: float | None = None) -> dict[str, str]:
    """The form of the token request (client credentials, `private_key_jwt`)."""
    return {
        "grant_type": "client_credentials",
        "scope": " ".join(app.scopes),
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(org_url, app, now),
    }


def token_error(
    status: int, error: str, description: str, scopes: tuple[str, ...] = READ_SCOPES
) -> str:
    """A refused token request as a sentence with the fix (`error`, `description` already
    cleaned of control characters by the caller; `scopes` the ones asked for)."""
    okta = ": ".join(x for x in (error, description) if x)
    said = f' (Okta: "{okta}")' if okta else ""
    if error == "use_dpop_nonce":
        return (
            "Okta asked for a new DPoP nonce again right after giving one. Check that this "
            "computer's clock is right and try again in a minute"
            f"{said}."
        )
    if error.startswith("invalid_dpop") and "nonce" in description.lower():
        return (
            "Okta did not accept the DPoP nonce it had given (it rotates them); try again, and "
            f"if it persists check this computer's clock{said}."
        )
    if error.startswith("invalid_dpop"):
        return dpop_proof_error(said)
    if error == "invalid_scope":
        return (
            f"Okta refused the scopes asked for. Grant the service app {', '.join(scopes)} "
            f"on its Okta API Scopes tab (a Super Administrator can){said}."
        )
    if error == "unsupported_grant_type" or error == "unauthorized_client":
        return (
            "Okta does not let this app use the client credentials grant: it must be an API "
            "Services app (Applications → Create App Integration → API Services), with "
            f"'Client Credentials' allowed{said}."
        )
    if error == "invalid_client" or status == 401:
        return (
            "Okta refused the service app: check its client id, that the public key of this "
            "private key is on the app (General → Public Keys, Active), and that client "
            f"authentication is 'Public key / Private key'{said}."
        )
    return f"Okta refused the token request (HTTP {status}){said}."


def dpop_proof_error(said: str) -> str:
    """Okta refused this program's DPoP proof (on the token request or on an API call)."""
    return (
        "Okta refused this program's DPoP proof. Check that this computer's clock is right "
        "(Okta checks the proof's time) and that no proxy rewrites the request's address, then "
        "try again; unticking 'Require Demonstrating Proof of Possession (DPoP) header in token "
        f"requests' on the app's General tab is the last resort{said}."
    )


#: What the token endpoint hands back: the token, its lifetime in seconds, its scheme
#: ("Bearer", or "DPoP" for a token bound to the client's proof key).
Fetched = tuple[SecretStr, float, str]


@dataclass(frozen=True)
class AccessToken:
    value: SecretStr
    expires_at: float
    scheme: str = "Bearer"


class AccessTokens:
    """The service app's current access token: fetched on first need, kept until `RENEW_BEFORE`
    seconds before it ends (or a quarter of its life, for short-lived ones), dropped when Okta
    refuses it. `fetch` does the token request and returns `Fetched`."""

    def __init__(
        self,
        fetch: Callable[[], Fetched],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._current: AccessToken | None = None
        #: Token requests made (the tests' view).
        self.fetched = 0

    def __repr__(self) -> str:
        return f"AccessTokens(fetched={self.fetched})"

    def current(self) -> tuple[SecretStr, str]:
        """The token and its scheme (`Bearer` or `DPoP`), fetched when none is kept."""
        with self._lock:
            now = self._clock()
            current = self._current
            if current is not None and now < current.expires_at:
                return current.value, current.scheme
            value, lifetime, scheme = self._fetch()
            self.fetched += 1
            install_log_redaction(value)
            margin = min(RENEW_BEFORE, lifetime / 4)
            self._current = AccessToken(value, now + max(0.0, lifetime - margin), scheme)
            return value, scheme

    def drop(self, value: SecretStr) -> None:
        """Forget `value` (Okta refused it): the next `current` fetches a new one."""
        with self._lock:
            if self._current is not None and self._current.value == value:
                self._current = None
