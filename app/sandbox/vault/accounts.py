"""The vault's server-side view of accounts: master-password keys, user tokens, the org key.

Deriving an account's master-password keys costs a full PBKDF2 run (600,000 iterations by
default), so it happens on first use, once per sandbox: a sandbox that no `bw` ever logs into pays
nothing. User tokens (scope `api`, the password grant's) live here, apart from the organization's
Public API tokens (scope `api.organization`), because the real server keeps the two worlds apart:
neither token opens the other's endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass

from pydantic import SecretStr

from app.sandbox.router import Request, Response
from app.sandbox.state import (
    Account,
    Collection,
    KeyPair,
    Member,
    MemberStatus,
    MemberType,
    SandboxState,
    random_key,
)
from app.sandbox.vault import cose, crypto
from app.sandbox.vault.two_step import AccountFactors

#: Access-token lifetime the server uses for user logins (`AccessTokenLifetime`, one hour).
ACCESS_TOKEN_LIFETIME = 3600


@dataclass(frozen=True)
class UserToken:
    """An access token issued to an account by the password or refresh grant."""

    account_id: str
    expires_at: float

    def __repr__(self) -> str:
        return f"UserToken(account_id={self.account_id!r})"


def error_response(
    message: str, status: int = 400, validation_errors: dict[str, list[str]] | None = None
) -> Response:
    """The API's `ErrorResponseModel` (camelCase, `object: error`): a `BadRequestException`'s, or
    with `validation_errors` keyed by field, ASP.NET model validation's."""
    return Response.json(
        status,
        {
            "message": message,
            "validationErrors": validation_errors,
            "exceptionMessage": None,
            "exceptionStackTrace": None,
            "innerExceptionMessage": None,
            "object": "error",
        },
    )


def unauthorized() -> Response:
    """What ASP.NET's JWT bearer handler answers a missing or dead token: 401, empty body."""
    return Response.empty(401, [("WWW-Authenticate", "Bearer")])


#: How an account unlocks (`UserDecryptionOptions`); the last two have no master password.
#: `v2` has a master password too, with COSE keys (a type 7 private key, signing keys).
MASTER_PASSWORD, KEY_CONNECTOR, TRUSTED_DEVICE, V2 = (
    "master_password",
    "key_connector",
    "trusted_device",
    "v2",
)
ACCOUNT_KINDS = (MASTER_PASSWORD, KEY_CONNECTOR, TRUSTED_DEVICE, V2)
#: The kinds a master password unlocks.
PASSWORD_KINDS = (MASTER_PASSWORD, V2)


@dataclass(frozen=True, repr=False)
class KeylessKeys:
    """The keys of an account no master password opens: a key-connector user's user key is
    wrapped by the key the connector holds (`Key` is there, no password opens it); a
    trusted-device user's is wrapped per device (`Key` is null)."""

    wrapped_user_key: str | None
    wrapped_private_key: str

    def __repr__(self) -> str:
        return "KeylessKeys(***)"

    @classmethod
    def create(cls, private_key_pkcs8: bytes, kind: str) -> KeylessKeys:
        user_key = crypto.SymmetricKey.generate()
        connector_key = crypto.SymmetricKey.generate()  # held by the key connector, never here
        return cls(
            wrapped_user_key=(
                crypto.encrypt_aes(user_key.to_bytes(), connector_key)
                if kind == KEY_CONNECTOR
                else None
            ),
            wrapped_private_key=crypto.encrypt_aes(private_key_pkcs8, user_key),
        )


class VaultAccounts:
    """Per-sandbox registry of derived keys and user tokens; thread-safe."""

    def __init__(
        self, state: SandboxState, kdf_iterations: int = crypto.DEFAULT_KDF_ITERATIONS
    ) -> None:
        self.state = state
        self.kdf_iterations = kdf_iterations
        self._lock = threading.Lock()
        self._keys: dict[str, crypto.MasterPasswordKeys] = {}
        self._admin_org_keys: dict[str, str] = {}
        self._access: dict[str, UserToken] = {}
        self._refresh: dict[str, str] = {}
        self._secret = secrets.token_bytes(32)
        self._kdf: dict[str, crypto.Kdf] = {}
        self._collection_names: dict[tuple[str, str], str] = {}
        self._factors: dict[str, AccountFactors] = {}
        #: Device identifiers each account has logged in from (the server's `Device` rows).
        self._devices: dict[str, set[str]] = {state.admin.id: {str(uuid.uuid4())}}
        #: `globalSettings.EnableNewDeviceVerification` (false in the server's source).
        self.new_device_verification = False
        self._bulk_confirm_fails_after: int | None = None
        self._kinds: dict[str, str] = {}
        self._keyless: dict[str, KeylessKeys] = {}

    # ------------------------------------------------------------------ accounts and keys
    def account_by_email(self, email: str) -> Account | None:
        wanted = email.strip().lower()
        with self.state.lock:
            for account in self.state.accounts.values():
                if account.email.lower() == wanted:
                    return account
        return None

    def master_password_keys(self, account: Account) -> crypto.MasterPasswordKeys | None:
        """The account's stored key material; None for an account without a master password
        (including one switched to key connector or trusted-device decryption)."""
        kind = self.kind_of(account)
        if account.master_password is None or kind not in PASSWORD_KINDS:
            return None
        with self._lock:
            keys = self._keys.get(account.id)
            if keys is None:
                make = cose.v2_keys if kind == V2 else crypto.MasterPasswordKeys.create
                keys = make(
                    account.email,
                    account.master_password.get_secret_value(),
                    account.key_pair.private_key_der,
                    self._kdf.get(account.id) or crypto.Kdf(iterations=self.kdf_iterations),
                )
                self._keys[account.id] = keys
            return keys

    def kind_of(self, account: Account) -> str:
        """How the account unlocks: `master_password`, `key_connector` or `trusted_device`."""
        with self._lock:
            return self._kinds.get(account.id, MASTER_PASSWORD)

    def set_kind(self, account: Account, kind: str) -> None:
        """Switch how the account unlocks (as joining an SSO organization with that decryption
        option does); its keys are made anew and its sessions end."""
        if kind not in ACCOUNT_KINDS:
            raise ValueError(f"an account is one of {', '.join(ACCOUNT_KINDS)}")
        with self._lock:
            self._kinds[account.id] = kind
            self._keyless.pop(account.id, None)
        self.forget_keys(account)

    def keyless_keys(self, account: Account) -> KeylessKeys | None:
        """A key-connector or trusted-device account's wrapped keys (None for the others)."""
        kind = self.kind_of(account)
        if kind in PASSWORD_KINDS:
            return None
        with self._lock:
            keys = self._keyless.get(account.id)
            if keys is None:
                keys = self._keyless[account.id] = KeylessKeys.create(
                    account.key_pair.private_key_der, kind
                )
            return keys

    def kdf_for_email(self, email: str) -> crypto.Kdf:
        """Prelogin's answer: the account's KDF, or the default for unknown emails."""
        account = self.account_by_email(email)
        if account is None or account.master_password is None:
            return crypto.Kdf()
        return self.kdf_for(account)

    def kdf_for(self, account: Account) -> crypto.Kdf:
        with self._lock:
            return self._kdf.get(account.id) or crypto.Kdf(iterations=self.kdf_iterations)

    def set_kdf(self, account: Account, kdf: crypto.Kdf) -> None:
        """A KDF change: the user key is wrapped anew and every session of the account ends
        (the security stamp changes)."""
        with self._lock:
            self._kdf[account.id] = kdf
        self.forget_keys(account)

    def forget_keys(self, account: Account) -> None:
        """Drop the account's derived key material (made again on next use) and its sessions."""
        with self._lock:
            self._keys.pop(account.id, None)
            self._admin_org_keys.pop(account.id, None)
            self._access = {t: v for t, v in self._access.items() if v.account_id != account.id}
            self._refresh = {t: a for t, a in self._refresh.items() if a != account.id}

    def swap_key_pair(self, account: Account) -> None:
        """What a malicious server does: hand out another public key for the account (its own
        wrapped private key follows, so the account stays usable)."""
        with self.state.lock:
            account.key_pair = KeyPair()
            self.state.touch()
        with self._lock:
            self._keys.pop(account.id, None)
            self._admin_org_keys.pop(account.id, None)

    def collection_name(self, collection: Collection) -> str:
        """The collection's name as the server stores it: type 2 under the organization key,
        encrypted once (as the client that named it did) and then served as is."""
        cache_key = (collection.id, collection.name)
        with self._lock:
            stored = self._collection_names.get(cache_key)
            if stored is None:
                stored = crypto.encrypt_aes(collection.name.encode("utf-8"), self.org_key())
                self._collection_names[cache_key] = stored
            return stored

    # ------------------------------------------------------------------ login checks
    def factors(self, account: Account) -> AccountFactors:
        """The account's two-step providers and codes (none enabled until a test asks)."""
        with self._lock:
            factors = self._factors.get(account.id)
            if factors is None:
                factors = self._factors[account.id] = AccountFactors()
            return factors

    def knows_device(self, account: Account, identifier: str) -> bool:
        with self._lock:
            return identifier.lower() in self._devices.get(account.id, set())

    def device_count(self, account: Account) -> int:
        with self._lock:
            return len(self._devices.get(account.id, set()))

    def remember_device(self, account: Account, identifier: str) -> None:
        with self._lock:
            self._devices.setdefault(account.id, set()).add(identifier.lower())

    def api_key_matches(self, account: Account, presented: str) -> bool:
        """`UserClientProvider`: the client secret must be the account's current API key."""
        if account.api_key is None:
            return False
        expected = account.api_key.get_secret_value().encode()
        return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), expected)

    def rotate_api_key(self, account: Account) -> str:
        """`POST /accounts/rotate-api-key`: a new secret; the old one stops working."""
        new = random_key()
        with self.state.lock:
            account.api_key = SecretStr(new)
        return new

    def fail_next_bulk_confirm(self, after: int | None) -> None:
        """Make the next bulk confirm crash (500) after confirming `after` members (None: off)."""
        with self._lock:
            self._bulk_confirm_fails_after = after

    def take_bulk_confirm_fault(self) -> int | None:
        with self._lock:
            after, self._bulk_confirm_fails_after = self._bulk_confirm_fails_after, None
            return after

    def expire_tokens(self) -> int:
        """End every user access token now (as if an hour had passed); refresh tokens live on."""
        with self._lock:
            count = len(self._access)
            self._access.clear()
        return count

    def org_key(self) -> crypto.SymmetricKey:
        return crypto.SymmetricKey.from_bytes(self.state.organization.symmetric_key)

    def org_key_for(self, account: Account) -> str:
        """The organization key as this confirmed member's sync shows it (type 4 to their key).

        A member confirmed by a client keeps the key that client sent; the owner's is made here,
        as the organization's creator's client made it when it set the organization up.
        """
        with self.state.lock:
            for member in self.state.members.values():
                if member.user_id == account.id and member.key:
                    return member.key
        with self._lock:
            wrapped = self._admin_org_keys.get(account.id)
            if wrapped is None:
                wrapped = crypto.wrap_org_key(self.org_key(), account.key_pair.public_key_der)
                self._admin_org_keys[account.id] = wrapped
            return wrapped

    # ------------------------------------------------------------------ tokens
    def issue(self, account: Account, client_id: str) -> tuple[str, str]:
        """A fresh (access token, refresh token) pair for the account."""
        access = self._access_token(account, client_id)
        refresh = base64.urlsafe_b64encode(secrets.token_bytes(48)).rstrip(b"=").decode()
        with self._lock:
            self._refresh[refresh] = account.id
        return access, refresh

    def issue_api_key_token(self, account: Account) -> str:
        """The personal API key's access token: scope `api` only, no refresh token."""
        return self._access_token(account, f"user.{account.id}", scopes=("api",))

    def refresh(self, refresh_token: str, client_id: str) -> tuple[Account, str] | None:
        """A new access token for a known refresh token (which stays valid, as the server's)."""
        with self._lock:
            account_id = self._refresh.get(refresh_token)
        account = self.state.accounts.get(account_id) if account_id else None
        if account is None:
            return None
        return account, self._access_token(account, client_id)

    def _access_token(
        self,
        account: Account,
        client_id: str,
        scopes: tuple[str, ...] = ("api", "offline_access"),
    ) -> str:
        now = int(time.time())
        header = {"alg": "HS256", "kid": "sandbox", "typ": "at+jwt"}
        payload = {
            "nbf": now,
            "exp": now + ACCESS_TOKEN_LIFETIME,
            "iss": "http://localhost",
            "client_id": client_id,
            "sub": account.id,
            "auth_time": now,
            "idp": "bitwarden",
            "premium": False,
            "email": account.email,
            "email_verified": True,
            "name": account.name or "",
            "sstamp": self._stamp(account),
            "device": "sandbox",
            "jti": secrets.token_hex(16),
            "iat": now,
            "scope": list(scopes),
            "amr": ["Application"],
        }
        signing_input = f"{_b64url(json.dumps(header))}.{_b64url(json.dumps(payload))}"
        signature = hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
        with self._lock:
            self._access[token] = UserToken(account.id, time.time() + ACCESS_TOKEN_LIFETIME)
        return token

    def _stamp(self, account: Account) -> str:
        keys = self.master_password_keys(account)
        return keys.security_stamp if keys else ""

    def authenticate(self, request: Request) -> Account | None:
        """The account behind the request's bearer token, or None (missing, unknown, expired)."""
        header = request.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        with self._lock:
            token = self._access.get(value.strip())
            if token is not None and token.expires_at <= time.time():
                del self._access[value.strip()]
                token = None
        if token is None:
            return None
        with self.state.lock:
            return self.state.accounts.get(token.account_id)

    # ------------------------------------------------------------------ memberships
    def membership(self, account: Account) -> Member | None:
        """The account's membership in the sandbox's one organization, if any."""
        with self.state.lock:
            for member in self.state.members.values():
                if member.user_id == account.id:
                    return member
        return None

    def can_manage_users(self, account: Account, organization_id: str) -> bool:
        """`ManageUsersRequirement`: a confirmed owner or admin (or custom with manageUsers)."""
        if organization_id.lower() != self.state.organization.id.lower():
            return False
        member = self.membership(account)
        if member is None or member.status != MemberStatus.CONFIRMED:
            return False
        if member.type in (MemberType.OWNER, MemberType.ADMIN):
            return True
        return member.type == MemberType.CUSTOM and bool(
            (member.permissions or {}).get("manageUsers")
        )


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
