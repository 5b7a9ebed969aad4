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
from dataclasses import dataclass

from app.sandbox.router import Request, Response
from app.sandbox.state import Account, Member, MemberStatus, MemberType, SandboxState
from app.sandbox.vault import crypto
from app.sandbox.vault.logins import Logins

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
        #: Accounts switched to Argon2id: account id -> (iterations, memory MiB, parallelism).
        self._argon2: dict[str, tuple[int, int, int]] = {}
        self.logins = Logins()

    # ------------------------------------------------------------------ accounts and keys
    def account_by_email(self, email: str) -> Account | None:
        wanted = email.strip().lower()
        with self.state.lock:
            for account in self.state.accounts.values():
                if account.email.lower() == wanted:
                    return account
        return None

    def master_password_keys(self, account: Account) -> crypto.MasterPasswordKeys | None:
        """The account's stored key material; None for an account without a master password."""
        if account.master_password is None:
            return None
        with self._lock:
            keys = self._keys.get(account.id)
            if keys is None:
                argon2 = self._argon2.get(account.id)
                keys = crypto.MasterPasswordKeys.create(
                    account.email,
                    account.master_password.get_secret_value(),
                    account.key_pair.private_key_der,
                    argon2[0] if argon2 else self.kdf_iterations,
                    argon2=argon2[1:] if argon2 else None,
                )
                self._keys[account.id] = keys
            return keys

    def kdf_iterations_for(self, email: str) -> int:
        """Prelogin's answer: the account's count, or the default for unknown emails ."""
        account = self.account_by_email(email)
        keys = self.master_password_keys(account) if account else None
        return keys.kdf_iterations if keys else crypto.DEFAULT_KDF_ITERATIONS

    def prelogin_kdf(self, email: str) -> dict[str, int | None]:
        """Prelogin's KDF fields: the account's, or the PBKDF2 default for unknown e-mails."""
        account = self.account_by_email(email)
        keys = self.master_password_keys(account) if account else None
        if keys is not None:
            return keys.kdf_fields()
        return {
            "kdf": crypto.KDF_PBKDF2_SHA256,
            "kdfIterations": crypto.DEFAULT_KDF_ITERATIONS,
            "kdfMemory": None,
            "kdfParallelism": None,
        }

    def use_argon2id(self, account: Account, params: tuple[int, int, int] | None) -> None:
        """Switch the account to Argon2id (iterations, memory MiB, parallelism), or back to
        PBKDF2 with None: as a KDF change in the web vault, its keys are registered again."""
        with self._lock:
            if params is None:
                self._argon2.pop(account.id, None)
            else:
                self._argon2[account.id] = params
            self._keys.pop(account.id, None)

    def forget_keys(self, account: Account) -> None:
        """The account's key pair changed: its wrapped keys are made again on next use."""
        with self._lock:
            self._keys.pop(account.id, None)
            self._admin_org_keys.pop(account.id, None)

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

    def issue_access_only(self, account: Account, client_id: str) -> str:
        """An access token without a refresh token (the personal API key's grant, §2.1)."""
        return self._access_token(account, client_id)

    def refresh(self, refresh_token: str, client_id: str) -> tuple[Account, str] | None:
        """A new access token for a known refresh token (which stays valid, as the server's)."""
        with self._lock:
            account_id = self._refresh.get(refresh_token)
        account = self.state.accounts.get(account_id) if account_id else None
        if account is None:
            return None
        return account, self._access_token(account, client_id)

    def _access_token(self, account: Account, client_id: str) -> str:
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
            "scope": ["api", "offline_access"],
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
