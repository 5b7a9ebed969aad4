"""The emulated organization, in memory: one lock, one version counter, nothing persisted.

Every API module (SCIM, identity, Public API, `bw serve`, control, and the vault's client API)
reads and changes this one object, always under `state.lock`, and calls `state.touch()` after a
change so that caches keyed by `state.version` (the serialized member lists) are rebuilt. Secrets
are `SecretStr` so that no repr, log line or exception shows them.

What the vault (Bitwarden client API for the real `bw` CLI) builds on:
- `Account`: a Bitwarden user (id, email, name, an RSA-2048 key pair made on first use, the
  private key kept so crypto can be checked); `SandboxState.admin` is the organization owner's
  account, whose master password is `SandboxState.admin_password`.
- `Account.master_password`: every account holder's (the admin's and each member's who accepted),
  so a test can log in as anyone with the real CLI; `Account.api_key`: the personal API key
  (`user.<id>`), the admin's only.
- `Collection`: the organization's collections; `everyone` means every member with an account can
  read it (its name is encrypted with the organization key by the vault, as clients store it).
- `Organization.symmetric_key`: the 64-byte organization key (32 encryption + 32 MAC bytes) that a
  confirmation encrypts for the member (`Member.key`, an EncString `4.<b64>`).
- `SandboxState.tokens`: issued bearer tokens (`issue_token` / `lookup_token`), shared by every API.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

_ALPHANUMERIC = string.ascii_letters + string.digits


class MemberStatus(IntEnum):
    """`OrganizationUserStatusType` (bitwarden/server), serialized as integers."""

    REVOKED = -1
    INVITED = 0
    ACCEPTED = 1
    CONFIRMED = 2
    STAGED = 3


class MemberType(IntEnum):
    """`OrganizationUserType`; 3 (Manager) was removed from the server but the value is reserved."""

    OWNER = 0
    ADMIN = 1
    USER = 2
    MANAGER = 3
    CUSTOM = 4


def new_id() -> str:
    """A lower-case GUID, as the server's JSON writes them."""
    return str(uuid.uuid4())


def random_key(length: int = 30) -> str:
    """`CoreHelpers.SecureRandomString(30)`: the SCIM key and the Public API client secret."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def utcnow() -> datetime:
    return datetime.now(UTC)


class KeyPair:
    """An account's RSA-2048 key pair (Bitwarden's user asymmetric key), generated on first use.

    Generating one costs tens of milliseconds, so a 100,000-member organization only pays for the
    keys something actually asks for (a fingerprint, a confirmation, the vault's sync).
    """

    def __init__(self, private_key: rsa.RSAPrivateKey | None = None) -> None:
        self._private_key = private_key
        self._lock = threading.Lock()

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._private_key is None:
                self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return self._private_key

    @property
    def public_key_der(self) -> bytes:
        """SubjectPublicKeyInfo DER: what `GET /users/{id}/public-key` returns base64-encoded."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def private_key_der(self) -> bytes:
        """PKCS#8 DER, the form Bitwarden clients encrypt with the user key."""
        return self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def __repr__(self) -> str:
        return "KeyPair(<private>)"


@dataclass
class Account:
    """A Bitwarden user account: exists once a person accepted an invitation (or for the admin)."""

    id: str
    email: str
    name: str | None
    master_password: SecretStr | None = None
    two_factor_enabled: bool = False
    key_pair: KeyPair = field(default_factory=KeyPair)
    created: datetime = field(default_factory=utcnow)
    #: The personal API key's secret (`User.ApiKey`, 30 alphanumerics), for `client_credentials`.
    api_key: SecretStr | None = None


def new_master_password() -> SecretStr:
    """A fresh master password for an account holder (Bitwarden requires at least 12 characters)."""
    digits = secrets.token_hex(12)  # one call: a 100,000-member seed makes 70,000 of these
    return SecretStr("-".join(digits[i : i + 6] for i in range(0, 24, 6)))


@dataclass
class Collection:
    """An organization collection; its name is what the person who created it typed."""

    id: str
    name: str
    external_id: str | None = None
    #: Every member with an account can read it (as through a group everybody is in).
    everyone: bool = False


@dataclass
class CollectionAccess:
    """A member's or group's access to one collection (Public API `collections[]`)."""

    id: str
    read_only: bool = False
    hide_passwords: bool = False
    manage: bool = False


#: The plain name of the collection every account holder reads (JSON line `collection_name`).
SHARED_COLLECTION_NAME = "Shared with everyone"
#: The server's refusal to leave an organization without a confirmed owner, in every API.
OWNER_REQUIRED = "Organization must have at least one confirmed owner."
#: A custom role's permissions as the Public API lists them: the keys of `Member.permissions`.
PERMISSION_KEYS = (
    "accessEventLogs",
    "accessImportExport",
    "accessReports",
    "createNewCollections",
    "editAnyCollection",
    "deleteAnyCollection",
    "manageGroups",
    "managePolicies",
    "manageSso",
    "manageUsers",
    "manageResetPassword",
    "manageScim",
    "manageAccessRules",
)


@dataclass
class Member:
    """An organization user (membership); `id` is the org-user id SCIM and the Public API show."""

    id: str
    email: str
    type: MemberType = MemberType.USER
    status: MemberStatus = MemberStatus.INVITED
    user_id: str | None = None
    external_id: str | None = None
    #: The name the person will give their account when they accept (not visible before that).
    invitee_name: str | None = None
    #: The status a restore returns to (`OrganizationUser.StatusNew` / prior active status).
    prior_status: MemberStatus | None = None
    collections: list[CollectionAccess] = field(default_factory=list)
    permissions: dict[str, bool] | None = None
    reset_password_enrolled: bool = False
    #: The organization key encrypted for this member on confirmation (EncString `4.<b64>`).
    key: str | None = None
    invited_at: datetime = field(default_factory=utcnow)
    accepted_at: datetime | None = None
    revision: datetime = field(default_factory=utcnow)


@dataclass
class Group:
    """A group; membership is a set of org-user ids (never shown by SCIM)."""

    id: str
    name: str
    external_id: str | None = None
    member_ids: list[str] = field(default_factory=list)
    collections: list[CollectionAccess] = field(default_factory=list)
    created: datetime = field(default_factory=utcnow)
    revised: datetime = field(default_factory=utcnow)


@dataclass
class Organization:
    """The organization and the switches the SCIM auth handler checks (reference 2.1)."""

    id: str
    name: str
    scim_key: SecretStr
    api_key: SecretStr
    #: 64 bytes: AES-256-CBC key + HMAC-SHA256 key (`makeOrgKey`).
    symmetric_key: bytes = field(default_factory=lambda: secrets.token_bytes(64), repr=False)
    enabled: bool = True
    use_scim: bool = True
    scim_enabled: bool = True
    use_groups: bool = True
    use_api: bool = True
    invite_users_after_provisioning: bool = True
    seats: int | None = None


@dataclass(frozen=True)
class Token:
    """A bearer token an identity endpoint issued."""

    value: str
    subject: str
    client_id: str
    scope: str
    expires_at: float

    def __repr__(self) -> str:
        return f"Token(subject={self.subject!r}, scope={self.scope!r})"


class SandboxState:
    """The whole organization: thread-safe through `lock` (re-entrant), versioned by `touch()`."""

    def __init__(
        self, organization: Organization, admin: Account, admin_password: SecretStr
    ) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.organization = organization
        self.admin = admin
        self.admin_password = admin_password
        self.accounts: dict[str, Account] = {admin.id: admin}
        self.members: dict[str, Member] = {}
        self.groups: dict[str, Group] = {}
        self.collections: dict[str, Collection] = {}
        self.tokens: dict[str, Token] = {}
        self.version = 0
        self._token_secret = secrets.token_bytes(32)
        self._caches: dict[str, tuple[int, Any]] = {}
        self._invite_listeners: list[Callable[[Member], None]] = []

    # ------------------------------------------------------------------ versioning and caches
    def touch(self) -> None:
        """Call after every change (under the lock): invalidates the version-keyed caches."""
        with self.lock:
            self.version += 1
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until `predicate()` (checked under the lock at each change) holds, or time out."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    def cached(self, name: str, build: Callable[[], Any]) -> Any:
        """`build()`'s result, reused until the next `touch()` (e.g. a 100k-member JSON body)."""
        with self.lock:
            hit = self._caches.get(name)
            if hit is not None and hit[0] == self.version:
                return hit[1]
            value = build()
            self._caches[name] = (self.version, value)
            return value

    # ------------------------------------------------------------------ lookups
    def member_by_email(self, email: str) -> Member | None:
        wanted = email.lower()
        with self.lock:
            for member in self.members.values():
                if member.email.lower() == wanted:
                    return member
        return None

    def account_for(self, member: Member) -> Account | None:
        with self.lock:
            return self.accounts.get(member.user_id) if member.user_id else None

    def member_name(self, member: Member) -> str | None:
        """The account's name; null while no account is linked (invited, staged)."""
        account = self.account_for(member)
        return account.name if account else None

    def member_email(self, member: Member) -> str:
        account = self.account_for(member)
        return account.email if account else member.email

    def two_factor_enabled(self, member: Member) -> bool:
        account = self.account_for(member)
        return account.two_factor_enabled if account else False

    def groups_of(self, member_id: str) -> list[str]:
        with self.lock:
            return [g.id for g in self.groups.values() if member_id in g.member_ids]

    # ------------------------------------------------------------------ changes shared by the APIs
    def add_member(self, member: Member) -> Member:
        """Add a membership; a new invitation (status Invited) is announced to the listeners."""
        with self.lock:
            self.members[member.id] = member
            self.touch()
        if member.status == MemberStatus.INVITED:
            self.announce_invitation(member)
        return member

    def announce_invitation(self, member: Member) -> None:
        """An invitation e-mail went out (new member or reinvite): tell the listeners."""
        for listener in list(self._invite_listeners):
            listener(member)

    def on_invite(self, listener: Callable[[Member], None]) -> None:
        """Call `listener` (outside the lock) for each invitation sent (for `--accept-after`)."""
        self._invite_listeners.append(listener)

    def accept(self, member: Member, name: str | None = None) -> Account:
        """The person accepts the invitation: an account (with a key pair) is created and linked."""
        with self.lock:
            if member.user_id is None:
                account = Account(
                    id=new_id(),
                    email=member.email,
                    name=name or member.invitee_name or _name_from_email(member.email),
                    master_password=new_master_password(),
                )
                self.accounts[account.id] = account
                member.user_id = account.id
            else:
                account = self.accounts[member.user_id]
            if member.status == MemberStatus.INVITED:
                member.status = MemberStatus.ACCEPTED
            elif member.status == MemberStatus.REVOKED and member.prior_status in (
                MemberStatus.INVITED,
                None,
            ):
                member.prior_status = MemberStatus.ACCEPTED
            member.accepted_at = utcnow()
            member.revision = utcnow()
            self.touch()
            return account

    def revoke(self, member: Member) -> None:
        with self.lock:
            member.prior_status = member.status
            member.status = MemberStatus.REVOKED
            member.revision = utcnow()
            self.touch()

    def restore(self, member: Member) -> None:
        with self.lock:
            member.status = member.prior_status or (
                MemberStatus.CONFIRMED if member.user_id else MemberStatus.INVITED
            )
            member.prior_status = None
            member.revision = utcnow()
            self.touch()

    def remove(self, member: Member) -> None:
        """Remove the membership (the account, if any, stays)."""
        with self.lock:
            self.members.pop(member.id, None)
            for group in self.groups.values():
                if member.id in group.member_ids:
                    group.member_ids.remove(member.id)
            self.touch()

    def confirmed_owner_count(self) -> int:
        with self.lock:
            return sum(
                1
                for m in self.members.values()
                if m.type == MemberType.OWNER and m.status == MemberStatus.CONFIRMED
            )

    def is_last_confirmed_owner(self, member: Member) -> bool:
        """Removing, revoking or demoting `member` would leave no confirmed owner, which every API
        refuses (with `OWNER_REQUIRED`)."""
        return (
            member.type == MemberType.OWNER
            and member.status == MemberStatus.CONFIRMED
            and self.confirmed_owner_count() <= 1
        )

    # ------------------------------------------------------------------ tokens
    def issue_token(self, subject: str, client_id: str, scope: str, lifetime: int = 3600) -> Token:
        """A JWT-shaped (`typ: at+jwt`, HS256) bearer token, remembered until it expires."""
        now = int(time.time())
        header = {"alg": "HS256", "kid": "sandbox", "typ": "at+jwt"}
        payload = {
            "nbf": now,
            "exp": now + lifetime,
            "iss": "http://localhost",
            "client_id": client_id,
            "sub": subject,
            "jti": secrets.token_hex(16),
            "iat": now,
            "scope": [scope],
        }
        signing_input = _b64url(_compact(header)) + "." + _b64url(_compact(payload))
        signature = hmac.new(self._token_secret, signing_input.encode(), hashlib.sha256).digest()
        value = signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
        token = Token(value, subject, client_id, scope, time.time() + lifetime)
        with self.lock:
            self.tokens[value] = token
        return token

    def lookup_token(self, value: str) -> Token | None:
        """The live token with this value, or None (unknown or expired)."""
        with self.lock:
            token = self.tokens.get(value)
            if token is not None and token.expires_at <= time.time():
                del self.tokens[value]
                return None
            return token

    def __repr__(self) -> str:
        return (
            f"SandboxState(organization={self.organization.id}, members={len(self.members)}, "
            f"groups={len(self.groups)}, version={self.version})"
        )


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def _name_from_email(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


def new_state(
    organization_name: str = "Sandbox Organization",
    admin_email: str = "admin@sandbox.example",
    admin_name: str = "Sandbox Admin",
    make_id: Callable[[], str] = new_id,
) -> SandboxState:
    """An organization with its owner (confirmed, with a master password) and fresh keys."""
    organization = Organization(
        id=make_id(),
        name=organization_name,
        scim_key=SecretStr(random_key()),
        api_key=SecretStr(random_key()),
    )
    password = new_master_password()
    admin = Account(
        id=make_id(),
        email=admin_email,
        name=admin_name,
        master_password=password,
        api_key=SecretStr(random_key()),
        # The owner set the organization up long ago (new-device verification spares new accounts).
        created=utcnow() - timedelta(days=400),
    )
    state = SandboxState(organization, admin, password)
    # Its id follows from the organization's, so a seed's other ids stay as they were.
    shared_id = str(uuid.uuid5(uuid.UUID(organization.id), SHARED_COLLECTION_NAME))
    shared = Collection(id=shared_id, name=SHARED_COLLECTION_NAME, everyone=True)
    state.collections[shared.id] = shared
    owner = Member(
        id=make_id(),
        email=admin_email,
        type=MemberType.OWNER,
        status=MemberStatus.CONFIRMED,
        user_id=admin.id,
        invitee_name=admin_name,
        accepted_at=utcnow(),
    )
    state.members[owner.id] = owner
    return state


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))
